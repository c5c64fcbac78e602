"""Rendering Asterisk's configuration: loopback AMI, least privilege, generated secrets."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import pytest

from cic.asterisk.provision import (
    EndpointSpec,
    Layout,
    ProvisionError,
    QueueSpec,
    locate,
    render,
    template_context,
)
from cic.asterisk.rendering import check_context, render_all, unsafe_reason
from cic.config import ConfigError, load_settings
from cic.credentials import Credentials
from cic.pbx_values import AsteriskValue, QueueName, UnsafeValue


@pytest.fixture
def rendered(tmp_path: Path) -> tuple[Path, Credentials]:
    settings = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "state")})
    layout = Layout(tmp_path / "root", "unit")
    creds = Credentials(settings.secrets_path)
    agents = [EndpointSpec("agent-anna", 'Anna "Kowalska" <x>', "sip:agent-anna@127.0.0.1:5071")]
    etc = render(settings, layout, creds, agents, [QueueSpec("pierwsza-linia")])
    return etc, creds


def test_ami_on_loopback_with_least_privilege(rendered: tuple[Path, Credentials]) -> None:
    etc, creds = rendered
    manager = (etc / "manager.conf").read_text()
    assert "bindaddr = 127.0.0.1" in manager
    assert f"secret = {creds.ami_password}" in manager
    read = next(line for line in manager.splitlines() if line.startswith("read ="))
    write = next(line for line in manager.splitlines() if line.startswith("write ="))
    assert set(read.split("=")[1].strip().split(",")) == {"system", "call", "agent", "user"}
    assert set(write.split("=")[1].strip().split(",")) == {
        "call", "agent", "originate", "config", "reporting"
    }  # fmt: skip


def test_secrets_are_generated_private_and_distinct(rendered: tuple[Path, Credentials]) -> None:
    etc, creds = rendered
    assert stat.S_IMODE(creds.path.stat().st_mode) == 0o600
    for conf in etc.glob("*.conf"):  # the controller writes, Asterisk's group reads
        assert stat.S_IMODE(conf.stat().st_mode) == 0o640, conf
    assert len(creds.ami_password) >= 24
    assert creds.sip_password("agent-anna") != creds.sip_password("agent-bartek")
    assert creds.sip_password("agent-anna") == Credentials(creds.path).sip_password("agent-anna")
    assert creds.sip_password("agent-anna") in (etc / "pjsip.conf").read_text()


def test_no_anonymous_sip_and_safe_display_name(rendered: tuple[Path, Credentials]) -> None:
    pjsip = (rendered[0] / "pjsip.conf").read_text()
    assert "[anonymous]" not in pjsip
    assert "endpoint_identifier_order = username,ip\n" in pjsip
    assert 'callerid = "Anna Kowalska x" <agent-anna>' in pjsip
    assert "endpoint_identifier_order = username,ip" in pjsip


def test_dialplan_falls_back_and_names_files_by_call_id(rendered: tuple[Path, Credentials]) -> None:
    dialplan = (rendered[0] / "extensions.conf").read_text()
    assert '$["${AGISTATUS}" != "SUCCESS"]?fallback' in dialplan
    assert "${CIC_RECDIR}/${STRFTIME(${EPOCH},UTC,%Y/%m/%d)}/${CIC_CALLID}.wav" in dialplan
    assert "CALLERID" not in dialplan
    for number in ("48820000000", "+48820000000", "0820000000", "1000"):
        assert f"exten => {number},1," in dialplan


def test_instance_name_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"asterisk\.instance"):
        load_settings(environ={"CIC_ASTERISK__INSTANCE": "../../etc"})
    settings = load_settings()
    settings.asterisk.instance = "../../etc"
    with pytest.raises(ProvisionError):
        locate(settings)


def test_building_the_root_keeps_instances_rendered_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in debootstrap (the real one needs a mirror) makes the root; srv/ survives."""
    from cic.asterisk import provision

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "debootstrap"
    fake.write_text(
        '#!/bin/sh\nmkdir -p "$4/usr/sbin" "$4/srv/cic" && touch "$4/usr/sbin/asterisk"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setattr(provision.Path, "exists", _no_system_asterisk(provision.Path.exists))
    settings = load_settings(environ={"CIC_ASTERISK__CACHE_DIR": str(tmp_path / "cache")})
    early = tmp_path / "cache/asterisk-root/srv/cic/access-test/etc"
    early.mkdir(parents=True)
    (early / "pjsip.conf").write_text("; rendered before the root existed\n")
    layout = provision.ensure_root(settings)
    assert (layout.root / "usr/sbin/asterisk").exists()
    assert (layout.root / "srv/cic/access-test/etc/pjsip.conf").read_text().startswith("; rendered")
    assert not (tmp_path / "cache/asterisk-root.tmp").exists()
    assert provision.ensure_root(settings).root == layout.root  # built once, found afterwards


def _no_system_asterisk(exists: Any) -> Any:
    def patched(self: Path) -> bool:
        return False if str(self) == "/usr/sbin/asterisk" else bool(exists(self))

    return patched


# --- the renderer refuses what would inject configuration -------------------------------------
PAYLOADS = ["\n[evil]\ntype=endpoint", "[evil]", ";x", "${SHELL(id)}", "$[1]", "\x00", "\r"]


def _snapshot(etc: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(etc.iterdir())}


def _render_with(tmp_path: Path, **agent: Any) -> Path:
    settings = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "state")})
    spec = EndpointSpec(**{"endpoint": "agent-ewa", "display_name": "Ewa", **agent})
    return render(
        settings, Layout(tmp_path / "root", "unit"), Credentials(settings.secrets_path), [spec],
        [QueueSpec("pierwsza-linia")],
    )  # fmt: skip


