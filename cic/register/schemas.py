"""What the call register takes: its filters as a typed query string (Polish names, as the
page's form sends them) and as the dataclass the register's query reads.

A caller's number is searched by its digits: spaces, ``+``, ``-`` and brackets are dropped,
anything else (letters, ``/``, ``.``, quotes, ``%``) is refused with a Polish 400, so no path
or SQL text ever reaches the query; every text field has a length limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from cic.calls.models import OUTCOMES
from cic.http.schemas import Digits, IsoDate, OneLine, Query

MAX_PAGE = 10_000
_NUMBER = re.compile(r"[0-9 +()\-]*")
_SEPARATORS = re.compile(r"[ +()\-]")
Flag = Literal["", "1", "tak", "true"]
YES = ("1", "tak", "true")


def _number(raw: str) -> str:
    if not _NUMBER.fullmatch(raw):
        raise ValueError("same cyfry (dopuszczalne spacje, +, - i nawiasy)")
    return raw


def _outcome(raw: str) -> str:
    if raw and raw not in OUTCOMES:
        raise ValueError(f"jeden z {', '.join(OUTCOMES)}")
    return raw


@dataclass(frozen=True)
class RegisterFilters:
    """What the supervisor narrows the register by (all optional); days in the office zone."""

    since: date | None = None
    until: date | None = None
    number: str = ""
    name: str = ""
    agent: str = ""
    queue: str = ""
    outcome: str = ""
    topic: str = ""
    recorded: bool = False
    transferred: bool = False
    with_case: bool = False
    text: str = ""


class RegisterQuery(Query):
    """The register's filters and page, as the form at ``/polaczenia`` sends them."""

    since: IsoDate = Field("", alias="od", title="Od")
    until: IsoDate = Field("", alias="do", title="Do")
    number: Annotated[str, AfterValidator(_number)] = Field(
        "", alias="numer", max_length=32, title="Numer"
    )
    name: OneLine = Field("", alias="rozmowca", max_length=100, title="Rozmówca")
    agent: OneLine = Field("", alias="konsultant", max_length=100, title="Konsultant")
    queue: OneLine = Field("", alias="kolejka", max_length=128, title="Kolejka")
    outcome: Annotated[str, AfterValidator(_outcome)] = Field(
        "", alias="wynik", title="Wynik", json_schema_extra={"enum": ["", *OUTCOMES]}
    )
    topic: OneLine = Field("", alias="temat", max_length=200, title="Temat")
    recorded: Flag = Field("", alias="nagranie", title="Z nagraniem")
    transferred: Flag = Field("", alias="przekazane", title="Przekazane")
    with_case: Flag = Field("", alias="sprawa", title="Ze sprawą")
    text: OneLine = Field("", alias="tekst", max_length=200, title="Tekst w transkrypcji")
    page: Digits = Field(1, alias="strona", ge=1, le=MAX_PAGE, title="Strona")

    def filters(self) -> RegisterFilters:
        """The filters as the register's query takes them."""
        return RegisterFilters(
            since=date.fromisoformat(self.since) if self.since else None,
            until=date.fromisoformat(self.until) if self.until else None,
            number=_SEPARATORS.sub("", self.number),
            name=self.name.strip(),
            agent=self.agent.strip(),
            queue=self.queue.strip(),
            outcome=self.outcome,
            topic=self.topic.strip(),
            recorded=self.recorded in YES,
            transferred=self.transferred in YES,
            with_case=self.with_case in YES,
            text=self.text.strip(),
        )
