"""Right of access (art. 15 RODO): a resident's archive holds every call, recording, transcript,
report and case linked to them, and nothing of another resident (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from cic.auth.models import AuditEntry
from cic.privacy.errors import ExportTooLarge
from cic.privacy.service import Official, PrivacyService
from cic.residents.errors import ResidentNotFound
from tests.component.privacy_world import ANNA_ONLY, BOGDAN_ONLY, OTHERS, World, settings_for
from tests.component.privacy_world import world as world  # the fixture

IOD = Official("iod1", "10.0.0.5")
CALL_FILES = (
    "nagranie-mieszkaniec.wav",
    "nagranie-urzednik.wav",
    "nagranie.wav",
    "rozmowa.json",
    "transkrypcja.json",
)
TOP = (
    "README.txt",
    "historia-dostepu.json",
    "mieszkaniec.json",
    "oddzwonienia.json",
    "podsumowanie.json",
    "sprawy.json",
    "sumy-kontrolne.sha256",
    "zgloszenia.json",
)


def export(service: PrivacyService, resident_id: int, limit: int | None = None) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    service.export_to(resident_id, buffer, IOD, limit)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def everything(archive: zipfile.ZipFile) -> str:
    """Every entry's text (JSON as written, and also decoded, so escapes cannot hide a name)."""
    parts = []
    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".wav"):
            continue
        parts.append(data.decode("utf-8"))
        if name.endswith(".json"):
            parts.append(json.dumps(json.loads(data), ensure_ascii=False))
    return "\n".join(parts)


def only_theirs(
    built: World, service: PrivacyService, who: str, keys: list[str], others: tuple[str, ...]
) -> tuple[zipfile.ZipFile, str]:
    """The archive of ``who``: exactly the calls ``keys``, and none of ``others`` nor the
    data of the remaining residents, calls or staff."""
    archive = export(service, built.residents[who])
    assert sorted(archive.namelist()) == expected_names(built, *keys)
    text = everything(archive)
    foreign = [c for key, c in built.calls.items() if key not in keys]
    for forbidden in (*others, *OTHERS, *foreign):
        assert forbidden not in text, forbidden
    return archive, text


def expected_names(world: World, *keys: str) -> list[str]:
    calls = [f"rozmowy/{world.calls[k]}/{f}" for k in keys for f in CALL_FILES]
    return sorted([*TOP, *calls])


