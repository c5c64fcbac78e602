"""Case status by phone: the resident keys the case's phone code and PIN from the receipt.

Nothing is said about a case without its right PIN: a wrong code and a wrong PIN get the same
answer, and both cost one argon2 check. Wrong attempts are counted per caller number and per
case by the ``StatusChecks`` the portal's case status shares (``cic.cases.status``); from the
``lock_after``-th in a row (ten by default, by phone and on the portal together) both are
refused for an hour, even with the right PIN. The status is spoken in Polish: status,
department and deadline; never the title or the parties (personal data the caller has not
proved to know).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from cic.cases.models import CASE_STATUSES
from cic.cases.status import CASE_PIN_THROTTLE, CaseFacts, StatusChecks

Result = Literal["ok", "wrong", "locked"]
MONTHS = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
          "września", "października", "listopada", "grudnia")  # fmt: skip
MAX_CODE = 9
#: The throttle's rules, shared with the portal (``cic.cases.status.CASE_PIN_THROTTLE``).
PHONE_THROTTLE = CASE_PIN_THROTTLE


@dataclass(frozen=True)
class PhoneAnswer:
    """``text`` is what to say (Polish; empty unless ``result`` is ``ok``)."""

    result: Result
    text: str = ""


def spoken_date(day: date) -> str:
    """``15 stycznia 2027`` for a date read out on the phone."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def spoken_signature(signature: str) -> str:
    """The signature read out part by part: ``FN, 3110, 12, 2026``."""
    return ", ".join(signature.split("."))


def status_text(found: CaseFacts) -> str:
    """What the resident hears about their case."""
    who = found.department or f"komórka {found.unit}"
    text = (
        f"Sprawa {spoken_signature(found.signature)}. "
        f"Stan sprawy: {CASE_STATUSES.get(found.status, found.status)}. Prowadzi: {who}."
    )
    if found.deadline is not None and found.status in ("wszczeta", "w_toku"):
        text += f" Termin załatwienia: {spoken_date(found.deadline)}."
    return text


class PhoneStatus:
    """Checks a phone code and PIN and says the status, through the shared ``checks``."""

    def __init__(self, checks: StatusChecks) -> None:
        """``checks`` is the one the portal's case status uses too."""
        self.checks = checks

    async def check(self, caller: str, code: str, pin: str) -> PhoneAnswer:
        """The answer for ``code`` and ``pin`` keyed by ``caller`` (its number, maybe empty)."""
        caller_key = f"caller:{caller.strip()[:40] or 'anonymous'}"
        well_formed = code.isascii() and code.isdigit() and 0 < len(code) <= MAX_CODE
        answer = await self.checks.by_phone_code(
            caller_key, int(code) if well_formed else None, pin
        )
        if answer.facts is None:
            return PhoneAnswer(answer.result)
        return PhoneAnswer("ok", status_text(answer.facts))
