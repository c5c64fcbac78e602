"""A payer's dues: their payer number and the PIN from their decision -> what is due and when.

Nothing is said without the right PIN: an unknown payer number and a wrong PIN get the same
answer (``DuesNotFound``), and both cost one argon2 check. Wrong attempts are counted per
payer number and per client address (``cic.auth.throttle``): after ``backoff_after`` in a
row the next must wait a few seconds, and from the ``lock_after``-th both keys are refused
for ``lockout_seconds``, even with the right PIN (``DuesLocked``). The statement carries the
payer's initials at most, never a name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.throttle import Throttle, ThrottleRules
from cic.cases.pins import DUMMY_PIN_HASH, check_pin
from cic.db import Store
from cic.dues.errors import DuesLocked, DuesNotFound
from cic.dues.models import PAYER_LENGTH, DuesItem, DuesPayer

#: A few quick retries for a mistyped PIN, then a growing wait; the tenth wrong in a row
#: locks the payer number and the address for an hour.
DUES_THROTTLE = ThrottleRules(
    backoff_after=3, lock_after=10, backoff_base_seconds=2, backoff_max_seconds=60,
    lockout_seconds=3600,
)  # fmt: skip
MAX_PIN = 16


@dataclass(frozen=True)
class DueLine:
    """One item of a statement; amounts in grosze; ``overdue``: unpaid after its due date."""

    item_id: str
    title: str
    amount: int
    paid: int
    due: date
    account: str
    transfer_title: str
    overdue: bool

    @property
    def remaining(self) -> int:
        """What is still to pay, in grosze."""
        return self.amount - self.paid


@dataclass(frozen=True)
class Statement:
    """What a payer who gave the right PIN sees: their initials and their items by due date."""

    payer: str
    initials: str
    items: tuple[DueLine, ...]

    @property
    def total(self) -> int:
        """Everything still to pay, in grosze."""
        return sum(item.remaining for item in self.items)


def normalize_payer(text: str) -> str:
    """The payer number as the import stores it: no spaces, upper case."""
    return "".join(text.split()).upper()


def _read(session: Session, number: str) -> tuple[str, str, list[DuesItem]] | None:
    payer = session.get(DuesPayer, number)
    if payer is None:
        return None
    items = list(session.scalars(
        select(DuesItem).where(DuesItem.payer == number).order_by(DuesItem.due, DuesItem.item_id)
    ))  # fmt: skip
    return payer.pin_hash, payer.initials, items


class DuesLookup:
    """Checks a payer number and PIN and returns the statement, throttling wrong attempts."""

    def __init__(
        self,
        store: Store,
        *,
        timezone: str = "Europe/Warsaw",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rules: ThrottleRules = DUES_THROTTLE,
    ) -> None:
        """``timezone`` is the office's (what "overdue" counts from); tests pass ``clock``."""
        self.store = store
        self.zone = ZoneInfo(timezone)
        self.clock = clock
        self.throttle = Throttle(rules, clock)

    def today(self) -> date:
        """Today at the office."""
        return self.clock().astimezone(self.zone).date()

    async def find(self, payer_number: str, pin: str, client: str) -> Statement:
        """The statement of ``payer_number`` when ``pin`` is theirs, asked from ``client``."""
        number = normalize_payer(payer_number)
        well_formed = 0 < len(number) <= PAYER_LENGTH
        client_key = f"client:{client[:64] or '?'}"
        payer_key = f"payer:{number}" if well_formed else "payer:?"
        wait = max(self.throttle.wait_seconds(client_key), self.throttle.wait_seconds(payer_key))
        if wait:
            raise DuesLocked(wait)
        # Counted before the check (no await in between), so parallel guesses see each other;
        # taken back when the check cannot be made at all.
        keys = (client_key, payer_key) if well_formed else (client_key,)
        for key in keys:
            self.throttle.failure(key)
        try:
            found = await self.store.run(lambda s: _read(s, number)) if well_formed else None
            good_pin = 0 < len(pin) <= MAX_PIN
            stored = found[0] if found is not None else DUMMY_PIN_HASH
            matches = await asyncio.to_thread(check_pin, stored, pin if good_pin else "x")
        except Exception:
            for key in keys:
                self.throttle.undo(key)
            raise
        if found is None or not good_pin or not matches:
            raise DuesNotFound()
        for key in keys:
            self.throttle.success(key)
        today = self.today()
        lines = tuple(
            DueLine(i.item_id, i.title, i.amount, i.paid, i.due, i.account, i.transfer_title,
                    overdue=i.paid < i.amount and i.due < today)
            for i in found[2]
        )  # fmt: skip
        return Statement(number, found[1], lines)
