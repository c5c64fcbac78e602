"""The case register's rules: who may do what, validation, and the work done in the store.

Officials (specialist, supervisor, admin) register and change cases; agents create and read
contact reports and read the cases linked to their reports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.actor import Actor
from cic.auth.errors import Forbidden
from cic.auth.refusals import record_refusal, run_guarded
from cic.calls.access import check_may_name
from cic.calls.models import Call
from cic.cases import catalogue, changes, jrwa, records, reports, spis, validation
from cic.cases.deadlines import DEADLINE_KINDS, due_date
from cic.cases.errors import (
    CaseHidden,
    InvalidSignature,
    InvalidValue,
    ReportForbidden,
    ReportHidden,
)
from cic.cases.models import (
    REPORT_STATUSES,
    Case,
    CaseCall,
    ContactReport,
)
from cic.cases.owners import open_matters, resident_open_matters
from cic.cases.pins import DUMMY_PIN_HASH, check_pin, hash_pin, new_pin
from cic.cases.schemas import (
    CaseOut,
    CasesQuery,
    CaseSummary,
    CatalogueOut,
    MetrykaEntry,
    ReportOut,
    ReportsQuery,
    SpisOut,
)
from cic.cases.signatures import parse_signature, validate_jrwa, validate_unit, validate_year
from cic.db import Store, utcnow

__all__ = ["Actor", "CaseService"]
DEFAULT_LIMIT = 100
PIN_NOTICE = (
    "Numer sprawy do infolinii (phone_code) i PIN do sprawdzania stanu sprawy przez telefon"
    " — PIN jest pokazywany tylko ten jeden raz."
)


def warsaw_today(zone: str = "Europe/Warsaw") -> date:
    """Today's date in the office's time zone."""
    return datetime.now(ZoneInfo(zone)).date()


class CaseService:
    """Contact reports and cases over a ``Store``."""

    def __init__(
        self,
        store: Store,
        today: Callable[[], date] = warsaw_today,
        pin_hasher: Callable[[str], str] = hash_pin,
    ) -> None:
        """``today`` gives the office's date; ``pin_hasher`` the PIN's hash (both for tests)."""
        self.store = store
        self.today = today
        self.pin_hasher = pin_hasher

    # JRWA ---------------------------------------------------------------------------------

    async def jrwa_classes(self) -> CatalogueOut:
        """The office's list if loaded, else the built-in subset (``source`` says which)."""
        return await self.store.run(catalogue.catalogue)

    async def load_jrwa(self, classes: list[jrwa.JrwaClass]) -> int:
        """Replace the office's list with ``classes``; returns how many were stored."""
        return await self.store.run(lambda s: catalogue.store_jrwa(s, classes))

    # cases --------------------------------------------------------------------------------

    async def register(
        self, body: dict[str, Any], actor: Actor, report_id: int | None = None
    ) -> dict[str, Any]:
        """Register a case; the answer carries the PIN once (only its hash is kept)."""
        await self._require_official(actor, "case", "(nowa)")
        today = self.today()
        started = validation.a_date(body, "started_on", "Data wszczęcia") or today
        if started > today:
            raise InvalidValue("Data wszczęcia nie może być z przyszłości.")
        validate_year(started.year)
        kind = validation.one_of(
            body.get("deadline_kind", "miesiac"), DEADLINE_KINDS, "Rodzaj terminu"
        )
        unit, symbol = validate_unit(body.get("unit")), validate_jrwa(body.get("jrwa"))
        new = records.NewCase(
            unit=unit, jrwa=symbol,
            title=validation.text(body, "title", 500, required=True),
            started_on=started, deadline_kind=kind, deadline=due_date(kind, started),
            pin_hash="", registered_by=actor.username,
            assigned_to=validation.text(body, "assigned_to", 64),
            parties=validation.parties(body.get("parties", [])),
            call_ids=validation.call_ids(body),
        )  # fmt: skip
        pin = new_pin()  # hashed only once everything else is valid (argon2 takes a while)
        new.pin_hash = await asyncio.to_thread(self.pin_hasher, pin)

        def work(session: Session) -> dict[str, Any]:
            catalogue.check_known(session, symbol)
            for call_id in new.call_ids:
                check_may_name(session, call_id, actor)
            report = None if report_id is None else reports.get(session, report_id)
            case = records.register(session, new)
            if report is not None:
                reports.attach_case(session, report, case, actor.username)
            # The resident keys this number and the PIN to hear the status by phone.
            return {**records.to_json(session, case, today), "phone_code": str(case.id)}

        registered = await run_guarded(self.store, actor, "case", "(nowa)", work)
        return {**registered, "pin": pin, "pin_notice": PIN_NOTICE}

    async def pin_matches(self, signature: str, pin: str) -> bool:
        """True when ``pin`` is the case's phone PIN (unknown cases cost the same time)."""
        try:
            signature = str(parse_signature(signature))
        except InvalidSignature:
            return False
        stored = await self.store.run(
            lambda s: s.scalars(select(Case.pin_hash).where(Case.signature == signature)).first()
        )
        matches = await asyncio.to_thread(check_pin, stored or DUMMY_PIN_HASH, pin)
        return stored is not None and matches

    async def link_report_to_case(self, report_id: int, signature: str, actor: Actor) -> CaseOut:
        """Link a contact report to an existing case (its calls join the case's metryka).

        Officials link any report to any case. An agent links only a report of their own, and
        only to a case the report's caller has open (the screen pop lists those): case
        numbers can be guessed, so any other case is "not found" to them.
        """
        signature = str(parse_signature(signature))
        today = self.today()

        def work(session: Session) -> CaseOut:
            report = reports.get(session, report_id)
            if not actor.official:
                if not reports.may_change(report, actor.username, official=False):
                    raise ReportForbidden()
                if signature not in _callers_open_cases(session, report):
                    raise CaseHidden(f"Rozmówca nie ma otwartej sprawy „{signature}”.")
            case = records.by_signature(session, signature)
            reports.attach_case(session, report, case, actor.username)
            return records.to_json(session, case, today)

        return await run_guarded(self.store, actor, "report", str(report_id), work)

    async def case(self, signature: str, actor: Actor) -> CaseOut:
        """One case (agents: only one linked to their reports)."""
        signature = str(parse_signature(signature))
        today = self.today()
        return await run_guarded(
            self.store, actor, "case", signature,
            lambda s: records.to_json(s, self._readable(s, signature, actor), today),
        )  # fmt: skip

    async def metryka(self, signature: str, actor: Actor) -> list[MetrykaEntry]:
        """The case's metryka, oldest first."""
        signature = str(parse_signature(signature))
        return await run_guarded(
            self.store, actor, "case", signature,
            lambda s: records.metryka(s, self._readable(s, signature, actor)),
        )  # fmt: skip

    async def update_case(self, signature: str, body: dict[str, Any], actor: Actor) -> CaseOut:
        """Change title, status, assignment, parties, deadline kind or the deadline itself."""
        signature = str(parse_signature(signature))
        await self._require_official(actor, "case", signature)
        today = self.today()
        change = changes.parse_change(body)

        def work(session: Session) -> CaseOut:
            case = records.by_signature(session, signature)
            changes.apply(session, case, change, actor.username, today)
            case.updated_at = utcnow()
            return records.to_json(session, case, today)

        return await self.store.run(work)

    async def link_call_to_case(
        self, signature: str, body: dict[str, Any], actor: Actor
    ) -> CaseOut:
        """Link one or more calls on record to a case."""
        signature = str(parse_signature(signature))
        await self._require_official(actor, "case", signature)
        ids = validation.call_ids(body)
        if not ids:
            raise InvalidValue("Podaj call_id rozmowy do połączenia ze sprawą.")
        today = self.today()

        def work(session: Session) -> CaseOut:
            case = records.by_signature(session, signature)
            for call_id in ids:
                check_may_name(session, call_id, actor)
                records.link_call(session, case, call_id, actor.username)
            return records.to_json(session, case, today)

        return await self.store.run(work)

    async def add_document(
        self, signature: str, body: dict[str, Any], actor: Actor
    ) -> list[MetrykaEntry]:
        """Note a document added to the case in its metryka; returns the metryka."""
        signature = str(parse_signature(signature))
        await self._require_official(actor, "case", signature)
        document = validation.text(body, "document_id", 128, required=True)
        description = validation.text(body, "description", 2000, multiline=True)

        def work(session: Session) -> list[MetrykaEntry]:
            case = records.by_signature(session, signature)
            what = f"Dodano dokument {document}" + (f": {description}" if description else ".")
            records.note(session, case, actor.username, "dokument", what, document)
            case.updated_at = utcnow()
            session.flush()
            return records.metryka(session, case)

        return await self.store.run(work)

    async def cases(self, query: CasesQuery, actor: Actor) -> list[CaseSummary]:
        """Cases, newest first, by ``call_id``, ``status`` or ``komorka`` (agents: their own)."""
        today = self.today()
        limit = query.limit or DEFAULT_LIMIT

        def work(session: Session) -> list[CaseSummary]:
            stmt = select(Case).order_by(Case.id.desc()).limit(limit)
            if query.call_id:
                linked = select(CaseCall.case_id).where(CaseCall.call_id == query.call_id)
                stmt = stmt.where(Case.id.in_(linked))
            if query.status:
                stmt = stmt.where(Case.status == query.status)
            if query.komorka:
                stmt = stmt.where(Case.unit == query.komorka)
            if not actor.official:
                mine = select(ContactReport.case_id).where(
                    (ContactReport.created_by == actor.username)
                    | (ContactReport.owner == actor.username)
                )
                stmt = stmt.where(Case.id.in_(mine))
            return [records.summary(c, today) for c in session.scalars(stmt).all()]

        return await self.store.run(work)

    async def register_list(self, unit: str, symbol: str, year: int) -> SpisOut:
        """The spis spraw of a unit, JRWA class and year, in number order."""
        validate_unit(unit)
        validate_jrwa(symbol)
        validate_year(year)

        def work(session: Session) -> SpisOut:
            rows = session.scalars(
                select(Case)
                .where(Case.unit == unit, Case.jrwa == symbol, Case.year == year)
                .order_by(Case.number)
            ).all()
            names = spis.party_names(session, [c.id for c in rows])
            return {
                "komorka": unit, "jrwa": symbol, "rok": year,
                "jrwa_name": catalogue.catalogue(session)["names"].get(symbol, ""),
                "sprawy": [spis.spis_row(c, names.get(c.id, [])) for c in rows],
            }  # fmt: skip

        return await self.store.run(work)

    async def deadlines(self, soon_days: int) -> dict[str, Any]:
        """Open cases past their deadline (with the art. 36 reminder) and those due soon."""
        today = self.today()

        def work(session: Session) -> dict[str, Any]:
            rows = session.scalars(
                select(Case)
                .where(Case.status.in_(records.OPEN_STATUSES), Case.deadline.is_not(None))
                .order_by(Case.deadline, Case.id)
            ).all()
            listed = [records.summary(c, today, soon_days) for c in rows]
            return {
                "today": today.isoformat(),
                "soon_days": soon_days,
                "overdue": [c for c in listed if c["overdue"]],
                "due_soon": [c for c in listed if c["due_soon"]],
            }

        return await self.store.run(work)

    # contact reports ----------------------------------------------------------------------

    async def create_report(self, body: dict[str, Any], actor: Actor) -> ReportOut:
        """A new contact report, from calls on record (``call_id``) or without one; an agent
        names only calls they took (officials any call)."""
        fields = _report_fields(body, creating=True)
        ids = validation.call_ids(body)

        def work(session: Session) -> ReportOut:
            for call_id in ids:
                check_may_name(session, call_id, actor)
            report_id = reports.create(session, fields, actor.username, ids)
            return reports.to_json(session, reports.get(session, report_id))

        return await run_guarded(self.store, actor, "report", "(nowe)", work)

    async def report(self, report_id: int, actor: Actor) -> ReportOut:
        """One contact report (agents: their own, or one about a call they took)."""

        def work(session: Session) -> ReportOut:
            report = reports.get(session, report_id)
            if not reports.may_read(session, report, actor):
                raise ReportHidden(f"Nie znaleziono zgłoszenia nr {report_id}.")
            return reports.to_json(session, report)

        return await run_guarded(self.store, actor, "report", str(report_id), work)

    async def update_report(self, report_id: int, body: dict[str, Any], actor: Actor) -> ReportOut:
        """Change a report (agents: their own); ``przekazane`` with a department hands it over."""
        fields = _report_fields(body, creating=False)

        def work(session: Session) -> ReportOut:
            report = reports.get(session, report_id)
            if not reports.may_change(report, actor.username, actor.official):
                raise ReportForbidden()
            if fields.get("status") == "przekazane" and not (
                fields.get("department") or report.department
            ):
                raise InvalidValue("Przekazując zgłoszenie, podaj komórkę (department).")
            reports.update(session, report, fields)
            return reports.to_json(session, report)

        return await run_guarded(self.store, actor, "report", str(report_id), work)

    async def link_call_to_report(
        self, report_id: int, body: dict[str, Any], actor: Actor
    ) -> ReportOut:
        """Link calls to a report (and to its case, if it has one): the report must be one the
        actor may change, and each call one on record that they may name."""
        ids = validation.call_ids(body)
        if not ids:
            raise InvalidValue("Podaj call_id rozmowy do połączenia ze zgłoszeniem.")

        def work(session: Session) -> ReportOut:
            report = reports.get(session, report_id)
            if not reports.may_change(report, actor.username, actor.official):
                raise ReportForbidden()
            for call_id in ids:
                check_may_name(session, call_id, actor)
                reports.link_call(session, report, call_id, actor.username)
            return reports.to_json(session, report)

        return await run_guarded(self.store, actor, "report", str(report_id), work)

    async def reports(self, query: ReportsQuery, actor: Actor) -> list[ReportOut]:
        """Reports, newest first, by ``call_id``, ``status``, ``department`` or ``owner``
        (agents: only those they may read)."""
        limit = query.limit or DEFAULT_LIMIT
        stmt = reports.listing(query, limit)
        if not actor.official:
            stmt = stmt.where(reports.readable_by_agent(actor.username, actor.interface))
        return await self.store.run(
            lambda s: [reports.to_json(s, r) for r in s.scalars(stmt).all()]
        )

    async def for_calls(self, call_ids: list[str], actor: Actor) -> dict[str, Any]:
        """Contact reports and cases of these calls (a resident's history)."""
        found_reports: dict[int, ReportOut] = {}
        found_cases: dict[str, CaseSummary] = {}
        # The resident's history is every staff member's context: the reports on these calls
        # are shown whoever wrote them (cases only as the actor may read them).
        stmt = reports.on_calls(call_ids)
        for report in await self.store.run(
            lambda s: [reports.to_json(s, r) for r in s.scalars(stmt).all()]
        ):
            found_reports[report["id"]] = report
        for call_id in call_ids:
            for case in await self.cases(CasesQuery(call_id=call_id, limit=200), actor):
                found_cases[case["signature"]] = case
        return {"reports": list(found_reports.values()), "cases": list(found_cases.values())}

    # helpers ------------------------------------------------------------------------------

    def _readable(self, session: Session, signature: str, actor: Actor) -> Case:
        case = records.by_signature(session, signature)
        if not actor.official and not records.is_readable_by_agent(session, case, actor.username):
            raise CaseHidden(f"Nie znaleziono sprawy „{signature}”.")
        return case

    async def _require_official(self, actor: Actor, kind: str, target: str) -> None:
        """Refuse (audited) unless ``actor`` may register and change cases."""
        if not actor.official:
            refused = Forbidden(
                "Sprawy rejestrują i zmieniają specjaliści, kierownicy i administratorzy."
            )
            await record_refusal(self.store, actor, kind, target, refused)
            raise refused


def _callers_open_cases(session: Session, report: ContactReport) -> set[str]:
    """Signatures of the open cases of the callers of the report's calls and of the report's
    resident (an e-mail's sender on record has no call to go by)."""
    numbers = session.scalars(
        select(Call.caller_number).where(Call.call_id.in_(reports.calls_of(session, report.id)))
    ).all()
    found = {m["signature"] for n in set(numbers) for m in open_matters(session, n, limit=50)}
    if report.resident_id is not None:
        mine = resident_open_matters(session, report.resident_id, limit=50)
        found |= {m["signature"] for m in mine}
    return found


def _report_fields(body: dict[str, Any], *, creating: bool) -> dict[str, str]:
    fields: dict[str, str] = {}
    if creating or "topic" in body:
        fields["topic"] = validation.text(body, "topic", 200, required=True)
    if "note" in body:
        fields["note"] = validation.text(body, "note", 20_000, multiline=True)
    if body.get("department"):
        fields["department"] = validate_unit(body["department"])
    if "owner" in body:
        fields["owner"] = validation.text(body, "owner", 64)
    if "status" in body and not creating:
        fields["status"] = validation.one_of(body["status"], REPORT_STATUSES, "Status zgłoszenia")
    return fields
