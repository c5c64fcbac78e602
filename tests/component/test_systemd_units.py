"""``cic services install --root``: the systemd units pass ``systemd-analyze verify``, the
sandboxed services stay under an exposure threshold, bad values are refused, and
reinstalling or uninstalling keeps the administrator's environment file."""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cic.cli.main import main
from cic.deploy.systemd import UNITS, UnitValueError, unit_path, user_name

ASTERISK_ROOT = Path("/var/cache/cic/asterisk-root")
PYTHON = "/usr/bin/python3"  # a real interpreter outside /root and /home, as verify needs
# systemd-analyze security's 0-10 scale ("OK" ends at 4.9): the controller and workers run
# with no capabilities at all; Asterisk starts as root with five (chroot, setuid, setgid,
# reading its configuration, CAP_NET_ADMIN).
EXPOSURE_LIMITS = {
    "cic-controller.service": 2.0,
    "cic-worker@.service": 2.0,
    "cic-backup.service": 2.0,
    "cic-asterisk.service": 3.0,
}
TOOLS = pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze")


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings as on a host with the cached Asterisk root and the default state dir."""
    monkeypatch.delenv("CIC_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no cic.yaml here
    monkeypatch.setenv("CIC_ASTERISK__ROOT", str(ASTERISK_ROOT))
    monkeypatch.setenv("CIC_STATE_DIR", "/var/lib/cic")


def install(root: Path, *extra: str) -> int:
    return main(["services", "install", "--root", str(root), "--python", PYTHON, *extra])


def unit_dir(root: Path) -> Path:
    return root / "etc/systemd/system"


def directives(text: str, key: str) -> list[str]:
    return re.findall(rf"^{re.escape(key)}=(.*)$", text, re.MULTILINE)


@TOOLS
@pytest.mark.skipif(not ASTERISK_ROOT.is_dir(), reason="no cached Asterisk root")
def test_every_unit_passes_systemd_analyze_verify(settings_env: None, tmp_path: Path) -> None:
    assert install(tmp_path / "out") == 0
    units = unit_dir(tmp_path / "out")
    assert sorted(p.name for p in units.iterdir()) == sorted(UNITS)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(units / n) for n in UNITS)],
        env={"SYSTEMD_UNIT_PATH": f"{units}:", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr.strip()) == (0, "")


@TOOLS
def test_verify_fails_for_a_program_that_is_not_there(settings_env: None, tmp_path: Path) -> None:
    """The check above can fail: verify looks for every ExecStart binary."""
    assert main(["services", "install", "--root", str(tmp_path), "--python", "/opt/x/py"]) == 0
    unit = unit_dir(tmp_path) / "cic-controller.service"
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        env={"SYSTEMD_UNIT_PATH": f"{unit.parent}:"}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "/opt/x/py" in result.stderr


@TOOLS
def test_services_exposure_stays_under_its_limit(settings_env: None, tmp_path: Path) -> None:
    assert install(tmp_path) == 0
    for name, limit in EXPOSURE_LIMITS.items():
        result = subprocess.run(
            ["systemd-analyze", "security", "--offline=yes", str(unit_dir(tmp_path) / name)],
            capture_output=True,
            text=True,
            check=False,
        )
        found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout)
        assert found, result.stdout[-500:] + result.stderr
        exposure = float(found.group(1))
        print(f"{name}: exposure {exposure} (limit {limit})")
        assert exposure <= limit, name


def test_units_run_as_the_service_user_with_no_capabilities(
    settings_env: None, tmp_path: Path
) -> None:
    assert install(tmp_path) == 0
    units = unit_dir(tmp_path)
    for name in ("cic-controller.service", "cic-worker@.service", "cic-backup.service"):
        text = (units / name).read_text()
        assert directives(text, "User") == ["cic"], name
        assert directives(text, "CapabilityBoundingSet") == [""], name
        assert directives(text, "ProtectSystem") == ["strict"], name
        assert "/var/lib/cic" in directives(text, "ReadWritePaths"), name
        assert directives(text, "EnvironmentFile") == ["/etc/cic/cic.env"], name
    controller = (units / "cic-controller.service").read_text()
    assert directives(controller, "ExecStart") == [f"{PYTHON} -m cic serve"]
    assert directives(controller, "Restart") == ["on-failure"]
    assert f"{ASTERISK_ROOT}/srv/cic/default" in directives(controller, "ReadWritePaths")
    # Whisper's CTranslate2 needs memory written, then executed; the backup does not.
    assert "MemoryDenyWriteExecute=yes" not in (units / "cic-worker@.service").read_text()
    assert "MemoryDenyWriteExecute=yes" in (units / "cic-backup.service").read_text()
    asterisk = (units / "cic-asterisk.service").read_text()
    assert directives(asterisk, "ExecStart") == [
        f"/usr/sbin/chroot {ASTERISK_ROOT} /usr/sbin/asterisk"
        " -C /srv/cic/default/etc/asterisk.conf -f -U asterisk -G cic"
    ]
    assert directives(asterisk, "ExecStartPre") == [f"+{PYTHON} -m cic services prepare"]
    assert "CAP_SYS_CHROOT" in directives(asterisk, "CapabilityBoundingSet")[0]
    assert directives(asterisk, "User") == []  # root: it drops to asterisk:cic itself
    timer = (units / "cic-backup.timer").read_text()
    assert directives(timer, "Unit") == ["cic-backup.service"]
    env = (tmp_path / "etc/cic/cic.env").read_text()
    assert "CIC_STATE_DIR=/var/lib/cic\n" in env and "CIC_CONFIG=/etc/cic/cic.yaml\n" in env


def test_system_asterisk_runs_without_chroot(
    settings_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIC_ASTERISK__ROOT", "/")
    assert install(tmp_path) == 0
    asterisk = (unit_dir(tmp_path) / "cic-asterisk.service").read_text()
    assert directives(asterisk, "ExecStart")[0].startswith("/usr/sbin/asterisk -C /srv/cic/")
    assert (
        "CAP_SYS_CHROOT" not in asterisk
        and "chroot" not in directives(asterisk, "SystemCallFilter")[0]
    )


def test_reinstall_keeps_the_environment_and_uninstall_removes_only_units(
    settings_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert install(tmp_path) == 0
    env = tmp_path / "etc/cic/cic.env"
    env.write_text("CIC_DATABASE_URL=postgresql://cic@db/cic\n")
    stale = unit_dir(tmp_path) / "cic-controller.service"
    stale.write_text("old")
    assert install(tmp_path) == 0
    assert env.read_text() == "CIC_DATABASE_URL=postgresql://cic@db/cic\n"
    assert stale.read_text().startswith("# Napisane przez `cic services install`")
    assert "bez zmian (już jest)" in capsys.readouterr().out
    wants = {"cic.target.wants": "cic-worker@2.service", "multi-user.target.wants": "cic.target"}
    for folder, link in wants.items():  # as systemctl enable leaves them
        (unit_dir(tmp_path) / folder).mkdir()
        (unit_dir(tmp_path) / folder / link).symlink_to(f"/etc/systemd/system/{link}")
    (unit_dir(tmp_path) / "multi-user.target.wants/ssh.service").symlink_to("/lib/ssh.service")
    assert main(["services", "uninstall", "--root", str(tmp_path)]) == 0
    left = sorted(str(p.relative_to(unit_dir(tmp_path))) for p in unit_dir(tmp_path).rglob("*"))
    assert left == [
        "cic.target.wants",
        "multi-user.target.wants",
        "multi-user.target.wants/ssh.service",
    ]
    assert env.exists() and (tmp_path / "etc/cic/cic.yaml").exists()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--user", "Root!"], {}, "--user: 'Root!' nie jest nazwą użytkownika"),
        (["--user", "cic\nUser=root"], {}, "nie jest nazwą użytkownika"),
        (["--python", "python3"], {}, "--python: 'python3' nie jest ścieżką bezwzględną"),
        (["--python", "/opt/cic venv/bin/python"], {}, "nie jest ścieżką bezwzględną"),
        (["--python", "/root/.pyenv/bin/python"], {}, "leży w /root lub /home"),
        ([], {"CIC_STATE_DIR": "/var/lib/cic\nExecStartPre=/bin/sh"}, "state_dir: "),
        ([], {"CIC_STATE_DIR": "/var/lib/%n"}, "state_dir: "),
        ([], {"CIC_ASTERISK__ROOT": "/srv/$HOME"}, "asterisk.root: "),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    settings_env: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "out"
    argv = ["services", "install", "--root", str(out)]
    assert main([*argv, *(args if "--python" in args else ["--python", PYTHON, *args])]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("good", ["/var/lib/cic", "/opt/cic-2/bin/python3.11", "/srv/a_b+c@d"])
def test_path_grammar_accepts_plain_absolute_paths(good: str) -> None:
    assert unit_path(good, "x") == good


@pytest.mark.parametrize("bad", ["", "/a b", "/a/../etc", "/a//b", '/a"', "/a\\b", "/ä", "/a;b"])
def test_path_grammar_refuses(bad: str) -> None:
    with pytest.raises(UnitValueError, match="x: "):
        unit_path(bad, "x")


def test_user_names() -> None:
    assert user_name("cic") == "cic"
    for bad in ("", "1cic", "Cic", "c" * 33, "cic:cic", "-cic"):
        with pytest.raises(UnitValueError):
            user_name(bad)


TRANSCRIBE = """
import ctypes, sys
from pathlib import Path
if sys.argv[1] == "mdwe":
    assert ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) == 0  # PR_SET_MDWE: no W+X memory
