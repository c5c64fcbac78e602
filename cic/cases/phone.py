"""Case status by phone: the resident keys the case's phone code and PIN from the receipt.

Nothing is said about a case without its right PIN: a wrong code and a wrong PIN get the same
answer, and both cost one argon2 check. Wrong attempts are counted per caller number and per
case; from the ``lock_after``-th in a row (ten by default) both are refused for an hour, even
with the right PIN. The status is spoken in Polish: status, department and deadline; never the
title or the parties (personal data the caller has not proved to know).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy.orm import Session

from cic.auth.throttle import Throttle, ThrottleRules
from cic.cases.models import CASE_STATUSES, Case
from cic.cases.pins import DUMMY_PIN_HASH, PIN_DIGITS, check_pin
from cic.db import Store
from cic.departments.service import find

Result = Literal["ok", "wrong", "locked"]
MONTHS = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
          "września", "października", "listopada", "grudnia")  # fmt: skip
MAX_CODE = 9
#: No back-off inside a call; the tenth wrong attempt in a row locks for an hour.
PHONE_THROTTLE = ThrottleRules(backoff_after=1000, lock_after=10, lockout_seconds=3600)


@dataclass(frozen=True)
class PhoneAnswer:
    """``text`` is what to say (Polish; empty unless ``result`` is ``ok``)."""

    result: Result
    text: str = ""


@dataclass(frozen=True)
class _Found:
    pin_hash: str
    signature: str
    status: str
    unit: str
    department: str
    deadline: date | None


def spoken_date(day: date) -> str:
    """``15 stycznia 2027`` for a date read out on the phone."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def spoken_signature(signature: str) -> str:
    """The signature read out part by part: ``FN, 3110, 12, 2026``."""
    return ", ".join(signature.split("."))


def status_text(found: _Found) -> str:
    """What the resident hears about their case."""
    who = found.department or f"komórka {found.unit}"
    text = (
        f"Sprawa {spoken_signature(found.signature)}. "
        f"Stan sprawy: {CASE_STATUSES.get(found.status, found.status)}. Prowadzi: {who}."
    )
    if found.deadline is not None and found.status in ("wszczeta", "w_toku"):
        text += f" Termin załatwienia: {spoken_date(found.deadline)}."
    return text


def _read(session: Session, case_id: int) -> _Found | None:
    case = session.get(Case, case_id)
    if case is None:
        return None
    unit = case.unit.split("-")[0]
    department = find(session, unit.upper())
    name = department.name if department is not None else ""
    return _Found(case.pin_hash, case.signature, case.status, case.unit, name,
                  case.deadline)  # fmt: skip


class PhoneStatus:
    """Checks a phone code and PIN and says the status, throttling wrong attempts."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        settings: ThrottleRules = PHONE_THROTTLE,
    ) -> None:
        """``clock`` drives the lock-out (tests pass their own)."""
        self.store = store
        self.throttle = Throttle(settings, clock)

    async def check(self, caller: str, code: str, pin: str) -> PhoneAnswer:
        """The answer for ``code`` and ``pin`` keyed by ``caller`` (its number, maybe empty)."""
        caller_key = f"caller:{caller.strip()[:40] or 'anonymous'}"
        well_formed = code.isascii() and code.isdigit() and 0 < len(code) <= MAX_CODE
        case_key = f"case:{int(code)}" if well_formed else "case:?"
        if self.throttle.wait_seconds(caller_key) or self.throttle.wait_seconds(case_key):
            return PhoneAnswer("locked")
        # Counted before the check (no await in between), so guesses keyed at the same moment
        # on other lines already see this one; taken back if it cannot be checked at all.
        keys = (caller_key, case_key) if well_formed else (caller_key,)
        for key in keys:
            self.throttle.failure(key)
        try:
            found = await self.store.run(lambda s: _read(s, int(code))) if well_formed else None
            good_pin = pin.isascii() and pin.isdigit() and len(pin) == PIN_DIGITS
            stored = found.pin_hash if found is not None else DUMMY_PIN_HASH
            matches = await asyncio.to_thread(check_pin, stored, pin if good_pin else "x")
        except Exception:
            for key in keys:
                self.throttle.undo(key)
            raise
        if found is None or not good_pin or not matches:
            return PhoneAnswer("wrong")
        self.throttle.success(caller_key)
        self.throttle.success(case_key)
        return PhoneAnswer("ok", status_text(found))
