"""Which calls a member of staff may name (on a contact report, say): agents only the calls
they took themselves, officials any call on record. Plain functions over one session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.actor import Actor
from cic.calls.errors import CallNotFound, CallNotYours
from cic.calls.models import Call, CallEvent, CallWrapup

# Timeline entries that put an agent on the line with the resident, and where they name them.
_TAKING_EVENTS = {"CallAnswered": "agent", "CallTransferred": "to_agent"}


def handled_by(session: Session, call_id: str, interface: str) -> bool:
    """True when the agent with device ``interface`` had the resident on this call (answered
    it, took it over in an attended transfer, or wrapped it up)."""
    if not interface:
        return False
    agent = session.scalars(select(Call.agent).where(Call.call_id == call_id)).first()
    if agent == interface:
        return True
    wrapped = session.scalars(
        select(CallWrapup.id).where(CallWrapup.call_id == call_id, CallWrapup.agent == interface)
    ).first()
    if wrapped is not None:
        return True
    events = session.scalars(
        select(CallEvent).where(
            CallEvent.call_id == call_id, CallEvent.type.in_(tuple(_TAKING_EVENTS))
        )
    )
    return any((e.data or {}).get(_TAKING_EVENTS[e.type]) == interface for e in events)


def check_may_name(session: Session, call_id: str, actor: Actor) -> None:
    """Raise unless the call is on record (404) and ``actor`` may name it (403)."""
    if session.scalars(select(Call.id).where(Call.call_id == call_id)).first() is None:
        raise CallNotFound(call_id)
    if actor.official:
        return
    if actor.interface is None or not handled_by(session, call_id, actor.interface):
        raise CallNotYours()
