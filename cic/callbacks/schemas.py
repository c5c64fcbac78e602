"""What the callbacks API gives: a callback request with its state."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict


class CallbackOut(TypedDict):
    """A resident's request to be called back (``number`` as they left it, ``shown_number``
    as the PBX will present the call)."""

    id: int
    call_id: str
    number: str
    queue: str
    position: int
    status: Annotated[str, Field(description="waiting, dialing, retry, done, failed, cancelled")]
    attempts: int
    agent: str | None
    last_result: str
    next_attempt_at: str | None
    requested_at: str | None
    updated_at: str | None
    closed_by: str
    shown_number: str
