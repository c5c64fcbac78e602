"""The first ``cic up``: the demo konsultant gets an agent with a browser phone in the first
line; a later run changes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.agents.models import Agent, AgentStatus, Queue, QueueMembership
from cic.asterisk.provision import EndpointSpec
from cic.auth.models import User
from cic.cli import demo_accounts, lifecycle
from cic.cli.users import ensure_demo_users
from cic.config import Settings, load_settings
from cic.db import Store
from cic.demo.pcap import audio_seconds, wav_to_pcap

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def settings_for(tmp_path: Path, db_url: str) -> Settings:
    return load_settings(environ={"CIC_STATE_DIR": str(tmp_path), "CIC_DATABASE_URL": db_url})


def snapshot(db: Session) -> dict[str, Any]:
    """Users (with their agent), agents, queues, memberships and wanted presence."""
    agents = {a.id: a.username for a in db.scalars(select(Agent))}
    queues = {q.id: q.name for q in db.scalars(select(Queue))}
    return {
        "users": sorted(
            (u.username, u.role, agents.get(u.agent_id or 0)) for u in db.scalars(select(User))
        ),
        "agents": sorted(
            (a.username, a.display_name, a.endpoint, a.static_contact, a.active)
            for a in db.scalars(select(Agent))
        ),
        "queues": sorted((q.name, q.title) for q in db.scalars(select(Queue))),
        "members": sorted(
            (agents[m.agent_id], queues[m.queue_id], m.penalty)
            for m in db.scalars(select(QueueMembership))
        ),
        "status": sorted(
            (agents[s.agent_id], s.logged_in, s.paused) for s in db.scalars(select(AgentStatus))
        ),
    }


def read(settings: Settings) -> dict[str, Any]:
    store = Store(settings.db_url)
    try:
        return store.run_sync(snapshot)
    finally:
        store.engine.dispose()


def test_first_run_links_the_konsultant_to_a_browser_agent_and_a_second_changes_nothing(
    tmp_path: Path, db_url: str
) -> None:
    settings = settings_for(tmp_path, db_url)
    made = ensure_demo_users(settings)
    assert [(u, r) for u, r, _ in made] == [
        ("admin", "admin"), ("kierownik", "supervisor"), ("konsultant", "agent"),
    ]  # fmt: skip
    first = read(settings)
    assert first == {
        "users": [("admin", "admin", None), ("kierownik", "supervisor", None),
                  ("konsultant", "agent", "konsultant")],
        "agents": [("konsultant", "Konsultant Demo", "agent-konsultant", None, True)],
        "queues": [("pierwsza-linia", "Pierwsza linia")],
        "members": [("konsultant", "pierwsza-linia", 0)],
        "status": [("konsultant", False, False)],  # logged out until "Dostępny"
    }  # fmt: skip
    # Rendered from the start: a WebRTC endpoint (no fixed contact) with its generated secret.
    specs, queues = lifecycle._specs(settings)
    assert specs == [EndpointSpec("agent-konsultant", "Konsultant Demo", None)]
    assert [q.name for q in queues] == ["pierwsza-linia"]

    assert ensure_demo_users(settings) == []  # the second `cic up`
    assert read(settings) == first

    store = Store(settings.db_url)
    try:
        removed = store.run_sync(lambda db: demo_accounts.remove(db, T0))
    finally:
        store.engine.dispose()
    assert removed == ["admin", "kierownik", "konsultant"]
    assert read(settings)["agents"] == [
        ("konsultant", "Konsultant Demo", "agent-konsultant", None, False)
    ]
    assert lifecycle._specs(settings)[0] == []  # no endpoint at the next `cic up`


def test_an_agent_of_the_office_called_konsultant_is_not_handed_to_the_demo_account(
    tmp_path: Path, db_url: str
) -> None:
    settings = settings_for(tmp_path, db_url)
    store = Store(settings.db_url)
    store.migrate()

    def own(db: Session) -> None:
        db.add(Agent(username="konsultant", display_name="Anna Urzędowa",
                     endpoint="agent-konsultant", static_contact="sip:anna@10.0.0.5"))  # fmt: skip

    store.run_sync(own)
    store.engine.dispose()
    assert len(ensure_demo_users(settings)) == 3
    after = read(settings)
    assert ("konsultant", "agent", None) in after["users"]
    assert after["agents"] == [
        ("konsultant", "Anna Urzędowa", "agent-konsultant", "sip:anna@10.0.0.5", True)
    ]
    assert after["members"] == []
    store = Store(settings.db_url)
    try:
        store.run_sync(lambda db: demo_accounts.remove(db, T0))
    finally:
        store.engine.dispose()
    assert read(settings)["agents"][0][-1] is True  # the office's agent stays active


def test_an_office_with_accounts_gets_no_demo_agent(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'cic.db'}")
    store = Store(settings.db_url)
    store.migrate()
    store.run_sync(lambda db: db.add(User(username="ewa", display_name="Ewa", role="admin",
                                          password_hash="x")))  # fmt: skip
    store.engine.dispose()
    assert ensure_demo_users(settings) == []
    assert read(settings)["agents"] == []


def test_the_speech_length_is_read_from_the_pcap(tmp_path: Path) -> None:
    wav = tmp_path / "cisza.wav"
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(wav), "trim", "0", "1.5"],
        check=True, capture_output=True,
    )  # fmt: skip
    assert wav_to_pcap(wav, tmp_path / "cisza.pcap") == 75
    assert audio_seconds(tmp_path / "cisza.pcap") == 1.5
