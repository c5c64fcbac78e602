"""Errors of the knowledge base, each with its HTTP status and a stable error id."""

from __future__ import annotations

from cic.errors import CicError


class KbError(CicError):
    """The base of every knowledge-base error."""

    status = 400
    error_id = "kb_error"
    default_message = "Błąd bazy wiedzy."


class ArticleNotFound(KbError):
    """No (active) article with that slug."""

    status = 404
    error_id = "kb_article_not_found"
    default_message = "Nie znaleziono artykułu."

    def __init__(self, slug: str) -> None:
        """Name the slug in the message."""
        super().__init__(f"Nie znaleziono artykułu „{slug}”.")


class InvalidArticle(KbError):
    """An article file or an edit that cannot be accepted (front matter, department, body)."""

    status = 400
    error_id = "kb_invalid_article"
    default_message = "Nieprawidłowy artykuł."


class InvalidKbQuery(KbError):
    """A search or suggestion with parameters out of range."""

    error_id = "invalid_query"


class BadUse(KbError):
    """A use of an article with an unusable call id."""

    error_id = "bad_use"


class TooLarge(KbError):
    """An article over the size the console may send."""

    error_id = "too_large"


class CallNotFound(KbError):
    """Suggestions asked for a call the store does not know."""

    status = 404
    error_id = "call_not_found"
