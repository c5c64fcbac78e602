"""The dialplan's own UserEvents (``CicCall``, ``CicConsent``, ...) for the AMI tracker.

They are sent on the resident's channel (so they carry the usual channel headers) plus their
own headers, e.g. ``UserEvent(CicCall,CallId: ${CIC_CALLID},Dialled: ${CIC_DIALLED})``.
``CicCall`` starts tracking a call; the others are reported once per call and content.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from cic.asterisk.tracker_parse import Malformed, caller_id, first_of, optional, required
from cic.asterisk.tracker_state import CallBook, LiveCall
from cic.events import (
    CallbackRequested,
    CallEntered,
    CallFallback,
    CallRouted,
    CaseStatusChecked,
    ConsentRecorded,
    DomainEvent,
    MessageLeft,
    RecordingStarted,
)

Event = Mapping[str, str]
Handler = Callable[[Event, datetime], list[DomainEvent]]


def call_id_of(event: Event) -> str:
    """The ``CallId`` header (the linkedid), falling back to the channel's Linkedid."""
    call_id = first_of(event, "CallId", "Linkedid")
    if call_id is None:
        raise Malformed("CallId")
    return call_id


class DialplanEvents:
    """Turns ``Event: UserEvent`` messages from our dialplan into call domain events."""

    def __init__(self, book: CallBook) -> None:
        self._book = book
        self._handlers: dict[str, Handler] = {
            "CicCall": self._on_call,
            "CicConsent": self._on_consent,
            "CicRecording": self._on_recording,
            "CicRoute": self._on_route,
            "CicFallback": self._on_fallback,
            "CicMessage": self._on_message,
            "CicCallbackRequested": self._on_callback,
            "CicCaseStatus": self._on_case_status,
        }

    def on_user_event(self, event: Event, at: datetime) -> list[DomainEvent]:
        """Dispatch on the ``UserEvent`` header; other applications' UserEvents are ignored."""
        handler = self._handlers.get(required(event, "UserEvent"))
        return handler(event, at) if handler is not None else []

    def _first_time(self, call_id: str, fingerprint: tuple[str, ...]) -> LiveCall | None:
        """The call, if it is tracked and this dialplan event was not applied to it before."""
        call = self._book.find(call_id)
        if call is None or fingerprint in call.seen:
            return None
        call.seen.add(fingerprint)
        return call

    def _on_call(self, event: Event, at: datetime) -> list[DomainEvent]:
        call_id, channel = call_id_of(event), required(event, "Channel")
        number, name = caller_id(event, "CallerIDNum"), caller_id(event, "CallerIDName")
        dialled = optional(event, "Dialled")
        if call_id in self._book.ended or self._book.find(call_id) is not None:
            return []
        self._book.add(
            LiveCall(
                call_id=call_id,
                channel=channel,
                caller_number=number,
                caller_name=name,
                dialled=dialled,
                entered_at=at,
            )
        )
        entered = CallEntered(
            at=at,
            call_id=call_id,
            channel=channel,
            caller_number=number,
            caller_name=name,
            dialled=dialled,
        )
        return [entered]

    def _on_consent(self, event: Event, at: datetime) -> list[DomainEvent]:
        call_id, consent = call_id_of(event), required(event, "Consent")
        if self._first_time(call_id, ("CicConsent", consent)) is None:
            return []
        return [ConsentRecorded(at=at, call_id=call_id, consent=consent)]

    def _on_recording(self, event: Event, at: datetime) -> list[DomainEvent]:
        call_id, path = call_id_of(event), required(event, "File")
        if self._first_time(call_id, ("CicRecording", path)) is None:
            return []
        return [RecordingStarted(at=at, call_id=call_id, path=path)]

    def _on_route(self, event: Event, at: datetime) -> list[DomainEvent]:
        call_id, action = call_id_of(event), required(event, "Action")
        target, reason = optional(event, "Target"), optional(event, "Reason")
        if self._first_time(call_id, ("CicRoute", action, target, reason)) is None:
            return []
        return [CallRouted(at=at, call_id=call_id, action=action, target=target, reason=reason)]

    def _on_fallback(self, event: Event, at: datetime) -> list[DomainEvent]:
        call_id = call_id_of(event)
        queue, reason = optional(event, "Queue"), optional(event, "Reason")
        if self._first_time(call_id, ("CicFallback", queue, reason)) is None:
            return []
        return [CallFallback(at=at, call_id=call_id, queue=queue, reason=reason)]

    def _on_callback(self, event: Event, at: datetime) -> list[DomainEvent]:
        call_id, request = call_id_of(event), required(event, "Request")
        if self._first_time(call_id, ("CicCallbackRequested", request)) is None:
            return []
        return [CallbackRequested(at=at, call_id=call_id, request=request)]

    def _on_case_status(self, event: Event, at: datetime) -> list[DomainEvent]:
        call_id, result = call_id_of(event), required(event, "Result")
        attempt = optional(event, "Attempt")
        if not attempt.isascii() or not attempt.isdigit() or len(attempt) > 3:
            raise Malformed("Attempt")
        if self._first_time(call_id, ("CicCaseStatus", result, attempt)) is None:
            return []
        return [CaseStatusChecked(at=at, call_id=call_id, result=result[:16],
                                  attempt=int(attempt))]  # fmt: skip

    def _on_message(self, event: Event, at: datetime) -> list[DomainEvent]:
        call_id, path = call_id_of(event), required(event, "File")
        if self._first_time(call_id, ("CicMessage", path)) is None:
            return []
        return [MessageLeft(at=at, call_id=call_id, path=path)]
