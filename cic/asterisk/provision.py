"""Find or install Asterisk and render ``asterisk-conf/`` and ``dialplan/`` into an instance.

Two layouts:

* the system's ``asterisk`` when one is installed (root ``/``);
* otherwise a Debian (sid) root built once with debootstrap and cached outside the work tree
  (``asterisk.cache_dir``), run with ``chroot``.

Each instance (``asterisk.instance``) has its own configuration, spool, run and log directories
under ``/srv/cic/<instance>`` as Asterisk sees it, so several instances (tests, helpers) can share
one cached root on their own ports.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cic import assets
from cic import pbx_values as values
from cic.asterisk import rendering
from cic.config import Settings
from cic.credentials import Credentials
from cic.local_files import write_atomic
from cic.pbx_values import is_ipv4, sip_display_name

log = logging.getLogger(__name__)

TEMPLATE_DIRS = (assets.folder("asterisk-conf"), assets.folder("dialplan"))
DEBIAN_MIRROR = "http://deb.debian.org/debian"
ROOT_PACKAGES = "asterisk,asterisk-modules"
MODDIR = "/usr/lib/x86_64-linux-gnu/asterisk/modules"
PORTS = ("ami_port", "agi_port", "sip_port", "http_port", "rtp_start", "rtp_end")
# In etc/ (setgid group cic, like the configuration): Asterisk reads them through its group;
# not in lib/keys, where res_crypto wants every *.key to be 0600.
SIP_TLS_CERT, SIP_TLS_KEY = "etc/sip-tls.crt", "etc/sip-tls.key"
INSTANCE_DIRS = (
    "etc", "lib/keys", "spool", "run", "log", "agi-bin", "sounds/moh", "recordings/messages",
)  # fmt: skip

# Modules a municipal contact centre never uses; fewer modules, less surface, faster start.
# (res_http_websocket and res_pjsip_transport_websocket stay loaded: browser softphones.)
NOLOAD = (
    "chan_iax2.so chan_unistim.so chan_motif.so chan_console.so chan_audiosocket.so "
    "chan_websocket.so chan_rtp.so pbx_lua.so pbx_ael.so pbx_dundi.so pbx_realtime.so "
    "res_phoneprov.so res_pjsip_phoneprov_provider.so res_prometheus.so res_hep.so "
    "res_hep_pjsip.so res_hep_rtcp.so res_calendar.so res_calendar_caldav.so "
    "res_calendar_ews.so res_calendar_exchange.so res_calendar_icalendar.so res_config_ldap.so "
    "res_config_mysql.so res_config_odbc.so res_config_pgsql.so res_config_sqlite3.so "
    "res_config_curl.so res_odbc.so res_odbc_transaction.so cdr_adaptive_odbc.so cdr_odbc.so "
    "cdr_pgsql.so cdr_radius.so cdr_tds.so cdr_sqlite3_custom.so cdr_custom.so cdr_csv.so "
    "cdr_manager.so cel_custom.so cel_manager.so cel_odbc.so cel_pgsql.so cel_radius.so "
    "cel_tds.so cel_sqlite3_custom.so app_voicemail.so app_voicemail_odbc.so app_minivm.so "
    "app_festival.so app_jack.so app_sms.so app_adsiprog.so app_getcpeid.so res_adsi.so "
    "res_fax.so res_fax_spandsp.so res_smdi.so res_snmp.so res_corosync.so res_xmpp.so "
    "res_pjsip_stir_shaken.so res_stir_shaken.so res_aeap.so res_speech_aeap.so "
    "res_audiosocket.so app_audiosocket.so res_ari.so res_ari_applications.so "
    "res_ari_asterisk.so res_ari_bridges.so res_ari_channels.so res_ari_device_states.so "
    "res_ari_endpoints.so res_ari_events.so res_ari_model.so res_ari_playbacks.so "
    "res_ari_recordings.so res_ari_sounds.so app_stasis.so app_stasis_broadcast.so "
    "res_stasis_recording.so res_stasis_playback.so res_stasis_answer.so "
    "res_stasis_snoop.so res_stasis_device_state.so res_stasis_mailbox.so res_stasis_test.so "
    "res_statsd.so res_chan_stats.so res_endpoint_stats.so app_system.so func_shell.so "
    "res_http_post.so "
    "res_http_media_cache.so res_resolver_unbound.so res_geolocation.so "
    "res_pjsip_geolocation.so app_dictate.so app_mp3.so app_externalivr.so app_agent_pool.so "
    "res_parking.so pbx_spool.so res_clioriginate.so func_curl.so res_curl.so "
    "res_mwi_devstate.so res_pjsip_mwi.so res_pjsip_mwi_body_generator.so func_odbc.so "
    "res_websocket_client.so res_stun_monitor.so res_pjsip_notify.so app_confbridge.so "
    "app_page.so app_alarmreceiver.so app_amd.so app_followme.so res_pjsip_config_wizard.so "
    "res_clialiases.so res_stasis_broadcast.so"
).split()


class ProvisionError(RuntimeError):
    """Asterisk could not be found, installed or configured; the message says why."""


@dataclass(frozen=True)
class Layout:
    """Where one Asterisk instance lives, from the host's and from Asterisk's point of view."""

    root: Path
    instance: str

    @property
    def chrooted(self) -> bool:
        """True when Asterisk runs in the cached Debian root."""
        return self.root != Path("/")

    @property
    def inst(self) -> str:
        """The instance directory as Asterisk sees it."""
        return f"/srv/cic/{self.instance}"

    def host(self, path: str) -> Path:
        """Map a path as Asterisk sees it to the host's path."""
        return self.root / path.lstrip("/")

    def asterisk_path(self, host_path: Path) -> str:
        """Map a host path inside the root to the path Asterisk sees."""
        return "/" + str(host_path.resolve().relative_to(self.root.resolve()))

    @property
    def conf_file(self) -> str:
        """asterisk.conf as Asterisk sees it (passed with -C)."""
        return f"{self.inst}/etc/asterisk.conf"

    def command(self, *args: str) -> list[str]:
        """The argv that runs the ``asterisk`` binary of this layout on this instance."""
        base = ["/usr/sbin/asterisk", "-C", self.conf_file, *args]
        return ["chroot", str(self.root), *base] if self.chrooted else base

    @property
    def recordings(self) -> str:
        """Call recordings directory (as Asterisk sees it)."""
        return f"{self.inst}/recordings"

    @property
    def messages(self) -> str:
        """After-hours messages directory (as Asterisk sees it)."""
        return f"{self.inst}/recordings/messages"

    @property
    def prompts(self) -> str:
        """Polish prompts directory (as Asterisk sees it)."""
        return f"{self.inst}/sounds/cic-pl"


