"""The rules of consultations for editors and for the public pages' reading.

Editors create and change a consultation, upload and remove its documents, hide a comment
that breaks the rules (with a reason) or show it again, write the office's response to one
comment or to several at once, and publish the report once the consultation has closed.
Every change by staff is written to the audit log. The public side reads only what may be
shown: no hidden comment's text, no staff names, no comment before the report unless
``show_comments_during`` says so (and then only comments a moderator has reviewed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.channels.files import ChannelFiles
from cic.config import ConsultationSettings
from cic.consultations.documents import fold_ascii, kind_of, safe_filename
from cic.consultations.errors import (
    ConsultationConflict,
    ConsultationNotFound,
    DocumentRefused,
    DocumentTooBig,
    FieldErrors,
)
from cic.consultations.models import (
    NAME_RULES,
    Consultation,
    ConsultationComment,
    ConsultationDocument,
)
from cic.consultations.periods import local_day, parse_day, period_problem
from cic.consultations.views_model import ConsultationView, consultation_view
from cic.db import Store, utcnow

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TITLE, MAX_SUMMARY, MAX_DESCRIPTION, MAX_SLUG = 300, 1000, 50_000, 120
MAX_REASON, MAX_RESPONSE = 500, 20_000
FORM_FIELDS = ("title", "slug", "summary", "description", "starts_on", "ends_on", "names",
               "ask_solectwo")  # fmt: skip


@dataclass(frozen=True)
class Place:
    """Where the service is: the office's time zone, its sołectwa, the settings."""

    zone: str
    solectwa: tuple[str, ...]
    settings: ConsultationSettings


def slug_from(title: str) -> str:
    """A slug made from a title: "Plan dla Łąki" -> "plan-dla-laki"."""
    words = re.sub(r"[^a-z0-9]+", "-", fold_ascii(title).lower()).strip("-")
    return words[:MAX_SLUG].strip("-")


def _edit_problems(form: Mapping[str, str]) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not form.get("title"):
        problems["title"] = "Podaj tytuł konsultacji."
    elif len(form["title"]) > MAX_TITLE:
        problems["title"] = f"Tytuł może mieć najwyżej {MAX_TITLE} znaków."
    slug = form.get("slug", "")
    if not SLUG.match(slug) or len(slug) > MAX_SLUG:
        problems["slug"] = "Adres: małe litery bez polskich znaków, cyfry i łączniki (a-z, 0-9, -)."
    if len(form.get("summary", "")) > MAX_SUMMARY:
        problems["summary"] = f"Streszczenie może mieć najwyżej {MAX_SUMMARY} znaków."
    if len(form.get("description", "")) > MAX_DESCRIPTION:
        problems["description"] = f"Opis może mieć najwyżej {MAX_DESCRIPTION} znaków."
    if form.get("names") not in NAME_RULES:
        problems["names"] = "Wybierz zasadę podawania imienia i nazwiska."
    problems.update(period_problem(parse_day(form.get("starts_on", "")),
                                   parse_day(form.get("ends_on", ""))))  # fmt: skip
    return problems


