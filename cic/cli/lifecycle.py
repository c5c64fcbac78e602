"""``cic up|down|serve|asterisk``: provision and run Asterisk and the controller."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cic.admin.office import apply_stored
from cic.asterisk import accounts, ownership, process, prompts, provision
from cic.asterisk.accounts import AccountError
from cic.cli import service_user
from cic.cli.users import ensure_demo_users
from cic.config import Settings
from cic.credentials import Credentials
from cic.db import Store
from cic.errors import CommandError
from cic.pbx_values import UnsafeValue
from cic.private import open_private_log, private_dir, write_private
from cic.routing.menu import spoken_menu
from cic.speech.engines.packaged import packaged_whisper_base
from cic.speech.model_store import CURRENT
from cic.speech.stt import model_label
from cic.warnings.plugin import phone_prompts

RELOAD = ("dialplan reload", "module reload res_pjsip.so", "module reload res_musiconhold.so")


def _specs(settings: Settings) -> tuple[list[provision.EndpointSpec], list[provision.QueueSpec]]:
    from cic.agents.models import Agent, Queue

    def read(session: Any) -> tuple[list[provision.EndpointSpec], list[provision.QueueSpec]]:
        agents = [
            provision.EndpointSpec(a.endpoint, a.display_name, a.static_contact)
            for a in session.scalars(select(Agent).where(Agent.active))
        ]
        queues = [provision.QueueSpec(q.name, q.strategy) for q in session.scalars(select(Queue))]
        return agents, queues

    # Closed again at once: a SQLite connection left open in this process (a test session
    # running ``install`` before the controller) keeps the WAL index it mapped, and after
    # the controller restarts it reads the database as it was then.
    store = Store(settings.db_url)
    try:
        store.migrate()
        agents, queues = store.run_sync(read)
        apply_stored(settings.office, store)  # the administrators' hours, policy, pause reasons
    finally:
        store.engine.dispose()
    first = settings.office.first_line_queue
    if first not in {q.name for q in queues}:
        queues.insert(0, provision.QueueSpec(first))
    return agents, queues


def install(settings: Settings) -> provision.Layout:
    """Find or build Asterisk, render the configuration, generate the Polish prompts."""
    private_dir(settings.state_dir)
    try:
        layout = provision.ensure_root(settings)
        agents, queues = _specs(settings)
        provision.render(settings, layout, Credentials(settings.secrets_path), agents, queues)
        menu = spoken_menu(settings.office)
        prompts.generate(
            settings.office, layout.host(layout.prompts), settings.callback.key, menu,
            phone_prompts(settings),
        )  # fmt: skip
        prompts.hold_music(layout.host(f"{layout.inst}/sounds/moh"))
        ids = accounts.ensure(layout.root)
        if ids is not None:  # as root: the controller's and Asterisk's files to their users
            ownership.prepare(layout, ids)
    except (provision.ProvisionError, prompts.PromptError, UnsafeValue, AccountError) as exc:
        raise CommandError(str(exc)) from exc
    return layout


def asterisk(settings: Settings, action: str) -> dict[str, Any]:
    """``cic asterisk install|start|stop|status``."""
    if action == "install":
        layout = install(settings)
        return {"asterisk": str(layout.root), "instance": layout.inst, "installed": True}
    layout = provision.locate(settings)
    if action == "start":
        try:
            pid = process.start(layout, settings.asterisk.ami_port)
        except provision.ProvisionError as exc:
            raise CommandError(str(exc)) from exc
        return {"running": True, "pid": pid}
    if action == "stop":
        return {"stopped": process.stop(layout)}
    running = process.running_pid(layout)
    out: dict[str, Any] = {"running": running is not None, "pid": running, "root": str(layout.root)}
    if running:
        out["uptime"] = process.rx(layout, "core show uptime").strip()
    return out


def serve(settings: Settings) -> int:
    """Run the controller in the foreground until SIGINT/SIGTERM."""
    from aiohttp import web

    from cic.web.access_log import PrivateAccessLogger
    from cic.web.app import create_app

    private_dir(settings.state_dir)
    web.run_app(
        create_app(settings), host=settings.web_host, port=settings.web_port, print=None,
        handle_signals=True, shutdown_timeout=5, access_log_class=PrivateAccessLogger,
    )  # fmt: skip
    return 0


def _pidfile(settings: Settings) -> Path:
    return Path(settings.state_dir) / "cic-controller.pid"


def _controller_pid(settings: Settings) -> int | None:
    try:
        pid = int(_pidfile(settings).read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def controller_running(settings: Settings) -> bool:
    """True when ``cic up``'s controller is alive or a controller answers on the web port."""
    return _controller_pid(settings) is not None or _healthy(settings)


def _healthy(settings: Settings) -> bool:
    url = f"http://{settings.web_host}:{settings.web_port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:
            return bool(json.loads(resp.read()).get("ok"))
    except (OSError, urllib.error.URLError, ValueError):
        return False


