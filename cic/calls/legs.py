"""One call, one story: the legs of a call (who had the resident when), read from its timeline.

A leg is a stretch of the call with one queue and/or one agent: waiting in a queue, then talking
to the agent who answered, until the call ended or the agent transferred it. A blind transfer
to a department queue opens a new waiting leg; an attended transfer hands the resident straight
to the colleague, whose leg starts when Asterisk bridged them. Consults that did not end in a
transfer are listed on the agent's leg. Pure: timeline entries in, JSON-ready dicts out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class _Leg:
    queue: str
    agent: str
    started_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    wait_seconds: float | None = None
    end: str = "in_progress"
    via: str = ""
    consults: list[dict[str, Any]] = field(default_factory=list)

    def close(self, at: datetime, end: str) -> None:
        self.ended_at, self.end = at, end

    def as_dict(self) -> dict[str, Any]:
        talk = None
        if self.answered_at is not None and self.ended_at is not None:
            talk = round(max((self.ended_at - self.answered_at).total_seconds(), 0.0), 3)
        return {
            "queue": self.queue,
            "agent": self.agent,
            "via": self.via,
            "started_at": self.started_at.isoformat(),
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "wait_seconds": self.wait_seconds,
            "talk_seconds": talk,
            "end": self.end,
            "consults": self.consults,
        }


class _Story:
    """Folds timeline entries into legs."""

    def __init__(self) -> None:
        self.legs: list[_Leg] = []
        self.next_via = ""

    @property
    def open(self) -> _Leg | None:
        leg = self.legs[-1] if self.legs else None
        return leg if leg is not None and leg.ended_at is None else None

    def queued(self, at: datetime, d: dict[str, Any]) -> None:
        if self.open is not None:
            self.open.close(at, "left")
        self.legs.append(_Leg(str(d.get("queue", "")), "", at, via=self._via()))

    def answered(self, at: datetime, d: dict[str, Any]) -> None:
        leg, queue = self.open, str(d.get("queue") or "")
        if leg is None or leg.answered_at is not None or (queue and leg.queue != queue):
            if leg is not None:
                leg.close(at, "left")
            leg = _Leg(queue, "", at, via=self._via())
            self.legs.append(leg)
        leg.agent, leg.answered_at = str(d.get("agent", "")), at
        wait = d.get("wait_seconds")
        leg.wait_seconds = float(wait) if isinstance(wait, int | float) else None

    def abandoned(self, at: datetime, d: dict[str, Any]) -> None:
        leg = self.open
        if leg is not None and leg.answered_at is None:
            wait = d.get("wait_seconds")
            leg.wait_seconds = float(wait) if isinstance(wait, int | float) else None
            leg.close(at, "abandoned")

    def transferred(self, at: datetime, d: dict[str, Any]) -> None:
        leg, kind = self.open, str(d.get("kind", ""))
        if leg is not None:
            leg.close(at, f"transferred_{kind}" if kind in ("attended", "blind") else "left")
            self._finish_consults(leg, at, "transferred")
        if kind == "attended" and d.get("to_agent"):
            colleague = _Leg("", str(d["to_agent"]), at, answered_at=at, via="attended")
            colleague.wait_seconds = 0.0
            self.legs.append(colleague)
        elif kind == "blind":
            self.next_via = "blind"

    def consult(self, at: datetime, type_: str, d: dict[str, Any]) -> None:
        leg = self.open
        if leg is None:
            return
        target = str(d.get("target", ""))
        if type_ == "ConsultRinging":
            leg.consults.append({"target": target, "started_at": at.isoformat(),
                                 "answered": False, "ended_at": None, "result": ""})  # fmt: skip
            return
        current = next((c for c in reversed(leg.consults) if c["target"] == target), None)
        if current is None:
            return
        if type_ == "ConsultAnswered":
            current["answered"] = True
        elif type_ == "ConsultFailed":
            current.update(ended_at=at.isoformat(), result=str(d.get("reason", "failed")))
        elif type_ == "ConsultEnded" and not current["result"]:
            current.update(ended_at=at.isoformat(), result="returned")

    def ended(self, at: datetime) -> None:
        leg = self.open
        if leg is not None:
            leg.close(at, "completed" if leg.answered_at is not None else "unanswered")
            self._finish_consults(leg, at, "call_ended")

    @staticmethod
    def _finish_consults(leg: _Leg, at: datetime, result: str) -> None:
        for consult in leg.consults:
            if not consult["result"]:
                consult.update(ended_at=at.isoformat(), result=result)

    def _via(self) -> str:
        via, self.next_via = self.next_via, ""
        return via


_CONSULTS = ("ConsultRinging", "ConsultAnswered", "ConsultFailed", "ConsultEnded")


def call_legs(timeline: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The call's legs in order, from timeline entries (``at`` ISO text, ``type``, ``data``)."""
    story = _Story()
    entries = []
    for entry in timeline:
        try:
            at = datetime.fromisoformat(str(entry["at"]))
        except (KeyError, ValueError):
            continue
        entries.append((at, str(entry.get("type", "")), entry.get("data") or {}))
    for at, type_, data in sorted(entries, key=lambda e: e[0]):
        if type_ == "CallQueued":
            story.queued(at, data)
        elif type_ == "CallAnswered":
            story.answered(at, data)
        elif type_ == "CallAbandoned":
            story.abandoned(at, data)
        elif type_ == "CallTransferred":
            story.transferred(at, data)
        elif type_ in _CONSULTS:
            story.consult(at, type_, data)
        elif type_ == "CallEnded":
            story.ended(at)
    return [leg.as_dict() for leg in story.legs]
