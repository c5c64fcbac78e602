"""Errors of the residents domain; each carries its HTTP status and a stable error id."""

from __future__ import annotations

from cic.errors import CicError


class ResidentError(CicError):
    """Base class of residents errors."""

    status = 400
    error_id = "resident_error"


class InvalidResident(ResidentError):
    """A name, number or request body breaks a rule; the message says which, in Polish."""

    status = 400
    error_id = "invalid_resident"


class ResidentNotFound(ResidentError):
    """No resident with that id (or it was merged into another)."""

    status = 404
    error_id = "resident_not_found"
    default_message = "Nie ma takiego mieszkańca."


class NumberTaken(ResidentError):
    """The number belongs to another resident already."""

    status = 409
    error_id = "number_taken"


class EmailTaken(ResidentError):
    """The e-mail address belongs to another resident already."""

    status = 409
    error_id = "email_taken"


class PeselTaken(ResidentError):
    """Another resident has this PESEL (the message never repeats the number)."""

    status = 409
    error_id = "pesel_taken"
    default_message = "Ten numer PESEL ma już w kartotece inny mieszkaniec."


class PeselConflict(ResidentError):
    """Two residents with different PESEL numbers cannot be one person."""

    status = 409
    error_id = "pesel_conflict"
    default_message = (
        "Nie można połączyć tych kartotek: mają różne numery PESEL, więc to dwie różne osoby."
    )


class PeselUnavailable(ResidentError):
    """The register was started without the key of the PESEL digests."""

    status = 503
    error_id = "pesel_unavailable"
    default_message = "Wyszukiwanie po numerze PESEL nie jest teraz dostępne."
