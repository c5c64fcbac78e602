"""Dispatches: a responder sent to an incident, the call-out through the notification store,
and its acknowledgement.

The call-out is the batch ``dispatch:<id>`` with ``confirm=True`` to every channel of the
responder. A ``confirmed`` delivery (pressed 1 in the call, or the confirmation link the
notification senders add to an SMS or e-mail) makes the dispatch
``potwierdzone`` (and the responder busy); when every delivery has ended without one, it is
``brak_odpowiedzi`` and the dispatcher picks the next responder. The official may also record
a refusal (``odmowa``: what is still queued is cancelled) or an answer given by phone.
Specialists and supervisors (the officials on duty) send; agents see the dispatches and ask
for proposals only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.actor import Actor
from cic.db import Store, utcnow
from cic.notify import statuses as notify_statuses
from cic.notify.service import NotifyService, Outgoing
from cic.responders.errors import InvalidResponder, NotAllowed, NotAvailable, UnknownDispatch
from cic.responders.models import Dispatch, DispatchEvent, Responder
from cic.responders.ranking import KIND_LABELS
from cic.responders.service import DISPATCHERS, VIEWERS, ResponderService, candidate, recipients

SENT, CONFIRMED, REFUSED, NO_ANSWER = "wyslane", "potwierdzone", "odmowa", "brak_odpowiedzi"
LABELS = {SENT: "wysłane", CONFIRMED: "potwierdzone", REFUSED: "odmowa",
          NO_ANSWER: "brak odpowiedzi"}  # fmt: skip
MANUAL = (CONFIRMED, REFUSED, NO_ANSWER)
SYSTEM = "system"
MAX_NOTE, MAX_FIELD = 1000, 300


@dataclass(frozen=True)
class CallOut:
    """What the responder is told about the incident."""

    category: str
    address: str
    description: str = ""


class IncidentFacts(Protocol):
    """The incidents domain's answer to "what is incident N?" (``None``: no such incident)."""

    async def __call__(self, incident_id: int) -> CallOut | None:
        """The call-out facts of the incident."""
        ...


def batch_of(dispatch_id: int) -> str:
    """The notification batch of a dispatch."""
    return f"dispatch:{dispatch_id}"


def call_out_text(about: CallOut) -> str:
    """The Polish call-out: what, where, the description. How to confirm is added by each
    channel's sender (the question after the message in a call, a link in an SMS or e-mail)."""
    parts = [f"Wezwanie z urzędu gminy: {about.category}.", f"Miejsce: {about.address}."]
    if about.description:
        parts.append(about.description.rstrip(".") + ".")
    return " ".join(parts)


