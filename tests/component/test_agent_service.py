"""The agents service against a real SQLite store and a recording fake PBX."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.agents.errors import InvalidAgent
from cic.agents.models import AgentPresenceLog
from cic.agents.service import AgentService
from cic.bus import InProcessBus
from cic.db import Store
from cic.events import (
    AgentCallCompleted,
    AgentDeviceChanged,
    CallAnswered,
    CallEnded,
    CallTransferred,
    ConsultEnded,
)
from cic.pbx_values import UnsafeValue

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class FakePbx:
    """Records the AMI operations asked of it."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    async def queue_add(
        self, queue: str, interface: str, member_name: str, penalty: int = 0
    ) -> None:
        self.calls.append(("add", queue, interface))

    async def queue_remove(self, queue: str, interface: str) -> None:
        self.calls.append(("remove", queue, interface))

    async def queue_pause(self, interface: str, paused: bool, reason: str = "") -> None:
        self.calls.append(("pause", interface, paused, reason))


@pytest.fixture
async def service(tmp_path: Path) -> AgentService:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    now = {"t": T0}
    svc = AgentService(store, InProcessBus(), FakePbx(), wrapup_seconds=30, clock=lambda: now["t"])
    svc.now = now  # type: ignore[attr-defined]
    await svc.ensure_queue("pierwsza-linia", "Pierwsza linia")
    await svc.create_agent("anna", "Anna Testowa", queues=["pierwsza-linia"])
    return svc


async def test_login_pause_logout_drive_the_pbx_and_presence(service: AgentService) -> None:
    pbx: FakePbx = service.pbx  # type: ignore[assignment]
    assert service.state("anna") == "offline"
    await service.login("anna")
    await service.on_event(AgentDeviceChanged(T0, "PJSIP/agent-anna", "NOT_INUSE"))
    assert service.is_available("PJSIP/agent-anna")
    await service.pause("anna", "szkolenie")
    assert service.presence("anna")["state"] == "paused"
    assert service.presence("anna")["pause_reason"] == "szkolenie"
    assert not service.is_available("PJSIP/agent-anna")
    await service.unpause("anna")
    await service.logout("anna")
    assert pbx.calls == [
        ("add", "pierwsza-linia", "PJSIP/agent-anna"),
        ("pause", "PJSIP/agent-anna", True, "szkolenie"),
        ("pause", "PJSIP/agent-anna", False, ""),
        ("remove", "pierwsza-linia", "PJSIP/agent-anna"),
    ]


async def test_wanted_state_survives_a_restart_and_is_reapplied(service: AgentService) -> None:
    await service.login("anna")
    await service.pause("anna", "przerwa")
    again = AgentService(service.store, InProcessBus(), FakePbx(), wrapup_seconds=30)
    await again.load()
    await again.on_resync(frozenset(), T0)
    assert again.pbx.calls == [  # type: ignore[attr-defined]
        ("add", "pierwsza-linia", "PJSIP/agent-anna"),
        ("pause", "PJSIP/agent-anna", True, "przerwa"),
    ]


async def test_wrapup_after_queue_call_and_after_direct_call(service: AgentService) -> None:
    await service.login("anna")
    await service.on_event(AgentDeviceChanged(T0, "PJSIP/agent-anna", "NOT_INUSE"))
    await service.on_event(AgentCallCompleted(T0, "PJSIP/agent-anna", "pierwsza-linia", "c1"))
    assert service.state("anna") == "wrapup"
    service.now["t"] = T0 + timedelta(seconds=31)  # type: ignore[attr-defined]
    assert service.state("anna") == "available"
    # A returning caller's call is Dial()led straight to the agent: no AgentComplete comes.
    later = T0 + timedelta(seconds=60)
    await service.on_event(CallAnswered(later, "c2", "", "PJSIP/agent-anna", 1.0))
    await service.on_event(CallEnded(later + timedelta(seconds=5), "c2", "Normal", 5.0))
    service.now["t"] = later + timedelta(seconds=10)  # type: ignore[attr-defined]
    assert service.state("anna") == "wrapup"


