"""A small made-up office for the privacy tests: three residents, their calls with real WAV
recordings, transcripts and search rows, reports, a case shared by two residents, a case of one,
a legal hold, a callback and audit entries.

Anna Testowa (+48 600 000 001 and +48 82 500 00 11, one merged duplicate):
  a1  from 48600000001  recorded, transcript, wrap-up, transfer, closed callback; report R2
      (closed, hers only)
  a2  from +48825000011 recorded, transcript; report R1 (with b1) became the shared case S
  a3  from 0600000001   recorded, transcript, under legal hold
Bogdan Próbny (+48 600 000 002):
  b1  recorded, transcript, wrap-up; report R1 and case S
  b2  recorded, transcript; nothing else
  case T (closed, his alone)
Celina Wzorcowa (+48 600 000 003): c1, recorded, nothing else.
x1 from +48 600 000 009 (nobody on record) is also linked to case S.
Case S (GK.6131, BE10, in progress) has parties Anna (contact +48 600 000 001) and Bogdan
(contact 600-000-002).
"""

from __future__ import annotations

import math
import struct
import wave
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.callbacks.models import CallbackRequest
from cic.calls.models import Call, CallEvent, CallWrapup, Recording
from cic.calls.recording_files import inspect_now
from cic.cases.models import Case, CaseParty
from cic.cases.service import Actor, CaseService
from cic.config import Settings
from cic.db import Base, Store
from cic.privacy.service import PrivacyService
from cic.recordings.models import CallTopic, CallTranscript, LegalHold, RecordingChannel
from cic.residents.schemas import NewResident
from cic.residents.service import ResidentService
from cic.review.search import index_transcript
from cic.transfers.models import Transfer

OFFICIAL = Actor("spec1", "specialist")
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
WORDS = {
    "a1": "Dzień dobry, dzwonię w sprawie podatku od nieruchomości i raty.",
    "a2": "Chodzi o wycinkę topoli przy mojej działce.",
    "a3": "Chcę złożyć skargę na obsługę w urzędzie.",
    "b1": "Mówię o wycince drzew na działce sąsiada, Bogdan Próbny.",
    "b2": "Pytam o dowód osobisty dla córki.",
    "c1": "Zgłaszam dziurę w drodze gminnej koło szkoły.",
    "x1": "Jestem świadkiem w sprawie wycinki.",
}
#: What belongs to Bogdan (or nobody) and must never be in Anna's archive (and vice versa).
ANNA_ONLY = (
    "Anna",
    "Testowa",
    "600000001",
    "825000011",
    "podatku",
    "topoli",
    "skargę",
    "Pani Anna pyta o ratę",
    "Anna prosiła",
)
BOGDAN_ONLY = (
    "Bogdan",
    "Próbny",
    "600000002",
    "600-000-002",
    "wycince drzew",
    "sąsiada",
    "dowód osobisty",
    "Pan Bogdan",
    "Notatka wspólna",
)
OTHERS = ("600000009", "świadkiem", "600000003", "Celina", "dziurę", "nadzorca7")


@dataclass
class World:
    """Ids of what was made, and the recording files on disk per call."""

    root: Path
    residents: dict[str, int] = field(default_factory=dict)
    calls: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)
    reports: dict[str, int] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)
    parties: dict[str, int] = field(default_factory=dict)


@pytest.fixture
async def world(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[World, PrivacyService]]:
    """The office on SQLite and PostgreSQL, with a privacy service over it."""
    store = Store(db_url)
    store.migrate()
    built = await build(store, tmp_path / "recordings")
    yield built, PrivacyService(store, settings_for(tmp_path), tmp_path / "recordings")
    await store.close()


def settings_for(tmp_path: Path, **speech: Any) -> Settings:
    """Settings with the state directory in ``tmp_path`` and the DPO's contact set."""
    settings = Settings(state_dir=str(tmp_path / "state"))
    for key, value in speech.items():
        setattr(settings.speech, key, value)
    settings.privacy.dpo_contact = "iod@gmina.example"
    return settings


