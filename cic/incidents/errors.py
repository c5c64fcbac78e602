"""Refusals of the incident register: clear Polish messages with stable ids."""

from __future__ import annotations

from cic.errors import AccessRefusal, CicError


class IncidentError(CicError):
    """The base of every incident error (a request that cannot be taken as sent)."""

    status = 400
    error_id = "incident_invalid"
    default_message = "Nie można przyjąć zgłoszenia zagrożenia."


class IncidentNotFound(IncidentError):
    """No such incident (or photo)."""

    status = 404
    error_id = "incident_not_found"
    default_message = "Nie ma takiego zgłoszenia zagrożenia."


class IncidentHidden(IncidentNotFound, AccessRefusal):
    """The user's role may not see or change incidents (answered as not found, logged)."""

    error_id = "incident_not_found"


class CategoryForbidden(IncidentError, AccessRefusal):
    """Only supervisors and administrators edit the threat catalogue."""

    status = 403
    error_id = "threat_category_forbidden"
    default_message = "Katalog zagrożeń zmieniają tylko kierownik zmiany i administrator."


class CategoryNotFound(IncidentError):
    """No such threat category (or it is not active)."""

    status = 404
    error_id = "threat_category_not_found"
    default_message = "Nie ma takiej kategorii zagrożenia."


class OutsideArea(IncidentError):
    """The point lies outside the gmina's area (``safety.area``)."""

    error_id = "incident_outside_area"
    default_message = "Wskazane miejsce leży poza obszarem gminy. Sprawdź współrzędne albo adres."


class AddressNotFound(IncidentError):
    """The address given cannot be turned into a point."""

    error_id = "incident_address_not_found"
    default_message = (
        "Nie znaleziono adresu. Sprawdź pisownię albo wskaż miejsce na mapie (współrzędne)."
    )


class NoLocation(IncidentError):
    """Neither coordinates nor an address were given."""

    error_id = "incident_no_location"
    default_message = "Podaj miejsce zagrożenia: adres albo współrzędne (szerokość i długość)."


class BadTransition(IncidentError):
    """A status change the workflow does not allow."""

    status = 409
    error_id = "incident_bad_transition"
    default_message = "Takiej zmiany stanu zgłoszenia nie można wykonać."


class BadMerge(IncidentError):
    """A merge that cannot be done (the same incident, or one already merged or closed)."""

    status = 409
    error_id = "incident_bad_merge"
    default_message = "Tych zgłoszeń nie można połączyć."


class BadPhoto(IncidentError):
    """The uploaded file is not a JPEG, PNG or WebP picture that can be read."""

    error_id = "incident_bad_photo"
    default_message = "Zdjęcie musi być plikiem JPEG, PNG albo WebP."


class PhotoTooBig(IncidentError):
    """The uploaded photo is over ``safety.photo_max_mb``."""

    status = 413
    error_id = "incident_photo_too_big"
    default_message = "Zdjęcie jest za duże."


class CategoryInvalid(IncidentError):
    """A threat category that cannot be saved (the message says what to change)."""

    error_id = "threat_category_invalid"
    default_message = "Popraw dane kategorii zagrożenia."
