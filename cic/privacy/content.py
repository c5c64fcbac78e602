"""What an access export (art. 15 RODO) says about one resident, read inside a transaction.

Every function takes the resident's :class:`~cic.privacy.scope.Scope` and leaves out what
belongs to someone else: other parties of a shared case, other callers' calls listed in a
report or a case, metryka lines about other people, the notes of reports that also concern
other callers, and staff identities in the access history.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cic.auth.models import AuditEntry
from cic.callbacks.models import CallbackRequest
from cic.calls.models import Call, CallEvent, CallWrapup, Recording
from cic.cases import catalogue, records
from cic.cases.models import (
    REPORT_STATUSES,
    CaseAction,
    CaseCall,
    CaseParty,
    ContactReport,
    ContactReportCall,
)
from cic.privacy.scope import Scope, cases_in_order, chunks
from cic.recordings.access import CALL_ID
from cic.recordings.models import CallTopic, CallTranscript, LegalHold, RecordingChannel
from cic.residents.models import Resident, ResidentNumber
from cic.transfers.models import Transfer

#: Metryka lines about the case itself, with nothing of any person in them.
NEUTRAL_ACTIONS = ("rejestracja", "status")
WITHHELD_NOTE = (
    "Notatka pominięta: zgłoszenie dotyczy także rozmów innych osób (art. 15 ust. 4 RODO)."
    " Urząd może ją udostępnić po usunięciu danych innych osób."
)
SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")
ACCESS_LABELS = {
    "recording_played": "odsłuchanie nagrania przez uprawnionego pracownika",
    "call_read": "odczyt rozmowy w rejestrze połączeń (kierownik zmiany)",
    "recording_refused": "odmowa odsłuchania nagrania (brak uprawnień)",
    "transcript_unredacted": "odczyt transkrypcji bez ukrycia identyfikatorów",
    "legal_hold_set": "objęcie rozmowy blokadą prawną",
    "legal_hold_cleared": "zdjęcie blokady prawnej",
    "job_retried": "ponowne przetworzenie nagrania",
    "resident_created": "założenie wpisu w kartotece mieszkańców",
    "resident_updated": "zmiana danych w kartotece mieszkańców",
    "resident_number_added": "dopisanie numeru telefonu",
    "resident_number_removed": "usunięcie numeru telefonu",
    "residents_merged": "połączenie zdublowanych wpisów",
    "privacy_export": "wydanie kopii danych (art. 15 RODO)",
    "privacy_rectified": "sprostowanie danych (art. 16 RODO)",
    "privacy_erasure_planned": "przygotowanie planu usunięcia danych (art. 17 RODO)",
    "privacy_erasure": "usunięcie lub anonimizacja danych (art. 17 RODO)",
    "privacy_erasure_refused": "wstrzymanie usunięcia danych (art. 17 RODO)",
    "privacy_export_refused": "odmowa wydania kopii danych (art. 15 RODO)",
    "privacy_rectification_refused": "odmowa sprostowania danych (art. 16 RODO)",
}


@dataclass(frozen=True)
class AudioFile:
    """A recording file of a call to copy into the archive."""

    name: str
    path: str
    meta: dict[str, Any]


@dataclass
class CallExport:
    """One call: its folder in the archive, ``rozmowa.json``, transcript and audio files."""

    folder: str
    data: dict[str, Any]
    transcript: Mapping[str, Any] | None
    files: list[AudioFile]


def folder(call_id: str, row_id: int) -> str:
    """The call's folder in the archive: its id when plain, else ``rozmowa-<row id>``."""
    safe = CALL_ID.fullmatch(call_id) and ".." not in call_id
    return f"rozmowy/{call_id if safe else f'rozmowa-{row_id}'}"


def _audio_name(base: str, path: str, used: set[str]) -> str:
    suffix = Path(path).suffix.lower()
    suffix = suffix if SUFFIX.fullmatch(suffix) else ".audio"
    name, n = f"{base}{suffix}", 2
    while name in used:
        name, n = f"{base}-{n}{suffix}", n + 1
    used.add(name)
    return name


