"""Fixtures for integration tests: one real Asterisk + controller per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.harness import Harness


@pytest.fixture(scope="session")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Asterisk and the controller, running for the whole session."""
    with Harness.running(tmp_path_factory.mktemp("cic-state")) as h:
        yield h


@pytest.fixture
def pbx(harness: Harness) -> Iterator[Harness]:
    """The session harness; every agent is logged out after the test and the controller is up."""
    if harness.controller is None or harness.controller.poll() is not None:
        harness.start_controller()
    yield harness
    if harness.controller is None or harness.controller.poll() is not None:
        harness.start_controller()
    for agent in harness.api("GET", "/api/agents"):
        if agent["state"] != "offline":
            harness.api("POST", f"/api/agents/{agent['username']}/logout", {})
