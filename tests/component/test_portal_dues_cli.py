"""``cic naleznosci import`` end to end: the real command in a subprocess on a temporary state
directory (its SQLite database), with a good file, a file with rejected rows and a refused
file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from cic.config import load_settings
from cic.db import Store
from cic.dues.models import DuesItem, DuesPayer

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "tests" / "fixtures" / "dues"


def cic(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIC_")}
    env.update(CIC_STATE_DIR=str(state), PYTHONPATH=str(REPO), CIC_DUES__MAX_FILE_MB="1")
    return subprocess.run(
        [sys.executable, "-m", "cic.cli", "naleznosci", "import", *args],
        env=env, cwd=state, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def counts(state: Path) -> tuple[int, int]:
    store = Store(load_settings(environ={"CIC_STATE_DIR": str(state)}).db_url)
    try:
        return store.run_sync(lambda s: (
            s.scalar(select(func.count()).select_from(DuesPayer)) or 0,
            s.scalar(select(func.count()).select_from(DuesItem)) or 0,
        ))  # fmt: skip
    finally:
        store.engine.dispose()


def test_the_command_loads_reports_and_refuses(tmp_path: Path) -> None:
    done = cic(tmp_path, str(SAMPLES / "przyklad.csv"))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["format"], report["added"], report["payers"], report["rejected"]) == (
        "csv", 4, 2, [],
    )  # fmt: skip
    assert "Usuń go teraz" in done.stderr
    assert counts(tmp_path) == (2, 4)

    again = cic(tmp_path, str(SAMPLES / "przyklad.xml"), "--format", "xml")
    assert again.returncode == 0 and json.loads(again.stdout)["unchanged"] == 4

    header, *lines = (SAMPLES / "przyklad.csv").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "z-bledami.txt"
    wrong_date = lines[1].replace("2026-05-15", "2026-05-32")
    wrong_account = lines[3].replace("0102", "0103")
    text = "\n".join([header, lines[0], wrong_date, wrong_account])
    bad.write_text(text, encoding="windows-1250")
    mixed = cic(tmp_path, str(bad))
    assert mixed.returncode == 3, mixed.stderr
    report = json.loads(mixed.stdout)
    assert report["encoding"] == "windows-1250" and report["removed"] == 0
    assert report["rejected"] == [
        {"line": 3, "reason": "zły termin „2026-05-32”: podaj datę RRRR-MM-DD lub DD.MM.RRRR"},
        {"line": 4, "reason": "numer rachunku ma złe cyfry kontrolne (pomyłka w numerze)"},
    ]
    assert counts(tmp_path) == (2, 4)  # nothing of the payers with a rejected row removed

    empty = tmp_path / "pusty.csv"
    empty.write_bytes(b"")
    refused = cic(tmp_path, str(empty))
    assert refused.returncode == 1 and "Plik jest pusty" in refused.stderr and not refused.stdout
    huge = tmp_path / "duzy.csv"
    huge.write_bytes(b"x" * 1_100_000)
    refused = cic(tmp_path, str(huge))
    assert refused.returncode == 1 and "za duży" in refused.stderr
    missing = cic(tmp_path, str(tmp_path / "nie-ma.csv"))
    assert missing.returncode == 1 and "nie można odczytać pliku" in missing.stderr