@pytest.mark.parametrize("payload", PAYLOADS)
def test_unchecked_contact_is_refused_and_files_stay(
    rendered: tuple[Path, Credentials], payload: str
) -> None:
    """A contact that skipped the service's validator (as stored before this check)."""
    etc = rendered[0]
    before = _snapshot(etc)
    root = etc.parents[3]
    settings = load_settings(environ={"CIC_STATE_DIR": str(root.parent / "state")})
    spec = EndpointSpec("agent-anna", "Anna", f"sip:agent-anna@127.0.0.1:5071{payload}")
    with pytest.raises(UnsafeValue) as err:
        render(settings, Layout(root, "unit"), rendered[1], [spec], [QueueSpec("pierwsza-linia")])
    assert err.value.status == 400
    assert err.value.message.startswith("Stały adres telefonu (agent-anna): adres SIP")
    assert _snapshot(etc) == before


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("endpoint", "agent-x\n[evil]", "Login konsultanta"),
        ("queue", "kolejka\n[evil]", "Nazwa kolejki"),
        ("strategy", "ringall\n[evil]", "Strategia kolejki"),
    ],
)
def test_unchecked_names_are_refused(tmp_path: Path, field: str, value: str, named: str) -> None:
    settings = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "state")})
    agent = EndpointSpec(value if field == "endpoint" else "agent-x", "X")
    queue = QueueSpec(value, "rrmemory") if field == "queue" else QueueSpec("q", value)
    if field == "endpoint":
        queue = QueueSpec("q")
    with pytest.raises(UnsafeValue, match=f"^{named}"):
        render(settings, Layout(tmp_path, "unit"), Credentials(settings.secrets_path), [agent],
               [queue])  # fmt: skip
    assert not (tmp_path / "srv/cic/unit/etc/pjsip.conf").exists()


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("trunk_contact", "sip:10.0.0.1\n[evil]"),
        ("ami_user", "cic]\n[evil"),
        ("ami_host", "127.0.0.1\npermit=0.0.0.0/0"),
        ("agi_host", "127.0.0.1,evil"),
        ("sip_host", "127.0.0.1;x"),
    ],
)
def test_settings_that_skipped_validation_are_refused(
    tmp_path: Path, setting: str, value: str
) -> None:
    settings = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "state")})
    setattr(settings.asterisk, setting, value)  # as if cic.yaml had not been validated
    with pytest.raises(UnsafeValue, match=f"^asterisk.{setting}: "):
        render(settings, Layout(tmp_path, "unit"), Credentials(settings.secrets_path), [], [])


