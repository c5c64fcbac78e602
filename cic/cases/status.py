"""Checking a case's PIN from the receipt, for every channel that tells a resident the status.

ONE :class:`StatusChecks` (built by ``cic.cases.plugin.install``) serves case status by phone
(FastAGI, ``cic.cases.phone``) and on the portal (``cic.portal.case_status``), so wrong
attempts at a case add up whichever way they come: they are counted per case (``case:ID``)
and per client (``caller:NUMBER`` by phone, ``ip:ADDRESS`` on the portal). From the
``lock_after``-th in a row (ten) both are refused for an hour, even with the right PIN.

Nothing is told about a case without its right PIN: an unknown case, a malformed reference and
a wrong PIN get the same answer, and each costs one argon2 check. What the right PIN gives is
:class:`CaseFacts`: signature, status, department and deadline — never the title or parties.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.throttle import Throttle, ThrottleRules
from cic.cases.models import Case
from cic.cases.pins import DUMMY_PIN_HASH, PIN_DIGITS, check_pin
from cic.cases.signatures import Signature
from cic.db import Store
from cic.departments.service import find

Result = Literal["ok", "wrong", "locked"]
#: No back-off; the tenth wrong attempt in a row (by phone and on the portal together) is
#: refused and locks the client and the case for an hour.
CASE_PIN_THROTTLE = ThrottleRules(backoff_after=1000, lock_after=10, lockout_seconds=3600)


@dataclass(frozen=True)
class CaseFacts:
    """What a resident with the right PIN learns: no title, no parties, no staff."""

    signature: str
    status: str
    unit: str
    department: str
    deadline: date | None


@dataclass(frozen=True)
class StatusAnswer:
    """``facts`` only when ``result`` is ``ok``."""

    result: Result
    facts: CaseFacts | None = None


@dataclass(frozen=True)
class _Found:
    id: int
    pin_hash: str
    facts: CaseFacts


def _found(session: Session, case: Case | None) -> _Found | None:
    if case is None:
        return None
    unit = case.unit.split("-")[0]
    department = find(session, unit.upper())
    name = department.name if department is not None else ""
    facts = CaseFacts(case.signature, case.status, case.unit, name, case.deadline)
    return _Found(case.id, case.pin_hash, facts)


def by_id(case_id: int) -> Callable[[Session], _Found | None]:
    """A reader of the case with ``case_id`` (the phone code)."""
    return lambda session: _found(session, session.get(Case, case_id))


def by_signature(signature: Signature) -> Callable[[Session], _Found | None]:
    """A reader of the case with ``signature``; the unit's letters in any case (a resident
    may type ``fn`` for ``FN``; compared in Python, as SQLite folds only ASCII)."""
    query = select(Case).where(
        Case.jrwa == signature.jrwa, Case.number == signature.number, Case.year == signature.year
    )
    unit = signature.unit.casefold()

    def read(session: Session) -> _Found | None:
        cases = list(session.scalars(query))
        exact = [c for c in cases if c.unit == signature.unit]
        folded = [c for c in cases if c.unit.casefold() == unit]
        found = exact or folded
        return _found(session, found[0] if len(found) == 1 else None)

    return read


class StatusChecks:
    """PIN checks with one throttle for every channel (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rules: ThrottleRules = CASE_PIN_THROTTLE,
    ) -> None:
        """``clock`` drives the lock-out (tests pass their own)."""
        self.store = store
        self.throttle = Throttle(rules, clock)

    async def by_phone_code(self, client: str, code: int | None, pin: str) -> StatusAnswer:
        """Check ``pin`` for the case with id ``code`` (``None``: a malformed code, counted
        against the client only)."""
        if code is None:
            return await self._check(client, None, _nothing, pin)
        reader = by_id(code)
        return await self._check(client, f"case:{code}", lambda: self.store.run(reader), pin)

    async def by_signature(
        self, client: str, signature: Signature | None, pin: str
    ) -> StatusAnswer:
        """Check ``pin`` for the case with ``signature`` (``None``: malformed).

        The case is read first, so its attempts count under ``case:ID`` as by phone; a
        signature no case has counts under its own key, with the same answers."""
        if signature is None:
            return await self._check(client, None, _nothing, pin)
        found = await self.store.run(by_signature(signature))

        async def known() -> _Found | None:
            return found

        unknown = f"case:sig:{str(signature).casefold()}"
        key = f"case:{found.id}" if found is not None else unknown
        return await self._check(client, key, known, pin)

    async def _check(
        self,
        client: str,
        case_key: str | None,
        fetch: Callable[[], Awaitable[_Found | None]],
        pin: str,
    ) -> StatusAnswer:
        keys = (client,) if case_key is None else (client, case_key)
        if any(self.throttle.wait_seconds(key) for key in keys):
            return StatusAnswer("locked")
        # Counted before the check (no await in between), so guesses made at the same moment
        # on other lines or pages already see this one; taken back if it cannot be checked.
        for key in keys:
            self.throttle.failure(key)
        try:
            found = await fetch()
            good_pin = pin.isascii() and pin.isdigit() and len(pin) == PIN_DIGITS
            stored = found.pin_hash if found is not None else DUMMY_PIN_HASH
            matches = await asyncio.to_thread(check_pin, stored, pin if good_pin else "x")
        except Exception:
            for key in keys:
                self.throttle.undo(key)
            raise
        if found is None or not good_pin or not matches:
            return StatusAnswer("wrong")
        for key in keys:
            self.throttle.success(key)
        return StatusAnswer("ok", found.facts)


async def _nothing() -> _Found | None:
    return None