async def test_wrapup_after_transfers_and_consults(service: AgentService) -> None:
    await service.create_agent("bogdan", "Bogdan Testowy", queues=["pierwsza-linia"])
    await service.create_agent("celina", "Celina Testowa", queues=["pierwsza-linia"])
    for name in ("anna", "bogdan", "celina"):
        await service.login(name)
        await service.on_event(AgentDeviceChanged(T0, f"PJSIP/agent-{name}", "NOT_INUSE"))
    anna, bogdan, celina = (f"PJSIP/agent-{n}" for n in ("anna", "bogdan", "celina"))

    def at(seconds: int) -> datetime:
        service.now["t"] = T0 + timedelta(seconds=seconds)  # type: ignore[attr-defined]
        return T0 + timedelta(seconds=seconds)

    # A direct call (returning caller) that Anna hands over to Bogdan, attended.
    await service.on_event(CallAnswered(at(0), "c1", "", anna, 1.0))
    await service.on_event(CallTransferred(at(20), "c1", "attended", anna, bogdan, bogdan))
    assert (service.state("anna"), service.state("bogdan")) == ("wrapup", "available")
    await service.on_event(CallEnded(at(100), "c1", "Normal", 80.0))
    assert (service.state("anna"), service.state("bogdan")) == ("available", "wrapup")
    # Celina only advised Anna on a queue call: her wrap-up starts when the consult ends.
    await service.on_event(ConsultEnded(at(200), "c2", anna, celina, True))
    assert service.state("celina") == "wrapup"
    # An unanswered consult owes nobody a wrap-up.
    await service.on_event(ConsultEnded(at(300), "c3", anna, bogdan, False))
    assert service.state("bogdan") == "available"
    # A blind transfer of a direct call ends Anna's part at the transfer.
    await service.on_event(CallAnswered(at(400), "c4", "", anna, 1.0))
    await service.on_event(CallTransferred(at(410), "c4", "blind", anna, "", "cic-blind/q-x"))
    assert service.state("anna") == "wrapup"
    await service.on_event(CallEnded(at(500), "c4", "Normal", 90.0))  # nobody else owes one
    assert {service.state(n) for n in ("anna", "bogdan", "celina")} == {"available"}


async def test_bad_requests_are_refused(service: AgentService) -> None:
    with pytest.raises(InvalidAgent):
        await service.pause("anna", "przerwa")  # not logged in
    await service.login("anna")
    with pytest.raises(InvalidAgent):
        await service.pause("anna", "   ")
    with pytest.raises(InvalidAgent):
        await service.create_agent("anna", "Druga Anna", queues=["pierwsza-linia"])
    with pytest.raises(InvalidAgent):
        await service.create_agent("Zła Nazwa", "X", queues=["pierwsza-linia"])
    with pytest.raises(InvalidAgent):
        await service.create_agent("bartek", "Bartek", queues=["nie-ma-takiej"])