class ConsultationService:
    """Consultations in ``store``; documents' contents in ``files``; ``now`` the clock."""

    def __init__(
        self, store: Store, files: ChannelFiles, place: Place,
        now: Callable[[], datetime] = utcnow,
    ) -> None:  # fmt: skip
        """See the class docstring."""
        self.store, self.files, self.place, self.now = store, files, place, now

    @property
    def settings(self) -> ConsultationSettings:
        """The consultation settings."""
        return self.place.settings

    def today(self) -> date:
        """Today in the office's time zone."""
        return local_day(self.now(), self.place.zone)

    # --- reading ---
    async def all(self) -> list[ConsultationView]:
        """Every consultation, the newest period first (documents and comments left out)."""
        today = self.today()

        def read(session: Session) -> list[ConsultationView]:
            rows = session.scalars(
                select(Consultation).order_by(Consultation.starts_on.desc(), Consultation.id)
            )
            return [consultation_view(row, today, []) for row in rows]

        return await self.store.run(read)

    async def by_id(self, consultation_id: int) -> ConsultationView:
        """One consultation with its documents and every comment (for staff)."""
        return await self._read(Consultation.id == consultation_id, comments=True)

    async def by_slug(self, slug: str, *, comments: bool = False) -> ConsultationView:
        """One consultation by its public address, with its documents (and comments)."""
        if not SLUG.match(slug) or len(slug) > MAX_SLUG:
            raise ConsultationNotFound()
        return await self._read(Consultation.slug == slug, comments=comments)

    async def _read(self, where: object, *, comments: bool) -> ConsultationView:
        today = self.today()

        def read(session: Session) -> ConsultationView:
            row = session.scalars(select(Consultation).where(where)).first()  # type: ignore[arg-type]
            if row is None:
                raise ConsultationNotFound()
            documents = list(session.scalars(
                select(ConsultationDocument)
                .where(ConsultationDocument.consultation_id == row.id)
                .order_by(ConsultationDocument.id)
            ))  # fmt: skip
            found = None
            if comments:
                found = list(session.scalars(
                    select(ConsultationComment)
                    .where(ConsultationComment.consultation_id == row.id)
                    .order_by(ConsultationComment.number)
                ))  # fmt: skip
            return consultation_view(row, today, documents, found)

        return await self.store.run(read)

    async def document(self, slug: str, document_id: int) -> tuple[str, str, bytes]:
        """A document's (download name, media type, content) by the consultation's slug."""
        found = await self.by_slug(slug)
        document = next((d for d in found.documents if d.id == document_id), None)
        if document is None:
            raise ConsultationNotFound("Nie ma takiego dokumentu.")

        def sha(session: Session) -> str:
            row = session.get(ConsultationDocument, document.id)
            if row is None:
                raise ConsultationNotFound("Nie ma takiego dokumentu.")
            return row.sha256

        digest = await self.store.run(sha)
        try:
            content = self.files.get(digest)
        except FileNotFoundError:
            raise ConsultationNotFound("Dokument jest chwilowo niedostępny.") from None
        return document.filename, document.media_type, content

    # --- editors ---
    def blank(self) -> dict[str, str]:
        """The values of a new consultation's form (the default name rule)."""
        today = self.today().isoformat()
        return {"title": "", "slug": "", "summary": "", "description": "", "starts_on": today,
                "ends_on": today, "names": self.settings.names, "ask_solectwo": ""}  # fmt: skip

    async def save(self, consultation_id: int | None, form: Mapping[str, str], actor: str) -> int:
        """Create (``consultation_id`` None) or change a consultation from an editor's form;
        ``FieldErrors`` for fields that do not fit, ``ConsultationConflict`` for a taken slug."""
        values = {name: str(form.get(name, "")).strip() for name in FORM_FIELDS}
        if not values["slug"]:
            values["slug"] = slug_from(values["title"])
        problems = _edit_problems(values)
        if problems:
            raise FieldErrors(problems)
        now = self.now()

        def write(session: Session) -> int:
            if consultation_id is None:
                row = Consultation(created_by=actor, created_at=now, report_intro="")
                session.add(row)
            else:
                row = self._row(session, consultation_id)
            row.title, row.slug = values["title"], values["slug"]
            row.summary, row.description = values["summary"], values["description"]
            row.starts_on = parse_day(values["starts_on"]) or row.starts_on
            row.ends_on = parse_day(values["ends_on"]) or row.ends_on
            row.names, row.ask_solectwo = values["names"], values["ask_solectwo"] == "1"
            row.updated_at = now
            session.flush()
            audit.record(session, "consultation_saved", actor=actor,
                         target=f"konsultacja:{row.id}", slug=row.slug)  # fmt: skip
            return row.id

        try:
            return await self.store.run(write)
        except IntegrityError:
            raise FieldErrors({"slug": "Ten adres ma już inna konsultacja."}) from None

    async def add_document(
        self, consultation_id: int, title: str, uploaded_name: str, data: bytes, actor: str
    ) -> int:
        """Store an uploaded file as a document of the consultation (checked by content)."""
        limit = self.settings.document_max_mb * 1024 * 1024
        if len(data) > limit:
            raise DocumentTooBig(f"Plik jest za duży: najwyżej {self.settings.document_max_mb} MB.")
        if not data:
            raise DocumentRefused("Wybierz plik do wysłania (plik jest pusty).")
        kind = kind_of(data)
        if kind is None:
            raise DocumentRefused(
                "Tego rodzaju pliku nie można dodać. Dozwolone: PDF, ODT, DOCX, XLSX, PNG, JPG."
            )
        title = " ".join(title.split())[:MAX_TITLE]
        filename = safe_filename(uploaded_name, kind)
        digest = self.files.put(data)
        now = self.now()

        def write(session: Session) -> int:
            self._row(session, consultation_id)
            row = ConsultationDocument(
                consultation_id=consultation_id, title=title or filename, filename=filename,
                media_type=kind.media_type, size=len(data), sha256=digest, created_at=now,
            )  # fmt: skip
            session.add(row)
            session.flush()
            audit.record(session, "consultation_document_added", actor=actor,
                         target=f"konsultacja:{consultation_id}", document=row.id,
                         sha256=digest)  # fmt: skip
            return row.id

        return await self.store.run(write)

    async def remove_document(self, consultation_id: int, document_id: int, actor: str) -> None:
        """Take a document off the consultation (its content stays in the store)."""

        def write(session: Session) -> None:
            row = session.get(ConsultationDocument, document_id)
            if row is None or row.consultation_id != consultation_id:
                raise ConsultationNotFound("Nie ma takiego dokumentu.")
            session.delete(row)
            audit.record(session, "consultation_document_removed", actor=actor,
                         target=f"konsultacja:{consultation_id}", document=document_id)  # fmt: skip

        await self.store.run(write)

    async def moderate(
        self, consultation_id: int, comment_id: int, *, hide: bool, reason: str, actor: str
    ) -> None:
        """Hide a comment that breaks the rules (``reason`` required, shown in the report) or
        show it again; either way the comment counts as reviewed."""
        reason = " ".join(reason.split())
        if hide and not reason:
            raise FieldErrors({"reason": "Podaj powód ukrycia uwagi (np. obraźliwe słowa)."})
        if len(reason) > MAX_REASON:
            raise FieldErrors({"reason": f"Powód może mieć najwyżej {MAX_REASON} znaków."})
        now = self.now()

        def write(session: Session) -> None:
            row = self._comment(session, consultation_id, comment_id)
            row.hidden, row.hidden_reason = hide, reason if hide else ""
            row.moderated_by, row.moderated_at = actor, now
            audit.record(session, "consultation_comment_moderated", actor=actor,
                         target=f"konsultacja:{consultation_id}", comment=row.number,
                         hidden=hide, reason=row.hidden_reason)  # fmt: skip

        await self.store.run(write)

    async def respond(
        self, consultation_id: int, comment_ids: list[int], response: str, actor: str
    ) -> int:
        """The office's response to each of ``comment_ids`` (one comment or a group); an
        empty response clears it. Returns how many comments got it."""
        response = response.strip()
        if not comment_ids:
            raise FieldErrors({"comments": "Zaznacz co najmniej jedną uwagę."})
        if len(response) > MAX_RESPONSE:
            raise FieldErrors({"response": f"Odpowiedź może mieć najwyżej {MAX_RESPONSE} znaków."})

        def write(session: Session) -> int:
            rows = [self._comment(session, consultation_id, i) for i in dict.fromkeys(comment_ids)]
            for row in rows:
                row.response = response
            audit.record(session, "consultation_responses", actor=actor,
                         target=f"konsultacja:{consultation_id}",
                         comments=[r.number for r in rows])  # fmt: skip
            return len(rows)

        return await self.store.run(write)

    async def publish_report(self, consultation_id: int, intro: str, actor: str) -> None:
        """Publish (or update) the report of a closed consultation with ``intro``."""
        if len(intro) > MAX_DESCRIPTION:
            raise FieldErrors({"intro": f"Wstęp może mieć najwyżej {MAX_DESCRIPTION} znaków."})
        today, now = self.today(), self.now()

        def write(session: Session) -> None:
            row = self._row(session, consultation_id)
            if today <= row.ends_on:
                raise ConsultationConflict(
                    "Raport można opublikować dopiero po zakończeniu konsultacji"
                    f" (ostatni dzień: {row.ends_on.isoformat()})."
                )
            row.report_intro = intro.strip()
            row.report_published_at = row.report_published_at or now
            row.updated_at = now
            audit.record(session, "consultation_report_published", actor=actor,
                         target=f"konsultacja:{consultation_id}")  # fmt: skip

        await self.store.run(write)

    @staticmethod
    def _row(session: Session, consultation_id: int) -> Consultation:
        row = session.get(Consultation, consultation_id)
        if row is None:
            raise ConsultationNotFound()
        return row

    @staticmethod
    def _comment(session: Session, consultation_id: int, comment_id: int) -> ConsultationComment:
        row = session.get(ConsultationComment, comment_id)
        if row is None or row.consultation_id != consultation_id:
            raise ConsultationNotFound("Nie ma takiej uwagi.")
        return row
