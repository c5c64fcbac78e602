"""Errors of the dashboard, each with its HTTP status and a stable id."""

from __future__ import annotations

from cic.errors import CicError


class InvalidPeriod(CicError):
    """The period asked for is not a valid span of days."""

    status = 400
    error_id = "invalid_period"
    default_message = "Nieprawidłowy okres."


class UnknownMeasure(CicError):
    """No measure (or drill-down) has this key."""

    status = 404
    error_id = "unknown_measure"
    default_message = "Nie ma takiego wskaźnika."


class PdfUnavailable(CicError):
    """No browser to print with, or it failed or took too long."""

    status = 503
    error_id = "pdf_unavailable"
    default_message = (
        "Nie udało się teraz przygotować pliku PDF. Otwórz wersję do druku i wydrukuj ją do PDF."
    )
