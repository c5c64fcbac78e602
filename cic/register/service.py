"""Who may read the call register, and one call with everything linked to it.

Supervisors and admins read the register (any call of the office); anyone else is refused
and the refusal is in the audit log. Opening one call is audited (``call_read``: who, which
call, from where) like the other reads of call data; its transcript is read through the
recordings service (which audits that read too), its contact reports and cases through the
case register (as THIS user may see them), its incidents through the safety system.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.auth.actor import Actor
from cic.auth.errors import Forbidden
from cic.auth.refusals import record_refusal
from cic.calls.errors import CallNotFound
from cic.calls.models import Call
from cic.db import Store
from cic.recordings.access import check_call_id
from cic.recordings.errors import UnsafePath
from cic.register.detail import call_detail
from cic.register.listing import CallRegister, RegisterPage
from cic.register.schemas import RegisterFilters

#: The call's redacted transcript as the recordings service gives it (audited there).
TranscriptReader = Callable[[str, Actor], Awaitable[Mapping[str, Any]]]
#: ``{"reports": [...], "cases": [...]}`` linked to these calls, as the actor may see them.
CaseLinks = Callable[[list[str], Actor], Awaitable[Mapping[str, Any]]]
#: The incidents linked to a call: ``id``, ``title``, ``status_label``, ``category_name``.
IncidentLinks = Callable[[str, Actor], Awaitable[Sequence[Mapping[str, Any]]]]
SPEAKERS = {"resident": "Mieszkaniec", "agent": "Konsultant", "mixed": "Rozmowa"}
REFUSAL = "Rejestr połączeń jest dostępny dla kierowników zmiany i administratorów."


def transcript_lines(transcript: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The redacted transcript as lines: who spoke (in Polish) and what (one per segment)."""
    if not transcript:
        return []
    texts = str(transcript.get("text") or "").split("\n")
    segments = list(transcript.get("segments") or [])
    lines = []
    for i, text in enumerate(texts):
        speaker = str(segments[i].get("speaker") or "") if i < len(segments) else ""
        if text.strip():
            lines.append({"speaker": SPEAKERS.get(speaker, speaker or "–"), "text": text})
    return lines


async def _none_linked(_ids: list[str], _actor: Actor) -> Mapping[str, Any]:
    return {"reports": [], "cases": []}


async def _no_incidents(_call_id: str, _actor: Actor) -> Sequence[Mapping[str, Any]]:
    return []


class RegisterService:
    """The register's rules over the store and the other domains' readers."""

    def __init__(
        self,
        store: Store,
        register: CallRegister,
        transcript: TranscriptReader | None = None,
        case_links: CaseLinks = _none_linked,
        incident_links: IncidentLinks = _no_incidents,
    ) -> None:
        """``register`` answers the queries; the readers add what other domains keep."""
        self.store = store
        self.register = register
        self.transcript = transcript
        self.case_links = case_links
        self.incident_links = incident_links

    async def _check(self, actor: Actor, target: str) -> None:
        """Refuse (audited) anyone but a supervisor or an admin."""
        if not actor.supervising:
            error = Forbidden(REFUSAL)
            await record_refusal(self.store, actor, "call_register", target, error)
            raise error

    async def page(self, actor: Actor, filters: RegisterFilters, page: int = 1) -> RegisterPage:
        """A page of the register for ``actor``."""
        await self._check(actor, "list")
        return await self.store.run(lambda s: self.register.page(s, filters, page))

    async def choices(self, actor: Actor) -> dict[str, list[str]]:
        """The queues and agents for the filter form."""
        await self._check(actor, "list")
        return await self.store.run(self.register.choices)

    async def call(self, actor: Actor, call_id: str) -> dict[str, Any]:
        """One call with its timeline, legs, recordings, wrap-ups, topics, transcript (when
        there is one), contact reports, cases and incidents; the read is audited."""
        await self._check(actor, call_id)
        try:
            check_call_id(call_id)
        except UnsafePath:
            raise CallNotFound(call_id[:64]) from None

        def read(session: Session) -> dict[str, Any]:
            call = session.scalars(select(Call).where(Call.call_id == call_id)).first()
            if call is None:
                raise CallNotFound(call_id)
            detail = call_detail(session, call, self.register.review, self.register.zone)
            audit.record(session, "call_read", actor=actor.username, target=call_id, ip=actor.ip)
            return detail

        detail = await self.store.run(read)
        transcript = None
        if detail["transcribed"] and self.transcript is not None:
            transcript = await self.transcript(call_id, actor)
        linked = await self.case_links([call_id], actor)
        return {
            **detail,
            "transcript": transcript,
            "transcript_lines": transcript_lines(transcript),
            "reports": list(linked.get("reports", [])),
            "cases": list(linked.get("cases", [])),
            "incidents": list(await self.incident_links(call_id, actor)),
        }
