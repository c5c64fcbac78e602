"""Queue members and agent devices for the AMI tracker (every queue, every PJSIP device).

Members come from QueueMemberAdded/Status/Pause/Penalty/Ringinuse and, in a resync, from
QueueStatus's QueueMember list (which names the headers ``Name``/``Location`` instead of
``MemberName``/``Interface``). A change is reported only when the member's reported fields
differ from what was known, so a repeated event produces nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from cic.asterisk.tracker_parse import Malformed, count, first_of, flag, required
from cic.asterisk.tracker_state import MemberSnapshot
from cic.events import AgentDeviceChanged, DomainEvent, QueueMemberRemoved

Event = Mapping[str, str]
Handler = Callable[[Event, datetime], list[DomainEvent]]
MemberKey = tuple[str, str]


def member_of(event: Event) -> MemberSnapshot:
    """A member from any QueueMember* event."""
    return MemberSnapshot(
        queue=required(event, "Queue"),
        interface=_interface(event),
        member_name=first_of(event, "MemberName", "Name") or "",
        paused=flag(event, "Paused"),
        paused_reason=first_of(event, "PausedReason", "Reason") or "",
        status=count(event, "Status"),
        in_call=flag(event, "InCall"),
        calls_taken=count(event, "CallsTaken"),
    )


def _interface(event: Event) -> str:
    interface = first_of(event, "Interface", "Location")
    if interface is None:
        raise Malformed("Interface")
    return interface


class AgentTracker:
    """Live queue members ((queue, interface) -> member) and agent device states.

    Devices are the PJSIP devices except the residents' trunk (``trunk_device``). Device
    states are kept across a resync (every DeviceStateChange, including DeviceStateList's,
    overwrites them); members are set aside and must be listed again.
    """

    def __init__(self, trunk_device: str) -> None:
        self._trunk_device = trunk_device
        self.members: dict[MemberKey, MemberSnapshot] = {}
        self.devices: dict[str, str] = {}
        self._unconfirmed: dict[MemberKey, MemberSnapshot] = {}

    def handlers(self) -> dict[str, Handler]:
        """AMI event name -> handler, for the tracker's dispatch table."""
        return {
            "QueueMemberAdded": self.on_member,
            "QueueMemberStatus": self.on_member,
            "QueueMemberPause": self.on_member,
            "QueueMemberPenalty": self.on_member,
            "QueueMemberRinginuse": self.on_member,
            "QueueMember": self.on_member,
            "QueueMemberRemoved": self.on_member_removed,
            "DeviceStateChange": self.on_device_state,
        }

    def on_member(self, event: Event, at: datetime) -> list[DomainEvent]:
        """A member was added or changed (or listed in a resync)."""
        member = member_of(event)
        key = (member.queue, member.interface)
        previous = self._forget(key)
        self.members[key] = member
        return [] if previous == member else [member.changed_event(at)]

    def on_member_removed(self, event: Event, at: datetime) -> list[DomainEvent]:
        """A member left a queue."""
        queue, interface = required(event, "Queue"), _interface(event)
        if self._forget((queue, interface)) is None:
            return []
        return [QueueMemberRemoved(at=at, queue=queue, interface=interface)]

    def on_device_state(self, event: Event, at: datetime) -> list[DomainEvent]:
        """An agent's device changed state (NOT_INUSE, INUSE, RINGING, UNAVAILABLE, ...)."""
        device, state = required(event, "Device"), required(event, "State")
        if not device.startswith("PJSIP/") or device == self._trunk_device:
            return []
        if self.devices.get(device) == state:
            return []
        self.devices[device] = state
        return [AgentDeviceChanged(at=at, interface=device, state=state)]

    def set_aside(self) -> None:
        """Resync begins: members wait to be listed again."""
        self._unconfirmed.update(self.members)
        self.members = {}

    def take_unlisted(self, at: datetime) -> list[DomainEvent]:
        """Resync ends: members not listed again are gone."""
        gone: list[DomainEvent] = [
            QueueMemberRemoved(at=at, queue=member.queue, interface=member.interface)
            for member in self._unconfirmed.values()
        ]
        self._unconfirmed = {}
        return gone

    def _forget(self, key: MemberKey) -> MemberSnapshot | None:
        known = self.members.pop(key, None)
        unconfirmed = self._unconfirmed.pop(key, None)
        return known if known is not None else unconfirmed
