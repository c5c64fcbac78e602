"""The dashboard over HTTP, for the management, supervisors and admins.

GET /wskazniki?miesiac=RRRR-MM | od=&do=          every section and figure (HTML)
GET /api/wskazniki?...                            the same as JSON
GET /wskazniki/eksport.csv?... , eksport.xlsx     the same as a file
GET /wskazniki/raport?miesiac=RRRR-MM             the monthly report for the council (A4)
GET /wskazniki/raport.pdf?miesiac=RRRR-MM         the same printed to PDF by headless Chromium
GET /wskazniki/{key}?...&czesc=&strona=N          the records behind a figure, a page at a time
GET /api/wskazniki/{key}?...                      the same as JSON
GET /wskazniki/{key}/eksport.csv?...              every record behind it as CSV
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from cic.auth.roles import confined_out, current_user, require
from cic.auth.templates import STATIC, html, render
from cic.dashboard import export, present
from cic.dashboard.access import READERS, DashboardReader
from cic.dashboard.answers import (
    DrillOut,
    ReportOut,
    drill_row_json,
    figure_json,
    heatmap_json,
    period_json,
    report_json,
    staffing_json,
)
from cic.dashboard.errors import InvalidPeriod, UnknownMeasure
from cic.dashboard.pdf import Printer
from cic.dashboard.period import Period, parse
from cic.dashboard.schemas import DrillRow, Figure, Part, Section
from cic.http.endpoint import documented

ROLES = tuple(r for r in READERS if r != "admin")  # admin may always
PAGE = 50
FIRST_YEAR, LAST_YEAR = 1900, 2999
WEEKDAYS = ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela")
MAX_EXPORT = 10_000
EXPORT_PAGE = 500  # the service's largest page
MAX_PAGE = 10_000
KEY = r"{key:[a-z][a-z0-9_.]{0,79}}"
PERIOD_QUERY: dict[str, Any] = {
    "miesiac": {"type": "string", "description": "miesiąc RRRR-MM (pierwszeństwo przed od/do)"},
    "od": {"type": "string", "description": "pierwszy dzień RRRR-MM-DD"},
    "do": {"type": "string", "description": "ostatni dzień RRRR-MM-DD"},
}
PAGE_QUERY: dict[str, Any] = {
    **PERIOD_QUERY,
    "dzien": {"type": "string", "description": "dzień tygodnia prognozy obsady: 0 (pon.)–6"},
}
DRILL_QUERY: dict[str, Any] = {
    **PERIOD_QUERY,
    "czesc": {"type": "string", "description": "klucz części wskaźnika (wiersza podziału)"},
    "strona": {"type": "string", "description": "numer strony od 1"},
}
REPORT_CSS = Path(STATIC) / "css" / "dashboard.css"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Office:
    """What the pages name: the office, its time zone and today's date there."""

    name: str
    zone: str
    today: Callable[[], date]


def _file(body: bytes, name: str, content_type: str) -> web.Response:
    return web.Response(
        body=body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"',
                 "Cache-Control": "no-store"},
    )  # fmt: skip


def _page_number(raw: str) -> int:
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 5) or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidPeriod(f"numer strony: liczba od 1 do {MAX_PAGE}")
    return int(raw)


def checked(period: Period) -> Period:
    """``period`` if it and the one before it lie within years 1900-2999 (a calendar's edge,
    year 1 or 9999, would overflow the dates); else :class:`InvalidPeriod`."""
    if period.first.year < FIRST_YEAR or period.last.year > LAST_YEAR:
        raise InvalidPeriod(f"okres musi mieścić się w latach {FIRST_YEAR}–{LAST_YEAR}")
    return period


def _weekday(raw: str) -> int | None:
    if not raw:
        return None
    if raw not in ("0", "1", "2", "3", "4", "5", "6"):
        raise InvalidPeriod("dzień tygodnia: liczba od 0 (poniedziałek) do 6 (niedziela)")
    return int(raw)


def _context(sections: tuple[Section, ...], period: Period) -> dict[str, Any]:
    """What the page and the report show beside the figures: changes and sentences."""
    figures = [f for s in sections for f in s.figures]
    return {
        "sections": sections,
        "period": period,
        "previous": period.previous(),
        "changes": {f.key: present.change_of(f) for f in figures},
        "sentences": {f.key: present.sentence(f, period) for f in figures},
        "present": present,
        "chart_data": {f.key: figure_json(f)["series"] for f in figures if f.series},
    }


