"""Where a call to the municipal number goes: closed, the resident's last agent, or first line.

Decision reasons are a stable code, optionally followed by ``:`` and a detail:

- ``closed_holiday:<Polish holiday name>``, ``closed_day``, ``closed_hours`` -- office closed;
- ``closed_override`` -- closed by the office's mode switch (``open`` ignores the calendar);
- ``case_owner:<signature>`` -- the official assigned to the caller's open case is available
  (asked first: the owner knows the matter);
- ``returning_caller:<interface>`` -- the agent who last answered this number is available;
- ``agent_unavailable:<interface>`` -- a returning caller, but that agent is not available;
- ``history_unavailable`` -- the call history failed or was too slow; first line;
- ``first_line`` -- no usable history.

When the office has a department menu (``office.department_menu``), every call that would go
to the first line gets action ``menu`` instead, with the same reason: the dialplan plays the
menu and asks again with the key pressed (``cic.routing.menu``). A returning caller whose agent
is free skips the menu.

Reasons never contain commas or control characters, so the dialplan may put them in
``UserEvent`` fields. Caller numbers and names are personal data and are never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from cic.asterisk.decisions import Decision, RouteRequest
from cic.config import OfficeSettings
from cic.latency import Stages
from cic.routing.calendar import OfficeCalendar, OpenState

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

HISTORY_TIMEOUT = 0.05
# Asterisk and SIP spellings of a withheld number: never look these up as a resident.
WITHHELD_NUMBERS = frozenset(
    {"anonymous", "restricted", "private", "unavailable", "unknown", "withheld"}
)
_WEEKDAYS_PL = ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela")


class CallHistory(Protocol):
    """Earlier calls, as the routing service needs them."""

    def last_agent(self, caller_number: str, since: datetime) -> Awaitable[str | None]:
        """The interface of the agent who last answered ``caller_number`` since ``since``."""
        ...


class Matters(Protocol):
    """Owners of a caller's open matters (cases), as routing needs them."""

    def owners(self, caller_number: str) -> Awaitable[list[tuple[str, str]]]:
        """``(interface, case signature)`` of the officials owning the caller's open cases."""
        ...


class Presence(Protocol):
    """Live agent state."""

    def is_available(self, interface: str) -> bool:
        """Logged in, not paused, not in wrap-up and the device idle."""
        ...


def utc_now() -> datetime:
    """The default clock: now, timezone-aware UTC."""
    return datetime.now(UTC)


def _clean(detail: str) -> str:
    """Keep a reason detail safe for dialplan fields: no commas, no control characters."""
    return "".join(" " if ch == "," or ord(ch) < 32 else ch for ch in detail).strip()


def format_opening(at: datetime) -> str:
    """Polish text for an opening time, e.g. ``poniedziałek 28.12.2026, 08:00``."""
    return f"{_WEEKDAYS_PL[at.weekday()]} {at:%d.%m.%Y}, {at:%H:%M}"


