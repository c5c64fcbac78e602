"""Errors of the dashboard, each with its HTTP status and a stable id."""

from __future__ import annotations

from cic.errors import AccessRefusal, CicError


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


class DrillRefused(CicError, AccessRefusal):
    """The records behind a figure (residents, reports, calls) are for supervisors and admins."""

    status = 403
    error_id = "dashboard_drill_refused"
    default_message = "Rekordy za wskaźnikiem widzą tylko kierownik zmiany i administrator."
