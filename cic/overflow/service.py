"""First-line capacity: borrow reserve specialists into the first-line queue and give them back.

Automatically (the policy watches calls waiting and the longest wait) or by a supervisor's
hand. Borrowed agents join the first-line queue with a penalty, so Asterisk offers them a call
only when no first-line agent is free. Who is borrowed is kept in the store: after Asterisk
restarts they are put back, after the controller restarts they are not forgotten in the queue.
An agent who logs out is given back at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.agents.models import Agent
from cic.agents.presence import State
from cic.agents.service import AgentService, Pbx
from cic.auth import audit
from cic.bus import Bus
from cic.config import OverflowSettings
from cic.db import Store
from cic.overflow.errors import NotEligible
from cic.overflow.models import ReserveMember
from cic.overflow.policy import Load, OverflowPolicy, Step
from cic.overflow.schemas import CapacityOut

log = logging.getLogger(__name__)
AUTO = "auto"
# Logged-in states in the order a borrowed agent is most useful: free now, then soon free.
_USEFUL = (State.AVAILABLE, State.WRAPUP, State.ON_CALL, State.RINGING)


@dataclass(frozen=True)
class Entry:
    """One agent of the reserve (or added by hand) and whether the first line has them."""

    username: str
    reserve: bool
    penalty: int | None
    in_first_line: bool
    added_by: str
    changed_at: datetime | None


class FirstLineCapacity:
    """Grows and shrinks the first line from the reserve, automatically or by hand."""

    def __init__(
        self,
        store: Store,
        bus: Bus,
        pbx: Pbx,
        agents: AgentService,
        settings: OverflowSettings,
        first_line: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.bus = bus
        self.pbx = pbx
        self.agents = agents
        self.settings = settings
        self.first_line = first_line
        self.clock = clock
        self.policy = OverflowPolicy(settings)
        self.last_load = Load(0, 0.0)
        self._entries: dict[str, Entry] = {}
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        """Read the reserve and who is borrowed from the store."""

        def read(session: Session) -> list[Entry]:
            rows = session.execute(
                select(Agent.username, ReserveMember)
                .join(ReserveMember, ReserveMember.agent_id == Agent.id)
                .where(Agent.active)
            ).all()
            return [
                Entry(name, r.reserve, r.penalty, r.in_first_line, r.added_by, r.changed_at)
                for name, r in rows
            ]

        self._entries = {e.username: e for e in await self.store.run(read)}

    # --- queries ---
    def entries(self) -> list[Entry]:
        """Every reserve or borrowed agent, by username."""
        return [self._entries[k] for k in sorted(self._entries)]

    def borrowed(self) -> list[Entry]:
        """The agents in the first line now by overflow or by hand."""
        return [e for e in self.entries() if e.in_first_line]

    def candidates(self) -> list[str]:
        """Reserve agents who could be borrowed now, the most useful first."""
        ranked: list[tuple[int, str]] = []
        for entry in self.entries():
            if not entry.reserve or entry.in_first_line or self._static_member(entry.username):
                continue
            state = self._state(entry.username)
            if state in _USEFUL:
                ranked.append((_USEFUL.index(state), entry.username))
        return [name for _, name in sorted(ranked)]

    def view(self) -> CapacityOut:
        """The reserve, who is borrowed, the thresholds and the last load, as JSON."""
        s = self.settings
        return {
            "queue": self.first_line,
            "enabled": s.enabled,
            "thresholds": {
                "add_when_waiting": s.add_when_waiting,
                "add_when_longest_wait": s.add_when_longest_wait,
                "remove_when_waiting": s.remove_when_waiting,
                "remove_when_longest_wait": s.remove_when_longest_wait,
                "calm_seconds": s.calm_seconds,
                "step_seconds": s.step_seconds,
            },
            "load": {"waiting": self.last_load.waiting,
                     "longest_wait_seconds": round(self.last_load.longest_wait, 1)},
            "members": [
                {"username": e.username, "reserve": e.reserve,
                 "penalty": self._penalty(e), "in_first_line": e.in_first_line,
                 "added_by": e.added_by, "state": self._state(e.username).value,
                 "since": e.changed_at.isoformat() if e.changed_at else None}
                for e in self.entries()
            ],
        }  # fmt: skip

    # --- commands ---
    async def set_reserve(
        self, username: str, reserve: bool, penalty: int | None, *, actor: str
    ) -> Entry:
        """Put an agent into the reserve (with an optional own penalty) or take them out."""
        self.agents.get(username)
        if penalty is not None and not 0 <= penalty <= 100:
            raise NotEligible("Kara (penalty) musi być liczbą od 0 do 100.")
        async with self._lock:
            old = self._entries.get(username)
            entry = Entry(username, reserve, penalty, False, "", None)
            if old is not None:
                entry = replace(old, reserve=reserve, penalty=penalty)
            await self._save(entry, actor, "first_line_reserve_changed")
            return entry

    async def add(self, username: str, *, actor: str) -> Entry:
        """Borrow ``username`` into the first line (``actor`` is a supervisor or ``auto``)."""
        self.agents.get(username)
        async with self._lock:
            return await self._add(username, actor)

    async def remove(self, username: str, *, actor: str) -> Entry:
        """Give ``username`` back: out of the first-line queue."""
        async with self._lock:
            entry = self._entries.get(username)
            if entry is None or not entry.in_first_line:
                raise NotEligible(f"Konsultant {username!r} nie jest dodany do pierwszej linii.")
            return await self._remove(entry, actor)

    async def check(self, load: Load) -> Step:
        """One automatic step for the first line's ``load`` (called periodically)."""
        self.last_load = load
        async with self._lock:
            auto = [e for e in self.borrowed() if e.added_by == AUTO]
            candidates = self.candidates()
            step = self.policy.decide(
                load, self.clock(), added=len(auto), candidates=len(candidates)
            )
            if step is Step.ADD:
                await self._add(candidates[0], AUTO)
            elif step is Step.REMOVE:
                newest = max(auto, key=lambda e: e.changed_at or datetime.min.replace(tzinfo=UTC))
                await self._remove(newest, AUTO)
            return step

    # --- reactions ---
    async def on_presence(self, message: dict[str, Any]) -> None:
        """Give back a borrowed agent who logged out."""
        username = message.get("username")
        if message.get("type") != "AgentPresence" or message.get("state") != "offline":
            return
        async with self._lock:
            entry = self._entries.get(str(username))
            if entry is not None and entry.in_first_line:
                await self._remove(entry, "logout")

    async def on_resync(self, _live: frozenset[str], _at: datetime) -> None:
        """After an AMI (re)connect: put borrowed agents back into the first-line queue."""
        for entry in self.borrowed():
            try:
                agent = self.agents.get(entry.username)
                await self.pbx.queue_add(
                    self.first_line, agent.interface, agent.display_name, self._penalty(entry)
                )
            except Exception:
                log.exception("could not put %s back into the first line", entry.username)

    # --- internals ---
    async def _add(self, username: str, actor: str) -> Entry:
        if self._static_member(username):
            raise NotEligible(f"Konsultant {username!r} już należy do pierwszej linii.")
        old = self._entries.get(username)
        if old is not None and old.in_first_line:
            raise NotEligible(f"Konsultant {username!r} już jest dodany do pierwszej linii.")
        if self._state(username) in (State.OFFLINE,):
            raise NotEligible(f"Konsultant {username!r} nie jest zalogowany.")
        agent = self.agents.get(username)
        entry = old or Entry(username, False, None, False, "", None)
        entry = replace(entry, in_first_line=True, added_by=actor, changed_at=self.clock())
        await self.pbx.queue_add(
            self.first_line, agent.interface, agent.display_name, self._penalty(entry)
        )
        await self._save(entry, actor, "first_line_added")
        return entry

    async def _remove(self, entry: Entry, actor: str) -> Entry:
        agent = self.agents.get(entry.username)
        await self.pbx.queue_remove(self.first_line, agent.interface)
        entry = replace(entry, in_first_line=False, added_by="", changed_at=self.clock())
        await self._save(entry, actor, "first_line_removed")
        return entry

    async def _save(self, entry: Entry, actor: str, action: str) -> None:
        def write(session: Session) -> None:
            agent_id = session.scalar(select(Agent.id).where(Agent.username == entry.username))
            if agent_id is None:
                return
            row = session.get(ReserveMember, agent_id) or ReserveMember(agent_id=agent_id)
            if not entry.reserve and not entry.in_first_line:
                if row in session:
                    session.delete(row)
            else:
                row.reserve, row.penalty = entry.reserve, entry.penalty
                row.in_first_line, row.added_by = entry.in_first_line, entry.added_by
                row.changed_at = entry.changed_at
                session.add(row)
            audit.record(session, action, actor=actor, target=entry.username,
                         queue=self.first_line, penalty=self._penalty(entry))  # fmt: skip

        await self.store.run(write)
        if entry.reserve or entry.in_first_line:
            self._entries[entry.username] = entry
        else:
            self._entries.pop(entry.username, None)
        if action != "first_line_reserve_changed":
            await self._publish(entry, actor)

    async def _publish(self, entry: Entry, actor: str) -> None:
        try:
            await self.bus.publish(
                "agent",
                {"type": "FirstLineChanged", "username": entry.username,
                 "queue": self.first_line, "added": entry.in_first_line, "by": actor,
                 "at": (entry.changed_at or self.clock()).isoformat()},
            )  # fmt: skip
        except Exception:
            log.exception("could not publish the first-line change of %s", entry.username)

    def _penalty(self, entry: Entry) -> int:
        return self.settings.penalty if entry.penalty is None else entry.penalty

    def _static_member(self, username: str) -> bool:
        return any(q == self.first_line for q, _ in self.agents.get(username).queues)

    def _state(self, username: str) -> State:
        try:
            return self.agents.state(username)
        except KeyError:
            return State.OFFLINE
