"""Refusals of the responders and dispatches: clear Polish messages with stable ids."""

from __future__ import annotations

from collections.abc import Mapping

from cic.errors import CicError


class ResponderError(CicError):
    """Something about responders cannot be done as asked (the message says why)."""

    status = 400
    error_id = "responder_invalid"
    default_message = "Niepoprawne dane ratownika."


class InvalidResponder(ResponderError):
    """A responder's fields do not fit: ``fields`` says which and why (for the form)."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        """The message joins the fields' reasons."""
        self.fields = dict(fields)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.fields.items()))

    def to_dict(self) -> dict[str, object]:
        """The JSON error body with the fields."""
        return {**super().to_dict(), "fields": self.fields}


class OutsideArea(ResponderError):
    """A point outside the gmina (``safety.area``)."""

    error_id = "outside_area"
    default_message = "Punkt leży poza obszarem gminy. Sprawdź współrzędne albo adres."


class UnknownResponder(ResponderError):
    """No responder with this number."""

    status = 404
    error_id = "responder_not_found"
    default_message = "Nie ma takiego ratownika."


class UnknownDispatch(ResponderError):
    """No dispatch with this number (or the link is not valid)."""

    status = 404
    error_id = "dispatch_not_found"
    default_message = "Nie ma takiego wyjazdu albo link potwierdzenia jest nieważny."


class NotAllowed(ResponderError):
    """This role may not do it (decided in the service)."""

    status = 403
    error_id = "responder_forbidden"
    default_message = "Nie masz uprawnień do tej czynności."


class NotAvailable(ResponderError):
    """The chosen responder is not on duty or not available now."""

    status = 409
    error_id = "responder_not_available"
    default_message = (
        "Ten ratownik nie jest teraz na dyżurze albo jest niedostępny. Wybierz innego."
    )
