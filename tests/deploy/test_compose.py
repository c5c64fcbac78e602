"""The composed system (docker/: PostgreSQL, Redis, Asterisk, controller, worker, TLS proxy
run with podman) answers and records a real call: a SIPp agent logged in through the API over
HTTPS, a SIPp resident calling the office number."""

from __future__ import annotations

import os
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from cic.demo.runner import Sipp
from cic.demo.scenarios import AgentPhone, ResidentCall, agent_xml, resident_xml
from tests.deploy.composed import PORTS, PROJECT, Composed, composed, missing_tools, wait_for

RECORDINGS_IN_CONTROLLER = "/pbx/srv/cic/default/recordings/"


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Composed]:
    missing = missing_tools()
    if missing:
        message = f"the deploy test needs {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with composed(tmp_path_factory.mktemp("composed")) as running:
        yield running


def test_the_proxy_serves_the_test_cas_certificate(system: Composed) -> None:
    assert system.get("/healthz")["ok"] is True  # verified against the test CA
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(system.base + "/healthz", timeout=10)  # the system's CAs
    for path in ("/metrics", "/readyz"):  # for monitoring on the host, not through the proxy
        with pytest.raises(urllib.error.HTTPError, match="404"):
            system.get(path)


def test_composed_system_answers_and_records_a_call(system: Composed) -> None:
    token = system.api_token()
    status = wait_for(
        lambda: (s := system.get("/api/status", token))["ami"]["connected"] and s, 60, "AMI"
    )
    assert status["ami"]["connected"] is True

    port = system.phone_port()
    system.request("POST", "/api/agents", {
        "username": "ola", "display_name": "Ola Kontener",
        "static_contact": f"sip:agent-ola@127.0.0.1:{port}",
    }, token)  # fmt: skip
    agent = Sipp(agent_xml(AgentPhone(ring_ms=1000)), local_port=port, media_port=port + 2, calls=0)
    agent.start()
    resident = None
    try:
        system.request("POST", "/api/agents/ola/login", {}, token)
        before = {c["call_id"] for c in system.get("/api/calls?limit=50", token)}
        port = system.phone_port()
        resident = Sipp(
            resident_xml(ResidentCall(number="48500100777", hangup_after_ms=25_000)),
            local_port=port, media_port=port + 2,
            target=f"127.0.0.1:{PORTS['SIP_PORT']}", service="1000",
        ).start()  # fmt: skip
        assert resident.wait(90) == 0, resident.errors()

        def finished() -> dict[str, Any] | None:
            rows = system.get("/api/calls?limit=50", token)
            new = [c for c in rows if c["call_id"] not in before]
            if not new:
                return None
            call: dict[str, Any] = system.get(f"/api/calls/{new[0]['call_id']}", token)
            return call if call["ended_at"] and call["recordings"] else None

        call = wait_for(finished, 40, "the call record with its recording")
    finally:
        agent.stop()
        if resident is not None:
            resident.stop()
    assert call["outcome"] == "answered", call
    assert call["agent"] == "PJSIP/agent-ola"
    assert call["caller_number"] == "48500100777"
    [recording] = call["recordings"]
    assert recording["path"].startswith(RECORDINGS_IN_CONTROLLER), recording
    on_host = system.volume("recordings") / recording["path"][len(RECORDINGS_IN_CONTROLLER) :]
    assert on_host.name == f"{call['call_id']}.wav"
    assert on_host.stat().st_size == recording["bytes"] > 44
    if not system.transcribes:
        return  # no Whisper base packages: the worker container has no model
    # The worker container transcribed the recording (silent: an empty transcript is fine).
    call_id = call["call_id"]

    def job_done() -> dict[str, Any] | None:
        jobs = [j for j in system.get("/api/post-call-jobs", token) if j["call_id"] == call_id]
        assert all(j["status"] != "failed" for j in jobs), jobs
        return next((j for j in jobs if j["status"] == "done"), None)

    job = wait_for(job_done, 180, "the worker container's transcription job")
    assert job["lease_owner"].startswith("container@") and job["finished_at"], job


def test_an_administrator_is_added_inside_the_controller_container(system: Composed) -> None:
    cic = ["podman", "exec", f"{PROJECT}_controller_1", "cic-container", "cic", "users"]
    added = subprocess.run(
        [*cic, "add", "kierownik", "Kierownik Referatu", "--role", "admin"],
        env=system.env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = subprocess.run([*cic, "list"], env=system.env, capture_output=True, text=True)
    assert "kierownik" in listed.stdout, listed.stderr