def write_wav(path: Path, pitch: float, seconds: float = 0.2) -> None:
    """A real 8 kHz, 16-bit mono WAV with a tone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = int(8000 * seconds)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * pitch * i / 8000)))
                for i in range(frames)
            )
        )


def _call(session: Session, world: World, key: str, number: str, n: int, *, name: str) -> None:
    call_id = f"17640000{n:02d}.{n}"
    world.calls[key] = call_id
    at = START + timedelta(hours=n)
    session.add(
        Call(
            call_id=call_id,
            caller_number=number,
            caller_name=name,
            dialled="1000",
            entered_at=at,
            answered_at=at,
            ended_at=at + timedelta(minutes=3),
            queue="pierwsza-linia",
            agent="PJSIP/konsultant1",
            outcome="answered",
            talk_seconds=180.0,
            recording_consent="given",
        )
    )
    session.flush()
    session.add(
        CallEvent(
            call_id=call_id,
            at=at,
            type="CallEntered",
            data={
                "channel": "PJSIP/residents-1",
                "caller_number": number,
                "caller_name": name,
                "dialled": "1000",
            },
        )
    )
    day = world.root / at.strftime("%Y/%m/%d")
    mixed = day / f"{call_id}.wav"
    files = [mixed, day / f"{call_id}-resident.wav", day / f"{call_id}-agent.wav"]
    for i, file in enumerate(files):
        write_wav(file, 300 + 40 * n + 10 * i)
    world.files[key] = files
    info = inspect_now(mixed)
    session.add(
        Recording(
            call_id=call_id,
            path=str(mixed),
            bytes=info.bytes,
            kind="call",
            duration_seconds=info.duration_seconds,
            sha256=info.sha256,
        )
    )
    for speaker, file in (("resident", files[1]), ("agent", files[2])):
        meta = inspect_now(file)
        session.add(
            RecordingChannel(
                call_id=call_id,
                speaker=speaker,
                path=str(file),
                bytes=meta.bytes,
                duration_seconds=meta.duration_seconds,
                sha256=meta.sha256,
            )
        )
    words = WORDS[key]
    segments = [
        {
            "speaker": "resident",
            "start": 0.0,
            "end": 3.0,
            "text": words,
            "words": [
                {"text": w, "start": 0.1, "end": 0.2, "confidence": 0.9} for w in words.split()
            ],
        }
    ]
    session.add(
        CallTranscript(
            call_id=call_id, segments=segments, text=words, findings={}, engine="test", model="test"
        )
    )
    index_transcript(session, call_id, words, segments)
    session.add(
        CallTopic(call_id=call_id, topic_id="inne", source="auto", matched=words.split()[:2])
    )


def _extras(session: Session, world: World) -> None:
    a1, a3, b1 = world.calls["a1"], world.calls["a3"], world.calls["b1"]
    for call_id, outcome, topic, note in (
        (a1, "udzielono informacji", "podatki", "Pani Anna pyta o ratę"),
        (b1, "inne", "drzewa", "Pan Bogdan skarży się na sąsiada"),
    ):
        session.add(CallWrapup(call_id=call_id, agent="PJSIP/konsultant1", outcome=outcome,
                               topic=topic, note=note, saved_by="konsultant1"))  # fmt: skip
    session.add(
        Transfer(
            call_id=a1,
            kind="blind",
            state="completed",
            target_kind="queue",
            target="FN",
            note="Anna Testowa, rata podatku",
            caller_number="48600000001",
            caller_name="Anna Testowa",
        )
    )
    session.add(
        CallbackRequest(
            call_id=a1,
            number="600000001",
            queue="pierwsza-linia",
            status="done",
            attempts=1,
            last_result="answered",
        )
    )
    session.add(LegalHold(call_id=a3, reason="skarga", set_by="nadzorca7"))
    audit.record(session, "recording_played", actor="nadzorca7", target=a1, ip="10.0.0.7")
    audit.record(session, "recording_played", actor="nadzorca7", target=b1, ip="10.0.0.7")


async def build(store: Store, root: Path) -> World:
    """Make the office (the store must be migrated)."""
    world = World(root)
    residents = ResidentService(store)
    anna = await residents.create(
        NewResident.model_validate(
            {
                "name": "Anna Testowa",
                "note": "Woli kontakt rano.",
                "numbers": [{"number": "+48 600 000 001", "label": "komórka"}, "+48 82 500 00 11"],
            }
        ),
        "spec1",
    )
    duplicate = await residents.create(
        NewResident.model_validate({"name": "A. Testowa", "note": "Stary wpis."}), "spec1"
    )
    await residents.merge(anna["id"], duplicate["id"], "spec1")
    bogdan = await residents.create(
        NewResident.model_validate({"name": "Bogdan Próbny", "numbers": ["600000002"]}), "spec1"
    )
    celina = await residents.create(
        NewResident.model_validate({"name": "Celina Wzorcowa", "numbers": ["600000003"]}), "s"
    )
    world.residents = {
        "anna": anna["id"],
        "bogdan": bogdan["id"],
        "celina": celina["id"],
        "duplicate": duplicate["id"],
    }

    def calls(session: Session) -> None:
        for n, (key, number, name) in enumerate(
            [
                ("a1", "48600000001", "ANNA T"),
                ("a2", "+48825000011", ""),
                ("a3", "0600000001", "ANNA T"),
                ("b1", "+48600000002", "BOGDAN P"),
                ("b2", "600000002", "BOGDAN P"),
                ("c1", "+48600000003", "CELINA"),
                ("x1", "+48600000009", "SWIADEK"),
            ],
            start=1,
        ):
            _call(session, world, key, number, n, name=name)
        _extras(session, world)

    store.run_sync(calls)
    cases = CaseService(store, today=lambda: TODAY, pin_hasher=lambda pin: "hash")
    c = world.calls
    r1 = await cases.create_report(
        {
            "topic": "Wycinka drzew",
            "note": "Notatka wspólna o A i B",
            "call_ids": [c["a2"], c["b1"]],
        },
        OFFICIAL,
    )
    r2 = await cases.create_report(
        {"topic": "Podatek", "note": "Anna prosiła o informację", "call_id": c["a1"]}, OFFICIAL
    )
    await cases.update_report(r2["id"], {"status": "zamkniete"}, OFFICIAL)
    shared = await cases.register(
        {
            "unit": "GK",
            "jrwa": "6131",
            "title": "Wycinka drzew przy drodze",
            "parties": [
                {"name": "Anna Testowa", "role": "strona", "contact": "+48 600 000 001"},
                {"name": "Bogdan Próbny", "role": "strona", "contact": "600-000-002"},
            ],
            "call_ids": [c["x1"]],
        },
        OFFICIAL,
        report_id=r1["id"],
    )
    await cases.update_case(
        shared["signature"],
        {
            "status": "w_toku",
            "parties": [
                {"name": "Anna Testowa", "role": "strona", "contact": "+48 600 000 001"},
                {"name": "Bogdan Próbny", "role": "strona", "contact": "600-000-002"},
            ],
        },
        OFFICIAL,
    )
    await cases.add_document(
        shared["signature"],
        {"document_id": "GK.6131.1.2026-1", "description": "Pismo Bogdana Próbnego z 600000002"},
        OFFICIAL,
    )
    own = await cases.register(
        {
            "unit": "FN",
            "jrwa": "5340",
            "title": "Dowód osobisty dla córki",
            "parties": [
                {"name": "Bogdan Próbny", "role": "wnioskodawca", "contact": "+48600000002"}
            ],
            "call_ids": [c["b2"]],
        },
        OFFICIAL,
    )
    await cases.update_case(own["signature"], {"status": "zakonczona"}, OFFICIAL)
    world.reports = {"R1": r1["id"], "R2": r2["id"]}
    world.cases = {"S": shared["signature"], "T": own["signature"]}
    keys = {
        (shared["signature"], "Anna Testowa"): "S-anna",
        (shared["signature"], "Bogdan Próbny"): "S-bogdan",
        (own["signature"], "Bogdan Próbny"): "T-bogdan",
    }
    world.parties = store.run_sync(
        lambda s: {
            keys[(sig, name)]: pid
            for sig, name, pid in s.execute(
                select(Case.signature, CaseParty.name, CaseParty.id).join(
                    Case, Case.id == CaseParty.case_id
                )
            )
        }
    )
    return world


def snapshot(store: Store, skip: tuple[str, ...] = ("audit_log",)) -> dict[str, list[Any]]:
    """Every row of every cic table (sorted), to show that a refused request changed nothing."""

    def read(session: Session) -> dict[str, list[Any]]:
        names = set(inspect(session.get_bind()).get_table_names())
        out = {}
        for table in Base.metadata.sorted_tables:
            if table.name in skip or table.name not in names:
                continue
            rows = session.execute(select(table)).all()
            out[table.name] = sorted(tuple(map(repr, r)) for r in rows)
        return out

    return store.run_sync(read)
