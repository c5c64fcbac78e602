"""``cic privacy ...`` on the store, and the register of processing filled from the settings."""

from __future__ import annotations

import asyncio
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from cic.auth.models import AuditEntry
from cic.cli import main
from cic.config import Settings
from cic.db import Store
from cic.privacy.register import ACTIVITY_FIELDS, load_register, markdown
from cic.residents.models import Resident
from tests.component import privacy_world
from tests.component.privacy_world import World


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'cic.db'}"
    store = Store(url)
    store.migrate()
    built = asyncio.run(privacy_world.build(store, tmp_path / "recordings"))
    store.engine.dispose()
    for key, value in {
        "CIC_STATE_DIR": str(tmp_path / "state"),
        "CIC_DATABASE_URL": url,
        "CIC_SPEECH__RECORDINGS_ROOT": str(tmp_path / "recordings"),
        "CIC_PRIVACY__DPO_CONTACT": "iod@gmina.example",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CIC_CONFIG", raising=False)
    yield built


def audit_actions(tmp_path: Path) -> list[tuple[str, str]]:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    rows = store.run_sync(
        lambda s: s.execute(
            select(AuditEntry.actor, AuditEntry.action).where(AuditEntry.action.like("privacy%"))
        ).all()
    )
    store.engine.dispose()
    return [(a, b) for a, b in rows]


def test_export_writes_a_private_archive_once(
    office: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "anna.zip"
    assert main(["privacy", "export", str(office.residents["anna"]), "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["plik"] == str(out) and printed["calls"] == 3
    assert out.stat().st_mode & 0o777 == 0o600
    assert "README.txt" in zipfile.ZipFile(out).namelist()
    assert main(["privacy", "export", str(office.residents["anna"]), "--out", str(out)]) == 1
    assert "już istnieje" in capsys.readouterr().err
    assert main(["privacy", "export", "999", "--out", str(tmp_path / "x.zip")]) == 1
    assert "Nie ma takiego mieszkańca" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "x.zip.czesciowy").exists()
    assert audit_actions(tmp_path) == [("cli", "privacy_export"), ("cli", "privacy_export_refused")]


def test_erase_is_a_dry_run_unless_told_and_rectify_takes_options(
    office: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    celina = str(office.residents["celina"])
    assert main(["privacy", "erase", celina]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["wykonano"] is False and office.files["c1"][0].exists()
    assert main(["privacy", "rectify", celina, "--name", "Celina Nowa", "--note", "x"]) == 0
    assert json.loads(capsys.readouterr().out)["mieszkaniec"]["name"] == "Celina Nowa"
    assert main(["privacy", "rectify", celina, "--party-name", "abc"]) == 1
    assert "ID=WARTOŚĆ" in capsys.readouterr().err
    assert main(["privacy", "erase", celina, "--execute"]) == 0
    assert json.loads(capsys.readouterr().out)["wykonano"] is True
    assert not office.files["c1"][0].exists()
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    assert store.run_sync(lambda s: s.get(Resident, int(celina))) is None
    store.engine.dispose()


def test_register_is_filled_from_the_settings(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings()
    settings.speech.retention_days = 77
    settings.speech.unredacted_role = "supervisor"
    settings.office.recording_policy = "opt-in"
    settings.privacy.controller = "Urząd Gminy Wierzbica, ul. Testowa 1"
    register = load_register(settings)
    text = json.dumps(register, ensure_ascii=False)
    assert "$" not in text and "77 dni" in text and "tylko, gdy mieszkaniec się zgodzi" in text
    assert "przechowywany, do odczytu tylko dla roli kierownik zmiany" in text
    assert register["controller"] == "Urząd Gminy Wierzbica, ul. Testowa 1"
    assert "privacy.dpo_contact" in register["dpo"]
    for activity in register["activities"]:
        assert set(ACTIVITY_FIELDS) <= set(activity), activity["id"]
        assert "RODO" in activity["legal_basis"]
    assert len(register["activities"]) == 11 and register["security_measures"]
    page = markdown(register)
    assert all(f"## {a['name']}" in page for a in register["activities"])
    assert main(["privacy", "register"]) == 0
    assert "# Rejestr czynności przetwarzania" in capsys.readouterr().out


def test_an_unknown_placeholder_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "rejestr.yaml"
    broken.write_text("controller: $controler\nactivities: []\n", encoding="utf-8")
    with pytest.raises(KeyError, match="controler"):
        load_register(Settings(), broken)