def demo_speech(settings: Settings) -> tuple[dict[str, str], str]:
    """Environment for the controller and a line for the user: with ``speech.stt`` unset, a
    model installed by ``cic speech install-model`` (``state_dir/models/<engine>/current``,
    Whisper first), else Whisper base installed as packages (joined into ``state_dir/models``
    once); otherwise nothing is added."""
    if settings.speech.stt:
        engine = settings.speech.stt.get("engine", "vosk")
        return {}, f"{engine}, model {settings.speech.stt.get('model_dir', '?')} (speech.stt)"
    for engine in ("whisper", "vosk"):
        current = Path(settings.state_dir) / "models" / engine / CURRENT
        if current.is_dir():
            env = {"CIC_SPEECH__STT__ENGINE": engine, "CIC_SPEECH__STT__MODEL_DIR": str(current)}
            return env, f"{engine}, zainstalowany model {model_label(current)} ({current})"
    model = packaged_whisper_base(Path(settings.state_dir) / "models")
    if model is None:
        return {}, "wyłączona (ustaw speech.stt: silnik i katalog modelu)"
    env = {"CIC_SPEECH__STT__ENGINE": "whisper", "CIC_SPEECH__STT__MODEL_DIR": str(model)}
    return env, f"Whisper base z pakietów, {model} (lepszy model: speech.stt)"


def start_controller(
    settings: Settings, timeout: float = 30, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Start ``cic serve`` in the background (``env`` added to its environment; as the
    ``cic`` user when run as root) and wait until it is connected to Asterisk. Returns its
    pid and who it runs as."""
    pid = _controller_pid(settings)
    if pid and _healthy(settings):
        return pid, "bez zmian (już działał)"
    child_env = {**os.environ, **(env or {}), "HOME": str(Path(settings.state_dir).resolve())}
    log = open_private_log(Path(settings.state_dir) / "cic.log")
    run_as, who = service_user.service_account(settings, child_env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cic.cli", "serve"], stdin=subprocess.DEVNULL, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True, env=child_env,
        **(run_as.popen() if run_as else {}),
    )  # fmt: skip
    write_private(_pidfile(settings), f"{proc.pid}\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CommandError(f"kontroler zakończył pracę (kod {proc.returncode}); zob. cic.log")
        if _healthy(settings):
            return proc.pid, who
        time.sleep(0.3)
    raise CommandError("kontroler nie połączył się z Asteriskiem w ciągu 30 s; zob. cic.log")


def start_pbx(settings: Settings) -> tuple[provision.Layout, list[tuple[str, str, str]]]:
    """The demo accounts (first run only: their passwords to print), then the configuration
    with their browser agent's endpoint, then Asterisk started or reloaded."""
    private_dir(settings.state_dir)
    demo_users = ensure_demo_users(settings)  # before rendering: the konsultant's endpoint
    layout = install(settings)
    try:
        if process.running_pid(layout):
            for command in RELOAD:  # already running: take the freshly rendered configuration
                process.rx(layout, command)
        else:
            process.start(layout, settings.asterisk.ami_port)
    except provision.ProvisionError as exc:
        raise CommandError(str(exc)) from exc
    return layout, demo_users


def up(settings: Settings) -> int:
    """Install what is missing, start Asterisk and the controller, say what to do next."""
    layout, demo_users = start_pbx(settings)
    speech_env, speech = demo_speech(settings)
    _pid, who = start_controller(settings, env=speech_env)
    web = f"http://{settings.web_host}:{settings.web_port}/"
    sign_in = demo_accounts_text(demo_users)
    sip = f"{settings.asterisk.sip_host}:{settings.asterisk.sip_port}"
    asterisk_user = (
        f"użytkownik {accounts.ASTERISK_USER}, grupa {accounts.SHARED_GROUP}"
        if accounts.managed()
        else "bieżący użytkownik"
    )
    print(
        f"""
cic działa.
  Asterisk:      {layout.root} (instancja {layout.instance}), SIP {sip}, {asterisk_user}
  Kontroler:     {who}
  Numer urzędu:  {settings.office.number} / wewnętrzny {settings.office.extension}
  Stan centrali: {web}
  Dziennik:      {Path(settings.state_dir) / "cic.log"}
  Transkrypcja:  {speech}
  Logowanie:     {web}logowanie
{sign_in}

Co dalej:
  1. zaloguj się jako konsultant (inna przeglądarka lub okno prywatne) i wybierz „Dostępny”
  2. cic demo call       # mieszkaniec dzwoni na numer urzędu; u konsultanta dzwoni przeglądarka
  3. odbierz w przeglądarce; rozmowę z nagraniem pokaże {web}przeglad (admin)
  cic calls list         # rejestr połączeń (także GET {web}api/calls z tokenem API)
  cic agents add anna "Anna Kowalska"   # nowy konsultant (endpoint PJSIP z wygenerowanym hasłem)
  cic down               # zatrzymanie
"""
    )
    return 0


def demo_accounts_text(made: list[tuple[str, str, str]]) -> str:
    """What ``cic up`` says of the demo accounts: their passwords once, on the first run."""
    if not made:
        return (
            "  Konta demo:    utworzone przy pierwszym uruchomieniu (hasła pokazano wtedy raz);\n"
            "                 nowe hasło: cic users passwd NAZWA, usunięcie: cic users remove-demo"
        )
    rows = "\n".join(f"    {u:<11} {p}   ({r})" for u, r, p in made)
    return (
        "  Konta demo (hasła pokazywane TYLKO TERAZ, nigdzie niezapisane; usunięcie kont:\n"
        f"  cic users remove-demo):\n{rows}"
    )


def down(settings: Settings) -> dict[str, Any]:
    """Stop the controller and Asterisk."""
    pid = _controller_pid(settings)
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.1)
        _pidfile(settings).unlink(missing_ok=True)
    stopped = process.stop(provision.locate(settings))
    return {"controller_stopped": bool(pid), "asterisk_stopped": stopped}
