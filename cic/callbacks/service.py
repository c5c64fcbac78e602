"""Callback requests: registered while the resident is queued, placed, retried, closed.

A request keeps the resident's place in line through a placeholder: a Local channel that
joins the same queue at the position the resident left. When an agent takes the placeholder,
Asterisk dials the resident and reports the result here. One request per call (unique in the
store) and at most one placeholder per request at a time, so a resident is never called twice
for one request; unanswered callbacks are retried ``attempts`` times and then wait for the
supervisor as ``failed``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cic.bus import Bus
from cic.callbacks.errors import CallbackConflict, CallbackNotFound, InvalidNumber
from cic.callbacks.models import OPEN_STATUSES, CallbackRequest
from cic.callbacks.numbers import national_number
from cic.callbacks.schemas import CallbackOut
from cic.config import CallbackSettings
from cic.db import Store

log = logging.getLogger(__name__)
ANSWERED = "ANSWER"


@dataclass(frozen=True)
class Callback:
    """A callback request as the service hands it out."""

    id: int
    call_id: str
    number: str
    queue: str
    position: int
    status: str
    attempts: int
    agent: str
    last_result: str
    next_attempt_at: datetime | None
    requested_at: datetime
    updated_at: datetime | None
    closed_by: str
    shown_number: str = ""

    @property
    def placeholder_id(self) -> str:
        """The unique id of the placeholder channel of the current attempt."""
        return f"cic-cb-{self.id}-{self.attempts + 1}"

    def to_json(self) -> CallbackOut:
        """As JSON for the API and the bus."""
        return {
            "id": self.id, "call_id": self.call_id, "number": self.number,
            "queue": self.queue, "position": self.position, "status": self.status,
            "attempts": self.attempts, "agent": self.agent, "last_result": self.last_result,
            "next_attempt_at": _iso(self.next_attempt_at),
            "requested_at": _iso(self.requested_at), "updated_at": _iso(self.updated_at),
            "closed_by": self.closed_by, "shown_number": self.shown_number,
        }  # fmt: skip


def _plain(number: str) -> bool:
    """True for a caller ID of digits with an optional ``+`` (safe to hand to the dialplan)."""
    return 9 <= len(number) <= 16 and number.lstrip("+").isdigit() and number.isascii()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _view(row: CallbackRequest) -> Callback:
    return Callback(
        row.id, row.call_id, row.number, row.queue, row.position, row.status, row.attempts,
        row.agent, row.last_result, row.next_attempt_at, row.requested_at, row.updated_at,
        row.closed_by, row.shown_number,
    )  # fmt: skip


class Placer(Protocol):
    """Puts a placeholder for a request into its queue; tells whether one is still there."""

    async def place(self, callback: Callback) -> None: ...
    async def alive(self, placeholder_id: str) -> bool: ...
    async def withdraw(self, placeholder_id: str) -> None: ...


class CallbackService:
    """Registers, places, retries and closes callback requests."""

    def __init__(
        self,
        store: Store,
        bus: Bus,
        placer: Placer,
        settings: CallbackSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.bus = bus
        self.placer = placer
        self.settings = settings
        self.clock = clock
        self._lock = asyncio.Lock()

    # --- from the dialplan ---
    async def register(
        self, call_id: str, raw_number: str, queue: str, position: int, *, caller: str = ""
    ) -> Callback:
        """The resident asked for a callback on ``call_id``: store it and hold their place.

        ``caller`` is the caller ID of the call: when it is the same number, agents are shown
        it as it arrived (so the resident's history is found), else the national number.

        The same call asking again gets its existing request (never a second one). Raises
        :class:`InvalidNumber`; a PBX failure removes the new request again and is re-raised,
        so the dialplan puts the resident back into the queue instead.
        """
        number = national_number(raw_number)
        if number is None:
            raise InvalidNumber()
        async with self._lock:
            existing = await self._by_call(call_id)
            if existing is not None:
                return existing
            now = self.clock()

            def write(session: Session) -> Callback:
                row = CallbackRequest(
                    call_id=call_id, number=number, queue=queue, position=max(1, position),
                    status="waiting", requested_at=now, updated_at=now,
                    shown_number=caller if _plain(caller) and national_number(caller) == number
                    else number,
                )  # fmt: skip
                session.add(row)
                session.flush()
                return _view(row)

            callback = await self.store.run(write)
            try:
                await self.placer.place(callback)
            except Exception:
                await self.store.run(
                    lambda s: s.execute(
                        delete(CallbackRequest).where(CallbackRequest.id == callback.id)
                    )
                )
                raise
        await self._publish(callback)
        return callback

    async def progress(self, request_id: int, attempt: int, status: str, agent: str) -> Callback:
        """The placeholder of ``attempt`` reports: ``DIALING`` or Dial's final DIALSTATUS."""
        status = status.upper()
        async with self._lock:
            current = await self.get(request_id)
            if attempt != current.attempts + 1 or current.status not in ("waiting", "dialing"):
                log.warning("callback %s: stale report %s for attempt %s", request_id, status,
                            attempt)  # fmt: skip
                return current
            now = self.clock()
            changes: dict[str, Any] = {"updated_at": now}
            if agent:
                changes["agent"] = agent[:255]
            if status == "DIALING":
                changes["status"] = "dialing"
            elif status == ANSWERED:
                changes.update(status="done", attempts=attempt, last_result=status)
            else:
                changes.update(attempts=attempt, last_result=status[:32])
                if attempt >= self.settings.attempts:
                    changes["status"] = "failed"
                else:
                    changes["status"] = "retry"
                    changes["next_attempt_at"] = now + timedelta(
                        seconds=self.settings.retry_seconds
                    )
            callback = await self._update(request_id, **changes)
        await self._publish(callback)
        return callback

    # --- time and restarts ---
    async def tick(self) -> list[Callback]:
        """Place the retries that are due (at the front of their queue)."""
        now = self.clock()
        placed = []
        async with self._lock:
            due = [c for c in await self.open() if c.status == "retry"
                   and c.next_attempt_at is not None and c.next_attempt_at <= now]  # fmt: skip
            for callback in due:
                callback = await self._update(
                    callback.id, status="waiting", position=1, next_attempt_at=None,
                    updated_at=now,
                )  # fmt: skip
                try:
                    await self.placer.place(callback)
                except Exception:
                    log.exception("callback %s: could not place; trying again later", callback.id)
                    callback = await self._update(
                        callback.id, status="retry", next_attempt_at=now + timedelta(seconds=30)
                    )
                placed.append(callback)
        for callback in placed:
            await self._publish(callback)
        return placed

    async def on_resync(self, _live: frozenset[str], _at: datetime) -> None:
        """After an AMI (re)connect: a waiting request whose placeholder is gone gets a new
        one (Asterisk restarted); one that was ringing the resident is counted as an attempt
        that did not connect."""
        for callback in await self.open():
            if callback.status == "retry":
                continue
            try:
                if await self.placer.alive(callback.placeholder_id):
                    continue
            except Exception:
                log.exception("callback %s: cannot check its placeholder", callback.id)
                continue
            if callback.status == "dialing":
                await self.progress(callback.id, callback.attempts + 1, "LOST", "")
                continue
            try:
                await self.placer.place(callback)
            except Exception:
                log.exception("callback %s: could not place it again", callback.id)

    # --- supervisor ---
    async def retry_now(self, request_id: int, actor: str) -> Callback:
        """Put a failed (or waiting-for-retry) request back into its queue, at the front."""
        current = await self.get(request_id)
        if current.status not in ("failed", "retry"):
            raise CallbackConflict("Ponowić można tylko prośbę nieudaną lub czekającą.")
        async with self._lock:
            callback = await self._update(
                request_id, status="retry", next_attempt_at=self.clock(), closed_by="",
                attempts=min(current.attempts, self.settings.attempts - 1),
            )  # fmt: skip
        log.info("callback %s retried by %s", request_id, actor)
        await self.tick()
        return await self.get(callback.id)

    async def close(self, request_id: int, actor: str) -> Callback:
        """The supervisor dealt with it (called the resident another way, or gave up).

        A waiting request's placeholder leaves the queue; a ringing one cannot be closed.
        """
        current = await self.get(request_id)
        if current.status in ("dialing", "done", "cancelled"):
            raise CallbackConflict("Tej prośby nie można teraz zamknąć.")
        async with self._lock:
            callback = await self._update(
                request_id, status="cancelled", closed_by=actor[:64], next_attempt_at=None,
                updated_at=self.clock(),
            )  # fmt: skip
        if current.status == "waiting":
            try:
                await self.placer.withdraw(current.placeholder_id)
            except Exception:
                log.exception("callback %s: placeholder not withdrawn", request_id)
        await self._publish(callback)
        return callback

    # --- queries ---
    async def get(self, request_id: int) -> Callback:
        """One request, or :class:`CallbackNotFound`."""

        def read(session: Session) -> Callback | None:
            row = session.get(CallbackRequest, request_id)
            return _view(row) if row is not None else None

        callback = await self.store.run(read)
        if callback is None:
            raise CallbackNotFound()
        return callback

    async def requests(self, status: str | None = None, limit: int = 200) -> list[Callback]:
        """Requests, newest first, optionally of one status."""

        def read(session: Session) -> list[Callback]:
            query = select(CallbackRequest).order_by(CallbackRequest.id.desc()).limit(limit)
            if status:
                query = query.where(CallbackRequest.status == status)
            return [_view(r) for r in session.scalars(query)]

        return await self.store.run(read)

    async def open(self) -> list[Callback]:
        """Requests still to be completed, oldest first."""

        def read(session: Session) -> list[Callback]:
            query = (
                select(CallbackRequest)
                .where(CallbackRequest.status.in_(OPEN_STATUSES))
                .order_by(CallbackRequest.id)
            )
            return [_view(r) for r in session.scalars(query)]

        return await self.store.run(read)

    # --- internals ---
    async def _by_call(self, call_id: str) -> Callback | None:
        def read(session: Session) -> Callback | None:
            row = session.scalar(select(CallbackRequest).where(CallbackRequest.call_id == call_id))
            return _view(row) if row is not None else None

        return await self.store.run(read)

    async def _update(self, request_id: int, **changes: Any) -> Callback:
        def write(session: Session) -> Callback:
            row = session.get(CallbackRequest, request_id)
            if row is None:
                raise CallbackNotFound()
            for key, value in changes.items():
                setattr(row, key, value)
            session.flush()
            return _view(row)

        return await self.store.run(write)

    async def _publish(self, callback: Callback) -> None:
        try:
            await self.bus.publish("callback", {"type": "CallbackChanged", **callback.to_json()})
        except Exception:
            log.exception("could not publish callback %s", callback.id)
