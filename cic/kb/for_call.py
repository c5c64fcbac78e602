"""Articles to put on the agent's screen for a call, each with why it is there.

Three hints, in this order: the department the resident chose in the menu (the routing reason
``menu:<code>`` or ``menu_department_closed:<code>``), what the resident's earlier calls were
about (the topics their agents wrote in the wrap-up, searched as Polish text), and the
first-line note of a transfer (searched too). The agent's own typing is the search box's job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from cic.kb.schemas import Suggestion
from cic.kb.service import KbService

MENU_PREFIXES = ("menu:", "menu_department_closed:", "menu_unavailable:")
EarlierCalls = Callable[[str, str], Awaitable[Sequence[Mapping[str, Any]]]]


def menu_department(routing_reason: str | None) -> str | None:
    """The department code of a menu choice in a routing reason, or ``None``."""
    for prefix in MENU_PREFIXES:
        if routing_reason and routing_reason.startswith(prefix):
            code = routing_reason[len(prefix) :].strip()
            return code or None
    return None


async def suggestions_for_call(
    kb: KbService,
    call: Mapping[str, Any],
    earlier: EarlierCalls,
    *,
    note: str = "",
    limit: int = 6,
) -> list[Suggestion]:
    """Up to ``limit`` articles for ``call`` (a call record), each with a Polish ``why``."""
    out: dict[str, Suggestion] = {}

    def add(article: Mapping[str, Any], why: str) -> None:
        slug = article["slug"]
        if slug not in out and len(out) < limit:
            out[slug] = {"slug": slug, "title": article.get("title"),
                         "department": article.get("department"),
                         "snippet": article.get("snippet"), "why": why}  # fmt: skip

    department = menu_department(call.get("routing_reason"))
    if department:
        for article in kb.suggest((), department, 3):
            add(article, f"Wybór w menu: wydział {department}")
    history = await earlier(str(call.get("caller_number") or ""), str(call.get("call_id")))
    topics = []
    for item in history:
        topic = ((item.get("wrapup") or {}).get("topic") or "").strip()
        if topic and topic not in topics:
            topics.append(topic)
    for topic in topics[:3]:
        for article in kb.search(topic, 2):
            add(article, f"Poprzednia rozmowa: {topic}")
    if note.strip():
        for article in kb.search(note.strip()[:200], 2):
            add(article, "Notatka z przekazania")
    return list(out.values())
