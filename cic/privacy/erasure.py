"""Erasure and anonymisation (art. 17 RODO) where the law allows it, planned before it runs.

The plan says, per record, what happens and why (in Polish):

- a call not linked to a case, not under legal hold and not in an open contact report: its
  recordings (files and rows), transcript and search row go; the call record stays for
  statistics (time, queue, outcome) without the caller's number and name, the agents' notes,
  the handover notes and the callback number;
- a call under legal hold stays whole (art. 17 ust. 3 lit. e);
- a call linked to a case stays (the case file needs it: art. 17 ust. 3 lit. b and d); its
  recording still goes after ``speech.retention_days`` like every other;
- a closed contact report that only concerns the resident loses its note; one still open, one
  that became a case or one that also concerns other callers stays;
- cases, their parties and metryka stay, with the archival category that says for how long;
- the resident's record, numbers and merged duplicates go, unless a case linked to them is still
  in progress (the office needs to recognise them in that case).

Erasure does not start while one of the resident's calls is in progress, a callback to them is
waiting or a recording of theirs is still being processed: ``blocked`` says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cic.callbacks.models import OPEN_STATUSES, CallbackRequest
from cic.calls.models import Call, CallEvent, CallWrapup, Recording
from cic.cases import catalogue
from cic.cases.models import CASE_STATUSES, REPORT_STATUSES, Case, CaseCall, ContactReport
from cic.cases.models import ContactReportCall as ReportCall
from cic.postcall import jobs
from cic.postcall.models import PostCallJob
from cic.privacy.scope import Scope, cases_in_order, chunks
from cic.recordings.files import siblings
from cic.recordings.models import CallTopic, CallTranscript, LegalHold
from cic.recordings.models import RecordingChannel as Channel
from cic.recordings.retention import purge_call, remove_file
from cic.residents.models import Resident, ResidentNumber
from cic.transfers.models import Transfer

OPEN_CASES = ("wszczeta", "w_toku", "zawieszona")
#: Keys of a timeline entry that carry the caller's identity or words.
PERSONAL_KEYS = ("caller_number", "caller_name", "request", "note")
ERASED_CALL = (
    "Usunięto numer i nazwę rozmówcy, notatki po rozmowie, notatkę przekazania i numer do"
    " oddzwonienia; zostają czas, kolejka i wynik rozmowy (statystyka bez danych osobowych)."
)


@dataclass(frozen=True)
class Step:
    """One record and what happens to it: ``usuń``, ``anonimizuj`` or ``zachowaj``, and why."""

    record: str
    ref: str
    action: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        """The step as JSON."""
        return {"rekord": self.record, "id": self.ref, "czynnosc": self.action,
                "powod": self.reason}  # fmt: skip


@dataclass
class Plan:
    """What erasure will do (or did) for one resident."""

    resident_id: int
    steps: list[Step] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    purge: list[str] = field(default_factory=list)
    anonymise: list[str] = field(default_factory=list)
    reports: list[int] = field(default_factory=list)
    callbacks: list[int] = field(default_factory=list)
    delete_resident: bool = False
    residents: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)

    def step(self, record: str, ref: object, action: str, reason: str) -> None:
        """Add a step: ``action`` is ``usuń``, ``anonimizuj`` or ``zachowaj``."""
        self.steps.append(Step(record, str(ref), action, reason))

    def counts(self) -> dict[str, int]:
        """Numbers only, for the audit log."""
        return {
            "calls_purged": len(self.purge),
            "calls_anonymised": len(self.anonymise),
            "reports_anonymised": len(self.reports),
            "callbacks_anonymised": len(self.callbacks),
            "kept": sum(1 for s in self.steps if s.action == "zachowaj"),
            "resident_deleted": int(self.delete_resident),
        }

    def as_dict(self) -> dict[str, Any]:
        """The plan as JSON."""
        return {"mieszkaniec": self.resident_id, "wstrzymane": self.blocked,
                "kroki": [s.as_dict() for s in self.steps], "liczby": self.counts()}  # fmt: skip


def archival_reason(case: Case, category: str, retention_days: int) -> str:
    """Why a case stays, by its status and archival category (JRWA)."""
    sig = case.signature
    if case.status in OPEN_CASES:
        return (
            f"Sprawa {sig} jest w toku ({CASE_STATUSES[case.status]}): dane są potrzebne do jej"
            " prowadzenia (art. 6 ust. 1 lit. c i art. 17 ust. 3 lit. b RODO, KPA)."
        )
    kept = _kept_for(category, case.closed_on)
    return (
        f"Sprawa {sig} jest zakończona; jej akta, strony i metryka są dokumentacją urzędu"
        f" przechowywaną według instrukcji kancelaryjnej i wykazu akt: {kept} (art. 17 ust. 3"
        " lit. b i d RODO, ustawa o narodowym zasobie archiwalnym i archiwach)."
    )


def _kept_for(category: str, closed: date | None) -> str:
    if category == "A":
        return "kategoria A — materiały archiwalne: wieczyście, w archiwum państwowym"
    digits = "".join(c for c in category if c.isdigit())
    if digits and closed is not None:
        until = closed.year + 1 + int(digits)
        expert = ", potem ocena archiwum państwowego (BE)" if category.startswith("BE") else ""
        return (
            f"kategoria {category} — {digits} lat od 1 stycznia {closed.year + 1} r., brakowanie"
            f" najwcześniej w {until} r. za zgodą archiwum państwowego{expert}"
        )
    if category:
        return f"kategoria {category} według wykazu akt urzędu"
    return "kategoria archiwalna nieznana — sprawdź wykaz akt urzędu"


def _blocked(session: Session, scope: Scope) -> list[str]:
    reasons = []
    for part in chunks(scope.calls):
        for call_id in session.scalars(
            select(Call.call_id).where(
                Call.call_id.in_(part), Call.ended_at.is_(None), Call.outcome == "in_progress"
            )
        ):
            reasons.append(f"Trwa rozmowa {call_id}: usunięcie jest możliwe po jej zakończeniu.")
        for call_id in session.scalars(
            select(PostCallJob.call_id).where(
                PostCallJob.call_id.in_(part), PostCallJob.status.in_(("queued", "running"))
            )
        ):
            reasons.append(
                f"Nagranie rozmowy {call_id} jest jeszcze przetwarzane (transkrypcja):"
                " spróbuj ponownie po jego zakończeniu."
            )
    forms = scope.subject.spellings
    if forms or scope.calls:
        for callback_id in session.scalars(
            select(CallbackRequest.id).where(
                CallbackRequest.status.in_(OPEN_STATUSES),
                (CallbackRequest.number.in_(forms)) | (CallbackRequest.call_id.in_(scope.calls)),
            )
        ):
            reasons.append(
                f"Czeka prośba o oddzwonienie nr {callback_id}: usunięcie jest możliwe po jej"
                " zakończeniu lub anulowaniu."
            )
    return list(dict.fromkeys(reasons))


def make_plan(session: Session, scope: Scope, retention_days: int) -> Plan:
    """What erasure would do now for ``scope``'s resident (nothing is changed)."""
    plan = Plan(scope.subject.resident_id, blocked=_blocked(session, scope))
    cases = cases_in_order(session, scope.cases)
    by_id = {c.id: c for c in cases}
    categories = {c["symbol"]: c["category"] for c in catalogue.catalogue(session)["classes"]}
    holds = {
        h.call_id: h
        for part in chunks(scope.calls)
        for h in session.scalars(select(LegalHold).where(LegalHold.call_id.in_(part)))
    }
    in_case: dict[str, Case] = {}
    for part in chunks(scope.calls):
        for call_id, case_id in session.execute(
            select(CaseCall.call_id, CaseCall.case_id).where(CaseCall.call_id.in_(part))
        ):
            if case_id in by_id:
                in_case.setdefault(call_id, by_id[case_id])
    open_reports = _plan_reports(session, scope, plan, by_id)
    _plan_calls(session, scope, plan, holds, in_case, open_reports, retention_days)
    _plan_callbacks(session, scope, plan)
    for case in cases:
        reason = archival_reason(case, categories.get(case.jrwa, ""), retention_days)
        plan.step("sprawa", case.signature, "zachowaj", reason)
    _plan_resident(scope, plan, [c for c in cases if c.status in OPEN_CASES])
    return plan


