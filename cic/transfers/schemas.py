"""What the transfers API takes: the kind of transfer, exactly one target and the context
handed over with the call."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator
from typing_extensions import TypedDict

from cic.http.schemas import Body, Exact

TARGET_NAME = r"^[A-Za-z0-9_-]+$"
TargetName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=TARGET_NAME),
    Field(description="litery, cyfry, - i _"),
]


class Target(Exact):
    """Exactly one of: an agent (username) or a queue (name)."""

    agent: TargetName | None = Field(None, title="Konsultant")
    queue: TargetName | None = Field(None, title="Kolejka")

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        if (self.agent is None) == (self.queue is None):
            raise ValueError('Cel: {"agent": nazwa} albo {"queue": nazwa}')
        return self

    def pair(self) -> dict[str, str]:
        """``{"agent": name}`` or ``{"queue": name}``, as the service takes it."""
        return {"agent": self.agent} if self.agent is not None else {"queue": self.queue or ""}


class TransferIn(Body):
    """A consult (talk to the target first) or blind transfer, with its context."""

    kind: Literal["consult", "blind"] = Field(title="Rodzaj przekazania")
    target: Target = Field(
        title="Cel", description='dokładnie jedno: {"agent": nazwa} albo {"queue": nazwa}'
    )
    note: str = Field("", title="Notatka")
    matter: str = Field("", title="Sprawa")
    article: str = Field("", title="Artykuł bazy wiedzy")


class LegOut(TypedDict):
    """One step of a transfer as it happened (requested, ringing, answered, returned, ...)."""

    at: str | None
    step: str
    party: str
    detail: str


class TransferOut(TypedDict):
    """A transfer: who handed the call to whom, how far it got, the context handed over."""

    id: int
    call_id: str
    kind: Annotated[str, Field(description="consult albo blind")]
    state: str
    version: int
    from_agent: str
    from_channel: str
    target: Annotated[dict[str, str], Field(description='{"agent": nazwa} albo {"queue": nazwa}')]
    target_interface: str
    note: str
    caller_number: str
    caller_name: str
    matter: str
    article: str
    reason: str
    requested_by: str
    created_at: str | None
    updated_at: str | None
    ended_at: str | None


class TransferWithLegs(TransferOut):
    """A transfer with every step it went through."""

    legs: list[LegOut]
