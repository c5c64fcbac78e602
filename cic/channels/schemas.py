"""What the message-queue API takes, as typed schemas (checked at the HTTP seam)."""

from __future__ import annotations

from pydantic import Field

from cic.http.schemas import Body


class ReplyIn(Body):
    """An answer to the resident: its text; ``close`` also closes the report."""

    text: str = Field(max_length=20_000, title="Treść odpowiedzi")
    close: bool = Field(False, title="Zamknij zgłoszenie po odpowiedzi")


class HandOverIn(Body):
    """Give the message to a department, with an optional note for it."""

    department: str = Field(max_length=50, title="Symbol komórki")
    note: str | None = Field(None, max_length=2000, title="Notatka dla komórki")
