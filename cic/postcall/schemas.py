"""What the post-call jobs API gives: a job with its state and lease."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict


class JobOut(TypedDict):
    """A post-call job (transcription, redaction, topics) of one recording."""

    id: int
    call_id: str
    recording_path: str
    status: Annotated[str, Field(description="queued, running, done, failed")]
    step: str
    attempts: int
    max_attempts: int
    next_at: str | None
    lease_owner: str
    lease_until: str | None
    last_error: str
    created_at: str | None
    finished_at: str | None
