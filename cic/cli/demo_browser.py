"""``cic demo call`` rung in the browser: an agent is available with a registered WebRTC
phone, so the resident's call goes through the real number and queue to their console.

The resident (SIPp) repeats the espeak-ng Polish sentence until the call is answered and
ended (so the agent hears it whenever they pick up), and hangs up after
:data:`CALL_LIMIT_SECONDS` at the latest. The command says what happens, in Polish.
"""

from __future__ import annotations

import time
from pathlib import Path

from cic.cli.api import request
from cic.config import Settings
from cic.demo.choice import browser_agent
from cic.demo.pcap import audio_seconds
from cic.demo.runner import Sipp, SippError
from cic.demo.scenarios import ResidentCall, resident_xml
from cic.errors import CommandError

CALL_LIMIT_SECONDS = 180
GAP_SECONDS = 2


def available_browser_agent(settings: Settings) -> str | None:
    """The agent to ring in the browser now (see :func:`cic.demo.choice.browser_agent`)."""
    directory = request(settings, "GET", "/api/admin/agents")
    presences = request(settings, "GET", "/api/agents")
    return browser_agent(directory, presences, settings.office.first_line_queue)


def ring_browser(settings: Settings, username: str, resident: ResidentCall, pcap: Path) -> None:
    """Call the municipal number as ``resident``; report the ringing, the answer and the end."""
    a = settings.asterisk
    period = int((audio_seconds(pcap) + GAP_SECONDS) * 1000)
    call = ResidentCall(
        number=resident.number, name=resident.name, audio_pcap=str(pcap),
        repeat_audio_ms=period, hangup_after_ms=CALL_LIMIT_SECONDS * 1000,
    )  # fmt: skip
    sipp = Sipp(
        resident_xml(call), local_port=a.sip_port + 12, media_port=a.rtp_end + 12,
        target=f"{a.sip_host}:{a.sip_port}", service=settings.office.extension,
    )  # fmt: skip
    web = f"http://{settings.web_host}:{settings.web_port}/konsola"
    print(f"Dzwoni do konsultanta w przeglądarce… ({username}; odbierz w konsoli {web})")
    try:
        sipp.start()
        if _wait_state(settings, username, sipp, "on_call"):
            print("Konsultant odebrał: mieszkaniec mówi. Zakończ rozmowę w przeglądarce.")
        else:
            print("Nikt nie odebrał; mieszkaniec się rozłączył.")
        code = sipp.wait(timeout=CALL_LIMIT_SECONDS + 30)
    except SippError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        sipp.stop()
    if code != 0:
        raise CommandError(f"połączenie demo nie powiodło się (SIPp {code}): {sipp.errors()}")
    print("Rozmowa zakończona.")


def _wait_state(settings: Settings, username: str, sipp: Sipp, state: str) -> bool:
    """Poll the agent's presence until ``state``; False once the resident has hung up."""
    while sipp.running():
        if request(settings, "GET", f"/api/agents/{username}")["state"] == state:
            return True
        time.sleep(0.3)
    return False