def _plan_reports(
    session: Session, scope: Scope, plan: Plan, cases: dict[int, Case]
) -> dict[str, ContactReport]:
    """Plan the reports; returns the open ones by each of the resident's calls in them."""
    mine = set(scope.calls)
    open_by_call: dict[str, ContactReport] = {}
    for report in session.scalars(
        select(ContactReport).where(ContactReport.id.in_(scope.reports)).order_by(ContactReport.id)
    ):
        calls = session.scalars(select(ReportCall.call_id).where(ReportCall.report_id == report.id))
        linked = list(calls)
        ref = str(report.id)
        if report.case_id is not None and report.case_id in cases:
            sig = cases[report.case_id].signature
            plan.step(
                "zgłoszenie",
                ref,
                "zachowaj",
                f"Zgłoszenie stało się sprawą {sig} i należy do jej akt.",
            )
        elif report.status != "zamkniete":
            for call_id in linked:
                open_by_call.setdefault(call_id, report)
            plan.step(
                "zgłoszenie",
                ref,
                "zachowaj",
                f"Zgłoszenie jest w toku ({REPORT_STATUSES[report.status]}): zostaje do jego"
                " zamknięcia; żądanie można wtedy ponowić.",
            )
        elif not all(c in mine for c in linked):
            plan.step(
                "zgłoszenie",
                ref,
                "zachowaj",
                "Zgłoszenie obejmuje także rozmowy innych osób: jego notatka nie jest usuwana"
                " automatycznie — urzędnik usuwa z niej dane tej osoby ręcznie.",
            )
        else:
            plan.reports.append(report.id)
            plan.step(
                "zgłoszenie",
                ref,
                "anonimizuj",
                "Zgłoszenie zamknięte i dotyczy tylko tej osoby: usunięta notatka; temat i"
                " status zostają w statystyce.",
            )
    return open_by_call