async def test_anna_gets_every_call_transcript_and_case_and_nothing_of_bogdan(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    archive, text = only_theirs(built, service, "anna", ["a1", "a2", "a3"], BOGDAN_ONLY)
    assert built.cases["T"] not in text
    for word in (
        "podatku od nieruchomości",
        "topoli",
        "skargę",
        "Pani Anna pyta o ratę",
        "Anna prosiła o informację",
        "Woli kontakt rano.",
        "Stary wpis.",
    ):
        assert word in text, word

    cases = json.loads(archive.read("sprawy.json"))
    assert [c["znak"] for c in cases] == [built.cases["S"]]
    shared = cases[0]
    assert [p["imie_nazwisko"] for p in shared["pani_pana_wpisy_jako_strony"]] == ["Anna Testowa"]
    assert shared["rozmowy"] == [built.calls["a2"]]
    assert shared["kategoria_archiwalna"] == "BE10" and shared["status"] == "w toku"
    assert sorted(shared["powiazanie"]) == ["rozmowa", "strona", "zgłoszenie"]
    assert {m["czynnosc"] for m in shared["metryka"]} == {
        "rejestracja",
        "status",
        "rozmowa",
        "zgloszenie",
    }
    reports = {r["id"]: r for r in json.loads(archive.read("zgloszenia.json"))}
    assert set(reports) == {built.reports["R1"], built.reports["R2"]}
    assert reports[built.reports["R1"]]["notatka"] is None  # shared with Bogdan's call
    assert reports[built.reports["R1"]]["rozmowy"] == [built.calls["a2"]]
    assert reports[built.reports["R2"]]["notatka"] == "Anna prosiła o informację"
    resident = json.loads(archive.read("mieszkaniec.json"))
    assert [n["numer"] for n in resident["numery"]] == ["+48600000001", "+48825000011"]
    assert [d["imie_nazwisko"] for d in resident["polaczone_duplikaty"]] == ["A. Testowa"]
    callbacks = json.loads(archive.read("oddzwonienia.json"))
    assert [(c["numer"], c["call_id"]) for c in callbacks] == [("600000001", built.calls["a1"])]
    history = json.loads(archive.read("historia-dostepu.json"))
    assert any(h["rozmowa"] == built.calls["a1"] for h in history)
    assert all(set(h) == {"kiedy", "czynnosc", "rozmowa"} for h in history)


async def test_bogdan_gets_his_calls_and_both_cases_and_nothing_of_anna(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    archive, _ = only_theirs(built, service, "bogdan", ["b1", "b2"], ANNA_ONLY)
    cases = {c["znak"]: c for c in json.loads(archive.read("sprawy.json"))}
    assert set(cases) == {built.cases["S"], built.cases["T"]}
    assert [p["kontakt"] for p in cases[built.cases["S"]]["pani_pana_wpisy_jako_strony"]] == [
        "600-000-002"
    ]
    assert cases[built.cases["T"]]["status"] == "zakończona"


async def test_recordings_are_copied_whole_with_checksums(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    archive = export(service, built.residents["anna"])
    folder = f"rozmowy/{built.calls['a1']}"
    assert archive.read(f"{folder}/nagranie.wav") == built.files["a1"][0].read_bytes()
    assert archive.read(f"{folder}/nagranie-mieszkaniec.wav") == built.files["a1"][1].read_bytes()
    call = json.loads(archive.read(f"{folder}/rozmowa.json"))
    assert [a["plik"] for a in call["nagrania"]] == [
        f"{folder}/nagranie.wav",
        f"{folder}/nagranie-mieszkaniec.wav",
        f"{folder}/nagranie-urzednik.wav",
    ]
    assert all(a["zgodna_z_zapisana"] for a in call["nagrania"])
    assert call["rozmowa"]["caller_number"] == "48600000001"
    assert call["notatki_po_rozmowie"][0]["note"] == "Pani Anna pyta o ratę"
    assert call["oddzwonienie"]["numer"] == "600000001"
    assert call["transkrypcja"] == f"{folder}/transkrypcja.json"
    transcript = json.loads(archive.read(f"{folder}/transkrypcja.json"))
    assert "unredacted" not in transcript and "podatku" in transcript["text"]
    sums = archive.read("sumy-kontrolne.sha256").decode().splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in sums)
    assert set(listed) == set(archive.namelist()) - {"sumy-kontrolne.sha256"}
    for name, digest in listed.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    held = json.loads(archive.read(f"rozmowy/{built.calls['a3']}/rozmowa.json"))
    assert held["blokada_prawna"] is not None and "reason" not in held["blokada_prawna"]


async def test_readme_explains_in_polish_and_says_whether_unredacted_text_is_kept(
    world: tuple[World, PrivacyService], tmp_path: Path
) -> None:
    built, service = world
    readme = export(service, built.residents["anna"]).read("README.txt").decode()
    for part in (
        "art. 15",
        "lit. a",
        "lit. h",
        "Podstawa prawna",
        "iod@gmina.example",
        "180 dni",
        "Prezesa Urzędu Ochrony Danych",
        "NIE jest przechowywany",
        "rozmowy — 3; pliki nagrań — 9",
    ):
        assert part in readme, part
    kept = PrivacyService(
        service.store, settings_for(tmp_path, unredacted_role="supervisor"), service.root
    )
    readme = export(kept, built.residents["anna"]).read("README.txt").decode()
    assert "przechowuje także tekst bez ukrycia" in readme
    summary = json.loads(export(kept, built.residents["anna"]).read("podsumowanie.json"))
    assert summary["transkrypcja_nieukryta_przechowywana"] is True
    assert {c["name"] for c in summary["cele_przetwarzania"]} >= {"Nagrywanie rozmów"}


async def test_every_export_is_audited_without_personal_data(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    export(service, built.residents["anna"])
    entry = service.store.run_sync(
        lambda s: s.scalars(select(AuditEntry).where(AuditEntry.action == "privacy_export")).one()
    )
    assert (entry.actor, entry.target, entry.ip) == (
        "iod1",
        str(built.residents["anna"]),
        "10.0.0.5",
    )
    assert entry.detail["calls"] == 3 and entry.detail["recordings"] == 9
    assert entry.detail["transcripts"] == 3 and entry.detail["cases"] == 1
    assert all(isinstance(v, int) for v in entry.detail.values())


async def test_limits_missing_files_and_unknown_residents(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    with pytest.raises(ExportTooLarge) as refused:
        export(service, built.residents["anna"], limit=1000)
    assert "cic privacy export" in refused.value.message
    with pytest.raises(ResidentNotFound):
        export(service, built.residents["duplicate"])  # merged into Anna
    with pytest.raises(ResidentNotFound):
        export(service, 999_999)
    actions = service.store.run_sync(
        lambda s: s.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "privacy_export_refused")
        ).all()
    )
    assert [a["error"] for a in actions] == [
        "export_too_large",
        "resident_not_found",
        "resident_not_found",
    ]

    built.files["a1"][0].unlink()
    archive = export(service, built.residents["anna"])
    folder = f"rozmowy/{built.calls['a1']}"
    assert f"{folder}/nagranie.wav" not in archive.namelist()
    call = json.loads(archive.read(f"{folder}/rozmowa.json"))
    assert call["nagrania"][0]["plik"] is None and "nie ma już" in call["nagrania"][0]["uwaga"]


async def test_export_file_streams_from_a_private_temporary_file(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    path, counts = await service.export_file(built.residents["bogdan"], IOD)
    assert path.parent == service.workdir and path.stat().st_mode & 0o777 == 0o600
    assert service.workdir.stat().st_mode & 0o777 == 0o700
    assert counts.calls == 2 and zipfile.ZipFile(path).testzip() is None
    service.settings.privacy.export_max_mb = 0
    with pytest.raises(ExportTooLarge):
        await service.export_file(built.residents["bogdan"], IOD)
    assert list(service.workdir.iterdir()) == [path]  # the refused one left nothing behind
