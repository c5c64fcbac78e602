"""What the supervisors' JSON API of notifications gives, as typed schemas."""

from __future__ import annotations

from typing_extensions import TypedDict


class DeliveryOut(TypedDict):
    """One recipient on one channel and how it went."""

    id: int
    batch: str
    channel: str
    channel_label: str
    address: str
    recipient: str
    status: str
    status_label: str
    attempts: int
    max_attempts: int
    updated_at: str
    confirmed_at: str | None
    detail: str


class SummaryOut(TypedDict):
    """Counts per channel and state, how many reached their recipient, finished or not."""

    batch: str
    channels: dict[str, dict[str, int]]
    total: int
    reached: int
    finished: bool


class SenderOut(TypedDict):
    """A sender's state: stopped (with the reason) when its gateway refuses everything."""

    channel: str
    stopped: bool
    reason: str
    since: str | None
    sent: int
    failed: int
    requeued: int


class BatchOut(TypedDict):
    """A batch for the supervisor."""

    summary: SummaryOut
    deliveries: list[DeliveryOut]
    senders: list[SenderOut]


class CancelOut(TypedDict):
    """How many queued deliveries were cancelled, and the summary after."""

    cancelled: int
    summary: SummaryOut


class SendersOut(TypedDict):
    """Every running sender's state."""

    senders: list[SenderOut]