from cic.speech.engines.whisper_engine import WhisperEngine
WhisperEngine(Path(sys.argv[2])).transcribe(Path(sys.argv[3]))
"""


def test_whisper_needs_memory_written_then_executed(tmp_path: Path) -> None:
    """Why cic-worker@ and the controller (whose child transcribes) have no
    MemoryDenyWriteExecute: under the kernel's form of it, Whisper fails."""
    from cic.speech.engines.packaged import packaged_whisper_base

    if ctypes.CDLL(None).prctl(66, 0, 0, 0, 0) < 0:
        pytest.skip("the kernel has no PR_SET_MDWE (Linux 6.3+)")
    model = packaged_whisper_base(tmp_path / "models")
    if model is None:
        pytest.skip("no packaged Whisper model")
    speech = tmp_path / "s.wav"
    sentence = "Dzień dobry, dzwonię w sprawie podatku od nieruchomości."
    subprocess.run(["espeak-ng", "-v", "pl", "-w", str(speech), sentence], check=True)
    runs = {
        mode: subprocess.run(
            [sys.executable, "-c", TRANSCRIBE, mode, str(model), str(speech)],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        for mode in ("plain", "mdwe")
    }
    assert runs["plain"].returncode == 0, runs["plain"].stderr[-500:]
    assert runs["mdwe"].returncode != 0
    assert "RuntimeError" in runs["mdwe"].stderr
