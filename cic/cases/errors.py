"""Errors of the case register, each with its HTTP status, a stable error id and Polish text."""

from __future__ import annotations

from cic.auth.errors import Forbidden
from cic.errors import AccessRefusal, CicError


class CaseError(CicError):
    """The base of every case-register error."""

    status = 400
    error_id = "case_error"
    default_message = "Błąd rejestru spraw."


class InvalidValue(CaseError):
    """A field that cannot be accepted (the message names the field and the rule)."""

    status = 400
    error_id = "invalid_value"
    default_message = "Nieprawidłowe dane."


class InvalidSignature(CaseError):
    """Text that is not a case signature ``KOMÓRKA.JRWA.NR.ROK``."""

    status = 400
    error_id = "invalid_signature"
    default_message = "Nieprawidłowy znak sprawy."


class UnknownJrwaClass(CaseError):
    """A JRWA symbol that is not in the office's list."""

    status = 400
    error_id = "unknown_jrwa_class"
    default_message = "Nie ma takiej klasy w wykazie akt (JRWA)."


class CaseNotFound(CaseError):
    """No case with that signature (or the user may not see it)."""

    status = 404
    error_id = "case_not_found"
    default_message = "Nie znaleziono sprawy."


class ReportNotFound(CaseError):
    """No contact report with that number."""

    status = 404
    error_id = "report_not_found"
    default_message = "Nie znaleziono zgłoszenia."


class CaseHidden(CaseNotFound, AccessRefusal):
    """A case this user may not read: answered exactly like a case that does not exist."""


class ReportHidden(ReportNotFound, AccessRefusal):
    """A report this user may not read: answered exactly like a report that does not exist."""


class ReportForbidden(Forbidden):
    """An agent changes a report that is neither theirs nor owned by them."""

    default_message = "Możesz zmieniać tylko własne zgłoszenia."


class CaseConflict(CaseError):
    """The change does not fit the current state (a closed case, a report already a case)."""

    status = 409
    error_id = "case_conflict"
    default_message = "Zmiana nie pasuje do obecnego stanu sprawy."