def _plan_calls(
    session: Session,
    scope: Scope,
    plan: Plan,
    holds: dict[str, LegalHold],
    in_case: dict[str, Case],
    open_reports: dict[str, ContactReport],
    retention_days: int,
) -> None:
    with_audio: set[str] = set()
    for part in chunks(scope.calls):
        for model in (Recording, Channel, CallTranscript):
            with_audio.update(session.scalars(select(model.call_id).where(model.call_id.in_(part))))
    for call_id in scope.calls:
        if call_id in holds:
            since = holds[call_id].set_at.date().isoformat()
            plan.step(
                "rozmowa",
                call_id,
                "zachowaj",
                f"Rozmowa objęta blokadą prawną od {since}: nagranie, transkrypcja i numer zostają"
                " do zdjęcia blokady (art. 17 ust. 3 lit. e RODO).",
            )
        elif call_id in in_case:
            sig = in_case[call_id].signature
            plan.step(
                "rozmowa",
                call_id,
                "zachowaj",
                f"Rozmowa należy do sprawy {sig} i jest w jej metryce (art. 17 ust. 3 lit. b"
                f" RODO); nagranie i transkrypcja i tak znikną po {retention_days} dniach od"
                " rozmowy, chyba że objęto je blokadą prawną.",
            )
        elif call_id in open_reports:
            report = open_reports[call_id]
            plan.step(
                "rozmowa",
                call_id,
                "zachowaj",
                f"Rozmowa należy do zgłoszenia nr {report.id} w toku: zostaje do jego zamknięcia.",
            )
        else:
            if call_id in with_audio:
                plan.purge.append(call_id)
                plan.step(
                    "nagranie i transkrypcja",
                    call_id,
                    "usuń",
                    "Pliki nagrań, transkrypcja i wpis w indeksie wyszukiwania: rozmowa nie"
                    " należy do sprawy ani nie jest objęta blokadą prawną.",
                )
            plan.anonymise.append(call_id)
            plan.step("rozmowa", call_id, "anonimizuj", ERASED_CALL)


