"""The records of the contact centre's drill-downs as :class:`DrillRow` lines in Polish.

Calls and contact reports link to their pages as the strategy's drill-downs do
(``/polaczenia/<id>``, ``/sprawy?zgloszenie=<id>``); callback requests have no page of their
own, so they link to the supervisor's view that lists them.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from cic.callbacks.models import CallbackRequest
from cic.calls.models import Call
from cic.cases.models import REPORT_CHANNELS, ContactReport
from cic.dashboard.drill_matters import OUTCOMES_PL
from cic.dashboard.schemas import DrillRow

CALLBACKS_PL = {
    "waiting": "czeka", "dialing": "łączenie", "retry": "czeka na ponowienie",
    "done": "dodzwoniono się", "failed": "nieudane", "cancelled": "zamknięte przez kierownika",
}  # fmt: skip


def _when(at: datetime | None, zone: str) -> str:
    return "" if at is None else f"{at.astimezone(ZoneInfo(zone)):%d.%m.%Y %H:%M}"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{round(value)} s"


def drill_row(record: Call | CallbackRequest | ContactReport, zone: str) -> DrillRow:
    """One record behind a figure, its times in the office's zone (DD.MM.RRRR HH:MM)."""
    if isinstance(record, Call):
        outcome = OUTCOMES_PL.get(record.outcome, record.outcome)
        agent = (record.agent or "").removeprefix("PJSIP/agent-")
        return DrillRow(
            "polaczenie", record.call_id,
            record.entered_at.isoformat() if record.entered_at else "",
            f"{_when(record.entered_at, zone)} {record.caller_number or 'numer zastrzeżony'}: "
            f"{outcome}",
            f"/polaczenia/{quote(record.call_id, safe='')}",
            (("Kolejka", record.queue or ""), ("Konsultant", agent),
             ("Oczekiwanie", _seconds(record.wait_seconds)),
             ("Rozmowa", _seconds(record.talk_seconds))),
        )  # fmt: skip
    if isinstance(record, CallbackRequest):
        status = CALLBACKS_PL.get(record.status, record.status)
        return DrillRow(
            "oddzwonienie", str(record.id), record.requested_at.isoformat(),
            f"{_when(record.requested_at, zone)} {record.number}: {status}", "/nadzor",
            (("Kolejka", record.queue), ("Próby", str(record.attempts))),
        )  # fmt: skip
    channel = REPORT_CHANNELS.get(record.channel, record.channel)
    return DrillRow(
        "zgloszenie", str(record.id), record.created_at.isoformat(),
        f"{_when(record.created_at, zone)} {channel}: {record.topic}",
        f"/sprawy?zgloszenie={record.id}",
        (("Kontakt", record.contact), ("Komórka", record.department)),
    )  # fmt: skip
