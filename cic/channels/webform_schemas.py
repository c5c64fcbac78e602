"""What the public web form's API takes and gives."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints
from typing_extensions import TypedDict

from cic.channels.formtoken import MAX_TOKEN
from cic.http.schemas import NOT_BLANK, ONE_LINE, Body
from cic.residents.schemas import Email, Phone

MAX_MESSAGE, MAX_NAME, MAX_TOPIC = 10_000, 200, 200
HONEYPOT = "website"


def _blank_is_none(value: object) -> object:
    """An empty (or only spaces) optional field of a form is "not given"."""
    return None if isinstance(value, str) and not value.strip() else value


class FormIn(Body):
    """A message sent through the web form. ``website`` is a trap for robots: the form keeps
    it hidden from people, so it must come back empty."""

    token: str = Field(max_length=MAX_TOKEN, title="Token formularza")
    message: Annotated[
        str, StringConstraints(max_length=MAX_MESSAGE), NOT_BLANK,
        Field(title="Treść wiadomości"),
    ]  # fmt: skip
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=MAX_NAME), ONE_LINE,
        Field(title="Imię i nazwisko"),
    ] = ""  # fmt: skip
    email: Annotated[Email | None, BeforeValidator(_blank_is_none), Field(title="Adres e-mail")] = (
        None
    )
    phone: Annotated[Phone | None, BeforeValidator(_blank_is_none), Field(title="Telefon")] = None
    topic: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=MAX_TOPIC), ONE_LINE,
        Field(title="Temat"),
    ] = ""  # fmt: skip
    consent: bool = Field(False, title="Zgoda na przetwarzanie danych")
    website: str = Field("", max_length=2000, title="Strona WWW")


class FieldOut(TypedDict):
    """One field of the form as the portal draws it."""

    name: str
    label: str
    type: str
    required: bool
    max_length: int


class FormOut(TypedDict):
    """A blank form: its token, the consent text to accept, the fields, and the trap field
    the portal keeps hidden from people."""

    token: str
    consent: str
    fields: list[FieldOut]
    honeypot: str
    min_seconds: int


class FormReceipt(TypedDict):
    """What the resident is told: the report's number and a thank-you."""

    report: int | None
    message: str


FIELDS: list[FieldOut] = [
    {"name": "topic", "label": "Temat", "type": "text", "required": False,
     "max_length": MAX_TOPIC},
    {"name": "message", "label": "Treść wiadomości", "type": "textarea", "required": True,
     "max_length": MAX_MESSAGE},
    {"name": "name", "label": "Imię i nazwisko", "type": "text", "required": False,
     "max_length": MAX_NAME},
    {"name": "email", "label": "Adres e-mail (na potwierdzenie i odpowiedź)", "type": "email",
     "required": False, "max_length": 254},
    {"name": "phone", "label": "Telefon", "type": "tel", "required": False, "max_length": 40},
    {"name": "consent", "label": "Zgoda na przetwarzanie danych", "type": "checkbox",
     "required": True, "max_length": 0},
]  # fmt: skip
