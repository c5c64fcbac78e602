"""Agents: the directory (agents, queues, membership) and live presence.

The store holds what the office wants (who is logged in, who is paused and why); Asterisk holds
what is happening (device state, queue membership). Commands change both; AMI events update the
live facts; after every AMI resync the wanted membership is re-applied to Asterisk, so a restart
of either side converges.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cic.agents.errors import AgentNotFound, InvalidAgent
from cic.agents.models import Agent, AgentPresenceLog, AgentStatus, Queue, QueueMembership
from cic.agents.presence import STATE_LABELS_PL, Facts, State, state_of
from cic.agents.schemas import Presence
from cic.bus import Bus
from cic.db import Store
from cic.events import (
    AgentCallCompleted,
    AgentDeviceChanged,
    CallAnswered,
    CallEnded,
    CallTransferred,
    ConsultEnded,
    DomainEvent,
    QueueMemberChanged,
)
from cic.pbx_values import DisplayName, SipUri, UnsafeValue

log = logging.getLogger(__name__)
NAME_FIELD = "Imię i nazwisko"
CONTACT_FIELD = "Stały adres telefonu"


def checked_contact(value: object) -> str | None:
    """A fixed phone's SIP URI (``None`` or ``""``: the agent uses the browser softphone)."""
    return None if value is None or value == "" else SipUri.parse(value, CONTACT_FIELD)


class Keep(enum.Enum):
    """Marks an argument of :meth:`AgentService.update_agent` left unchanged."""

    KEEP = "keep"


class Pbx(Protocol):
    """The PBX operations the agents service needs."""

    async def queue_add(
        self, queue: str, interface: str, member_name: str, penalty: int = 0
    ) -> None: ...
    async def queue_remove(self, queue: str, interface: str) -> None: ...
    async def queue_pause(self, interface: str, paused: bool, reason: str = "") -> None: ...


@dataclass(frozen=True)
class AgentRecord:
    """An agent as the service hands it out."""

    username: str
    display_name: str
    endpoint: str
    static_contact: str | None
    queues: tuple[tuple[str, int], ...]

    @property
    def interface(self) -> str:
        """The Asterisk device of the agent's phone."""
        return f"PJSIP/{self.endpoint}"


def _record(session: Session, agent: Agent) -> AgentRecord:
    rows = session.execute(
        select(Queue.name, QueueMembership.penalty)
        .join(QueueMembership, QueueMembership.queue_id == Queue.id)
        .where(QueueMembership.agent_id == agent.id)
        .order_by(Queue.name)
    ).all()
    return AgentRecord(
        agent.username,
        agent.display_name,
        agent.endpoint,
        agent.static_contact,
        tuple((name, penalty) for name, penalty in rows),
    )


def _set_memberships(session: Session, agent_id: int, queues: dict[str, int]) -> None:
    """Make the agent's memberships exactly ``queues`` (``{queue name: penalty}``)."""
    rows = session.execute(
        select(QueueMembership, Queue.name)
        .join(Queue, Queue.id == QueueMembership.queue_id)
        .where(QueueMembership.agent_id == agent_id)
    ).all()
    current = {name: membership for membership, name in rows}
    for name, membership in current.items():
        if name not in queues:
            session.delete(membership)
        else:
            membership.penalty = queues[name]
    for name, penalty in queues.items():
        if name in current:
            continue
        queue = session.scalar(select(Queue).where(Queue.name == name))
        if queue is None:
            raise InvalidAgent(f"Nie ma kolejki {name!r}.")
        session.add(QueueMembership(queue_id=queue.id, agent_id=agent_id, penalty=penalty))


def _log_presence(session: Session, status: AgentStatus, logged_in: object, at: datetime) -> None:
    """Note a login or logout in ``agent_presence_log`` when it changes ``status``."""
    if isinstance(logged_in, bool) and logged_in != bool(status.logged_in):
        session.add(AgentPresenceLog(agent_id=status.agent_id, at=at, logged_in=logged_in))


