"""The running controller's FastAGI port refuses local clients without the install's secret.

Any local process can connect to the FastAGI port on loopback. Speaking FastAGI exactly like
Asterisk, but without the secret in the script's path (or with a wrong one), it gets no
command at all: no routing variable is set and no callback is registered or reported. Real
calls keep routing (the dialplan carries the secret; see test_calls and test_callbacks).
"""

from __future__ import annotations

import asyncio

import pytest

from cic.credentials import Credentials
from tests.component.test_agi import agi_env, fake_asterisk
from tests.integration.harness import Harness

pytestmark = pytest.mark.integration

CALLBACK_VARS = {
    "CIC_CALLID": "1764496800.9",
    "CIC_CB_NUMBER": "600100299",
    "CIC_TARGET": "pierwsza-linia",
    "CIC_CB_POS": "1",
    "CIC_CB_ID": "1",
    "CIC_CB_ATTEMPT": "1",
    "CIC_CB_STATUS": "ANSWER",
}


def _converse(pbx: Harness, script: str, stop_after_first: bool = False) -> list[str]:
    """Speak FastAGI to the controller for ``script`` (the path after host:port)."""
    port = pbx.settings.asterisk.agi_port
    env = agi_env(port, agi_network_script=script, agi_request=f"agi://127.0.0.1:{port}/{script}")
    session = asyncio.run(
        fake_asterisk(
            port, env, CALLBACK_VARS, reply=(lambda _c: None) if stop_after_first else None
        )
    )
    return session.commands


def test_fastagi_without_the_secret_runs_nothing(pbx: Harness) -> None:
    secret = Credentials(pbx.settings.secrets_path).agi_secret
    before = pbx.api("GET", "/api/callbacks")
    for script in ("route", "callback", "callback-progress", "menu", "case-status"):
        for path in (script, f"wrong-{secret}/{script}", f"{secret[:-1]}/{script}", f"/{script}"):
            assert _converse(pbx, path) == [], path
    assert pbx.api("GET", "/api/callbacks") == before
    # the same conversation with the secret reaches the script (cut after its first command)
    assert _converse(pbx, f"{secret}/callback", stop_after_first=True) == [
        "GET VARIABLE CIC_CALLID"
    ]
    assert _converse(pbx, f"{secret}/route", stop_after_first=True) == ["GET VARIABLE CIC_CALLID"]
    assert pbx.api("GET", "/api/callbacks") == before
    log = (pbx.state_dir / "controller.log").read_text(encoding="utf-8")
    assert "refused a request without the secret (script 'callback')" in log
    assert CALLBACK_VARS["CIC_CB_NUMBER"] not in log and "+48600100200" not in log
    assert secret not in log
