"""The wrap-up an agent saves after a call: outcome (from the office's list), topic, note."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.actor import Actor
from cic.auth.refusals import run_guarded
from cic.bus import Bus
from cic.calls.access import handled_by
from cic.calls.errors import CallNotFound, CallNotYours, InvalidQuery
from cic.calls.models import Call, CallWrapup
from cic.calls.schemas import WrapupOut
from cic.db import Store, utcnow

TOPIC_MAX = 200
NOTE_MAX = 4000


def _text(value: str) -> str:
    # PostgreSQL text cannot hold NUL; everything else is kept exactly as typed.
    return value.replace("\x00", "\ufffd")


class WrapupService:
    """Saves and reads wrap-ups; one per agent and call, saving again replaces it."""

    def __init__(self, store: Store, bus: Bus, outcomes: list[str]) -> None:
        self.store = store
        self.bus = bus
        self.outcomes = list(outcomes)

    async def agent_for(self, call_id: str, actor: Actor) -> str:
        """The agent interface whose wrap-up ``actor`` writes or reads: a supervisor the call's
        (last answering) agent, anyone else their own device, only on a call they took (in any
        leg); ``CallNotFound`` / ``CallNotYours`` otherwise."""

        def read(session: Session) -> str:
            call = session.scalars(select(Call).where(Call.call_id == call_id)).first()
            if call is None:
                raise CallNotFound(call_id)
            if actor.supervising:
                return call.agent or ""
            if actor.interface and handled_by(session, call_id, actor.interface):
                return actor.interface
            raise CallNotYours(
                "To nie Twoja rozmowa: podsumowanie zapisuje konsultant, który ją obsłużył."
            )

        return await run_guarded(self.store, actor, "call", call_id, read)

    async def save(
        self, call_id: str, agent: str, outcome: str, topic: str, note: str, saved_by: str
    ) -> WrapupOut:
        """Validate and store the wrap-up of ``agent`` (an interface) for ``call_id``."""
        if outcome not in self.outcomes:
            raise InvalidQuery(f"Wynik rozmowy musi być jednym z: {', '.join(self.outcomes)}.")
        if len(topic) > TOPIC_MAX:
            raise InvalidQuery(f"Temat: najwyżej {TOPIC_MAX} znaków.")
        if len(note) > NOTE_MAX:
            raise InvalidQuery(f"Notatka: najwyżej {NOTE_MAX} znaków.")

        def write(session: Session) -> WrapupOut:
            if session.scalar(select(Call.id).where(Call.call_id == call_id)) is None:
                raise CallNotFound(call_id)
            row = session.scalar(
                select(CallWrapup).where(CallWrapup.call_id == call_id, CallWrapup.agent == agent)
            ) or CallWrapup(call_id=call_id, agent=agent)
            row.outcome, row.topic, row.note = outcome, _text(topic.strip()), _text(note)
            row.saved_by, row.saved_at = saved_by, utcnow()
            session.add(row)
            session.flush()
            return row.as_dict()

        saved = await self.store.run(write)
        await self.bus.publish("call", {"type": "CallWrappedUp", "call_id": call_id, **saved})
        return saved

    async def for_call(self, call_id: str) -> list[WrapupOut]:
        """The wrap-ups of a call, oldest first."""

        def read(session: Session) -> list[WrapupOut]:
            rows = session.scalars(
                select(CallWrapup).where(CallWrapup.call_id == call_id).order_by(CallWrapup.id)
            )
            return [r.as_dict() for r in rows]

        return await self.store.run(read)