def _plan_callbacks(session: Session, scope: Scope, plan: Plan) -> None:
    """Closed callbacks to the resident's numbers from calls that are not kept."""
    kept = set(scope.calls) - set(plan.anonymise)
    forms = scope.subject.spellings
    if not forms:
        return
    for row in session.scalars(
        select(CallbackRequest)
        .where(CallbackRequest.number.in_(forms), CallbackRequest.status.not_in(OPEN_STATUSES))
        .order_by(CallbackRequest.id)
    ):
        if row.call_id in kept or row.call_id in plan.anonymise:
            continue  # kept with its call, or anonymised with it
        plan.callbacks.append(row.id)
        plan.step(
            "oddzwonienie", str(row.id), "anonimizuj", "Usunięty numer, pod który urząd oddzwaniał."
        )


def _plan_resident(scope: Scope, plan: Plan, open_cases: list[Case]) -> None:
    subject = scope.subject
    ref = str(subject.resident_id)
    if open_cases:
        sigs = ", ".join(c.signature for c in open_cases)
        plan.step(
            "mieszkaniec",
            ref,
            "zachowaj",
            f"W toku jest sprawa {sigs}: wpis z numerami zostaje, by urząd rozpoznał tę osobę w"
            " rozmowach o tej sprawie (art. 17 ust. 3 lit. b RODO); żądanie można ponowić po"
            " zakończeniu sprawy.",
        )
        return
    plan.delete_resident = True
    plan.residents = [*subject.merged, subject.resident_id]
    plan.numbers = subject.spellings
    plan.step(
        "mieszkaniec",
        ref,
        "usuń",
        "Wpis w kartotece mieszkańców, numery telefonów i połączone z nim duplikaty.",
    )


def execute(session: Session, plan: Plan) -> list[str]:
    """Carry out ``plan`` in the caller's transaction; returns the files to delete afterwards."""
    paths: list[str] = []
    for call_id in plan.purge:
        found, _ = purge_call(session, call_id, (jobs.forget,))
        paths += found
    for part in chunks(plan.anonymise):
        _anonymise_calls(session, part)
    if plan.callbacks:
        session.execute(
            update(CallbackRequest).where(CallbackRequest.id.in_(plan.callbacks)).values(number="")
        )
    if plan.reports:
        session.execute(
            update(ContactReport).where(ContactReport.id.in_(plan.reports)).values(note="")
        )
    if plan.delete_resident:
        ids = plan.residents
        session.execute(delete(ResidentNumber).where(ResidentNumber.resident_id.in_(ids)))
        session.execute(update(Resident).where(Resident.id.in_(ids)).values(merged_into=None))
        session.execute(delete(Resident).where(Resident.id.in_(ids)))
    return list(dict.fromkeys([*paths, *(s for p in paths for s in siblings(Path(p)))]))


def _anonymise_calls(session: Session, ids: list[str]) -> None:
    session.execute(
        update(Call).where(Call.call_id.in_(ids)).values(caller_number="", caller_name="")
    )
    for event in session.scalars(select(CallEvent).where(CallEvent.call_id.in_(ids))):
        if any(event.data.get(k) for k in PERSONAL_KEYS):
            event.data = {k: ("" if k in PERSONAL_KEYS else v) for k, v in event.data.items()}
    session.execute(update(CallWrapup).where(CallWrapup.call_id.in_(ids)).values(note=""))
    session.execute(
        update(Transfer)
        .where(Transfer.call_id.in_(ids))
        .values(caller_number="", caller_name="", note="")
    )
    session.execute(
        update(CallbackRequest).where(CallbackRequest.call_id.in_(ids)).values(number="")
    )
    session.execute(update(CallTopic).where(CallTopic.call_id.in_(ids)).values(matched=[]))


def remove_files(root: Path, paths: list[str]) -> int:
    """Delete the files (only inside ``root``); how many were removed."""
    return sum(remove_file(root, p) for p in paths if Path(p).exists())
