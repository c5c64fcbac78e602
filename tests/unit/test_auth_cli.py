"""``cic users add|list|passwd|role`` and the demo users of ``cic up``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cic import cli
from cic.auth.errors import InvalidCredentials
from cic.auth.service import AuthService
from cic.commands.users import ensure_demo_users
from cic.config import load_settings
from cic.credentials import Credentials
from cic.db import Store


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIC_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("CIC_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def password_in(output: str) -> str:
    match = re.search(r"tylko raz\): (\S+)", output)
    assert match, output
    return match.group(1)


async def test_add_list_passwd_role(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["users", "add", "ewa", "Ewa Żółkiewska 🙂", "--role", "agent"]) == 0
    first = password_in(capsys.readouterr().out)
    assert cli.main(["users", "add", "ewa", "Ktoś", "--role", "agent"]) == 1
    assert "już istnieje" in capsys.readouterr().err
    assert cli.main(["users", "add", "Zła Nazwa", "X", "--role", "agent"]) == 1
    assert cli.main(["users", "add", "jan", "Jan", "--role", "agent", "--agent", "brak"]) == 1
    assert cli.main(["users", "list"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [
        {"username": "ewa", "display_name": "Ewa Żółkiewska 🙂", "role": "agent",
         "agent_id": None, "active": True}
    ]  # fmt: skip
    assert cli.main(["users", "passwd", "ewa"]) == 0
    second = password_in(capsys.readouterr().out)
    assert second != first
    assert cli.main(["users", "role", "ewa", "supervisor"]) == 0
    store = Store(f"sqlite:///{state / 'cic.db'}")
    auth = AuthService(store)
    with pytest.raises(InvalidCredentials):
        await auth.sign_in("ewa", first, "127.0.0.1")
    signed = await auth.sign_in("ewa", second, "127.0.0.1")
    assert signed.user.role == "supervisor"
    assert cli.main(["users", "disable", "ewa"]) == 0
    assert await auth.session(signed.token) is None
    with pytest.raises(InvalidCredentials):
        await auth.sign_in("ewa", second, "127.0.0.1")
    assert cli.main(["users", "enable", "ewa"]) == 0
    assert (await auth.sign_in("ewa", second, "127.0.0.1")).user.username == "ewa"
    await store.close()


def test_demo_users_are_created_once_with_passwords_in_the_secrets_file(state: Path) -> None:
    settings = load_settings(environ={"CIC_STATE_DIR": str(state)})
    first = ensure_demo_users(settings)
    assert {(u, r) for u, r, _ in first} == {
        ("admin", "admin"), ("kierownik", "supervisor"), ("konsultant", "agent"),
    }  # fmt: skip
    assert ensure_demo_users(settings) == first
    secrets = Credentials(settings.secrets_path)
    assert all(secrets.demo_password(u) == p for u, _, p in first)
    assert (settings.secrets_path.stat().st_mode & 0o777) == 0o600
