"""``cic users add|list|passwd|role`` and the demo users of ``cic up``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cic import cli
from cic.auth import audit
from cic.auth.errors import InvalidCredentials
from cic.auth.service import AuthService
from cic.auth.users import list_all
from cic.cli.lifecycle import demo_accounts_text
from cic.cli.users import ensure_demo_users
from cic.config import load_settings
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


async def test_demo_accounts_on_the_first_run_only_and_never_stored_in_clear(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(environ={"CIC_STATE_DIR": str(state)})
    first = ensure_demo_users(settings)
    assert {(u, r) for u, r, _ in first} == {
        ("admin", "admin"), ("kierownik", "supervisor"), ("konsultant", "agent"),
    }  # fmt: skip
    secrets_text = settings.secrets_path.read_text() if settings.secrets_path.exists() else ""
    assert all(p not in secrets_text for _, _, p in first)
    store = Store(settings.db_url)
    auth = AuthService(store)
    for username, _role, password in first:  # the printed passwords work
        assert (await auth.sign_in(username, password, "127.0.0.1")).user.username == username
    # a later run makes nothing, shows nothing, and never brings back a disabled or removed one
    assert cli.main(["users", "disable", "kierownik"]) == 0
    assert ensure_demo_users(settings) == []
    capsys.readouterr()
    assert cli.main(["users", "remove-demo"]) == 0
    assert json.loads(capsys.readouterr().out)["removed"] == ["admin", "kierownik", "konsultant"]
    assert ensure_demo_users(settings) == []
    assert store.run_sync(lambda db: [u["username"] for u in list_all(db)]) == []
    with pytest.raises(InvalidCredentials):
        await auth.sign_in("admin", first[0][2], "127.0.0.2")
    actions = store.run_sync(lambda db: [e["action"] for e in audit.recent(db, 50)])
    assert actions.count("demo_accounts_created") == 1 and "demo_accounts_removed" in actions
    await store.close()


def test_an_older_install_loses_its_clear_demo_passwords_and_keeps_its_accounts(
    state: Path,
) -> None:
    settings = load_settings(environ={"CIC_STATE_DIR": str(state)})
    assert cli.main(["users", "add", "admin", "Administrator Demo", "--role", "admin"]) == 0
    settings.secrets_path.write_text(json.dumps({"api_token": "t", "demo_users": {"admin": "x"}}))
    assert ensure_demo_users(settings) == []  # accounts exist: nothing new
    assert json.loads(settings.secrets_path.read_text()) == {"api_token": "t"}
    assert (settings.secrets_path.stat().st_mode & 0o777) == 0o600
    store = Store(settings.db_url)
    assert [u["username"] for u in store.run_sync(list_all)] == ["admin"]
    store.engine.dispose()


def test_remove_demo_spares_an_office_account_of_the_same_name(state: Path) -> None:
    settings = load_settings(environ={"CIC_STATE_DIR": str(state)})
    assert cli.main(["users", "add", "admin", "Jan Informatyk", "--role", "admin"]) == 0
    assert cli.main(["users", "remove-demo"]) == 0
    store = Store(settings.db_url)
    assert [u["username"] for u in store.run_sync(list_all)] == ["admin"]
    store.engine.dispose()


def test_cic_up_prints_demo_passwords_once() -> None:
    made = [("admin", "admin", "Haslo-1")]
    assert "Haslo-1" in demo_accounts_text(made) and "TYLKO TERAZ" in demo_accounts_text(made)
    later = demo_accounts_text([])
    assert "remove-demo" in later and "Haslo" not in later
