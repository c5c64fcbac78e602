"""The owners of every caller's open matters, in memory, so routing needs no database round trip.

Routing asks on every call which official owns the caller's open case (``cic.cases.owners``).
Asked of the database, that is a thread hop and a five-table join per call, queued behind the
call records being written: under load it took tens to hundreds of milliseconds and pushed the
routing decision past its budget. This index answers from memory in microseconds, and keeps
answering while the database is down.

It is rebuilt from the store (the truth) at start-up, soon after any commit in this process
that touched cases, their calls, residents' numbers, users or agents (noticed by a session
event, so no writer has to remember to call it; rebuilds are at most one per
``min_interval``), and every ``max_age`` seconds for changes made by other processes (the
``cic`` commands). A failed rebuild keeps the previous index.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session

from cic.agents.models import Agent
from cic.auth.models import User
from cic.calls.models import Call
from cic.cases.models import Case, CaseCall
from cic.cases.records import OPEN_STATUSES
from cic.db import Store, as_utc
from cic.residents.models import ResidentNumber
from cic.residents.numbers import canonical_number

log = logging.getLogger(__name__)
MAX_OWNERS = 5
WATCHED = (Case, CaseCall, ResidentNumber, User, Agent)
_CHANGED = "cic_owner_index_changed"


@dataclass(frozen=True)
class _Entry:
    updated_at: datetime
    case_id: int
    interface: str
    signature: str


@dataclass(frozen=True)
class Snapshot:
    """One consistent view: open matters per canonical number and residents' numbers."""

    matters: dict[str, list[_Entry]]
    resident_of: dict[str, int]
    numbers_of: dict[int, list[str]]
    cases: int

    def owners(self, raw: str) -> list[tuple[str, str]]:
        """``(interface, signature)`` for a caller number, as ``open_matter_owners`` gives."""
        number = canonical_number(raw)
        if number is None:
            return []
        resident = self.resident_of.get(number)
        numbers = [number] if resident is None else self.numbers_of[resident]
        entries = [e for n in numbers for e in self.matters.get(n, ())]
        entries.sort(key=lambda e: (e.updated_at, e.case_id), reverse=True)
        out: list[tuple[str, str]] = []
        for entry in entries:
            item = (entry.interface, entry.signature)
            if item not in out:
                out.append(item)
        return out[:MAX_OWNERS]


def read_snapshot(session: Session) -> Snapshot:
    """Every open, assigned case of an official with a softphone, by the numbers of its calls."""
    rows = session.execute(
        select(Call.caller_number, Agent.endpoint, Case.signature, Case.updated_at, Case.id)
        .join(CaseCall, CaseCall.case_id == Case.id)
        .join(Call, Call.call_id == CaseCall.call_id)
        .join(User, User.username == Case.assigned_to)
        .join(Agent, Agent.id == User.agent_id)
        .where(Case.status.in_(OPEN_STATUSES))
    ).all()
    matters: dict[str, list[_Entry]] = defaultdict(list)
    cases: set[int] = set()
    for raw, endpoint, signature, updated_at, case_id in rows:
        number = canonical_number(raw or "")
        if number is None:
            continue
        cases.add(case_id)
        matters[number].append(_Entry(as_utc(updated_at), case_id, f"PJSIP/{endpoint}", signature))
    resident_of: dict[str, int] = {}
    numbers_of: dict[int, list[str]] = defaultdict(list)
    for number, resident_id in session.execute(
        select(ResidentNumber.number, ResidentNumber.resident_id)
    ):
        resident_of[number] = resident_id
        numbers_of[resident_id].append(number)
    return Snapshot(dict(matters), resident_of, dict(numbers_of), len(cases))


class OwnerIndex:
    """The current :class:`Snapshot` and the loop that keeps it fresh (see the module doc)."""

    def __init__(
        self,
        store: Store,
        *,
        min_interval: float = 1.0,
        max_age: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Index the open matters of ``store``; rebuild at most every ``min_interval`` s after
        a change and at least every ``max_age`` s."""
        self.store = store
        self.min_interval = min_interval
        self.max_age = max_age
        self.clock = clock
        self.snapshot: Snapshot | None = None
        self.rebuilt_at: float | None = None
        self.rebuilds = 0
        self._stale: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        for name, listener in (("after_flush", _note_changes), ("do_orm_execute", _note_bulk),
                               ("after_rollback", _forget_changes)):  # fmt: skip
            if not event.contains(store.sessions, name, listener):
                event.listen(store.sessions, name, listener)
        event.listen(store.sessions, "after_commit", self._committed)

    @property
    def loaded(self) -> bool:
        """True once a snapshot has been read."""
        return self.snapshot is not None

    def owners(self, raw: str) -> list[tuple[str, str]]:
        """Owners of ``raw``'s open matters from memory (``[]`` before the first rebuild)."""
        return [] if self.snapshot is None else self.snapshot.owners(raw)

    async def rebuild(self) -> Snapshot:
        """Read a fresh snapshot now and use it."""
        snapshot = await self.store.run(read_snapshot)
        self.snapshot, self.rebuilt_at = snapshot, self.clock()
        self.rebuilds += 1
        return snapshot

    def mark_stale(self) -> None:
        """Ask for a rebuild soon (thread-safe: commits happen in worker threads)."""
        loop, stale = self._loop, self._stale
        if loop is None or stale is None or loop.is_closed():
            return
        try:
            if asyncio.get_running_loop() is loop:
                stale.set()
                return
        except RuntimeError:
            pass
        loop.call_soon_threadsafe(stale.set)

    async def run(self) -> None:
        """Rebuild at start, after changes and when old; runs until cancelled."""
        self._loop = asyncio.get_running_loop()
        self._stale = asyncio.Event()
        self._stale.set()
        while True:
            try:
                await asyncio.wait_for(self._stale.wait(), self.max_age)
            except TimeoutError:
                pass
            since = self.clock() - (self.rebuilt_at or float("-inf"))
            if since < self.min_interval:
                await asyncio.sleep(self.min_interval - since)
            self._stale.clear()
            try:
                snapshot = await self.rebuild()
            except Exception as exc:
                log.warning("open matters index: rebuild failed, keeping the last one: %s", exc)
                self._stale.set()
                await asyncio.sleep(self.min_interval * 5)
                continue
            log.debug("open matters index: %d open case(s) with an owner", snapshot.cases)

    def _committed(self, session: Session) -> None:
        if session.info.pop(_CHANGED, False):
            self.mark_stale()

    def status(self) -> dict[str, Any]:
        """For the status page: loaded, cases indexed, seconds since the last rebuild."""
        age = None if self.rebuilt_at is None else round(self.clock() - self.rebuilt_at, 1)
        cases = self.snapshot.cases if self.snapshot else 0
        return {"loaded": self.loaded, "cases": cases, "age_seconds": age}


def _note_changes(session: Session, _context: Any) -> None:
    """Mark the session when this flush touched anything the index is made of."""
    if session.info.get(_CHANGED):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, WATCHED):
            session.info[_CHANGED] = True
            return


def _note_bulk(state: ORMExecuteState) -> None:
    """Mark the session for a bulk ``update``/``delete`` of a watched table."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None:
        if issubclass(state.bind_mapper.class_, WATCHED):
            state.session.info[_CHANGED] = True


def _forget_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)