def cached_root(settings: Settings) -> Path:
    """The cached debootstrap root for this machine."""
    return Path(settings.asterisk.cache_dir) / "asterisk-root"


def locate(settings: Settings) -> Layout:
    """The layout to use: configured root, else system asterisk, else the cached root."""
    instance = settings.asterisk.instance
    if not values.ObjectName.valid(instance):
        raise ProvisionError(f"asterisk.instance {instance!r}: {values.ObjectName.rule}")
    if settings.asterisk.root:
        return Layout(Path(settings.asterisk.root), instance)
    if Path("/usr/sbin/asterisk").exists():
        return Layout(Path("/"), instance)
    return Layout(cached_root(settings), instance)


def ensure_root(settings: Settings) -> Layout:
    """Locate Asterisk, building the cached Debian root with debootstrap when there is none.

    Builders on one machine take turns (a lock file beside the root), and what was rendered
    into a root before it was built (instances under ``srv/``) is kept.
    """
    layout = locate(settings)
    if layout.chrooted and layout.root == cached_root(settings):
        _passable(layout.root.parent)
    if (layout.root / "usr/sbin/asterisk").exists():
        return layout
    if not layout.chrooted or layout.root != cached_root(settings):
        raise ProvisionError(f"no asterisk binary under {layout.root}")
    if not shutil.which("debootstrap"):
        raise ProvisionError("debootstrap is missing: apt-get install -y debootstrap")
    with (layout.root.parent / (layout.root.name + ".lock")).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (layout.root / "usr/sbin/asterisk").exists():
            _build_root(layout.root)
    return layout


def _passable(folder: Path) -> None:
    """Let every user pass through the cache folder (not list it).

    cic makes it under its umask 027 (0750, root only), which shut Asterisk's and the
    controller's users out of the recordings inside the root on a fresh machine.
    """
    folder.mkdir(parents=True, exist_ok=True)
    mode = folder.stat().st_mode & 0o7777
    if mode & 0o011 != 0o011:
        try:
            folder.chmod(mode | 0o011)
        except PermissionError:
            log.warning("cannot let other users pass through %s (not its owner)", folder)