class RoutingService:
    """Decides where each call goes; never fails a call because of the history store."""

    def __init__(
        self,
        office: OfficeSettings,
        calendar: OfficeCalendar,
        history: CallHistory,
        presence: Presence,
        clock: Clock = utc_now,
        *,
        history_timeout: float = HISTORY_TIMEOUT,
        mode: Callable[[], str] = lambda: "auto",
        matters: Matters | None = None,
        stages: Stages | None = None,
    ) -> None:
        """Collaborators are passed in; ``clock`` returns a timezone-aware now. ``stages``
        records how long each stage of a decision took (``calendar``, ``case_owners``,
        ``history``, ``presence``)."""
        self._office = office
        self._calendar = calendar
        self._history = history
        self._presence = presence
        self._clock = clock
        self._history_timeout = history_timeout
        self._mode = mode
        self._matters = matters
        self.stages = stages or Stages()

    async def route(self, req: RouteRequest) -> Decision:
        """Same as :meth:`decide`; makes the service a FastAGI ``Router``."""
        return await self.decide(req)

    async def decide(self, req: RouteRequest) -> Decision:
        """Closed -> after hours; a returning caller whose agent is free -> agent; else the
        first line, or the department menu when the office has one."""
        decision = await self._decide(req)
        if decision.action == "queue" and (
            self._office.department_menu
            or self._office.case_status_key
            or self._office.warnings_key
        ):
            return Decision(
                "menu", "", decision.queue, 0, decision.reason,
                decision.reason_text.replace("kolejka pierwszej linii", "menu wydziałów"),
            )  # fmt: skip
        return decision

    async def _decide(self, req: RouteRequest) -> Decision:
        now = self._clock()
        mode = self._mode()
        if mode == "closed":
            text = "Urząd zamknięty do odwołania (przełącznik trybu pracy)."
            return Decision("closed", "", self._office.first_line_queue, 0, "closed_override", text)
        with self.stages.timed("calendar"):
            state = self._calendar.is_open(now)
        if not state.open and mode != "open":
            return self._closed(state)
        number = req.caller_number.strip()
        if not number or number.lower() in WITHHELD_NUMBERS:
            return self._first_line("first_line", "Numer nieznany: kolejka pierwszej linii.")
        with self.stages.timed("case_owners"):
            owner = await self._matter_owner(req)
        if owner is not None:
            return owner
        since = now - timedelta(days=self._office.last_agent_lookback_days)
        try:
            with self.stages.timed("history"):
                agent = await asyncio.wait_for(
                    self._history.last_agent(req.caller_number, since), self._history_timeout
                )
        except TimeoutError:
            log.warning("call %s: call history too slow; first line", req.call_id)
            return self._history_unavailable()
        except Exception:
            log.warning("call %s: call history failed; first line", req.call_id, exc_info=True)
            return self._history_unavailable()
        if not agent:
            return self._first_line("first_line", "Nowy rozmówca: kolejka pierwszej linii.")
        return self._returning(req, agent)

    async def _matter_owner(self, req: RouteRequest) -> Decision | None:
        """Ring the official who owns the caller's open case, if one is available."""
        if self._matters is None:
            return None
        try:
            owners = await asyncio.wait_for(
                self._matters.owners(req.caller_number), self._history_timeout
            )
        except Exception:
            log.warning("call %s: open matters not known in time", req.call_id)
            return None
        for interface, signature in owners:
            try:
                available = self._presence.is_available(interface)
            except Exception:
                available = False
            if available:
                sig = _clean(signature)
                return Decision(
                    "agent", interface, self._office.first_line_queue,
                    self._office.last_agent_wait, f"case_owner:{sig}",
                    f"Rozmówca ze sprawą {sig}: łączę z prowadzącym ({_clean(interface)}).",
                )  # fmt: skip
        return None

    def _returning(self, req: RouteRequest, agent: str) -> Decision:
        try:
            with self.stages.timed("presence"):
                available = self._presence.is_available(agent)
        except Exception:
            log.warning("call %s: presence check failed", req.call_id, exc_info=True)
            available = False
        detail = _clean(agent)
        if not available:
            return self._first_line(
                f"agent_unavailable:{detail}",
                f"Powracający rozmówca; ostatni konsultant ({detail}) jest niedostępny: "
                "kolejka pierwszej linii.",
            )
        office = self._office
        return Decision(
            action="agent",
            target=agent,
            queue=office.first_line_queue,
            agent_wait=office.last_agent_wait,
            reason=f"returning_caller:{detail}",
            reason_text=f"Powracający rozmówca: łączę z ostatnim konsultantem ({detail}).",
        )

    def _history_unavailable(self) -> Decision:
        return self._first_line(
            "history_unavailable", "Historia połączeń niedostępna: kolejka pierwszej linii."
        )

    def _first_line(self, reason: str, text: str) -> Decision:
        queue = self._office.first_line_queue
        return Decision("queue", queue, queue, 0, reason, text)

    def _closed(self, state: OpenState) -> Decision:
        if state.reason == "closed_holiday":
            name = _clean(state.holiday)
            reason, text = f"closed_holiday:{name}", f"Urząd nieczynny: {name}."
        elif state.reason == "closed_day":
            reason, text = "closed_day", "Urząd nieczynny: dzień wolny."
        else:
            reason, text = "closed_hours", "Urząd nieczynny: poza godzinami pracy."
        if state.next_open is not None:
            text += f" Otwarcie: {format_opening(state.next_open)}."
        return Decision("closed", "", self._office.first_line_queue, 0, reason, text)
