"""Live figures for the supervisor's wallboard, kept from bus messages (pure, no I/O).

Per queue: calls waiting, the longest wait now, answered and abandoned today, service level
(answered within the target, default 20 s, out of answered plus abandoned). Per agent: state and
time in it, calls handled today, average talk time. It reads the JSON messages the call and agent
services publish, so it works the same on the in-process bus and on Redis (several hosts).
The day starts at midnight in the office's time zone. It also shows which agents the first
line has borrowed (overflow or a supervisor) and the callback requests still open or failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass
class QueueFigures:
    """Today's figures of one queue."""

    waiting: dict[str, datetime] = field(default_factory=dict)
    answered: int = 0
    answered_in_target: int = 0
    abandoned: int = 0


@dataclass
class AgentFigures:
    """Live state and today's figures of one agent."""

    username: str
    display_name: str = ""
    state: str = "offline"
    label: str = "niezalogowany"
    pause_reason: str = ""
    since: datetime | None = None
    handled: int = 0
    talk_total: float = 0.0
    talk_counted: int = 0
    queues: tuple[str, ...] = ()


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


class Wallboard:
    """Folds call and presence messages into wallboard figures."""

    def __init__(
        self, timezone: str = "Europe/Warsaw", target_seconds: float = 20.0, first_line: str = ""
    ) -> None:
        self.zone = ZoneInfo(timezone)
        self.target = target_seconds
        self.first_line = first_line
        self.borrowed: dict[str, str] = {}
        self.callbacks: dict[int, dict[str, Any]] = {}
        self.post_call: dict[str, Any] | None = None
        self.messages: dict[str, Any] | None = None
        self.recording_failures = 0
        self.last_recording_failure: dict[str, Any] | None = None
        self.day: date | None = None
        self.queues: dict[str, QueueFigures] = {}
        self.agents: dict[str, AgentFigures] = {}
        # The agent who has each call's resident now, and since when (talk time per leg).
        self._call_agent: dict[str, tuple[str, datetime | None]] = {}
        self._call_queue: dict[str, str] = {}

    # --- input ---
    def apply(self, message: dict[str, Any]) -> bool:
        """Take one bus message; True when the figures changed."""
        kind = message.get("type")
        at = _time(message.get("at"))
        if at is not None:
            self._roll_day(at)
        handler = _HANDLERS.get(str(kind))
        return bool(handler and handler(self, message, at))

    def load_agents(self, presences: Iterable[Mapping[str, Any]]) -> None:
        """Start from the agents service's current presence list."""
        for presence in presences:
            self._on_presence(presence, _time(presence.get("since")))

    def load_calls(self, summaries: Iterable[Mapping[str, Any]], now: datetime) -> None:
        """Start from today's call records (newest first or any order)."""
        self._roll_day(now)
        for call in summaries:
            entered = _time(call.get("entered_at"))
            if entered is None or entered.astimezone(self.zone).date() != self.day:
                continue
            queue = call.get("queue") or ""
            agent = _username(call.get("agent") or "")
            if call.get("outcome") == "answered":
                wait = float(call.get("wait_seconds") or 0.0)
                if queue:
                    self._answered(queue, wait)
                if agent:
                    figures = self._agent(agent)
                    figures.handled += 1
                    if call.get("ended_at"):
                        figures.talk_total += float(call.get("talk_seconds") or 0.0)
                        figures.talk_counted += 1
            elif call.get("outcome") == "abandoned" and queue:
                self._queue(queue).abandoned += 1
            elif call.get("outcome") == "in_progress" and queue and not call.get("answered_at"):
                queued = _time(call.get("queued_at"))
                if queued is not None:
                    self._queue(queue).waiting[str(call.get("call_id"))] = queued

    def load_borrowed(self, borrowed: dict[str, str]) -> None:
        """Start from the agents the first line has borrowed (username -> who added them)."""
        self.borrowed = dict(borrowed)

    def load_callbacks(self, requests: Iterable[Mapping[str, Any]]) -> None:
        """Start from the callback requests still open or failed."""
        for request in requests:
            self._on_callback(request, None)

    # --- output ---
    def queue_load(self, name: str, now: datetime) -> tuple[int, float]:
        """Calls waiting in queue ``name`` and the longest wait in seconds, now."""
        q = self.queues.get(name)
        if q is None or not q.waiting:
            return 0, 0.0
        return len(q.waiting), (now - min(q.waiting.values())).total_seconds()

    def snapshot(self, now: datetime) -> dict[str, Any]:
        """Everything the wallboard shows, as JSON."""
        self._roll_day(now)
        queues = []
        for name in sorted(self.queues):
            q = self.queues[name]
            waiting, longest = self.queue_load(name, now)
            offered = q.answered + q.abandoned
            queues.append(
                {
                    "queue": name,
                    "waiting": waiting,
                    "longest_wait_seconds": round(longest, 1),
                    "answered": q.answered,
                    "abandoned": q.abandoned,
                    "service_level": round(100.0 * q.answered_in_target / offered, 1)
                    if offered
                    else None,
                    "agents": self._states_in(name),
                }
            )
        agents = [
            {
                "username": a.username,
                "display_name": a.display_name,
                "state": a.state,
                "label": a.label,
                "pause_reason": a.pause_reason,
                "seconds_in_state": round((now - a.since).total_seconds()) if a.since else None,
                "handled_today": a.handled,
                "average_talk_seconds": round(a.talk_total / a.talk_counted, 1)
                if a.talk_counted
                else None,
                "first_line": self._first_line_role(a),
            }
            for a in sorted(self.agents.values(), key=lambda a: a.username)
        ]
        callbacks = [self.callbacks[k] for k in sorted(self.callbacks)]
        return {"day": self.day.isoformat() if self.day else None, "target_seconds": self.target,
                "queues": queues, "agents": agents, "callbacks": callbacks,
                "post_call": self.post_call,
                "messages": self.messages,
                "recordings": {"failed_today": self.recording_failures,
                               "last_failure": self.last_recording_failure}}  # fmt: skip

    # --- handlers ---
    def _on_queued(self, m: dict[str, Any], at: datetime | None) -> bool:
        if at is None:
            return False
        self._call_queue[str(m["call_id"])] = str(m.get("queue", ""))
        self._queue(str(m.get("queue", ""))).waiting[str(m["call_id"])] = at
        return True

    def _on_answered(self, m: dict[str, Any], at: datetime | None) -> bool:
        call_id, queue = str(m.get("call_id")), str(m.get("queue") or "")
        if queue:
            self._queue(queue).waiting.pop(call_id, None)
            self._answered(queue, float(m.get("wait_seconds") or 0.0))
        agent = _username(str(m.get("agent") or ""))
        if agent:
            self._end_leg(call_id, at, None)
            self._agent(agent).handled += 1
            self._call_agent[call_id] = (agent, at)
        return True

    def _on_transferred(self, m: dict[str, Any], at: datetime | None) -> bool:
        """The agent's leg ends at the transfer; an attended one starts the colleague's."""
        call_id = str(m.get("call_id"))
        self._end_leg(call_id, at, None)
        colleague = _username(str(m.get("to_agent") or ""))
        if m.get("kind") == "attended" and colleague:
            self._agent(colleague).handled += 1
            self._call_agent[call_id] = (colleague, at)
        return True

    def _on_abandoned(self, m: dict[str, Any], at: datetime | None) -> bool:
        queue = str(m.get("queue") or "")
        self._queue(queue).waiting.pop(str(m.get("call_id")), None)
        self._queue(queue).abandoned += 1
        return True

    def _on_ended(self, m: dict[str, Any], at: datetime | None) -> bool:
        call_id = str(m.get("call_id"))
        queue = self._call_queue.pop(call_id, "")
        if queue:
            self._queue(queue).waiting.pop(call_id, None)
        self._end_leg(call_id, at, float(m.get("talk_seconds") or 0.0))
        return True

    def _on_presence(self, m: Mapping[str, Any], at: datetime | None) -> bool:
        username = m.get("username")
        if not isinstance(username, str) or not username:
            return False
        figures = self._agent(username)
        figures.display_name = str(m.get("display_name") or username)
        figures.state, figures.label = str(m.get("state")), str(m.get("label") or "")
        figures.pause_reason = str(m.get("pause_reason") or "")
        queues = m.get("queues")
        if isinstance(queues, list):
            figures.queues = tuple(str(q.get("queue")) for q in queues if isinstance(q, dict))
        figures.since = _time(m.get("since")) or at or figures.since
        return True

    def _on_first_line(self, m: dict[str, Any], at: datetime | None) -> bool:
        username = str(m.get("username") or "")
        if not username:
            return False
        if m.get("added"):
            self.borrowed[username] = str(m.get("by") or "")
        else:
            self.borrowed.pop(username, None)
        return True

    def _on_callback(self, m: Mapping[str, Any], at: datetime | None) -> bool:
        try:
            request_id = int(m["id"])
        except (KeyError, TypeError, ValueError):
            return False
        if m.get("status") not in _CALLBACKS_SHOWN:
            return self.callbacks.pop(request_id, None) is not None
        self.callbacks[request_id] = {
            key: m.get(key) for key in ("id", "number", "queue", "status", "attempts",
                                        "last_result", "requested_at", "next_attempt_at")
        }  # fmt: skip
        return True

    # --- helpers ---
    def _on_post_call(self, m: dict[str, Any], _at: datetime | None) -> bool:
        figures = {k: m.get(k) for k in ("queued", "running", "failed", "oldest_wait_seconds",
                                          "alert")}  # fmt: skip
        changed = figures != self.post_call
        self.post_call = figures
        return changed

    def _on_message_queue(self, m: dict[str, Any], _at: datetime | None) -> bool:
        keys = ("waiting", "in_progress", "overdue", "oldest_since", "by_channel",
                "failed_sends")  # fmt: skip
        figures = {k: m.get(k) for k in keys}
        changed = figures != self.messages
        self.messages = figures
        return changed

    def _on_recording_failed(self, m: dict[str, Any], at: datetime | None) -> bool:
        self.recording_failures += 1
        self.last_recording_failure = {"call_id": m.get("call_id"), "detail": m.get("detail"),
                                       "at": at.isoformat() if at else None}  # fmt: skip
        return True

    def _end_leg(self, call_id: str, at: datetime | None, talk: float | None) -> None:
        """Count the talk time of the agent who has the call, from their answer to ``at``
        (``talk`` when either moment is unknown)."""
        agent, since = self._call_agent.pop(call_id, ("", None))
        if not agent:
            return
        if since is not None and at is not None:
            talk = max((at - since).total_seconds(), 0.0)
        if talk is None:
            return
        figures = self._agent(agent)
        figures.talk_total += talk
        figures.talk_counted += 1

    def _roll_day(self, at: datetime) -> None:
        day = at.astimezone(self.zone).date()
        if self.day is None:
            self.day = day
        elif day > self.day:
            self.day = day
            for q in self.queues.values():
                q.answered = q.answered_in_target = q.abandoned = 0
            for a in self.agents.values():
                a.handled, a.talk_total, a.talk_counted = 0, 0.0, 0
            self.recording_failures, self.last_recording_failure = 0, None

    def _answered(self, queue: str, wait: float) -> None:
        q = self._queue(queue)
        q.answered += 1
        if wait <= self.target:
            q.answered_in_target += 1

    def _queue(self, name: str) -> QueueFigures:
        return self.queues.setdefault(name, QueueFigures())

    def _agent(self, username: str) -> AgentFigures:
        return self.agents.setdefault(username, AgentFigures(username))

    def _first_line_role(self, a: AgentFigures) -> str:
        if self.first_line and self.first_line in a.queues:
            return "member"
        return "borrowed" if a.username in self.borrowed else ""

    def _states_in(self, queue: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for a in self.agents.values():
            borrowed = queue == self.first_line and a.username in self.borrowed
            if queue not in a.queues and not borrowed:
                continue
            counts[a.state] = counts.get(a.state, 0) + 1
        return counts


def _username(interface: str) -> str:
    return interface.removeprefix("PJSIP/agent-") if interface.startswith("PJSIP/agent-") else ""


_CALLBACKS_SHOWN = ("waiting", "dialing", "retry", "failed")

_HANDLERS = {
    "CallQueued": Wallboard._on_queued,
    "CallAnswered": Wallboard._on_answered,
    "CallAbandoned": Wallboard._on_abandoned,
    "CallTransferred": Wallboard._on_transferred,
    "CallEnded": Wallboard._on_ended,
    "AgentPresence": Wallboard._on_presence,
    "FirstLineChanged": Wallboard._on_first_line,
    "CallbackChanged": Wallboard._on_callback,
    "PostCallBacklog": Wallboard._on_post_call,
    "MessageQueueBoard": Wallboard._on_message_queue,
    "RecordingFailed": Wallboard._on_recording_failed,
}
