"""Refusals of the address register: clear Polish messages with stable ids."""

from __future__ import annotations

from cic.errors import CicError


class AddressError(CicError):
    """An address question that cannot be answered as asked (the message says why)."""

    status = 400
    error_id = "address_invalid"
    default_message = "Niepoprawny adres."


class ImportRefused(AddressError):
    """The whole address file is refused (empty, too big, not text, no such columns)."""

    error_id = "address_file_refused"
    default_message = "Plik punktów adresowych odrzucony."


class UnknownAddress(AddressError):
    """The typed address is not in the register."""

    status = 404
    error_id = "address_unknown"
    default_message = (
        "Nie znaleziono takiego adresu w ewidencji gminy. Podaj miejscowość, ulicę (jeśli jest)"
        " i numer budynku, np. „Lipowa 5, Dębówka” albo „Dębówka 12”, albo wskaż punkt na mapie."
    )


class AddressesThrottled(AddressError):
    """Too many address suggestions asked from one address (the public variant)."""

    status = 429
    error_id = "address_throttled"
    default_message = "Zbyt wiele zapytań o adresy. Spróbuj ponownie za chwilę."