def _build_root(root: Path) -> None:
    tmp = root.with_name(root.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    log.warning("building the Asterisk root in %s (about a minute, ~500 MB)", root)
    argv = ["debootstrap", "--variant=minbase", f"--include={ROOT_PACKAGES}", "sid", str(tmp)]
    result = subprocess.run([*argv, DEBIAN_MIRROR], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ProvisionError(f"debootstrap failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    if root.exists():  # instances rendered before the root was built: keep them
        _merge_into(root, tmp)
        shutil.rmtree(root)
    tmp.rename(root)


def _merge_into(source: Path, target: Path) -> None:
    """Move what ``source`` has and ``target`` lacks into ``target`` (folders merged)."""
    for entry in source.iterdir():
        there = target / entry.name
        if entry.is_dir() and not entry.is_symlink() and there.is_dir():
            _merge_into(entry, there)
        elif not there.exists():
            shutil.move(str(entry), str(there))


@dataclass(frozen=True)
class EndpointSpec:
    """One agent's PJSIP endpoint as the templates need it."""

    endpoint: str
    display_name: str
    static_contact: str | None = None

    @property
    def display_name_sip(self) -> str:
        """The display name made safe for a quoted SIP header in pjsip.conf."""
        return sip_display_name(self.display_name)


@dataclass(frozen=True)
class QueueSpec:
    """One queue as the templates need it."""

    name: str
    strategy: str = "rrmemory"


def template_context(
    settings: Settings,
    layout: Layout,
    credentials: Credentials,
    agents: list[EndpointSpec],
    queues: list[QueueSpec],
) -> dict[str, Any]:
    """Everything the templates print, each value parsed into its validated type.

    Raises :class:`~cic.pbx_values.UnsafeValue` naming the setting or the agent's field
    that breaks its grammar. Only what the templates use is here (not whole settings
    objects), so the renderer's guard sees every value that can reach a file.
    """
    a, office, cb = settings.asterisk, settings.office, settings.callback
    digits = values.PhoneNumber.parse(office.number, "office.number").digits
    first = values.QueueName.parse(office.first_line_queue, "office.first_line_queue")
    contact = a.trunk_contact
    asterisk = {
        "ami_host": values.HostName.parse(a.ami_host, "asterisk.ami_host"),
        "ami_user": values.ObjectName.parse(a.ami_user, "asterisk.ami_user"),
        "agi_host": values.HostName.parse(a.agi_host, "asterisk.agi_host"),
        "sip_host": values.HostName.parse(a.sip_host, "asterisk.sip_host"),
        "trunk_match": [
            values.TrunkMatch.parse(match, "asterisk.trunk_match") for match in a.trunk_match
        ],
        "trunk_contact": (
            values.SipUri.parse(contact, "asterisk.trunk_contact").for_conf() if contact else ""
        ),
        **{name: int(getattr(a, name)) for name in PORTS},
        "max_files": int(a.max_files),
        # the controller's own address (it serves FastAGI there) may log in to AMI too, when
        # it runs on another host than Asterisk (one controller per node behind Kamailio)
        "ami_permit": list(dict.fromkeys(["127.0.0.1", *_controller_ip(a.agi_host)])),
        # a node behind Kamailio: its name prefixes every uniqueid and linkedid (call ids)
        "systemname": (
            values.NodeName.parse(settings.ha.node, "ha.node") if settings.ha.node else ""
        ),
    }
    return {
        "a": asterisk,
        "office": {
            "first_line_queue": first,
            "recording_policy": values.RecordingPolicyName.parse(
                office.recording_policy, "office.recording_policy"
            ),
            "after_hours_message_seconds": int(office.after_hours_message_seconds),
            "menu_timeout": int(office.menu_timeout),
        },
        "inst": layout.inst,
        "moddir": MODDIR,
        "datadir": "/usr/share/asterisk",
        "noload": NOLOAD,
        "secrets": {
            "ami_password": credentials.ami_password,
            "agi_secret": credentials.agi_secret,
        },
        "agents": [_agent_row(spec, credentials, settings) for spec in agents],
        "sip_tls": _sip_tls(settings, layout),
        "queues": [
            {
                "name": values.QueueName.parse(q.name, "Nazwa kolejki"),
                "strategy": values.QueueStrategy.parse(q.strategy, "Strategia kolejki"),
            }
            for q in queues
        ],
        "wrapup": int(office.wrapup_seconds),
        "numbers": [
            values.Extension(digits),
            values.Extension("+" + digits),
            values.Extension("0" + digits[2:]),
            values.Digits.parse(office.extension, "office.extension"),
        ],
        "prompts": layout.prompts,
        "recdir": layout.recordings,
        "msgdir": layout.messages,
        "moh_dir": f"{layout.inst}/sounds/moh",
        "cb": {
            "enabled": bool(cb.enabled),
            "key": values.DtmfKey.parse(cb.key, "callback.key"),
            "announce_every": int(cb.announce_every),
        },
        "office_number": digits,
        "voice": {"limit": int(settings.voice_calls.limit)},
        "callback_queues": [values.QueueName.parse(q, "callback.queues") for q in cb.queues]
        or [first],
    }


def _controller_ip(agi_host: str) -> list[values.HostName]:
    """``agi_host`` when it is an IPv4 address (an AMI ``permit`` takes addresses only)."""
    return [values.HostName.parse(agi_host, "asterisk.agi_host")] if is_ipv4(agi_host) else []


def _sip_tls(settings: Settings, layout: Layout) -> dict[str, Any] | None:
    """The TLS transport's values (``None``: off); the files as Asterisk sees its copies."""
    tls = settings.tls
    if not tls.sip_port:
        return None
    return {
        "bind": values.HostName.parse(tls.sip_bind, "tls.sip_bind"),
        "port": int(tls.sip_port),
        "cert_file": f"{layout.inst}/{SIP_TLS_CERT}",
        "key_file": f"{layout.inst}/{SIP_TLS_KEY}",
    }


def _agent_row(spec: EndpointSpec, credentials: Credentials, settings: Settings) -> dict[str, Any]:
    endpoint = values.ObjectName.parse(spec.endpoint, "Login konsultanta")
    contact = spec.static_contact
    return {
        "endpoint": endpoint,
        "remote": spec.endpoint.removeprefix("agent-") in settings.tls.remote_agents,
        "display_name_sip": spec.display_name_sip,
        "static_contact": (
            values.SipUri.parse(contact, f"Stały adres telefonu ({endpoint})").for_conf()
            if contact
            else None
        ),
        "password": credentials.sip_password(endpoint),
    }


def render(
    settings: Settings,
    layout: Layout,
    credentials: Credentials,
    agents: list[EndpointSpec],
    queues: list[QueueSpec],
) -> Path:
    """Render every template into the instance's etc directory; returns that directory.

    Every file is rendered before any is written: a refused value (``UnsafeValue``)
    leaves the files as they were, so Asterisk keeps reloading the last good configuration.
    """
    texts = rendering.render_all(
        TEMPLATE_DIRS, template_context(settings, layout, credentials, agents, queues)
    )
    etc = layout.host(f"{layout.inst}/etc")
    for sub in INSTANCE_DIRS:
        layout.host(f"{layout.inst}/{sub}").mkdir(parents=True, exist_ok=True)
    if settings.tls.sip_port:
        _copy_sip_tls_files(settings, layout)
    for name, text in texts.items():
        _write_shared(etc / name, text)
    return etc


def _copy_sip_tls_files(settings: Settings, layout: Layout) -> None:
    """Copy the TLS transport's certificate and key into the instance (a chrooted Asterisk
    sees nothing outside its root); Asterisk reads them as a member of the shared group.

    A source that cannot be read (a renewal replacing it) leaves an earlier copy in place,
    with a warning: an agent's change must not fail over it. Without a copy it is an error.
    """
    for source, target in zip(settings.tls.sip_files, (SIP_TLS_CERT, SIP_TLS_KEY), strict=True):
        copy = layout.host(f"{layout.inst}/{target}")
        try:
            text = Path(source).read_text(encoding="ascii")
            if "-----BEGIN " not in text:
                raise ValueError("not a PEM file")
        except (OSError, ValueError) as exc:
            if not copy.exists():
                raise ProvisionError(f"tls: cannot use {source} (PEM file): {exc}") from None
            log.warning("tls: %s unusable (%s); Asterisk keeps the earlier copy", source, exc)
            continue
        _write_shared(copy, text)


def _write_shared(path: Path, text: str) -> None:
    """Write atomically, mode 0640: the owner (the controller) and Asterisk's group read."""
    write_atomic(path, text, 0o640)
