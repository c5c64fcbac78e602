"""What the reports and cases API takes and gives, as typed schemas.

The shapes (types, lengths, the allowed statuses) are checked at the HTTP seam and are the
OpenAPI description; the rules that need the store or the calendar (a unit that exists, a
JRWA class, a date not in the future, a reason with a new deadline) stay in the service,
which also serves the command line.
"""

from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from pydantic import Field
from typing_extensions import TypedDict

from cic.cases.deadlines import DEADLINE_KINDS
from cic.cases.models import CASE_STATUSES, REPORT_STATUSES
from cic.http.schemas import Body, Digits, Query

ReportStatus = Literal["nowe", "w_toku", "przekazane", "zamkniete"]
CaseStatus = Literal["wszczeta", "w_toku", "zawieszona", "zakonczona"]
DeadlineKind = Literal["niezwlocznie", "miesiac", "dwa_miesiace", "zaswiadczenie", "brak"]
CallId = Annotated[str, Field(max_length=128)]
Date = Annotated[str, Field(json_schema_extra={"format": "date"})]
DateTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Limit = Annotated[Digits, Field(ge=1, le=500, description="ile")]


class Party(Body):
    """A party to a case: name, role (``strona`` by default) and a contact."""

    name: str = Field(max_length=300, title="Imię i nazwisko lub nazwa strony")
    role: str = Field("strona", max_length=100, title="Rola strony")
    contact: str = Field("", max_length=300, title="Kontakt ze stroną")


class CallLinks(Body):
    """Calls to link: one ``call_id`` and/or a list ``call_ids``."""

    call_id: CallId | None = None
    call_ids: list[CallId] | None = Field(None, max_length=100)


class ReportIn(CallLinks):
    """A contact report, new (``topic`` required) or changed (only what is given)."""

    topic: str | None = Field(None, max_length=200, title="Temat zgłoszenia")
    note: str | None = Field(
        None, max_length=20_000, title="Notatka służbowa", description="notatka służbowa"
    )
    department: str | None = Field(None, description="symbol komórki")
    owner: str | None = Field(None, max_length=64, title="Właściciel zgłoszenia")
    status: ReportStatus | None = Field(None, title="Status zgłoszenia")


class CaseIn(CallLinks):
    """A case to register (from a report: or ``signature`` of an existing case to link)."""

    unit: str | None = Field(None, description="symbol komórki, np. FN lub FN-I")
    jrwa: str | None = Field(None, pattern=r"^[0-9]{1,4}$", title="Klasa JRWA")
    title: str | None = Field(None, max_length=500, title="Tytuł sprawy")
    started_on: Date | None = Field(None, title="Data wszczęcia")
    deadline_kind: DeadlineKind | None = Field(None, title="Rodzaj terminu")
    assigned_to: str | None = Field(None, max_length=64, title="Prowadzący sprawę")
    parties: list[Party] | None = Field(None, max_length=50, title="Strony")
    signature: str | None = Field(
        None, max_length=80, description="tylko przy zgłoszeniu: istniejąca sprawa"
    )


class CaseChange(Body):
    """A change of a case: status, assignment, parties, title, deadline (with a reason)."""

    title: str | None = Field(None, max_length=500, title="Tytuł sprawy")
    status: CaseStatus | None = Field(None, title="Status sprawy")
    assigned_to: str | None = Field(None, max_length=64, title="Prowadzący sprawę")
    deadline_kind: DeadlineKind | None = Field(None, title="Rodzaj terminu")
    deadline: Date | None = Field(None, title="Nowy termin")
    reason: str | None = Field(
        None, max_length=2000, title="Uzasadnienie", description="wymagane przy zmianie terminu"
    )
    parties: list[Party] | None = Field(None, max_length=50, title="Strony")


class DocumentIn(Body):
    """A document joined to the case file (a metryka entry)."""

    document_id: str = Field(max_length=128, title="Identyfikator dokumentu")
    description: str = Field("", max_length=2000, title="Opis czynności")


class ReportsQuery(Query):
    """Filters of the report list."""

    call_id: str = Field("", description="zgłoszenia tej rozmowy")
    status: str = Field("", description="status")
    department: str = Field("", description="komórka")
    owner: str = Field("", description="właściciel")
    channel: str = Field("", description="kanał: telefon, email, www, osobiscie, epuap")
    resident_id: Annotated[Digits, Field(ge=1)] | None = Field(None, description="mieszkaniec")
    limit: Limit | None = None


