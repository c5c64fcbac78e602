"""cic as a built wheel: installed into a fresh virtual environment outside the checkout,
``cic up`` runs Asterisk and the controller from the installed package alone.

The wheel is built from a copy of the source tree (a stale ``build/`` in the checkout could
smuggle in files the tree no longer has); the venv sees the machine's installed libraries
(``--system-site-packages``: no network), and every check runs with the working directory
outside the checkout and no ``PYTHONPATH``, so only the wheel's files can answer: the Asterisk
templates (the rendered dialplan), the web templates and static files (the sign-in page, the
softphone bundle), the seed knowledge base (a search), the migrations (the database).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cic.asterisk import process, provision
from cic.cli.api import request
from cic.config import load_settings
from tests.integration.harness import REPO, instance_env, require_tools

pytestmark = pytest.mark.integration

SKIP_IN_COPY = shutil.ignore_patterns(
    ".git", "node_modules", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
    ".hypothesis", "var", "recordings", "tests", "bench",
)  # fmt: skip


@pytest.fixture(scope="module")
def venv() -> Iterator[Path]:
    """A fresh venv (under /tmp, reachable by cic's service users) with the wheel installed."""
    require_tools()
    if not (REPO / "web/static/vendor/jssip.min.js").exists():
        pytest.fail("the softphone bundle is not built: bash bin/install-deps")
    work = Path(tempfile.mkdtemp(prefix="cic-wheel-", dir="/tmp"))
    work.chmod(0o755)
    try:
        source = work / "source"
        shutil.copytree(REPO, source, ignore=SKIP_IN_COPY)
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
             "-w", str(work / "dist"), str(source)],
            cwd=work, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
        (wheel,) = (work / "dist").glob("cic-*.whl")
        shutil.rmtree(source)
        env_dir = work / "venv"
        subprocess.run(
            [sys.executable, "-m", "venv", "--system-site-packages", str(env_dir)], check=True
        )
        installed = subprocess.run(
            [str(env_dir / "bin/python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
            cwd=work, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
        yield env_dir
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def up_env(venv: Path) -> Iterator[dict[str, str]]:
    """Settings for a ``cic up`` of the wheel: free ports, a state dir of its own."""
    state = Path(tempfile.mkdtemp(prefix="cic-wheel-state-", dir="/tmp"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIC_") and k != "PYTHONPATH"}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    env.update(instance_env(state, f"wheel-{os.getpid()}", 19700, 100))  # below the harnesses'
    yield env
    subprocess.run([str(venv / "bin/cic"), "down"], env=env, cwd="/", check=False)
    shutil.rmtree(state, ignore_errors=True)


def _run(venv: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / argv[0]), *argv[1:]], env=env, cwd="/", capture_output=True,
        text=True, timeout=600, check=False,
    )  # fmt: skip


def test_the_wheel_carries_the_assets_and_nothing_of_the_build(venv: Path) -> None:
    where = _run(venv, {}, "python", "-c", "import cic.assets as a; print(a.folder('web'))")
    assert where.returncode == 0, where.stderr
    web = Path(where.stdout.strip())
    assert web.is_relative_to(venv), f"cic is imported from {web}, not from the venv"
    site = web.parents[2]
    for path in ("cic/assets/asterisk_conf/pjsip.conf.j2", "cic/assets/dialplan/extensions.conf.j2",
                 "cic/assets/web/templates/base.html", "cic/assets/web/static/js/softphone.js",
                 "cic/assets/web/static/vendor/jssip.min.js", "cic/assets/kb/README.md",
                 "cic/assets/kb/synonimy.yaml", "cic/assets/kb/formularze/pelnomocnictwo.odt",
                 "cic/migrations/alembic.ini", "cic/topics/taxonomy.yaml",
                 "cic/deploy/systemd_units/cic-controller.service.j2",
                 "cic/topics/corpus/seeds.yaml", "cic/topics/corpus/mentions.yaml",
                 "cic/topics/corpus/more_seeds.yaml"):  # fmt: skip
        assert (site / path).is_file(), path
    packaged = {p.relative_to(site / "cic").as_posix() for p in (site / "cic").rglob("*")}
    assert not any("node_modules" in p or p.endswith("build.mjs") for p in packaged)
    wheels = list(venv.parent.glob("dist/*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as archive:
        assert not [n for n in archive.namelist() if n.startswith(("tests/", "bench/"))]


def test_cic_up_from_the_wheel_answers_and_serves(venv: Path, up_env: dict[str, str]) -> None:
    started = _run(venv, up_env, "cic", "up")
    assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
    assert "cic działa." in started.stdout
    settings = load_settings(environ=up_env)
    state = Path(up_env["CIC_STATE_DIR"])
    controller = int((state / "cic-controller.pid").read_text())
    argv = Path(f"/proc/{controller}/cmdline").read_bytes().split(b"\0")
    assert argv[0].decode() == str(venv / "bin/python"), argv  # the venv's Python runs it

    status = request(settings, "GET", "/api/status")
    assert status["ami"]["connected"] is True
    layout = provision.locate(settings)
    dialplan = process.rx(layout, "dialplan show s@cic-inbound")
    assert "AGI(${CIC_AGI}/route)" in dialplan, dialplan  # rendered from the packaged template
    base = f"http://{settings.web_host}:{settings.web_port}"
    with urllib.request.urlopen(f"{base}/logowanie", timeout=10) as page:
        assert "Zaloguj" in page.read().decode()
    with urllib.request.urlopen(f"{base}/static/vendor/jssip.min.js", timeout=10) as js:
        assert len(js.read()) > 10_000
    deadline = time.monotonic() + 60
    search = "/api/kb/search?q=dow%C3%B3d%20osobisty"
    while not (found := request(settings, "GET", search))["ready"]:
        assert time.monotonic() < deadline, "the knowledge base was not indexed in 60 s"
        time.sleep(0.5)
    assert found["results"], found  # the seed articles came with the wheel