class AgentService:
    """Directory and presence of agents."""

    def __init__(
        self,
        store: Store,
        bus: Bus,
        pbx: Pbx,
        *,
        wrapup_seconds: int,
        reprovision: Callable[[], Awaitable[None]] | None = None,
        pause_reasons: list[str] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.bus = bus
        self.pbx = pbx
        self.wrapup = timedelta(seconds=wrapup_seconds)
        self.reprovision = reprovision
        self.pause_reasons = list(pause_reasons or [])
        self.clock = clock
        self._agents: dict[str, AgentRecord] = {}
        self._facts: dict[str, Facts] = {}
        self._shown: dict[str, State] = {}
        self._direct: dict[str, str] = {}

    def set_pause_reasons(self, reasons: list[str]) -> None:
        """The reasons an agent may give for a pause from now on (empty: any reason)."""
        self.pause_reasons = list(reasons)

    # --- directory ---
    async def load(self) -> None:
        """Read agents and their wanted state from the store into memory."""

        def read(session: Session) -> list[tuple[AgentRecord, AgentStatus | None]]:
            agents = session.scalars(select(Agent).where(Agent.active).order_by(Agent.username))
            return [(_record(session, a), session.get(AgentStatus, a.id)) for a in agents]

        for record, status in await self.store.run(read):
            self._agents[record.username] = record
            facts = self._facts.get(record.username, Facts())
            if status is not None:
                facts = facts.with_(
                    logged_in=status.logged_in,
                    paused=status.paused,
                    pause_reason=status.pause_reason,
                )
            self._facts[record.username] = facts

    async def ensure_queue(self, name: str, title: str, strategy: str = "rrmemory") -> None:
        """Create a queue row if it does not exist yet."""

        def write(session: Session) -> None:
            if session.scalar(select(Queue).where(Queue.name == name)) is None:
                session.add(Queue(name=name, title=title, strategy=strategy))

        await self.store.run(write)

    async def queue_names(self) -> list[tuple[str, str]]:
        """(name, strategy) of every queue."""

        def read(session: Session) -> list[tuple[str, str]]:
            rows = session.execute(select(Queue.name, Queue.strategy).order_by(Queue.name))
            return [(n, s) for n, s in rows]

        return await self.store.run(read)

    async def create_agent(
        self,
        username: str,
        display_name: str,
        *,
        queues: list[str],
        static_contact: str | None = None,
        penalties: dict[str, int] | None = None,
        department_id: int | None = None,
    ) -> AgentRecord:
        """Add an agent with an endpoint and queue memberships, then reprovision Asterisk.

        The name and the contact are checked against the grammar of what reaches pjsip.conf
        (:class:`UnsafeValue`); if the renderer still refuses, the agent is removed again.
        """
        penalty_of = penalties or {}
        display_name = DisplayName.parse(display_name, NAME_FIELD)
        static_contact = checked_contact(static_contact)

        def write(session: Session) -> AgentRecord:
            if session.scalar(select(Agent).where(Agent.username == username)) is not None:
                raise InvalidAgent(f"agent {username!r} already exists")
            try:
                agent = Agent(
                    username=username,
                    display_name=display_name,
                    endpoint=Agent.endpoint_for(username),
                    static_contact=static_contact,
                    department_id=department_id,
                )
            except ValueError as exc:
                raise InvalidAgent(str(exc)) from exc
            session.add(agent)
            session.flush()
            for name in queues:
                queue = session.scalar(select(Queue).where(Queue.name == name))
                if queue is None:
                    raise InvalidAgent(f"queue {name!r} does not exist")
                session.add(
                    QueueMembership(
                        queue_id=queue.id, agent_id=agent.id, penalty=penalty_of.get(name, 0)
                    )
                )
            session.add(AgentStatus(agent_id=agent.id))
            session.flush()
            return _record(session, agent)

        record = await self.store.run(write)
        self._agents[username] = record
        self._facts.setdefault(username, Facts())
        try:
            await self._reprovision()
        except UnsafeValue:
            await self._forget(username)
            raise
        await self._publish_if_changed(username)  # the wallboard shows a new agent at once
        return record

    async def _reprovision(self) -> None:
        if self.reprovision:
            await self.reprovision()

    async def _forget(self, username: str) -> None:
        """Undo :meth:`create_agent` (its configuration was refused)."""

        def forget(session: Session) -> None:
            agent_id = session.scalar(select(Agent.id).where(Agent.username == username))
            for table in (QueueMembership, AgentStatus):
                session.execute(delete(table).where(table.agent_id == agent_id))
            session.execute(delete(Agent).where(Agent.id == agent_id))

        await self.store.run(forget)
        self._agents.pop(username, None)
        self._facts.pop(username, None)

    async def update_agent(
        self,
        username: str,
        *,
        display_name: str | None = None,
        department_id: int | Keep | None = Keep.KEEP,
        queues: dict[str, int] | None = None,
        static_contact: str | Keep | None = Keep.KEEP,
    ) -> AgentRecord:
        """Change an active agent's name, department, queues (``{queue: penalty}``) or fixed
        phone (``static_contact``, ``None``: the browser softphone).

        A logged-in agent's membership in Asterisk follows at once; a pause stays. If the
        renderer refuses the new name or contact, the old ones are written back.
        """
        before = self.get(username)
        if display_name is not None:
            display_name = DisplayName.parse(display_name, NAME_FIELD)
        if not isinstance(static_contact, Keep):
            static_contact = checked_contact(static_contact)

        def write(session: Session) -> AgentRecord:
            agent = session.scalar(select(Agent).where(Agent.username == username))
            if agent is None:
                raise AgentNotFound(username)
            if display_name is not None:
                agent.display_name = display_name
            if not isinstance(department_id, Keep):
                agent.department_id = department_id
            if queues is not None:
                _set_memberships(session, agent.id, queues)
            if not isinstance(static_contact, Keep):
                agent.static_contact = static_contact
            session.flush()
            return _record(session, agent)

        record = await self.store.run(write)
        self._agents[username] = record
        if self._facts[username].logged_in and record.queues != before.queues:
            await self._follow_membership(before, record)
        rendered = (record.display_name, record.static_contact)
        if rendered != (before.display_name, before.static_contact):
            try:
                await self._reprovision()
            except UnsafeValue:
                await self._restore(before)
                raise
        await self._publish_if_changed(username)
        return record

    async def _restore(self, before: AgentRecord) -> None:
        """Write back the name and contact of ``before`` (a new one was refused)."""

        def write(session: Session) -> AgentRecord:
            agent = session.scalar(select(Agent).where(Agent.username == before.username))
            if agent is None:
                raise AgentNotFound(before.username)
            agent.display_name, agent.static_contact = before.display_name, before.static_contact
            session.flush()
            return _record(session, agent)

        self._agents[before.username] = await self.store.run(write)

    async def _follow_membership(self, before: AgentRecord, after: AgentRecord) -> None:
        old, new = dict(before.queues), dict(after.queues)
        facts = self._facts[after.username]
        try:
            for queue in old:
                if queue not in new or old[queue] != new[queue]:
                    await self.pbx.queue_remove(queue, after.interface)
            for queue, penalty in new.items():
                if old.get(queue) != penalty:
                    await self.pbx.queue_add(queue, after.interface, after.display_name, penalty)
            if facts.paused:
                await self.pbx.queue_pause(after.interface, True, facts.pause_reason)
        except Exception:
            # The store holds the wanted membership; the next AMI resync re-applies it.
            log.exception("could not apply new queues of %s to Asterisk", after.username)

    async def deactivate_agent(self, username: str) -> None:
        """Log the agent out of every queue, mark them inactive and drop their endpoint."""
        agent = self.get(username)
        for queue, _ in agent.queues:
            try:
                await self.pbx.queue_remove(queue, agent.interface)
            except Exception:
                log.exception("could not remove %s from %s", username, queue)

        def write(session: Session) -> None:
            row = session.scalar(select(Agent).where(Agent.username == username))
            if row is None:
                raise AgentNotFound(username)
            row.active = False
            status = session.get(AgentStatus, row.id) or AgentStatus(agent_id=row.id)
            _log_presence(session, status, False, self.clock())
            status.logged_in, status.paused, status.pause_reason = False, False, ""
            status.changed_at = self.clock()
            session.add(status)

        await self.store.run(write)
        self._facts[username] = Facts(changed_at=self.clock())
        await self._publish_if_changed(username)
        del self._agents[username]
        self._facts.pop(username, None)
        self._shown.pop(username, None)
        await self._reprovision()

    async def reactivate_agent(self, username: str) -> AgentRecord:
        """Bring a deactivated agent back (logged out); the endpoint is provisioned again."""

        def write(session: Session) -> AgentRecord:
            row = session.scalar(select(Agent).where(Agent.username == username))
            if row is None:
                raise AgentNotFound(username)
            row.active = True
            return _record(session, row)

        record = await self.store.run(write)
        self._agents[username] = record
        self._facts[username] = Facts(changed_at=self.clock())
        await self._reprovision()
        return record

    async def interface_of(self, agent_id: int | None) -> str | None:
        """The device interface of the agent row ``agent_id`` (a user's linked agent)."""
        if agent_id is None:
            return None

        def read(session: Session) -> str | None:
            agent = session.get(Agent, agent_id)
            return f"PJSIP/{agent.endpoint}" if agent is not None else None

        return await self.store.run(read)

    def agents(self) -> list[AgentRecord]:
        """All active agents."""
        return sorted(self._agents.values(), key=lambda a: a.username)

    def get(self, username: str) -> AgentRecord:
        """One agent, or :class:`AgentNotFound`."""
        try:
            return self._agents[username]
        except KeyError:
            raise AgentNotFound(username) from None

    # --- presence commands ---
    async def login(self, username: str) -> Presence:
        """Put the agent's device into their queues, not paused."""
        agent = self.get(username)
        for queue, penalty in agent.queues:
            await self.pbx.queue_add(queue, agent.interface, agent.display_name, penalty)
        await self._want(username, logged_in=True, paused=False, pause_reason="")
        return self.presence(username)

    async def logout(self, username: str) -> Presence:
        """Take the agent's device out of every queue."""
        agent = self.get(username)
        for queue, _ in agent.queues:
            await self.pbx.queue_remove(queue, agent.interface)
        await self._want(username, logged_in=False, paused=False, pause_reason="")
        return self.presence(username)

    async def pause(self, username: str, reason: str) -> Presence:
        """Pause the agent with a reason (no calls are offered)."""
        reason = reason.strip()
        if not reason or len(reason) > 60:
            raise InvalidAgent("Powód przerwy: od 1 do 60 znaków.")
        if self.pause_reasons and reason not in self.pause_reasons:
            allowed = ", ".join(self.pause_reasons)
            raise InvalidAgent(f"Nieznany powód przerwy {reason!r}; dozwolone: {allowed}.")
        agent = self.get(username)
        if not self._facts[username].logged_in:
            raise InvalidAgent(f"agent {username!r} is not logged in")
        await self.pbx.queue_pause(agent.interface, True, reason)
        await self._want(username, paused=True, pause_reason=reason)
        return self.presence(username)

    async def unpause(self, username: str) -> Presence:
        """End the agent's pause."""
        agent = self.get(username)
        await self.pbx.queue_pause(agent.interface, False)
        await self._want(username, paused=False, pause_reason="")
        return self.presence(username)

    async def _want(self, username: str, **facts: Any) -> None:
        agent_username = username

        def write(session: Session) -> None:
            agent = session.scalar(select(Agent).where(Agent.username == agent_username))
            if agent is None:
                raise AgentNotFound(agent_username)
            status = session.get(AgentStatus, agent.id) or AgentStatus(agent_id=agent.id)
            _log_presence(session, status, facts.get("logged_in"), self.clock())
            for key, value in facts.items():
                setattr(status, key, value)
            status.changed_at = self.clock()
            session.add(status)

        await self.store.run(write)
        self._facts[username] = self._facts[username].with_(changed_at=self.clock(), **facts)
        await self._publish_if_changed(username)

    # --- live facts from AMI ---
    async def on_event(self, event: DomainEvent) -> None:
        """Update presence from a tracker event."""
        if isinstance(event, CallAnswered) and not event.queue:
            self._direct[event.call_id] = event.agent  # Asterisk sends no AgentComplete for these
        elif isinstance(event, CallEnded) and event.call_id in self._direct:
            event = AgentCallCompleted(event.at, self._direct.pop(event.call_id), "", event.call_id)
        elif isinstance(event, CallTransferred | ConsultEnded):
            completed = self._transfer_completion(event)
            if completed is None:
                return
            event = completed
        username = self._username_of(getattr(event, "interface", getattr(event, "agent", "")))
        if username is None:
            return
        facts = self._facts[username]
        if isinstance(event, AgentDeviceChanged):
            facts = facts.with_(device=event.state)
        elif isinstance(event, QueueMemberChanged):
            facts = facts.with_(paused=event.paused, pause_reason=event.paused_reason)
        elif isinstance(event, AgentCallCompleted):
            facts = facts.with_(wrapup_until=event.at + self.wrapup)
        else:
            return
        if facts != self._facts[username]:
            self._facts[username] = facts.with_(changed_at=event.at)
            await self._publish_if_changed(username)

    def _transfer_completion(
        self, event: CallTransferred | ConsultEnded
    ) -> AgentCallCompleted | None:
        """Wrap-up owed because of a transfer or a consult (Asterisk's queue only sends
        AgentComplete for the queue's own agent).

        The colleague who takes an attended transfer has the call like a direct one, so their
        wrap-up starts when it ends; a direct call's agent who transfers it starts theirs at
        the transfer; a colleague who only advised (consult ended) starts theirs at once.
        """
        call_id = event.call_id
        if isinstance(event, ConsultEnded):
            if not event.answered:
                return None
            return AgentCallCompleted(event.at, event.target, "", call_id)
        earlier = self._direct.pop(call_id, None)
        if event.kind == "attended" and event.to_agent:
            self._direct[call_id] = event.to_agent
        if earlier and earlier != event.to_agent:
            return AgentCallCompleted(event.at, earlier, "", call_id)
        return None

    async def on_resync(self, _live: frozenset[str], _at: datetime) -> None:
        """After an AMI (re)connect: re-apply wanted membership and pauses to Asterisk."""
        for agent in self.agents():
            await self._apply_wanted(agent)

    async def _apply_wanted(self, agent: AgentRecord, *, unpause: bool = False) -> None:
        """Membership and pause as wanted; ``unpause`` also ends a pause Asterisk may hold."""
        facts = self._facts[agent.username]
        try:
            if facts.logged_in:
                for queue, penalty in agent.queues:
                    await self.pbx.queue_add(queue, agent.interface, agent.display_name, penalty)
                if facts.paused or unpause:
                    await self.pbx.queue_pause(agent.interface, facts.paused, facts.pause_reason)
            else:
                for queue, _ in agent.queues:
                    await self.pbx.queue_remove(queue, agent.interface)
        except Exception:
            log.exception("could not re-apply membership of %s", agent.username)

    async def follow_store(self) -> list[str]:
        """Apply to this node what another controller changed (several Asterisk nodes behind
        Kamailio, one controller each, one database): agents added, changed or deactivated
        there are provisioned on this node; agents whose wanted login or pause in the database
        differs from what this controller knows join, leave or pause in this node's queues,
        so a standby node has the endpoints and members when it takes over. The usernames
        whose wanted state changed."""

        def wanted(facts: Facts) -> tuple[bool, bool, str]:
            return facts.logged_in, facts.paused, facts.pause_reason

        before = {username: wanted(facts) for username, facts in self._facts.items()}
        directory = dict(self._agents)
        await self.load()
        active = await self.store.run(
            lambda session: set(session.scalars(select(Agent.username).where(Agent.active)))
        )
        for gone in set(self._agents) - active:  # deactivated through another controller
            self._agents.pop(gone)
        if self._agents != directory and self.reprovision:
            await self.reprovision()  # new, changed or removed endpoints on this node too
        changed = [
            agent.username
            for agent in self.agents()
            if before.get(agent.username, wanted(Facts())) != wanted(self._facts[agent.username])
        ]
        for username in changed:
            await self._apply_wanted(self._agents[username], unpause=True)
            await self._publish_if_changed(username)
        return changed

    async def tick(self) -> None:
        """Publish presence changes that happen by time alone (wrap-up ending)."""
        for username in list(self._facts):
            await self._publish_if_changed(username)

    # --- queries ---
    def is_available(self, interface: str) -> bool:
        """True when the agent behind ``interface`` can take a call right now."""
        username = self._username_of(interface)
        return username is not None and self.state(username) is State.AVAILABLE

    def state(self, username: str) -> State:
        """The agent's presence state now."""
        return state_of(self._facts[username], self.clock())

    def presence(self, username: str) -> Presence:
        """The agent's presence as JSON."""
        agent = self.get(username)
        facts = self._facts[username]
        state = self.state(username)
        return {
            "username": username,
            "display_name": agent.display_name,
            "interface": agent.interface,
            "state": state.value,
            "label": STATE_LABELS_PL[state],
            "pause_reason": facts.pause_reason if state is State.PAUSED else "",
            "device": facts.device,
            "since": facts.changed_at.isoformat() if facts.changed_at else None,
            "queues": [{"queue": q, "penalty": p} for q, p in agent.queues],
        }

    def _username_of(self, interface: str) -> str | None:
        if not interface.startswith("PJSIP/agent-"):
            return None
        username = interface.removeprefix("PJSIP/agent-")
        return username if username in self._facts else None

    async def _publish_if_changed(self, username: str) -> None:
        state = self.state(username)
        if self._shown.get(username) is state:
            return
        self._shown[username] = state
        try:
            await self.bus.publish("agent", {"type": "AgentPresence", **self.presence(username)})
        except Exception:
            log.exception("could not publish presence of %s", username)


async def run_follower(service: AgentService, interval: float = 2.0) -> None:
    """Call ``service.follow_store`` forever (one controller of several nodes)."""
    while True:
        await asyncio.sleep(interval)
        try:
            await service.follow_store()
        except Exception:
            log.exception("following the agents' wanted state in the database failed")


async def run_ticker(service: AgentService, interval: float = 1.0) -> None:
    """Call ``service.tick`` forever (wrap-up ends are time-driven)."""
    while True:
        await asyncio.sleep(interval)
        try:
            await service.tick()
        except Exception:
            log.exception("presence tick failed")