class CasesQuery(Query):
    """Filters of the case list."""

    call_id: str = Field("", description="sprawy tej rozmowy")
    status: str = Field("", description="status")
    komorka: str = Field("", description="komórka")
    limit: Limit | None = None


class DeadlinesQuery(Query):
    """How many days ahead counts as "due soon"."""

    dni: Digits = Field(7, ge=0, le=90, title="Parametr dni", description="ile dni")


class SpisQuery(Query):
    """The register list of one unit, JRWA class and year."""

    komorka: str = Field(min_length=1, title="komorka", description="symbol komórki")
    jrwa: str = Field(min_length=1, title="jrwa", description="symbol klasy")
    rok: Digits = Field(ge=1000, le=9999, title="Parametr rok", description="rok, np. 2026")


#: A status as the store keeps it (the answer's schema lists the allowed values).
ReportStatusText = Annotated[str, Field(json_schema_extra={"enum": list(REPORT_STATUSES)})]
CaseStatusText = Annotated[str, Field(json_schema_extra={"enum": list(CASE_STATUSES)})]
DeadlineKindText = Annotated[str, Field(json_schema_extra={"enum": list(DEADLINE_KINDS)})]


class PartyOut(TypedDict):
    """A party as the API gives it."""

    name: str
    role: str
    contact: str


class ReportOut(TypedDict):
    """A contact report."""

    id: int
    topic: str
    note: str
    department: str
    status: ReportStatusText
    status_label: str
    channel: str
    channel_label: str
    resident_id: int | None
    contact: str
    waiting_since: DateTime | None
    reply_due: Date | None
    answered_at: DateTime | None
    owner: str
    created_by: str
    case: str | None
    calls: list[str]
    created_at: DateTime
    updated_at: DateTime


class CaseSummary(TypedDict):
    """A case in a list."""

    signature: str
    unit: str
    jrwa: str
    number: int
    year: int
    title: str
    status: CaseStatusText
    status_label: str
    assigned_to: str
    started_on: Date
    closed_on: Date | None
    suspended_on: Date | None
    deadline_kind: DeadlineKindText
    deadline_kind_label: str
    deadline: Date | None
    overdue: bool
    due_soon: bool
    days_left: int | None
    reminder: Annotated[str | None, Field(description="art. 36 KPA")]


class CaseOut(CaseSummary):
    """One case with its parties, calls and reports."""

    parties: list[PartyOut]
    calls: list[str]
    reports: list[int]
    registered_by: str
    created_at: DateTime
    updated_at: DateTime


class Receipt(CaseOut):
    """A newly registered case with its PIN (given once, for the status by phone)."""

    pin: NotRequired[Annotated[str, Field(pattern=r"^[0-9]{6}$", description="tylko raz")]]
    pin_notice: NotRequired[str]


class MetrykaEntry(TypedDict):
    """One act in the case file's metryka."""

    at: DateTime
    actor: str
    action: str
    description: str
    document_id: str


class Deadlines(TypedDict):
    """Overdue cases (with the art. 36 reminder) and those due soon."""

    today: Date
    soon_days: int
    overdue: list[CaseSummary]
    due_soon: list[CaseSummary]


class SpisRow(TypedDict):
    """One case in the spis spraw (lp = its number in the year)."""

    lp: int
    signature: str
    title: str
    parties: list[str]
    started_on: Date
    closed_on: Date | None
    status: CaseStatusText
    status_label: str


class SpisOut(TypedDict):
    """The spis spraw of a unit, JRWA class and year, in number order."""

    komorka: str
    jrwa: str
    rok: int
    jrwa_name: str
    sprawy: list[SpisRow]


class JrwaClassOut(TypedDict):
    """A class of the JRWA (the office's list of file classes) and its archive category."""

    symbol: str
    name: str
    category: str


class CatalogueOut(TypedDict):
    """The JRWA classes in use: the office's list, or the built-in subset to be checked."""

    source: Annotated[str, Field(description="urząd albo wbudowany wycinek")]
    needs_local_check: bool
    classes: list[JrwaClassOut]
    names: NotRequired[dict[str, str]]
