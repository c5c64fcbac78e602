"""Transfers as the tracker sees them: consults (Atxfer), attended and blind transfers.

The controller starts a consult with AMI Atxfer on the agent's channel: Asterisk puts the
resident on hold, creates a Local channel in the consult context (same Linkedid as the call)
and that Local channel Dials the colleague. So:

- DialBegin/DialEnd from a Local channel in the consult context -> ConsultRinging, then
  ConsultAnswered or ConsultFailed;
- the agent's channel entering the resident's bridge again while a consult is open -> the
  agent is back with the resident: ConsultEnded;
- AttendedTransfer (Result Success) -> CallTransferred kind 'attended': the colleague is now the
  call's agent (transfers and wrap-up act on their channel from then on);
- BlindTransfer (Result Success) -> CallTransferred kind 'blind': the resident's own channel goes
  to the dialplan target; the new queue or Dial leg is reported by the usual queue/offer events.

Like the rest of the tracker: pure, no I/O; duplicates produce nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from cic.asterisk import dialplan
from cic.asterisk import tracker_calls as calls
from cic.asterisk.tracker_parse import Malformed, first_of, interface_of, optional, required
from cic.asterisk.tracker_state import CallBook, Consult, LiveCall
from cic.events import (
    CallTransferred,
    ConsultAnswered,
    ConsultEnded,
    ConsultFailed,
    ConsultRinging,
    DomainEvent,
)

Event = Mapping[str, str]
Handler = Callable[[Event, datetime], list[DomainEvent]]

#: DialEnd's DialStatus of a consult leg -> ConsultFailed reason ('cancelled': the agent
#: took the consult back while the colleague's phone still rang).
CONSULT_FAIL_REASONS = {**calls.DIAL_STATUS_REASONS, "CANCEL": "cancelled"}


class TransferEvents:
    """Handlers for the transfer-related AMI events, sharing the tracker's :class:`CallBook`."""

    def __init__(self, book: CallBook, consult_context: str = dialplan.CONSULT_CONTEXT) -> None:
        self._book = book
        self._context = consult_context

    def handlers(self) -> dict[str, Handler]:
        """AMI event name -> handler, for events only this module handles."""
        return {
            "BridgeEnter": self.on_bridge_enter,
            "AttendedTransfer": self.on_attended_transfer,
            "BlindTransfer": self.on_blind_transfer,
        }

    # ------------------------------------------------------------------ consult legs

    def is_consult_dial(self, event: Event) -> bool:
        """True for a Dial event whose caller side is a Local channel in the consult context."""
        channel = optional(event, "Channel")
        return channel.startswith("Local/") and optional(event, "Context") == self._context

    def on_consult_dial_begin(self, event: Event, at: datetime) -> list[DomainEvent]:
        """The Local channel of a consult dials the colleague."""
        local, target_channel = required(event, "Channel"), required(event, "DestChannel")
        call = self._book.find(required(event, "Linkedid"))
        if call is None or (call.consult is not None and call.consult.local == local):
            return []
        target = interface_of(target_channel)
        call.consult = Consult(
            transferer=call.agent,
            transferer_channel=call.agent_channel,
            target=target,
            target_channel=target_channel,
            local=local,
        )
        return [
            ConsultRinging(
                at=at,
                call_id=call.call_id,
                transferer=call.agent,
                target=target,
                channel=target_channel,
            )
        ]

    def on_consult_dial_end(self, event: Event, at: datetime) -> list[DomainEvent]:
        """The colleague answered, or did not."""
        status, local = required(event, "DialStatus"), required(event, "Channel")
        call = self._book.find(required(event, "Linkedid"))
        consult = call.consult if call is not None else None
        if call is None or consult is None or consult.local != local:
            return []
        if consult.answered or consult.failed:
            return []
        if consult.blond:
            call.consult = None
        if status == "ANSWER":
            consult.answered = True
            return [
                ConsultAnswered(
                    at=at,
                    call_id=call.call_id,
                    transferer=consult.transferer,
                    target=consult.target,
                )
            ]
        consult.failed = True
        reason = CONSULT_FAIL_REASONS.get(status, status.lower())
        return [
            ConsultFailed(
                at=at,
                call_id=call.call_id,
                transferer=consult.transferer,
                target=consult.target,
                reason=reason,
            )
        ]

    # ------------------------------------------------------------------ bridges

    def on_bridge_enter(self, event: Event, at: datetime) -> list[DomainEvent]:
        """Remember the resident's bridge; the agent entering it again ends a consult."""
        bridge, channel = required(event, "BridgeUniqueid"), required(event, "Channel")
        call = self._book.find(required(event, "Linkedid"))
        if call is None:
            return []
        if channel == call.channel:
            call.bridge = bridge
            return []
        consult = call.consult
        if consult is None or channel != consult.transferer_channel or bridge != call.bridge:
            return []
        call.consult = None
        return [
            ConsultEnded(
                at=at,
                call_id=call.call_id,
                transferer=consult.transferer,
                target=consult.target,
                answered=consult.answered,
            )
        ]

    # ------------------------------------------------------------------ transfers

    def _transfer_call(self, event: Event) -> LiveCall | None:
        linkedid = first_of(event, "TransfereeLinkedid", "OrigTransfererLinkedid")
        if linkedid is None:
            raise Malformed("TransfereeLinkedid")
        if optional(event, "Result") != "Success":
            return None
        return self._book.find(linkedid)

    def on_attended_transfer(self, event: Event, at: datetime) -> list[DomainEvent]:
        """Asterisk bridged the resident with the colleague the agent consulted."""
        call = self._transfer_call(event)
        if call is None or (call.consult is not None and call.consult.blond):
            return []
        consult = call.consult
        from_agent = consult.transferer if consult is not None else call.agent
        if consult is not None:
            to_agent, to_channel = consult.target, consult.target_channel
        else:  # a transfer the tracker did not see start (or a duplicate of one it reported)
            to_channel = optional(event, "TransferTargetChannel")
            if not to_channel or to_channel.startswith("Local/"):
                return []  # Asterisk names the consult's Local channel, not the colleague
            to_agent = interface_of(to_channel)
        if call.agent == to_agent and call.agent_channel == to_channel:
            return []
        # A "blond" transfer (the agent left while the colleague rang): keep the leg, so its
        # answer (or failure) is still reported.
        if consult is not None and not consult.answered and not consult.failed:
            consult.blond = True
        else:
            call.consult = None
        call.agent, call.agent_channel = to_agent, to_channel
        return [
            CallTransferred(
                at=at,
                call_id=call.call_id,
                kind="attended",
                from_agent=from_agent,
                to_agent=to_agent,
                target=to_agent,
            )
        ]

    def on_blind_transfer(self, event: Event, at: datetime) -> list[DomainEvent]:
        """Asterisk sent the resident's channel to a dialplan target; the agent's leg ends."""
        call = self._transfer_call(event)
        if call is None or not call.agent_channel:
            return []
        transferer = optional(event, "TransfererChannel")
        if transferer and transferer != call.agent_channel:
            return []
        target = f"{optional(event, 'Context')}/{optional(event, 'Extension')}"
        from_agent = call.agent
        call.agent_channel, call.consult = "", None
        return [
            CallTransferred(
                at=at,
                call_id=call.call_id,
                kind="blind",
                from_agent=from_agent,
                to_agent="",
                target=target,
            )
        ]
