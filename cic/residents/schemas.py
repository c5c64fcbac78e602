"""What the residents API takes and gives, as typed schemas (the check and the OpenAPI
description at once); the field types are shared with the data-protection officer's
rectification."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, field_validator
from typing_extensions import TypedDict

from cic.calls.schemas import EarlierCall
from cic.http.json_api import MAX_ID
from cic.http.schemas import Body, Query
from cic.residents.emails import EMAIL_EXAMPLE, MAX_ADDRESS, canonical_address
from cic.residents.numbers import canonical_number
from cic.residents.pesel import parse_pesel

MAX_NAME = 200
MAX_NOTE = 4000
MAX_LABEL = 60
MAX_NUMBERS = 10
MAX_EMAILS = 10
MAX_QUERY = 200
PHONE_EXAMPLE = "np. +48 600 100 200 albo 600100200"


def _canonical(raw: str) -> str:
    number = canonical_number(raw)
    if number is None:
        raise ValueError(PHONE_EXAMPLE)
    return number


def _address(raw: str) -> str:
    address = canonical_address(raw)
    if address is None:
        raise ValueError(f"niepoprawny adres e-mail, {EMAIL_EXAMPLE}")
    return address


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME),
    Field(title="Imię i nazwisko"),
]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE), Field(title="Notatka")
]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_LABEL), Field(title="Opis numeru")
]
#: A phone number as typed (any usual spelling); the value is its canonical ``+48…`` form.
Phone = Annotated[
    str,
    Field(title="Numer telefonu", max_length=40, description=PHONE_EXAMPLE),
    AfterValidator(_canonical),
]


#: An e-mail address as typed; the value is its canonical (lower-case) form.
Email = Annotated[
    str,
    Field(title="Adres e-mail", max_length=MAX_ADDRESS + 20, description=EMAIL_EXAMPLE),
    AfterValidator(_address),
]
#: A PESEL as typed (spaces allowed): checked, never echoed back in an error message.
Pesel = Annotated[
    str,
    Field(title="PESEL", max_length=20, description="11 cyfr z poprawną cyfrą kontrolną"),
    AfterValidator(parse_pesel),
]


class NumberIn(Body):
    """A phone number with an optional description („komórka”, „praca”)."""

    number: Phone
    label: Label = ""


Numbers = Annotated[list[Phone | NumberIn], Field(title="Numery", max_length=MAX_NUMBERS)]


def number_pairs(numbers: list[str | NumberIn]) -> list[tuple[str, str]]:
    """``(canonical number, label)`` pairs without repeats (the last label wins)."""
    out: dict[str, str] = {}
    for item in numbers:
        number, label = (item, "") if isinstance(item, str) else (item.number, item.label)
        out[number] = label
    return list(out.items())


class NewResident(Body):
    """A new resident: name, optional note, numbers, e-mail addresses and PESEL."""

    name: Name
    note: Note = ""
    numbers: Numbers = Field(default_factory=list)
    emails: list[Email] = Field(default_factory=list, title="Adresy e-mail", max_length=MAX_EMAILS)
    pesel: Pesel | None = None


class EmailIn(Body):
    """An e-mail address of a resident."""

    address: Email


class PeselIn(Body):
    """A resident's PESEL (kept only as a keyed digest)."""

    pesel: Pesel


class SearchIn(Body):
    """A search by name, phone number, e-mail address or PESEL (in a body, never a URL)."""

    q: str = Field(max_length=MAX_QUERY, title="Zapytanie")


class ResidentChanges(Body):
    """A change of name and/or note (at least one)."""

    name: Name | None = None
    note: Note | None = None  # null clears the note

    @field_validator("name", mode="before")
    @classmethod
    def _name_not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("pole wymagane (tekst)")
        return value


class Merge(Body):
    """The duplicate to fold into the resident."""

    other: int = Field(title="Duplikat (other)", ge=1, le=MAX_ID, description="id duplikatu")


class Search(Query):
    """A search by name, number or e-mail address (a PESEL only in a body: ``SearchIn``)."""

    q: str = Field("", max_length=MAX_QUERY, title="Zapytanie")


class Lookup(Query):
    """The number (as the call shows it) or the e-mail address to look up."""

    number: str = Field("", description="numer telefonu (pierwsze 40 znaków)")
    email: str = Field("", max_length=MAX_ADDRESS + 20, description="albo adres e-mail")


class NumberOut(TypedDict):
    """A resident's number as the API gives it."""

    number: str
    label: str


class ResidentOut(TypedDict):
    """A resident with their numbers, as the API gives it."""

    id: int
    name: str
    note: str
    numbers: list[NumberOut]
    emails: list[str]
    has_pesel: bool
    created_at: str | None
    updated_at: str | None


class ResidentHistory(TypedDict):
    """A resident's calls from every number (newest first) and, under ``contacts``, their
    contact reports and cases as the asking user may see them."""

    resident: ResidentOut
    calls: list[EarlierCall]
    contacts: Annotated[
        dict[str, Any], Field(description='{"reports": [...], "cases": [...]} (zgłoszenia, sprawy)')
    ]