async def test_pause_reason_must_be_on_the_office_list(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    svc = AgentService(store, InProcessBus(), FakePbx(), wrapup_seconds=30,
                       pause_reasons=["przerwa", "szkolenie"])  # fmt: skip
    await svc.ensure_queue("pierwsza-linia", "Pierwsza linia")
    await svc.create_agent("ola", "Ola Testowa", queues=["pierwsza-linia"])
    await svc.login("ola")
    with pytest.raises(InvalidAgent, match="Nieznany powód"):
        await svc.pause("ola", "drzemka")
    assert (await svc.pause("ola", "szkolenie"))["state"] == "paused"


# --- values that reach pjsip.conf ----------------------------------------------------------
INJECTED = "sip:agent-ewa@127.0.0.1:5080\n[evil]\ntype=endpoint"


@pytest.fixture
async def provisioned(tmp_path: Path) -> tuple[AgentService, Path]:
    """The service with the real renderer as its reprovisioning (no Asterisk to reload)."""
    from cic.asterisk import provision
    from cic.config import load_settings
    from cic.credentials import Credentials

    settings = load_settings(environ={"CIC_STATE_DIR": str(tmp_path / "state")})
    layout = provision.Layout(tmp_path / "root", "unit")
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    holder: list[AgentService] = []

    async def reprovision() -> None:
        specs = [
            provision.EndpointSpec(a.endpoint, a.display_name, a.static_contact)
            for a in holder[0].agents()
        ]
        queues = [provision.QueueSpec(n, s) for n, s in await holder[0].queue_names()]
        provision.render(settings, layout, Credentials(settings.secrets_path), specs, queues)

    svc = AgentService(store, InProcessBus(), FakePbx(), wrapup_seconds=30, reprovision=reprovision)
    holder.append(svc)
    await svc.ensure_queue("pierwsza-linia", "Pierwsza linia")
    await svc.create_agent("anna", "Anna", queues=["pierwsza-linia"], static_contact="sip:a@b")
    return svc, layout.host(f"{layout.inst}/etc")


def _files(etc: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in etc.iterdir()}


async def _agents_in_store(svc: AgentService) -> list[str]:
    from sqlalchemy import select

    from cic.agents.models import Agent

    return await svc.store.run(lambda s: list(s.scalars(select(Agent.username))))


@pytest.mark.parametrize(
    ("name", "contact", "field"),
    [
        ("Ewa", INJECTED, "Stały adres telefonu"),
        ("Ewa", "sip:x@10.0.0.1;evil", "Stały adres telefonu"),
        ("Ewa\n[evil]", None, "Imię i nazwisko"),
        ("Ewa ${SHELL(id)}", None, "Imię i nazwisko"),
    ],
)
async def test_injection_is_refused_before_anything_is_stored(
    provisioned: tuple[AgentService, Path], name: str, contact: str | None, field: str
) -> None:
    svc, etc = provisioned
    before = _files(etc)
    with pytest.raises(UnsafeValue, match=f"^{field}: "):
        await svc.create_agent("ewa", name, queues=["pierwsza-linia"], static_contact=contact)
    with pytest.raises(UnsafeValue, match=f"^{field}: "):
        await svc.update_agent(
            "anna", **({"static_contact": contact} if contact else {"display_name": name})
        )
    assert await _agents_in_store(svc) == ["anna"]
    assert [a.username for a in svc.agents()] == ["anna"]
    assert svc.get("anna").static_contact == "sip:a@b" and svc.get("anna").display_name == "Anna"
    assert _files(etc) == before


async def test_a_missed_validator_is_caught_by_the_renderer_and_undone(
    provisioned: tuple[AgentService, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the service's check the renderer refuses; the agent is not left half made."""
    import cic.agents.service as agents_service

    svc, etc = provisioned
    before = _files(etc)
    monkeypatch.setattr(agents_service, "checked_contact", lambda value: value)
    with pytest.raises(UnsafeValue, match=r"^Stały adres telefonu \(agent-ewa\): "):
        await svc.create_agent("ewa", "Ewa", queues=["pierwsza-linia"], static_contact=INJECTED)
    assert await _agents_in_store(svc) == ["anna"] and "ewa" not in svc._agents
    with pytest.raises(UnsafeValue, match=r"^Stały adres telefonu \(agent-anna\): "):
        await svc.update_agent("anna", static_contact=INJECTED)
    assert svc.get("anna").static_contact == "sip:a@b"
    assert _files(etc) == before
    await svc.create_agent("ewa", "Ewa", queues=["pierwsza-linia"])  # the PBX still provisions
    assert "[agent-ewa]" in (etc / "pjsip.conf").read_text()
    await svc.update_agent("anna", static_contact=None)
    assert (await svc.store.run(lambda s: _contact(s, "anna"))) is None


def _contact(session: Any, username: str) -> str | None:
    from sqlalchemy import select

    from cic.agents.models import Agent

    return session.scalar(select(Agent.static_contact).where(Agent.username == username))


async def test_logins_and_logouts_are_kept_in_the_presence_log(service: AgentService) -> None:
    def history(session: Session) -> list[tuple[datetime, bool]]:
        rows = session.execute(
            select(AgentPresenceLog.at, AgentPresenceLog.logged_in).order_by(AgentPresenceLog.id)
        )
        return [(at, logged_in) for at, logged_in in rows]

    now: dict[str, datetime] = service.now  # type: ignore[attr-defined]
    await service.login("anna")
    now["t"] = T0 + timedelta(minutes=5)
    await service.login("anna")  # already logged in: no new entry
    await service.pause("anna", "przerwa")  # a pause is not a logout
    await service.unpause("anna")
    now["t"] = T0 + timedelta(hours=2)
    await service.logout("anna")
    now["t"] = T0 + timedelta(hours=3)
    await service.login("anna")
    now["t"] = T0 + timedelta(hours=4)
    await service.deactivate_agent("anna")
    assert await service.store.run(history) == [
        (T0, True),
        (T0 + timedelta(hours=2), False),
        (T0 + timedelta(hours=3), True),
        (T0 + timedelta(hours=4), False),
    ]


async def test_a_second_nodes_controller_follows_logins_made_through_the_first(
    service: AgentService,
) -> None:
    """Two nodes behind Kamailio, one controller each, one database: what an agent does
    through controller A reaches node B's queues, so B has the members when it takes over."""
    other = AgentService(service.store, InProcessBus(), FakePbx(), wrapup_seconds=30)
    await other.load()
    assert await other.follow_store() == []
    await service.login("anna")
    assert await other.follow_store() == ["anna"]
    await service.pause("anna", "przerwa")
    await other.follow_store()
    await service.unpause("anna")
    await other.follow_store()
    await service.logout("anna")
    assert await other.follow_store() == ["anna"]
    assert await other.follow_store() == []  # nothing new: nothing sent again
    assert other.pbx.calls == [  # type: ignore[attr-defined]
        ("add", "pierwsza-linia", "PJSIP/agent-anna"),
        ("pause", "PJSIP/agent-anna", False, ""),
        ("add", "pierwsza-linia", "PJSIP/agent-anna"),
        ("pause", "PJSIP/agent-anna", True, "przerwa"),
        ("add", "pierwsza-linia", "PJSIP/agent-anna"),
        ("pause", "PJSIP/agent-anna", False, ""),
        ("remove", "pierwsza-linia", "PJSIP/agent-anna"),
    ]


async def test_agents_added_or_removed_through_the_first_node_are_provisioned_here(
    service: AgentService,
) -> None:
    provisioned: list[int] = []

    async def reprovision() -> None:
        provisioned.append(1)

    other = AgentService(
        service.store, InProcessBus(), FakePbx(), wrapup_seconds=30, reprovision=reprovision
    )
    await other.load()
    await other.follow_store()
    assert provisioned == []
    await service.create_agent("bogdan", "Bogdan Testowy", queues=["pierwsza-linia"])
    await other.follow_store()
    assert provisioned == [1] and "bogdan" in {a.username for a in other.agents()}
    await service.deactivate_agent("bogdan")
    await other.follow_store()
    assert provisioned == [1, 1] and "bogdan" not in {a.username for a in other.agents()}
