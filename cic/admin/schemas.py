"""What the administrators' API takes, as typed schemas: the JSON shapes are checked here;
every value that goes into Asterisk's configuration or the dialplan is checked again by its
grammar in ``cic.admin.validation`` (``cic.pbx_values``), which also serves the command line,
and those patterns are what the schemas document."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, Field
from typing_extensions import TypedDict

from cic.admin.validation import MAX_PAUSE_REASONS, MAX_PENALTY, POLICY_LABELS, STRATEGIES
from cic.http.schemas import Body, Exact

Text = Annotated[str, Field(min_length=1, max_length=200)]
#: A department's code, or null for none.
Code = Annotated[str | None, Field(description="symbol wydziału, np. FN")]
Contact = Annotated[str | None, Field(description="SIP URI stałego telefonu")]
Hours = Annotated[
    dict[str, list[str] | str] | None,
    Field(
        description='przedziały godzin w dniach tygodnia, np. {"mon": ["08:00-16:00"]};'
        " null: godziny urzędu"
    ),
]


def _pattern(regex: str) -> dict[str, Any]:
    """The grammar the service checks the value by (``cic.admin.validation``)."""
    return {"pattern": regex}


class Membership(Body):
    """A queue the agent takes calls from, with a penalty (higher: offered later)."""

    queue: str
    penalty: int = Field(0, ge=0, le=MAX_PENALTY)


Memberships = list[str | Membership]


class NewAgent(Body):
    """A new agent: login, name, queues, optional fixed phone, department, account."""

    username: str = Field(json_schema_extra=_pattern("^[a-z0-9][a-z0-9-]{0,62}$"))
    display_name: Text = Field(title="Imię i nazwisko")
    queues: Memberships | None = None
    static_contact: Contact = None
    department: Code = None
    create_account: bool = False
    role: Literal["agent", "specialist"] = "agent"


class AgentChanges(Body):
    """A change of an agent (only what is given)."""

    display_name: Text | None = Field(None, title="Imię i nazwisko")
    queues: Memberships | None = None
    static_contact: Contact = None
    department: Code = None
    active: bool | None = None


class DepartmentChanges(Body):
    """A change of a department: name, own hours (null: the office's), active."""

    name: Text | None = Field(None, title="Nazwa wydziału")
    hours: Hours = None
    active: bool | None = None


class NewDepartment(DepartmentChanges):
    """A new department: its code and name, optionally its own hours."""

    code: str = Field(
        max_length=16,
        title="Symbol wydziału",
        description="np. FN",
        json_schema_extra=_pattern("^[A-ZĄĆĘŁŃÓŚŹŻ][A-Z0-9ĄĆĘŁŃÓŚŹŻ]{0,15}$"),
    )
    name: Text = Field(title="Nazwa wydziału")


class QueueChanges(Body):
    """A change of a queue: title, strategy, department."""

    title: Text | None = Field(None, title="Nazwa kolejki")
    strategy: str | None = Field(None, json_schema_extra={"enum": list(STRATEGIES)})
    department: Code = None


class NewQueue(Body):
    """A new queue."""

    name: str = Field(json_schema_extra=_pattern("^[a-z0-9][a-z0-9-]{0,63}$"))
    title: Text = Field(title="Nazwa kolejki")
    strategy: str = Field("rrmemory", json_schema_extra={"enum": list(STRATEGIES)})
    department: Code = None


def _all_required(schema: dict[str, Any]) -> None:
    """Every property required and none with a default (the empty defaults only let the
    menu's own check name what is missing)."""
    properties: dict[str, dict[str, Any]] = schema["properties"]
    for prop in properties.values():
        prop.pop("default", None)
    schema["required"] = list(properties)


class MenuItem(Exact):
    """A key of the department menu: the key, the department and what the caller hears
    (all three required; the menu's own check says which is missing, in the caller's terms)."""

    model_config = ConfigDict(
        strict=True,
        frozen=True,
        extra="forbid",
        json_schema_extra=_all_required,
    )

    key: str = Field("", json_schema_extra=_pattern("^[1-9]$"))
    department: str = ""
    label: str = Field("", json_schema_extra={"minLength": 1, "maxLength": 80})


class OfficeChanges(Exact):
    """A change of the office's settings (only what is given)."""

    hours: Hours = None
    closed_days: list[Annotated[str, Field(json_schema_extra={"format": "date"})]] | None = None
    recording_policy: str | None = Field(None, json_schema_extra={"enum": list(POLICY_LABELS)})
    pause_reasons: list[str] | None = Field(
        None,
        description=f"od 1 do {MAX_PAUSE_REASONS} powodów, każdy od 1 do 60 znaków",
    )
    department_menu: list[MenuItem] | None = Field(None, description="najwyżej 9 pozycji")
    case_status_key: str | None = Field(None, json_schema_extra=_pattern("^[1-9]?$"))


class StoredMeta(TypedDict):
    """Who changed a setting last, and when."""

    updated_at: str | None
    updated_by: str


class OfficeView(TypedDict):
    """The office's settings in effect, their defaults, who changed which, and the labels
    the admin page shows (recording policies, weekdays in Polish)."""

    values: dict[str, Any]
    defaults: dict[str, Any]
    stored: dict[str, StoredMeta]
    policies: dict[str, str]
    weekdays: dict[str, str]


class QueueOut(TypedDict):
    """A queue with its department and how many agents take its calls."""

    name: str
    title: str
    strategy: str
    department: str | None
    members: int


class SeatOut(TypedDict):
    """A queue the agent takes calls from, with their penalty there."""

    queue: str
    penalty: int


class AccountOut(TypedDict):
    """A console account linked to the agent."""

    username: str
    role: str
    active: bool


class AdminAgent(TypedDict):
    """An agent as the administrator sees them: desk, department, queues, accounts, state."""

    username: str
    display_name: str
    endpoint: str
    static_contact: str | None
    department: str | None
    active: bool
    queues: list[SeatOut]
    accounts: list[AccountOut]
    state: Annotated[str, Field(description="stan po polsku (pusty dla nieaktywnych)")]


class NewAccount(TypedDict):
    """A console account made with the agent; its first password is shown this once."""

    username: str
    role: str
    initial_password: str


class NewAgentOut(AdminAgent):
    """The new agent, and their account when one was asked for."""

    account: NotRequired[NewAccount]
