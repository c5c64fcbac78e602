"""Wiring of the recordings and post-call plugins: a ``RecordingAttached`` call recording on
the bus becomes one post-call job; the routes are installed; recordings without a job are
queued at start-up; the settings parse."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cic.asterisk.provision import Layout
from cic.bus import InProcessBus
from cic.calls.models import Call, Recording
from cic.config import ConfigError, Settings, SpeechSettings, load_settings
from cic.db import Store, migrate
from cic.postcall import plugin as postcall_plugin
from cic.recordings import plugin as recordings_plugin
from cic.supervisor import Supervisor
from cic.web.errors import error_middleware
from tests.component.test_kb_views import fake_auth


def _record(store: Store, call_id: str, path: str) -> None:
    def work(session: Any) -> None:
        session.add(Call(call_id=call_id))
        session.flush()
        session.add(
            Recording(
                call_id=call_id, path=path, bytes=100, duration_seconds=1.0,
                sha256="0" * 64, kind="call",
            )
        )  # fmt: skip

    store.run_sync(work)


async def _jobs(app: web.Application) -> list[tuple[str, str]]:
    return [
        (j["call_id"], j["recording_path"])
        for j in await app[postcall_plugin.POST_CALL].list_jobs()
    ]


async def test_attached_recordings_become_jobs_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cic.db'}"
    migrate(url)
    store = Store(url)
    _record(store, "1764763200.1", "/rec/1764763200.1.wav")  # attached while nobody listened
    bus = InProcessBus()
    settings = Settings(speech=SpeechSettings(workers=0, recordings_root=str(tmp_path)))
    supervisor = Supervisor()
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    recordings_plugin.install(
        app, recordings_plugin.RecordingsDeps(settings, Layout(tmp_path, "test"), store, supervisor)
    )
    postcall_plugin.install(app, postcall_plugin.PostCallDeps(settings, store, bus, supervisor))
    async with TestClient(TestServer(app)) as client:
        assert await _jobs(app) == [("1764763200.1", "/rec/1764763200.1.wav")]
        message = {"type": "RecordingAttached", "call_id": "1764763200.2", "kind": "call"}
        await bus.publish("call", {**message, "path": "/rec/1764763200.2.wav"})
        await bus.publish("call", {**message, "path": "/rec/1764763200.2.wav"})  # again
        await bus.publish("call", {**message, "kind": "message", "path": "/rec/m.wav"})
        await bus.publish("call", {"type": "CallEnded", "call_id": "1764763200.3"})
        # Messages are handled in order: once this last one's job is there, every message
        # before it has been handled (no waiting "long enough" for jobs that must not come).
        await bus.publish("call", {**message, "call_id": "1764763200.4", "path": "/rec/4.wav"})
        for _ in range(200):
            if ("1764763200.4", "/rec/4.wav") in await _jobs(app):
                break
            await asyncio.sleep(0.02)
        assert sorted(await _jobs(app)) == [
            ("1764763200.1", "/rec/1764763200.1.wav"),
            ("1764763200.2", "/rec/1764763200.2.wav"),
            ("1764763200.4", "/rec/4.wav"),
        ]
        listed = await client.get(
            "/api/post-call-jobs?status=queued", headers={"X-Test-Role": "supervisor"}
        )
        assert listed.status == 200 and len(await listed.json()) == 3
        refused = await client.get("/api/post-call-jobs", headers={"X-Test-Role": "agent"})
        assert refused.status == 403
        not_failed = await client.post(
            "/api/post-call-jobs/1/retry", headers={"X-Test-Role": "supervisor"}
        )
        assert not_failed.status == 409
        assert (await not_failed.json())["error"] == "job_not_retryable"
        running = {t.name for t in supervisor.states() if t.status == "running"}
        assert {"cic-recordings-follow", "cic-recording-folders", "cic-retention"} <= running
    # the app's clean-up stopped every loop it had started
    assert {t.status for t in supervisor.states()} == {"stopped"}
    await bus.close()
    await store.close()


def test_speech_settings_from_yaml_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "cic.yaml"
    config.write_text(
        "speech:\n  stt: {engine: whisper, model_dir: /srv/whisper}\n  retention_days: 90\n",
        encoding="utf-8",
    )
    environ = {"CIC_SPEECH__QUEUE": "redis", "CIC_SPEECH__WORKERS": "2", "CIC_REDIS_URL": "x"}
    speech = load_settings(config, environ).speech
    assert speech.stt == {"engine": "whisper", "model_dir": "/srv/whisper"}
    assert (speech.retention_days, speech.queue, speech.workers) == (90, "redis", 2)
    assert speech.unredacted_role == ""  # by default the unredacted text is not kept
    with pytest.raises(ConfigError, match="redis needs redis_url"):
        load_settings(config, {"CIC_SPEECH__QUEUE": "redis"})