def test_trunk_match_and_office_values_are_checked(tmp_path: Path) -> None:
    settings = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "state")})
    creds = Credentials(settings.secrets_path)
    for section, name, value in [
        ("asterisk", "trunk_match", ["127.0.0.1", "10.0.0.0/8\n[evil]"]),
        ("office", "number", "+48820000000\n"),
        ("office", "extension", "1000,1"),
        ("office", "first_line_queue", "pierwsza-linia,t"),
        ("office", "recording_policy", "never\n[x]"),
        ("callback", "key", "5;"),
        ("callback", "queues", ["pierwsza-linia", "x\n"]),
    ]:
        fresh = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "state")})
        setattr(getattr(fresh, section), name, value)
        with pytest.raises(UnsafeValue, match=f"^{section}.{name}: "):
            render(fresh, Layout(tmp_path, "unit"), creds, [], [])
    render(settings, Layout(tmp_path, "unit"), creds, [], [])  # the defaults pass


def test_display_names_reach_pjsip_filtered(tmp_path: Path) -> None:
    etc = _render_with(tmp_path, display_name="Ewa\n[evil]\ntype=endpoint;${X}")
    pjsip = (etc / "pjsip.conf").read_text()
    assert 'callerid = "EwaeviltypeendpointX" <agent-ewa>' in pjsip
    assert "[evil]" not in pjsip


def test_transport_parameter_is_escaped_for_pjsip(tmp_path: Path) -> None:
    etc = _render_with(tmp_path, static_contact="sip:agent-ewa@10.0.0.7:5062;transport=tcp")
    assert (
        "contact = sip:agent-ewa@10.0.0.7:5062\\;transport=tcp\n"
        in (etc / "pjsip.conf").read_text()
    )


def test_the_real_context_passes_the_guard(tmp_path: Path) -> None:
    settings = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "state")})
    context = template_context(
        settings, Layout(tmp_path, "unit"), Credentials(settings.secrets_path),
        [EndpointSpec("agent-ewa", "Ewa", "sip:agent-ewa@10.0.0.7")], [QueueSpec("q")],
    )  # fmt: skip
    check_context(context)
    assert isinstance(context["agents"][0]["static_contact"], AsteriskValue)


def test_finalize_guard_catches_what_the_context_check_cannot_see(tmp_path: Path) -> None:
    """A value made inside a template (here by concatenation) is checked as it is written."""
    template = tmp_path / "x.conf.j2"
    template.write_text("value = {{ a ~ b }}\n")
    assert render_all((tmp_path,), {"a": QueueName("q"), "b": "y"}) == {"x.conf": "value = qy\n"}
    for payload in PAYLOADS:
        template.write_text("{% set b = " + repr(payload) + " %}value = {{ a ~ b }}\n")
        with pytest.raises(UnsafeValue, match=r"^szablon x\.conf\.j2: "):
            render_all((tmp_path,), {"a": QueueName("q")})


@pytest.mark.parametrize("payload", [*PAYLOADS, ",", "&", '"', "\\", "(", "=", "{", "}"])
def test_plain_strings_allow_only_path_and_name_characters(payload: str) -> None:
    assert unsafe_reason("/srv/cic/test-1/sounds/cic-pl") is None
    assert unsafe_reason("Zażółć 0-9 a_b:c@d+e.f") is None
    assert unsafe_reason("x" + payload) is not None
    with pytest.raises(UnsafeValue, match=r"^pole\.a\.b\[1\]\.c: "):
        check_context({"a": {"b": [{"c": "ok"}, {"c": "x" + payload}]}}, "pole")


def test_agi_url_carries_the_install_secret(rendered: tuple[Path, Credentials]) -> None:
    etc, creds = rendered
    assert (
        f"CIC_AGI = agi://127.0.0.1:4573/{creds.agi_secret}\n"
        in (etc / "extensions.conf").read_text()
    )
    assert len(creds.agi_secret) >= 24