class DispatchService:
    """Sends responders and records what became of it."""

    def __init__(
        self,
        store: Store,
        notify: NotifyService,
        responders: ResponderService,
        *,
        incidents: IncidentFacts | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        """Keep the collaborators; ``incidents`` (when wired) supplies the call-out facts,
        else the request gives them."""
        self.store, self.notify, self.responders = store, notify, responders
        self.incidents, self.now = incidents, now

    async def send(
        self, actor: Actor, incident_id: int, responder_id: int, note: str, given: CallOut
    ) -> dict[str, Any]:
        """Send the responder (on duty and available now) to the incident and notify them on
        each of their channels; returns the dispatch."""
        if actor.role not in DISPATCHERS:
            raise NotAllowed("Wysłać ratownika może dyżurny urzędu (specjalista lub kierownik).")
        if not 1 <= incident_id < 2**31:
            raise InvalidResponder({"incident_id": "numer zgłoszenia"})
        about = await self._about(incident_id, given)
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise InvalidResponder({"note": f"najwyżej {MAX_NOTE} znaków"})
        row = await self.responders.responder(responder_id)
        if not candidate(row).available(self.responders.local_now()):
            raise NotAvailable()
        at = self.now()

        def write(session: Session) -> tuple[int, str]:
            dispatch = Dispatch(
                incident_id=incident_id, responder_id=responder_id, sent_by=actor.username[:64],
                sent_at=at, status=SENT, note=note,
            )  # fmt: skip
            session.add(dispatch)
            session.flush()
            dispatch.text = call_out_text(about)
            session.add(DispatchEvent(dispatch_id=dispatch.id, at=at, status=SENT,
                                      by=actor.username[:64], detail=note[:500]))  # fmt: skip
            return dispatch.id, dispatch.text

        dispatch_id, text = await self.store.run(write)
        subject = f"Wezwanie: {about.category}"[:200]
        await self.notify.send(batch_of(dispatch_id), Outgoing(text, subject, confirm=True),
                               recipients(row))  # fmt: skip
        return await self.get(actor, dispatch_id)

    async def _about(self, incident_id: int, given: CallOut) -> CallOut:
        known = await self.incidents(incident_id) if self.incidents is not None else None
        if self.incidents is not None and known is None:
            raise UnknownDispatch("Nie ma takiego zgłoszenia.")
        about = CallOut(
            given.category.strip() or (known.category if known else ""),
            given.address.strip() or (known.address if known else ""),
            given.description.strip() or (known.description if known else ""),
        )
        wrong = {name: f"od 1 do {MAX_FIELD} znaków" for name, value in
                 (("category", about.category), ("address", about.address))
                 if not value or len(value) > MAX_FIELD}  # fmt: skip
        if len(about.description) > MAX_NOTE:
            wrong["description"] = f"najwyżej {MAX_NOTE} znaków"
        if wrong:
            raise InvalidResponder(wrong)
        return about

    async def acknowledge(self, dispatch_id: int) -> str | None:
        """Look at the dispatch's deliveries: a confirmation makes it ``potwierdzone`` (also
        after ``brak_odpowiedzi``: a late answer still counts); every delivery ended without
        reaching anyone who can still confirm (a call not confirmed, a failed SMS; an SMS or
        e-mail that arrived waits for its link) makes it ``brak_odpowiedzi``. Returns the new
        state, or ``None`` if nothing changed. Called for every delivery event of the batch
        (and safe to call again)."""
        deliveries = await self.notify.deliveries(batch_of(dispatch_id))
        confirmed = [d for d in deliveries if d["status"] == "confirmed"]
        if confirmed:
            first = min(confirmed, key=lambda d: d["confirmed_at"] or "")
            detail = f"potwierdzone: {first['channel_label']}"
            changed = await self._move(dispatch_id, CONFIRMED, SYSTEM, detail,
                                       datetime.fromisoformat(first["confirmed_at"]))  # fmt: skip
        elif deliveries and all(
            d["status"] in notify_statuses.FINAL and d["status"] != "delivered" for d in deliveries
        ):  # an SMS or e-mail that arrived may still be confirmed by its link
            detail = ", ".join(f"{d['channel_label']}: {d['status_label']}" for d in deliveries)
            changed = await self._move(dispatch_id, NO_ANSWER, SYSTEM, detail, None)
        else:
            return None
        return changed

    async def _move(
        self, dispatch_id: int, status: str, by: str, detail: str, answered: datetime | None,
        *, manual: bool = False,
    ) -> str | None:  # fmt: skip
        at = self.now()

        def write(session: Session) -> tuple[str | None, int]:
            row = session.get(Dispatch, dispatch_id, with_for_update=True)
            if row is None:
                raise UnknownDispatch()
            late = row.status == NO_ANSWER and status == CONFIRMED  # confirmed after all
            if row.status == status or (row.status != SENT and not manual and not late):
                return None, row.responder_id
            row.status, row.answered_at = status, answered or at
            session.add(DispatchEvent(dispatch_id=dispatch_id, at=at, status=status, by=by[:64],
                                      detail=detail[:500]))  # fmt: skip
            return status, row.responder_id

        changed, responder_id = await self.store.run(write)
        if changed == CONFIRMED:
            await self.responders.mark(responder_id, "zajety")  # on the way: not proposed again
        return changed

    async def set_status(
        self, actor: Actor, dispatch_id: int, status: str, detail: str = ""
    ) -> dict[str, Any]:
        """The official records an answer given another way (by phone): confirmed, refused
        (the rest of the call-out is cancelled) or no answer."""
        if actor.role not in DISPATCHERS:
            raise NotAllowed()
        if status not in MANUAL:
            raise InvalidResponder({"status": "potwierdzone, odmowa albo brak_odpowiedzi"})
        if len(detail) > 500:
            raise InvalidResponder({"detail": "najwyżej 500 znaków"})
        await self._move(dispatch_id, status, actor.username, detail.strip(), None, manual=True)
        if status != CONFIRMED:
            await self.notify.cancel(batch_of(dispatch_id))
        return await self.get(actor, dispatch_id)

    async def get(self, actor: Actor, dispatch_id: int) -> dict[str, Any]:
        """One dispatch with its responder, history and deliveries."""
        if actor.role not in VIEWERS:
            raise NotAllowed()
        found = await self._views(select(Dispatch).where(Dispatch.id == dispatch_id))
        if not found:
            raise UnknownDispatch()
        return found[0]

    async def for_incident(self, actor: Actor, incident_id: int) -> list[dict[str, Any]]:
        """Every dispatch to the incident, newest first."""
        if actor.role not in VIEWERS:
            raise NotAllowed()
        query = select(Dispatch).where(Dispatch.incident_id == incident_id)
        return await self._views(query.order_by(Dispatch.id.desc()))

    async def recent(self, actor: Actor, limit: int = 30) -> list[dict[str, Any]]:
        """The latest dispatches of every incident (the page: an unanswered one shows up for
        the dispatcher to pick the next responder)."""
        if actor.role not in VIEWERS:
            raise NotAllowed()
        return await self._views(select(Dispatch).order_by(Dispatch.id.desc()).limit(limit))

    async def _views(self, query: Any) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            out = []
            for row in session.scalars(query):
                who = session.get(Responder, row.responder_id)
                history = session.scalars(select(DispatchEvent).where(
                    DispatchEvent.dispatch_id == row.id).order_by(DispatchEvent.id))  # fmt: skip
                out.append({
                    "id": row.id, "incident_id": row.incident_id, "responder_id": row.responder_id,
                    "responder": who.name if who else "",
                    "responder_kind": KIND_LABELS.get(who.kind, who.kind) if who else "",
                    "sent_by": row.sent_by, "sent_at": row.sent_at.isoformat(),
                    "status": row.status, "status_label": LABELS[row.status],
                    "answered_at": row.answered_at.isoformat() if row.answered_at else None,
                    "note": row.note, "text": row.text,
                    "history": [{"at": e.at.isoformat(), "status": e.status,
                                 "status_label": LABELS.get(e.status, e.status), "by": e.by,
                                 "detail": e.detail} for e in history],
                })  # fmt: skip
            return out

        views = await self.store.run(read)
        for item in views:
            item["deliveries"] = await self.notify.deliveries(batch_of(item["id"]))
        return views
