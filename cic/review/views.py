"""The supervisor's review over HTTP: the page ``/przeglad`` and its JSON and CSV.

GET /przeglad                              the review page (filters, player, transcript)
GET /api/review/calls?topic=&from=&to=&agent=&department=&outcome=&min_seconds=&max_seconds=
GET /api/review/calls.csv?...              the same list as CSV
GET /api/review/stats?period=week|month&...  topic counts per period and department
GET /api/review/stats.csv?...              the same as CSV
GET /api/review/topics                     the taxonomy (for the filters and corrections)
GET /api/review/search?q=&from=&to=&...    full-text search in the transcripts, best first
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cic.auth import audit
from cic.auth.actor import actor_of
from cic.auth.roles import require
from cic.auth.templates import html, render
from cic.db import Store
from cic.http.endpoint import documented
from cic.http.schemas import read_query
from cic.review.answers import ReviewCall, SearchPage, TopicCount, TopicInfo
from cic.review.errors import InvalidInput
from cic.review.review import Review, as_csv
from cic.review.schemas import FilterQuery, SearchQuery, StatsQuery
from cic.review.search import TranscriptSearch, check_offset, parse_query

ROLES = ("supervisor",)  # admin may always
CALL_COLUMNS = ["call_id", "entered_at", "caller_number", "agent", "queue", "outcome",
                "talk_seconds", "topics", "wrapup_topics", "corrected"]  # fmt: skip
STAT_COLUMNS = ["period", "topic", "name", "department", "calls"]


def _csv(text: str, name: str) -> web.Response:
    return web.Response(
        body=("\ufeff" + text).encode("utf-8"),  # BOM: spreadsheets read Polish letters right
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _flat(call: ReviewCall) -> dict[str, Any]:
    return {**call, "topics": ", ".join(t["id"] for t in call["topics"]),
            "wrapup_topics": ", ".join(call["wrapup_topics"])}  # fmt: skip


def routes(review: Review, store: Store) -> list[web.RouteDef]:
    """The review page and its data."""
    finder = TranscriptSearch(review)

    async def calls(request: web.Request) -> list[ReviewCall]:
        filters = read_query(request, FilterQuery, InvalidInput).filters()
        return await store.run(lambda s: review.calls(s, filters))

    async def on_record(request: web.Request, action: str, **detail: Any) -> None:
        """Searches of transcripts and exports of the call list are audited (counts only:
        the search words can be personal data)."""
        actor = await actor_of(request)
        await store.run(
            lambda s: audit.record(
                s, action, actor=actor.username, target="/przeglad", ip=actor.ip, **detail
            )
        )

    async def stats(request: web.Request) -> list[TopicCount]:
        query = read_query(request, StatsQuery, InvalidInput)
        filters, period = query.filters(), query.period
        return await store.run(lambda s: review.counts(s, filters, period))

    @documented("Przegląd rozmów kierownika zmiany (strona HTML)", errors=(403,))
    @require(*ROLES)
    async def page(request: web.Request) -> web.StreamResponse:
        topics = sorted(review.taxonomy.topics, key=lambda t: t.name)
        return html(render(request, "review.html", topics=topics,
                           departments=review.taxonomy.departments))  # fmt: skip

    @documented(
        "Rozmowy do przeglądu według filtrów",
        query=FilterQuery,
        returns=list[ReviewCall],
        errors=(400, 401, 403, 503),
    )
    @require(*ROLES)
    async def calls_json(request: web.Request) -> web.StreamResponse:
        return web.json_response(await calls(request))

    @documented(
        "Rozmowy do przeglądu według filtrów jako plik CSV",
        query=FilterQuery,
        errors=(400, 401, 403, 503),
        media="text/csv",
    )
    @require(*ROLES)
    async def calls_csv(request: web.Request) -> web.StreamResponse:
        rows = [_flat(c) for c in await calls(request)]
        await on_record(request, "calls_exported", rows=len(rows))
        return _csv(as_csv(rows, CALL_COLUMNS), "rozmowy.csv")

    @documented(
        "Liczba rozmów według tematów w tygodniach lub miesiącach i wydziałach",
        query=StatsQuery,
        returns=list[TopicCount],
        errors=(400, 401, 403, 503),
    )
    @require(*ROLES)
    async def stats_json(request: web.Request) -> web.StreamResponse:
        return web.json_response(await stats(request))

    @documented(
        "Liczba rozmów według tematów, okresów i wydziałów jako plik CSV",
        query=StatsQuery,
        errors=(400, 401, 403, 503),
        media="text/csv",
    )
    @require(*ROLES)
    async def stats_csv(request: web.Request) -> web.StreamResponse:
        return _csv(as_csv(await stats(request), STAT_COLUMNS), "tematy.csv")

    @documented(
        "Tematy rozmów (taksonomia) z wydziałami",
        returns=list[TopicInfo],
        errors=(401, 403),
    )
    @require(*ROLES)
    async def topics(_request: web.Request) -> web.StreamResponse:
        listed: list[TopicInfo] = [
            {"id": t.id, "name": t.name, "department": t.department} for t in review.taxonomy.topics
        ]
        return web.json_response(listed)

    @documented(
        "Wyszukiwanie w transkrypcjach, najlepsze trafienia pierwsze",
        query=SearchQuery,
        returns=SearchPage,
        errors=(400, 401, 403, 503),
    )
    @require(*ROLES)
    async def search(request: web.Request) -> web.StreamResponse:
        asked = read_query(request, SearchQuery, InvalidInput)
        query, limit, offset = asked.q, asked.limit, asked.offset
        parse_query(query)  # a clear 400 before the database is asked
        check_offset(offset)
        filters = asked.filters()
        hits = await store.run(lambda s: finder.search(s, query, filters, limit + 1, offset))
        await on_record(request, "transcript_search", results=len(hits[:limit]), offset=offset)
        shown = hits[:limit]
        answer: SearchPage = {"query": query, "offset": offset, "more": len(hits) > limit,
                              "count": len(shown), "results": shown}  # fmt: skip
        return web.json_response(answer)

    return [
        web.get("/przeglad", page),
        web.get("/api/review/calls", calls_json),
        web.get("/api/review/calls.csv", calls_csv),
        web.get("/api/review/stats", stats_json),
        web.get("/api/review/stats.csv", stats_csv),
        web.get("/api/review/topics", topics),
        web.get("/api/review/search", search),
    ]
