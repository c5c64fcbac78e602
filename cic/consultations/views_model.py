"""What the pages show of a consultation: plain frozen values read from the store (never ORM
objects), with the state derived from the dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cic.consultations.documents import KIND_LABELS, KINDS
from cic.consultations.models import Consultation, ConsultationComment, ConsultationDocument
from cic.consultations.periods import State, state

_EXTENSIONS = {media: ext for ext, media in KINDS.items()}


@dataclass(frozen=True)
class Document:
    """A document as listed: its title, download name, kind label and size."""

    id: int
    title: str
    filename: str
    media_type: str
    size: int

    @property
    def label(self) -> str:
        """ "PDF, 1,2 MB" and the like."""
        kind = KIND_LABELS.get(_EXTENSIONS.get(self.media_type, ""), "plik")
        if self.size < 1024 * 1024:
            return f"{kind}, {max(1, round(self.size / 1024))} kB"
        return f"{kind}, {self.size / 1024 / 1024:.1f} MB".replace(".", ",")


@dataclass(frozen=True)
class Comment:
    """A comment with everything staff see; public pages show only what ``public`` allows."""

    id: int
    number: int
    text: str
    name: str
    solectwo: str
    document_id: int | None
    section: str
    created_at: datetime
    hidden: bool
    hidden_reason: str
    moderated: bool
    response: str


@dataclass(frozen=True)
class ConsultationView:
    """A consultation with its documents (and, for staff, its comments)."""

    id: int
    slug: str
    title: str
    summary: str
    description: str
    starts_on: date
    ends_on: date
    names: str
    ask_solectwo: bool
    report_intro: str
    report_published_at: datetime | None
    state: State
    documents: tuple[Document, ...] = ()
    comments: tuple[Comment, ...] = field(default=())

    def document_title(self, document_id: int | None) -> str:
        """The title of one of its documents ("" for none or a removed one)."""
        return next((d.title for d in self.documents if d.id == document_id), "")


def document_view(row: ConsultationDocument) -> Document:
    """A document row as a value."""
    return Document(row.id, row.title, row.filename, row.media_type, row.size)


def comment_view(row: ConsultationComment) -> Comment:
    """A comment row as a value."""
    return Comment(
        row.id, row.number, row.text, row.name, row.solectwo, row.document_id, row.section,
        row.created_at, row.hidden, row.hidden_reason, row.moderated_at is not None,
        row.response,
    )  # fmt: skip


def consultation_view(
    row: Consultation, today: date, documents: list[ConsultationDocument],
    comments: list[ConsultationComment] | None = None,
) -> ConsultationView:  # fmt: skip
    """A consultation row (with its documents and comments) as a value."""
    return ConsultationView(
        row.id, row.slug, row.title, row.summary, row.description, row.starts_on, row.ends_on,
        row.names, row.ask_solectwo, row.report_intro, row.report_published_at,
        state(row.starts_on, row.ends_on, today),
        tuple(document_view(d) for d in documents),
        tuple(comment_view(c) for c in comments or ()),
    )  # fmt: skip
