"""``cic demo call``: a real SIP call to the municipal number, answered by an agent.

A SIPp phone plays a resident who speaks Polish; the call goes through the real dialplan,
FastAGI routing, queue and recording, and its record is printed at the end. When an agent of
the first line is available with a registered browser phone (the demo konsultant signed in
and "Dostępny"), it rings in their console (:mod:`cic.cli.demo_browser`); otherwise another
SIPp phone plays the demo agent (answers and speaks). The numbers and names are made up.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from cic.asterisk.prompts import synthesize
from cic.cli.api import format_call, request
from cic.cli.demo_browser import available_browser_agent, ring_browser
from cic.config import Settings
from cic.demo.pcap import wav_to_pcap
from cic.demo.runner import Sipp, SippError
from cic.demo.scenarios import DEMO_RESIDENT, AgentPhone, agent_xml, resident_xml
from cic.errors import CommandError

DEMO_AGENT = "demo"
CLOSED_PL = {
    "closed_hours": "poza godzinami pracy",
    "closed_holiday": "święto",
    "closed_day": "dzień wolny",
    "open": "przełącznik trybu pracy",
}
RESIDENT_SAYS = "Dzień dobry, chciałbym zapytać o termin płatności podatku od nieruchomości."
AGENT_SAYS = "Urząd Gminy, dzień dobry. W czym mogę pomóc?"
NOBODY_IN_BROWSER = (
    "Nikt nie jest dostępny w przeglądarce (konsultant zalogowany w konsoli, „Dostępny”, "
    "telefon zarejestrowany): odbiera konsultant demo na telefonie SIPp."
)


def speech_pcap(settings: Settings, name: str, text: str) -> Path:
    """A pcap of Polish speech (espeak-ng) for SIPp to play."""
    folder = Path(settings.state_dir) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    pcap = folder / f"{name}.pcap"
    if not pcap.exists():
        wav = folder / f"{name}.wav"
        synthesize(text, wav)
        wav_to_pcap(wav, pcap)
    return pcap


def demo_call(settings: Settings, seconds: int) -> int:
    """Place the demo call (in the browser when an agent waits there) and print its record."""
    browser = available_browser_agent(settings)
    if browser is None:
        print(NOBODY_IN_BROWSER)
    office = request(settings, "GET", "/api/office")
    if not office["open"]:
        print(
            f"Urząd jest teraz zamknięty ({CLOSED_PL.get(office['calendar_reason'], '')}); "
            "na czas połączenia demo "
            "włączam dyżur (cic office open), potem przywracam tryb "
            f"{office['mode']!r}."
        )
        request(settings, "POST", "/api/office/mode", {"mode": "open", "by": "cic demo"})
    try:
        pcap = speech_pcap(settings, "resident", RESIDENT_SAYS)
        if browser is None:
            _sipp_agent_call(settings, seconds, pcap)
        else:
            ring_browser(settings, browser, DEMO_RESIDENT, pcap)
    finally:
        if not office["open"]:
            back = {"mode": office["mode"], "by": "cic demo"}
            request(settings, "POST", "/api/office/mode", back)
    call = _latest_call(settings)
    print("Połączenie zarejestrowane:")
    print(format_call(call))
    print(f"  dzwonił: {call.get('caller_number') or '-'} ({call.get('caller_name') or '-'})")
    for rec in call.get("recordings", []):
        print(f"  nagranie: {rec['path']} ({rec['bytes']} B, {rec['duration_seconds']} s)")
    return 0


def _sipp_agent_call(settings: Settings, seconds: int, pcap: Path) -> None:
    """The call answered by the demo agent's SIPp phone, logged in for its length."""
    a = settings.asterisk
    phone_port = a.sip_port + 11
    agents = {row["username"] for row in request(settings, "GET", "/api/agents")}
    if DEMO_AGENT not in agents:
        request(settings, "POST", "/api/agents", {
            "username": DEMO_AGENT, "display_name": "Konsultant Demo",
            "static_contact": f"sip:agent-{DEMO_AGENT}@127.0.0.1:{phone_port}",
        })  # fmt: skip
    agent_audio = str(speech_pcap(settings, "agent", AGENT_SAYS))
    phone = Sipp(
        agent_xml(AgentPhone(ring_ms=1000, audio_pcap=agent_audio)),
        local_port=phone_port, media_port=a.rtp_end + 2, calls=0,
    )  # fmt: skip
    resident = Sipp(
        resident_xml(replace(DEMO_RESIDENT, audio_pcap=str(pcap),
                             hangup_after_ms=seconds * 1000 + 12_000)),
        local_port=phone_port + 1, media_port=a.rtp_end + 12,
        target=f"{a.sip_host}:{a.sip_port}", service=settings.office.extension,
    )  # fmt: skip
    try:
        phone.start()
        request(settings, "POST", f"/api/agents/{DEMO_AGENT}/login", {})
        print(f"Mieszkaniec dzwoni na numer {settings.office.extension} ...")
        resident.start()
        code = resident.wait(timeout=seconds + 60)
    except SippError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        resident.stop()
        try:
            request(settings, "POST", f"/api/agents/{DEMO_AGENT}/logout", {})
        finally:
            phone.stop()
    if code != 0:
        raise CommandError(f"połączenie demo nie powiodło się (SIPp {code}): {resident.errors()}")


def _latest_call(settings: Settings) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        rows = request(settings, "GET", "/api/calls?limit=1")
        if rows:
            call: dict[str, Any] = request(settings, "GET", f"/api/calls/{rows[0]['call_id']}")
            if call.get("ended_at") and (call.get("recordings") or time.monotonic() > deadline):
                return call
        if time.monotonic() > deadline:
            raise CommandError("połączenie nie pojawiło się w rejestrze")
        time.sleep(0.5)
