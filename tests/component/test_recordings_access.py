"""Playback of recordings through a real aiohttp server: roles, traversal, Range, audit, holds.

Recordings are made-up bytes in a temporary recordings root; calls and recording rows are
written to a real SQLite database like the calls domain writes them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from cic.auth.models import AuditEntry
from cic.calls.models import Call, Recording
from cic.db import Store, migrate
from cic.recordings.models import RecordingChannel
from cic.recordings.service import RecordingsService
from cic.recordings.views import routes
from cic.web.errors import error_middleware
from tests.component.test_kb_views import fake_auth

Client = TestClient[Any, Any]
CALL = "1764763200.7"
AUDIO = bytes(range(256)) * 64  # 16 KiB of recognisable bytes


def as_(role: str, **extra: str) -> dict[str, str]:
    return {"X-Test-Role": role, **extra}


def _add_call(store: Store, call_id: str, path: Path | str, speaker_files: bool = False) -> None:
    def work(session: Any) -> None:
        session.add(Call(call_id=call_id, ended_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC)))
        session.flush()
        session.add(
            Recording(
                call_id=call_id, path=str(path), bytes=len(AUDIO), duration_seconds=1.0,
                sha256="0" * 64, kind="call",
            )
        )  # fmt: skip
        if speaker_files:
            session.add(
                RecordingChannel(
                    call_id=call_id, speaker="resident", path=str(path), bytes=len(AUDIO),
                    duration_seconds=1.0, sha256="0" * 64,
                )
            )  # fmt: skip

    store.run_sync(work)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[Client, Store, Path]]:
    root = tmp_path / "recordings"
    day = root / "2026" / "12" / "03"
    day.mkdir(parents=True)
    (day / f"{CALL}.wav").write_bytes(AUDIO)
    outside = tmp_path / "secret.txt"
    outside.write_text("poufne")
    os.symlink(outside, day / "link.wav")
    url = f"sqlite:///{tmp_path / 'cic.db'}"
    migrate(url)
    store = Store(url)
    _add_call(store, CALL, day / f"{CALL}.wav", speaker_files=True)
    _add_call(store, "1764763200.8", day / "link.wav")  # a symlink pointing out of the root
    _add_call(store, "1764763200.9", outside)  # a row naming a file outside the root
    service = RecordingsService(store, root, playback_roles=("supervisor",))
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(routes(service, ("supervisor",)))
    async with TestClient(TestServer(app)) as client:
        yield client, store, root
    await store.close()


def _audit(store: Store, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    rows = store.run_sync(
        lambda s: [
            (e.actor, e.target, e.detail)
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action == action))
        ]
    )
    return rows


async def test_supervisor_plays_and_each_playback_is_audited(
    env: tuple[Client, Store, Path],
) -> None:
    client, store, _root = env
    for _ in range(2):
        response = await client.get(f"/api/calls/{CALL}/recording", headers=as_("supervisor"))
        assert response.status == 200
        assert await response.read() == AUDIO
    assert response.headers["Cache-Control"] == "no-store"
    admin = await client.get(f"/api/calls/{CALL}/recording/resident", headers=as_("admin"))
    assert admin.status == 200 and await admin.read() == AUDIO
    assert _audit(store, "recording_played") == [
        ("u-supervisor", CALL, {"speaker": "mixed"}),
        ("u-supervisor", CALL, {"speaker": "mixed"}),
        ("u-admin", CALL, {"speaker": "resident"}),
    ]


async def test_range_requests_get_206_and_the_right_bytes(
    env: tuple[Client, Store, Path],
) -> None:
    client, _store, _root = env
    response = await client.get(
        f"/api/calls/{CALL}/recording", headers=as_("supervisor", Range="bytes=1000-1999")
    )
    assert response.status == 206
    assert await response.read() == AUDIO[1000:2000]
    assert response.headers["Content-Range"] == f"bytes 1000-1999/{len(AUDIO)}"
    tail = await client.get(
        f"/api/calls/{CALL}/recording", headers=as_("supervisor", Range="bytes=-100")
    )
    assert tail.status == 206 and await tail.read() == AUDIO[-100:]


@pytest.mark.parametrize("role", ["agent", "specialist"])
async def test_roles_without_permission_are_refused(
    env: tuple[Client, Store, Path], role: str
) -> None:
    client, store, _root = env
    response = await client.get(f"/api/calls/{CALL}/recording", headers=as_(role))
    assert response.status == 403
    assert AUDIO[:64] not in await response.read()
    assert (await client.get(f"/api/calls/{CALL}/recording")).status == 401
    assert _audit(store, "recording_played") == []
    # the refusal is on record: who, which call, why
    assert _audit(store, "recording_refused") == [
        (f"u-{role}", CALL, {"role": role, "error": "forbidden"})
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/api/calls/..%2F..%2Fetc%2Fpasswd/recording",
        "/api/calls/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd/recording",
        "/api/calls/%252E%252E%252Fetc%252Fpasswd/recording",
        "/api/calls/%2Fetc%2Fpasswd/recording",
        "/api/calls/..%5C..%5Cetc%5Cpasswd/recording",
        "/api/calls/../../etc/passwd/recording",
        "/api/calls/..%00/recording",
        f"/api/calls/{CALL}/recording/..%2F..%2Fsecret.txt",
        f"/api/calls/{CALL}/recording/%2Fetc%2Fpasswd",
    ],
)
async def test_traversal_attempts_are_refused(env: tuple[Client, Store, Path], path: str) -> None:
    client, store, _root = env
    response = await client.get(path, headers=as_("supervisor"))
    assert response.status in (400, 404)
    body = await response.read()
    assert b"root:" not in body and b"poufne" not in body
    assert _audit(store, "recording_played") == []
    if response.status == 400:  # reached the service (a 404 never matched a route): audited
        [(actor, _target, detail)] = _audit(store, "recording_refused")
        assert actor == "u-supervisor" and detail["error"] == "unsafe_path"


@pytest.mark.parametrize("call_id", ["1764763200.8", "1764763200.9"])
async def test_files_outside_the_root_are_refused_even_from_the_record(
    env: tuple[Client, Store, Path], call_id: str
) -> None:
    client, store, _root = env
    response = await client.get(f"/api/calls/{call_id}/recording", headers=as_("supervisor"))
    assert response.status == 400
    assert (await response.json())["error"] == "unsafe_path"
    assert _audit(store, "recording_refused") == [
        ("u-supervisor", call_id, {"speaker": "mixed", "error": "unsafe_path"})
    ]


async def test_legal_hold_is_set_and_cleared_by_a_supervisor_and_audited(
    env: tuple[Client, Store, Path],
) -> None:
    client, store, _root = env
    url = f"/api/calls/{CALL}/legal-hold"
    refused = await client.put(url, json={"held": True}, headers=as_("agent"))
    assert refused.status == 403
    body = {"held": True, "reason": "postępowanie sądowe"}
    response = await client.put(url, json=body, headers=as_("supervisor"))
    assert response.status == 200 and await response.json() == {"call_id": CALL, "held": True}
    cleared = await client.put(url, json={"held": False}, headers=as_("supervisor"))
    assert (await cleared.json())["held"] is False
    bad = await client.put(url, json={"held": "tak"}, headers=as_("supervisor"))
    assert bad.status == 400
    unknown = await client.put(
        "/api/calls/1764763299.1/legal-hold", json={"held": True}, headers=as_("supervisor")
    )
    assert unknown.status == 404
    assert _audit(store, "legal_hold_set") == [
        ("u-supervisor", CALL, {"reason": "postępowanie sądowe"})
    ]
    assert [a[:2] for a in _audit(store, "legal_hold_cleared")] == [("u-supervisor", CALL)]


async def test_transcript_and_topic_corrections_over_http(
    env: tuple[Client, Store, Path],
) -> None:
    client, store, _root = env
    url = f"/api/calls/{CALL}/transcript"
    assert (await client.get(url, headers=as_("agent"))).status == 403
    missing = await client.get(url, headers=as_("supervisor"))
    assert missing.status == 404 and (await missing.json())["error"] == "recording_not_found"
    malformed = await client.get("/api/calls/..%2Fx/transcript", headers=as_("supervisor"))
    assert malformed.status == 400
    assert _audit(store, "transcript_refused") == [
        ("u-agent", CALL, {"role": "agent", "error": "forbidden"}),
        ("u-supervisor", CALL, {"role": "supervisor", "error": "recording_not_found"}),
        ("u-supervisor", "../x", {"role": "supervisor", "error": "unsafe_path"}),
    ]
    topics = f"/api/calls/{CALL}/topics"
    assert (
        await client.put(topics, json={"topics": ["meldunek"]}, headers=as_("agent"))
    ).status == 403
    bad = await client.put(topics, json={"topics": "meldunek"}, headers=as_("supervisor"))
    assert bad.status == 400
    done = await client.put(topics, json={"topics": ["meldunek"]}, headers=as_("supervisor"))
    assert done.status == 200
    assert [(t["topic_id"], t["source"], t["created_by"]) for t in await done.json()] == [
        ("meldunek", "supervisor", "u-supervisor")
    ]