def test_migration_0018_clears_stored_contacts_the_renderer_would_refuse(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    from cic.db import migrate

    url = f"sqlite:///{tmp_path / 'cic.db'}"
    migrate(url, "0016")
    engine = create_engine(url)
    rows = {"anna": "sip:agent-anna@10.0.0.5:5060", "ewa": INJECTED_CONTACT, "ola": "", "iza": None}
    with engine.begin() as db:
        for username, contact in rows.items():
            db.execute(
                text(
                    "INSERT INTO agents (username, display_name, endpoint, static_contact, active)"
                    " VALUES (:u, :u, :e, :c, 1)"
                ),
                {"u": username, "e": f"agent-{username}", "c": contact},
            )
    migrate(url)
    with engine.begin() as db:
        after = dict(db.execute(text("SELECT username, static_contact FROM agents")).all())
    engine.dispose()
    assert after == {"anna": "sip:agent-anna@10.0.0.5:5060", "ewa": None, "ola": None, "iza": None}


INJECTED_CONTACT = "sip:agent-ewa@127.0.0.1\n[evil]\ntype=endpoint"


def test_capacity_for_300_calls_is_the_default(
    rendered: tuple[Path, Credentials], tmp_path: Path
) -> None:
    """Enough RTP ports for 300 calls with agent legs and file descriptors for them."""
    etc, _creds = rendered
    rtp = (etc / "rtp.conf").read_text()
    start = int(re.search(r"rtpstart = (\d+)", rtp).group(1))  # type: ignore[union-attr]
    end = int(re.search(r"rtpend = (\d+)", rtp).group(1))  # type: ignore[union-attr]
    assert (end - start + 1) // 4 >= 300  # a port pair per channel, two channels per call
    maxfiles = re.search(r"^maxfiles = (\d+)$", (etc / "asterisk.conf").read_text(), re.M)
    assert maxfiles is not None and int(maxfiles.group(1)) >= 300 * 10
    with pytest.raises(ConfigError, match=r"asterisk\.max_files"):
        load_settings(environ={"CIC_STATE_DIR": str(tmp_path), "CIC_ASTERISK__MAX_FILES": "10"})


def test_a_node_behind_kamailio_names_its_calls_and_admits_its_controller(
    tmp_path: Path,
) -> None:
    """``ha.node`` becomes ``systemname`` (call ids ``node-a-…``); a controller on another host
    (its FastAGI address) may log in to AMI besides loopback; a single node has neither."""
    env = {"CIC_STATE_DIR": str(tmp_path / "state"), "CIC_HA__NODE": "node-a",
           "CIC_ASTERISK__AGI_HOST": "10.0.0.5", "CIC_ASTERISK__AMI_HOST": "10.0.0.11"}  # fmt: skip
    settings = load_settings(environ=env)
    etc = render(settings, Layout(tmp_path / "root", "unit"), Credentials(settings.secrets_path),
                 [], [QueueSpec("pierwsza-linia")])  # fmt: skip
    assert re.search(r"^systemname = node-a$", (etc / "asterisk.conf").read_text(), re.M)
    permits = re.findall(r"^permit = (\S+)$", (etc / "manager.conf").read_text(), re.M)
    assert permits == ["127.0.0.1/255.255.255.255", "10.0.0.5/255.255.255.255"]
    single = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "one")})
    etc = render(single, Layout(tmp_path / "one-root", "unit"), Credentials(single.secrets_path),
                 [], [QueueSpec("pierwsza-linia")])  # fmt: skip
    assert "systemname" not in (etc / "asterisk.conf").read_text()
    assert re.findall(r"^permit = (\S+)$", (etc / "manager.conf").read_text(), re.M) == [
        "127.0.0.1/255.255.255.255"
    ]


@pytest.mark.parametrize("node", ["Node-A", "a b", "a\nsystemname = x", "-a", "x" * 21, "węzeł"])
def test_a_node_name_outside_its_grammar_is_refused(node: str) -> None:
    with pytest.raises(ConfigError, match=r"ha\.node"):
        load_settings(environ={"CIC_HA__NODE": node})
