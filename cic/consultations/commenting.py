"""Residents' comments sent through the portal's form.

A comment is taken only while the consultation runs (from its first to its last day, the
office's time zone). The form's signed token (checked by the view) is one comment: its nonce
is stored in a unique column, so a form sent twice is refused by the database itself. Comments
are numbered within their consultation; the number is what the resident is told and what the
report lists. Per client address (and in all) at most so many comments an hour are taken.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cic.auth.lockout import address_key
from cic.channels.ratelimit import HourlyLimit
from cic.consultations.errors import ConsultationClosed, FieldErrors
from cic.consultations.models import Consultation, ConsultationComment
from cic.consultations.names import check_name
from cic.consultations.service import ConsultationService
from cic.consultations.views_model import ConsultationView
from cic.db import utcnow
from cic.portal.errors import PortalFormExpired, PortalTooManyAttempts

FIELDS = ("text", "name", "consent", "solectwo", "document", "section")
MAX_SECTION = 200
ATTEMPTS = 3  # two residents numbered at the same moment: the second tries the next number


@dataclass(frozen=True)
class NewComment:
    """A checked comment ready to store."""

    text: str
    name: str
    consent: str
    solectwo: str
    document_id: int | None
    section: str


def check_comment(
    found: ConsultationView, form: Mapping[str, str], *, max_chars: int,
    solectwa: tuple[str, ...], consent_text: str,
) -> NewComment:  # fmt: skip
    """The comment in ``form`` for consultation ``found``, or ``FieldErrors``."""
    problems: dict[str, str] = {}
    text = form.get("text", "").strip()
    if not text:
        problems["text"] = "Wpisz treść uwagi."
    elif len(text) > max_chars:
        problems["text"] = (
            f"Uwaga może mieć najwyżej {max_chars} znaków (wpisano {len(text)})."
            " Skróć ją albo podziel na kilka uwag."
        )
    elif "\x00" in text:
        problems["text"] = "Treść zawiera niedozwolone znaki."
    verdict = check_name(found.names, form.get("name", ""), form.get("consent") == "1")
    problems.update(verdict.problems)
    solectwo = form.get("solectwo", "").strip() if found.ask_solectwo else ""
    if solectwo and solectwo not in solectwa:
        problems["solectwo"] = "Wybierz sołectwo z listy."
    document_id = None
    raw = form.get("document", "").strip()
    if raw:
        document_id = next((d.id for d in found.documents if str(d.id) == raw), None)
        if document_id is None:
            problems["document"] = "Wybierz dokument z listy."
    section = " ".join(form.get("section", "").split())
    if len(section) > MAX_SECTION:
        problems["section"] = f"Fragment dokumentu: najwyżej {MAX_SECTION} znaków."
    if problems:
        raise FieldErrors(problems)
    consent = consent_text if verdict.name else ""
    return NewComment(text, verdict.name, consent, solectwo, document_id, section)


class Commenting:
    """Takes residents' comments for ``service``'s consultations within ``limit``."""

    def __init__(
        self, service: ConsultationService, limit: HourlyLimit,
        now: Callable[[], datetime] = utcnow,
    ) -> None:  # fmt: skip
        """See the class docstring."""
        self.service, self.limit, self.now = service, limit, now

    async def submit(self, slug: str, form: Mapping[str, str], nonce: str, client: str) -> int:
        """Store a comment on the consultation at ``slug`` sent from ``client`` with a form
        whose token had ``nonce``; returns the comment's number."""
        found = await self.service.by_slug(slug)
        if found.state != "trwa":
            raise ConsultationClosed(closed_message(found))
        settings, place = self.service.settings, self.service.place
        comment = check_comment(
            found, form, max_chars=settings.comment_max_chars, solectwa=place.solectwa,
            consent_text=settings.name_consent,
        )  # fmt: skip
        key = address_key(client or "-")
        verdict = self.limit.take(key)
        if verdict.wait:
            raise PortalTooManyAttempts(
                verdict.wait, "Wysłano zbyt wiele uwag z tego adresu. Spróbuj za godzinę."
            )
        try:
            return await self._store(found.id, comment, nonce)
        except BaseException:
            self.limit.give_back(key)
            raise

    async def _store(self, consultation_id: int, comment: NewComment, nonce: str) -> int:
        now = self.now()

        def write(session: Session) -> int:
            used = session.scalar(
                select(ConsultationComment.id).where(ConsultationComment.nonce == nonce)
            )
            if used is not None:
                raise PortalFormExpired("Ta uwaga została już wysłana (formularz jest zużyty).")
            session.get(Consultation, consultation_id, with_for_update=True)
            number = 1 + (session.scalar(
                select(func.max(ConsultationComment.number))
                .where(ConsultationComment.consultation_id == consultation_id)
            ) or 0)  # fmt: skip
            session.add(ConsultationComment(
                consultation_id=consultation_id, number=number, text=comment.text,
                name=comment.name, name_consent=comment.consent, solectwo=comment.solectwo,
                document_id=comment.document_id, section=comment.section, nonce=nonce,
                created_at=now,
            ))  # fmt: skip
            return number

        for attempt in range(ATTEMPTS):
            try:
                return await self.service.store.run(write)
            except IntegrityError:
                if attempt == ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")


def closed_message(found: ConsultationView) -> str:
    """Why a comment is not taken now, in Polish, with the period."""
    period = f"od {found.starts_on:%d.%m.%Y} do {found.ends_on:%d.%m.%Y}"
    if found.state == "zapowiedziana":
        return f"Konsultacja jeszcze się nie rozpoczęła. Uwagi przyjmujemy {period}."
    return f"Konsultacja została zakończona. Uwagi przyjmowaliśmy {period}."