def routes(reader: DashboardReader, office: Office) -> list[web.RouteDef]:
    """The dashboard's pages, JSON and files."""
    printer = Printer()

    def period_of(request: web.Request) -> Period:
        try:
            asked = parse(dict(request.query), office.today(), office.zone)
        except ValueError as exc:  # a date the calendar has not (year 0)
            raise InvalidPeriod(
                f"okres musi mieścić się w latach {FIRST_YEAR}–{LAST_YEAR}"
            ) from exc
        return checked(asked)

    async def report(request: web.Request) -> tuple[tuple[Section, ...], Period]:
        period = period_of(request)
        return await reader.report(current_user(request), period), period

    async def centre(request: web.Request, period: Period) -> dict[str, Any]:
        weekday = _weekday(request.query.get("dzien", ""))
        found = await reader.centre(current_user(request), period, weekday)
        if found is None:
            return {"heatmap": None, "staffing": None, "weekday": weekday}
        return {"heatmap": found[0], "staffing": found[1], "weekday": weekday}

    @documented(
        "Wskaźniki: mierniki strategii i centrum obsługi za okres (strona HTML)",
        query=PAGE_QUERY,
        errors=(400, 401, 403, 503),
    )
    @require(*ROLES)
    async def page(request: web.Request) -> web.StreamResponse:
        query = request.query
        form = {k: query.get(k, "") for k in ("miesiac", "od", "do", "dzien")}
        try:
            sections, period = await report(request)
            extra = await centre(request, period)
        except InvalidPeriod as exc:
            text = render(request, "wskazniki.html", error=exc.message, form=form, sections=())
            return html(text, exc.status)
        records = reader.may_list_records(current_user(request))
        return html(render(request, "wskazniki.html", error="", form=form, office=office.name,
                           weekdays=WEEKDAYS, records=records, **extra,
                           **_context(sections, period)))  # fmt: skip

    @documented(
        "Wskaźniki za okres (JSON): sekcje, wartości, poprzedni okres, podział i serie dzienne",
        query=PAGE_QUERY,
        returns=ReportOut,
        errors=(400, 401, 403, 503),
    )
    @require(*ROLES)
    async def as_json(request: web.Request) -> web.StreamResponse:
        sections, period = await report(request)
        answer, extra = report_json(sections, period), await centre(request, period)
        if extra["heatmap"] is not None:
            answer["heatmap"] = heatmap_json(extra["heatmap"])
            answer["staffing"] = staffing_json(extra["staffing"])
        return web.json_response(answer)

    @documented(
        "Wskaźniki za okres jako plik CSV (wskaźniki i ich podział)",
        query=PERIOD_QUERY,
        errors=(400, 401, 403, 503),
        media="text/csv",
    )
    @require(*ROLES)
    async def as_csv(request: web.Request) -> web.StreamResponse:
        sections, period = await report(request)
        name = export.file_name("wskazniki", period, "csv")
        return _file(export.report_csv(sections), name, "text/csv")

    @documented(
        "Wskaźniki za okres jako skoroszyt XLSX (arkusz na sekcję i serie dzienne)",
        query=PERIOD_QUERY,
        errors=(400, 401, 403, 503),
        media=XLSX,
    )
    @require(*ROLES)
    async def as_xlsx(request: web.Request) -> web.StreamResponse:
        sections, period = await report(request)
        body = export.report_xlsx(sections, period, office.name)
        return _file(body, export.file_name("wskazniki", period, "xlsx"), XLSX)

    @documented(
        "Miesięczny raport dla rady gminy: wskaźniki względem poprzedniego miesiąca (strona A4)",
        query=PERIOD_QUERY,
        errors=(400, 401, 403, 503),
    )
    @require(*ROLES)
    async def council(request: web.Request) -> web.StreamResponse:
        sections, period = await report(request)
        return html(render(request, "wskazniki_raport.html", office=office.name,
                           **_context(sections, period)))  # fmt: skip

    @documented(
        "Miesięczny raport dla rady gminy jako plik PDF",
        query=PERIOD_QUERY,
        errors=(400, 401, 403, 503),
        media="application/pdf",
    )
    @require(*ROLES)
    async def council_pdf(request: web.Request) -> web.StreamResponse:
        sections, period = await report(request)
        css = REPORT_CSS.read_text(encoding="utf-8")
        page = render(request, "wskazniki_raport_pdf.html", office=office.name, css=css,
                      **_context(sections, period))  # fmt: skip
        body = await printer.pdf(page)
        return _file(body, export.file_name("raport_rada", period, "pdf"), "application/pdf")

    async def target(request: web.Request) -> tuple[Figure, Part | None, Period]:
        """The figure of the path, the part asked for (``czesc``) and the period; 404 when
        the figure, or the part, has no records to list."""
        period = period_of(request)
        figure = await reader.figure(current_user(request), request.match_info["key"], period)
        wanted = request.query.get("czesc", "")
        part = next((p for p in figure.parts if p.key == wanted), None) if wanted else None
        if (wanted and (part is None or not part.drill)) or (not wanted and not figure.drill):
            raise UnknownMeasure("Ten wskaźnik (albo jego część) nie ma listy rekordów.")
        return figure, part, period

    async def drilled(request: web.Request, offset: int) -> DrillOut:
        figure, part, period = await target(request)
        key, part_key = (part.drill, part.key) if part else (figure.drill, None)
        user = current_user(request)
        rows, total = await reader.drill(user, key, period, part_key, PAGE, offset)
        return {"key": figure.key, "label": figure.label, "part": part.label if part else "",
                "period": period_json(period), "total": total, "page": offset // PAGE + 1,
                "pages": max(1, -(-total // PAGE)),
                "rows": [drill_row_json(r) for r in rows]}  # fmt: skip

    def offset_of(request: web.Request) -> int:
        return (_page_number(request.query.get("strona", "")) - 1) * PAGE

    @documented(
        "Rekordy stojące za wskaźnikiem (lista HTML, po 50 na stronie)",
        query=DRILL_QUERY,
        errors=(400, 401, 403, 404, 503),
    )
    @require(*ROLES)
    async def drill_page(request: web.Request) -> web.StreamResponse:
        user = current_user(request)
        try:
            found = await drilled(request, offset_of(request))
        except InvalidPeriod as exc:
            return html(render(request, "wskaznik.html", error=exc.message, drill=None), 400)
        follow = {r["link"]: user is not None and not confined_out(user, r["link"])
                  for r in found["rows"]}  # fmt: skip
        query = period_of(request).query()
        if request.query.get("czesc"):
            query += "&" + urlencode({"czesc": request.query["czesc"]})
        key = found["key"]
        links = {"back": f"/wskazniki?{period_of(request).query()}#wskaznik-{key}",
                 "csv": f"/wskazniki/{key}/eksport.csv?{query}",
                 "page": f"/wskazniki/{key}?{query}&strona="}  # fmt: skip
        extra = [dict(r["extra"]) for r in found["rows"]]
        columns = list(dict.fromkeys(label for more in extra for label in more))
        return html(render(request, "wskaznik.html", error="", drill=found, follow=follow,
                           links=links, columns=columns, extra=extra,
                           when=lambda at: present.when(at, office.zone)))  # fmt: skip

    @documented(
        "Rekordy stojące za wskaźnikiem (JSON, po 50 na stronie)",
        query=DRILL_QUERY,
        returns=DrillOut,
        errors=(400, 401, 403, 404, 503),
    )
    @require(*ROLES)
    async def drill_json(request: web.Request) -> web.StreamResponse:
        return web.json_response(await drilled(request, offset_of(request)))

    @documented(
        f"Rekordy stojące za wskaźnikiem jako plik CSV (najwyżej {MAX_EXPORT})",
        query=DRILL_QUERY,
        errors=(400, 401, 403, 404, 503),
        media="text/csv",
    )
    @require(*ROLES)
    async def drill_csv(request: web.Request) -> web.StreamResponse:
        figure, part, period = await target(request)
        key, part_key = (part.drill, part.key) if part else (figure.drill, None)
        user, rows = current_user(request), list[DrillRow]()
        while len(rows) < MAX_EXPORT:
            more, total = await reader.drill(user, key, period, part_key, EXPORT_PAGE, len(rows))
            rows.extend(more)
            if not more or len(rows) >= total:
                break
        name = export.file_name(f"rekordy_{figure.key.replace('.', '_')}", period, "csv")
        return _file(export.drill_csv(rows[:MAX_EXPORT]), name, "text/csv")

    return [
        web.get("/wskazniki", page),
        web.get("/api/wskazniki", as_json),
        web.get("/wskazniki/eksport.csv", as_csv),
        web.get("/wskazniki/eksport.xlsx", as_xlsx),
        web.get("/wskazniki/raport", council),
        web.get("/wskazniki/raport.pdf", council_pdf),
        web.get(f"/wskazniki/{KEY}", drill_page),
        web.get(f"/wskazniki/{KEY}/eksport.csv", drill_csv),
        web.get(f"/api/wskazniki/{KEY}", drill_json),
    ]