def resident_record(session: Session, scope: Scope) -> dict[str, Any]:
    """The resident's own record, numbers and the duplicates merged into it."""
    subject = scope.subject
    row = session.get(Resident, subject.resident_id)
    assert row is not None
    numbers = session.scalars(
        select(ResidentNumber)
        .where(ResidentNumber.resident_id == row.id)
        .order_by(ResidentNumber.id)
    ).all()
    merged = [session.get(Resident, i) for i in subject.merged]
    return {
        "id": row.id,
        "imie_nazwisko": row.name,
        "notatka": row.note,
        "numery": [
            {"numer": n.number, "opis": n.label, "dodany": n.created_at.isoformat()}
            for n in numbers
        ],
        "utworzono": row.created_at.isoformat(),
        "zmieniono": row.updated_at.isoformat() if row.updated_at else None,
        "polaczone_duplikaty": [
            {
                "id": m.id,
                "imie_nazwisko": m.name,
                "notatka": m.note,
                "utworzono": m.created_at.isoformat(),
            }
            for m in merged
            if m is not None
        ],
    }


def _grouped(session: Session, model: Any, ids: list[str], order: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for row in session.scalars(select(model).where(model.call_id.in_(ids)).order_by(order)):
        out[row.call_id].append(row)
    return out


def calls_batch(session: Session, ids: list[str]) -> list[CallExport]:
    """The calls ``ids`` (all the resident's), oldest first."""
    calls = session.scalars(select(Call).where(Call.call_id.in_(ids)).order_by(Call.id)).all()
    events = _grouped(session, CallEvent, ids, CallEvent.at)
    wrapups = _grouped(session, CallWrapup, ids, CallWrapup.id)
    topics = _grouped(session, CallTopic, ids, CallTopic.id)
    transfers = _grouped(session, Transfer, ids, Transfer.id)
    mixed = _grouped(session, Recording, ids, Recording.id)
    channels = _grouped(session, RecordingChannel, ids, RecordingChannel.id)
    transcripts = {t.call_id: t for t in session.scalars(
        select(CallTranscript).where(CallTranscript.call_id.in_(ids)))}  # fmt: skip
    holds = {h.call_id: h for h in session.scalars(
        select(LegalHold).where(LegalHold.call_id.in_(ids)))}  # fmt: skip
    callbacks = {c.call_id: c for c in session.scalars(
        select(CallbackRequest).where(CallbackRequest.call_id.in_(ids)))}  # fmt: skip
    out = []
    for call in calls:
        base = folder(call.call_id, call.id)
        summary = {k: v for k, v in call.summary().items() if k != "id"}
        files: list[AudioFile] = []
        used: set[str] = set()
        for rec in mixed[call.call_id]:
            name = _audio_name("wiadomosc" if rec.kind == "message" else "nagranie", rec.path, used)
            meta = {**rec.as_dict(), "speaker": "oboje"}
            files.append(AudioFile(f"{base}/{name}", rec.path, meta))
        for ch in channels[call.call_id]:
            who = "mieszkaniec" if ch.speaker == "resident" else "urzednik"
            name = _audio_name(f"nagranie-{who}", ch.path, used)
            files.append(AudioFile(f"{base}/{name}", ch.path, ch.as_dict()))
        transcript = transcripts.get(call.call_id)
        hold = holds.get(call.call_id)
        callback = callbacks.get(call.call_id)
        data = {
            "rozmowa": summary,
            "przebieg": [e.as_dict() for e in events[call.call_id]],
            "notatki_po_rozmowie": [w.as_dict() for w in wrapups[call.call_id]],
            "tematy": [t.as_dict() for t in topics[call.call_id]],
            "przekazania": [t.summary() for t in transfers[call.call_id]],
            "blokada_prawna": None if hold is None else {"od": hold.set_at.isoformat()},
            "oddzwonienie": None if callback is None else _callback(callback, with_call=False),
            "transkrypcja_nieukryta_przechowywana": bool(transcript and transcript.unredacted),
        }
        text = None if transcript is None else transcript.as_dict()
        out.append(CallExport(base, data, text, files))
    return out


def _callback(row: CallbackRequest, *, with_call: bool) -> dict[str, Any]:
    out = {
        "numer": row.number, "kolejka": row.queue, "status": row.status,
        "proby": row.attempts, "ostatni_wynik": row.last_result,
        "zgloszono": row.requested_at.isoformat() if row.requested_at else None,
        "zmieniono": row.updated_at.isoformat() if row.updated_at else None,
    }  # fmt: skip
    if with_call:
        out["call_id"] = row.call_id
    return out


def callbacks(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Callback requests from the resident's calls or to one of their numbers (the call id
    only when the call is theirs)."""
    mine = set(scope.calls)
    forms = scope.subject.spellings
    rows = session.scalars(
        select(CallbackRequest)
        .where(or_(CallbackRequest.number.in_(forms), CallbackRequest.call_id.in_(scope.calls)))
        .order_by(CallbackRequest.id)
    ).all() if forms else []  # fmt: skip
    return [_callback(r, with_call=r.call_id in mine) for r in rows]


def reports(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Contact reports linked to the resident's calls: only their calls listed; the note only
    when every call of the report is theirs."""
    mine = set(scope.calls)
    out = []
    for part in chunks(scope.reports):
        for report in session.scalars(
            select(ContactReport).where(ContactReport.id.in_(part)).order_by(ContactReport.id)
        ):
            linked = session.scalars(
                select(ContactReportCall.call_id)
                .where(ContactReportCall.report_id == report.id)
                .order_by(ContactReportCall.id)
            ).all()
            only_theirs = all(c in mine for c in linked)
            case = None if report.case_id is None else report.case_id
            out.append({
                "id": report.id, "temat": report.topic,
                "notatka": report.note if only_theirs else None,
                "uwaga": None if only_theirs else WITHHELD_NOTE,
                "komorka": report.department, "status": REPORT_STATUSES[report.status],
                "rozmowy": [c for c in linked if c in mine],
                "sprawa_id": case,
                "utworzono": report.created_at.isoformat(),
                "zmieniono": report.updated_at.isoformat(),
            })  # fmt: skip
    return out


def cases(session: Session, scope: Scope, today: date) -> list[dict[str, Any]]:
    """Cases linked to the resident: the case's own fields, only their party entries, their
    calls and reports, and the metryka lines about the case itself or their contacts."""
    mine, my_reports = set(scope.calls), {str(r) for r in scope.reports}
    known = catalogue.catalogue(session)
    categories = {c["symbol"]: c["category"] for c in known["classes"]}
    out = []
    for case in cases_in_order(session, scope.cases):
        own = scope.parties.get(case.id, [])
        parties = session.scalars(
            select(CaseParty).where(CaseParty.id.in_(own)).order_by(CaseParty.id)
        ).all() if own else []  # fmt: skip
        calls = session.scalars(
            select(CaseCall.call_id).where(CaseCall.case_id == case.id).order_by(CaseCall.id)
        ).all()
        case_reports = session.scalars(
            select(ContactReport.id).where(ContactReport.case_id == case.id)
        ).all()
        metryka = []
        for action in session.scalars(
            select(CaseAction).where(CaseAction.case_id == case.id).order_by(CaseAction.id)
        ):
            about_them = (action.action == "rozmowa" and action.document_id in mine) or (
                action.action == "zgloszenie" and action.document_id in my_reports
            )
            if action.action in NEUTRAL_ACTIONS or about_them:
                metryka.append({"kiedy": action.at.isoformat(), "czynnosc": action.action,
                                "opis": action.description})  # fmt: skip
        summary = records.summary(case, today)
        out.append({
            "id": case.id, "znak": case.signature, "tytul": case.title,
            "status": summary["status_label"], "komorka": case.unit, "jrwa": case.jrwa,
            "jrwa_haslo": known["names"].get(case.jrwa, ""),
            "kategoria_archiwalna": categories.get(case.jrwa, ""),
            "wszczeta": summary["started_on"], "zakonczona": summary["closed_on"],
            "termin": summary["deadline"], "rodzaj_terminu": summary["deadline_kind_label"],
            "powiazanie": sorted(scope.cases[case.id]),
            "pani_pana_wpisy_jako_strony": [
                {"id": p.id, "imie_nazwisko": p.name, "rola": p.role, "kontakt": p.contact}
                for p in parties
            ],
            "rozmowy": [c for c in calls if c in mine],
            "zgloszenia": [r for r in case_reports if str(r) in my_reports],
            "metryka": metryka,
        })  # fmt: skip
    return out


def access_history(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Audit entries about the resident's record or calls: when and what (not who)."""
    residents = [str(i) for i in (scope.subject.resident_id, *scope.subject.merged)]
    rows: list[AuditEntry] = list(
        session.scalars(
            select(AuditEntry).where(
                AuditEntry.target.in_(residents),
                or_(AuditEntry.action.like("resident%"), AuditEntry.action.like("privacy%")),
            )
        )
    )
    for part in chunks(scope.calls):
        rows += session.scalars(select(AuditEntry).where(AuditEntry.target.in_(part)))
    rows.sort(key=lambda r: r.id)
    mine = set(scope.calls)
    return [
        {"kiedy": r.at.isoformat(), "czynnosc": ACCESS_LABELS.get(r.action, r.action),
         "rozmowa": r.target if r.target in mine else None}
        for r in rows
    ]  # fmt: skip
