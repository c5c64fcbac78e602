"""The editors' pages (role ``editor``; admin may too), server-rendered in the staff layout
with the session's CSRF token in every form; no script needed.

GET  /redakcja                       the editor's home: announcements with their state
GET  /redakcja/ogloszenia/nowe       a blank announcement
POST /redakcja/ogloszenia/nowe       save it (``akcja``: zapisz, opublikuj, zaplanuj)
GET  /redakcja/ogloszenia/{id}       one announcement to edit
POST /redakcja/ogloszenia/{id}       save it and ``akcja``: zapisz, opublikuj, zaplanuj, wycofaj
GET  /redakcja/kategorie             the categories
POST /redakcja/kategorie             add one or rename one
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from cic.announcements.errors import AnnouncementError, InvalidAnnouncement
from cic.announcements.present import from_local_field, local_field, polish_time
from cic.announcements.service import AnnouncementService, Draft, EditedAnnouncement
from cic.auth.roles import current_user, require
from cic.auth.templates import html, render
from cic.http.endpoint import documented
from cic.http.json_api import form_data, form_fields, path_id, whole_number

EDITORS = ("editor",)  # admin may always
HOME = "/redakcja"
ACTIONS = ("zapisz", "opublikuj", "zaplanuj", "wycofaj")
FIELDS = ("title", "summary", "body", "category", "publish_at", "expires_at")


def routes(service: AnnouncementService, zone: str) -> list[web.RouteDef]:
    """The editors' pages."""

    def when(value: Any) -> str:
        return polish_time(value, zone)

    async def editor_page(
        request: web.Request, values: Mapping[str, Any], *, item: EditedAnnouncement | None,
        errors: Mapping[str, str] | None = None, status: int = 200, notice: str = "",
    ) -> web.Response:  # fmt: skip
        text = render(
            request, "redakcja_ogloszenie.html", item=item, values=values,
            errors=dict(errors or {}), notice=notice,
            categories=await service.categories(), solectwa=service.solectwa, when=when,
        )  # fmt: skip
        return html(text, status)

    def values_of(item: EditedAnnouncement) -> dict[str, Any]:
        return {"title": item.title, "summary": item.summary, "body": item.body,
                "category": item.category, "solectwa": list(item.solectwa),
                "publish_at": local_field(item.publish_at, zone),
                "expires_at": local_field(item.expires_at, zone)}  # fmt: skip

    @documented("Redakcja portalu: ogłoszenia i ich stan (strona HTML)", errors=(401, 403))
    @require(*EDITORS)
    async def home(request: web.Request) -> web.StreamResponse:
        items = await service.edited()
        notice = {"zapisano": "Zapisano."}.get(request.query.get("stan", ""), "")
        return html(render(request, "redakcja.html", items=items, when=when, notice=notice))

    @documented("Nowe ogłoszenie: formularz (strona HTML)", errors=(401, 403))
    @require(*EDITORS)
    async def blank(request: web.Request) -> web.StreamResponse:
        values: dict[str, Any] = {name: "" for name in FIELDS} | {"solectwa": []}
        return await editor_page(request, values, item=None)

    @documented("Edycja ogłoszenia: formularz (strona HTML)", errors=(401, 403, 404))
    @require(*EDITORS)
    async def edit(request: web.Request) -> web.StreamResponse:
        item = await service.get(path_id(request, "id", AnnouncementError))
        notice = {
            "zapisz": "Zapisano.", "opublikuj": "Opublikowano.",
            "zaplanuj": "Zaplanowano publikację.", "wycofaj": "Wycofano z portalu.",
        }.get(request.query.get("stan", ""), "")  # fmt: skip
        return await editor_page(request, values_of(item), item=item, notice=notice)

    @documented("Zapis ogłoszenia i jego publikacja, zaplanowanie albo wycofanie (formularz)",
                errors=(400, 401, 403, 404), also={303: "zapisano: strona ogłoszenia"})  # fmt: skip
    @require(*EDITORS)
    async def save(request: web.Request) -> web.StreamResponse:
        raw_id = request.match_info.get("id")
        announcement_id = path_id(request, "id", AnnouncementError) if raw_id else None
        item = await service.get(announcement_id) if announcement_id else None
        form = await form_data(request, AnnouncementError)
        fields = await form_fields(request, AnnouncementError)
        values: dict[str, Any] = {name: fields.get(name, "").strip() for name in FIELDS}
        values["body"] = fields.get("body", "").replace("\r\n", "\n").strip()
        values["solectwa"] = [str(v) for v in form.getall("solectwa", [])]
        action = fields.get("akcja", "zapisz")
        user = current_user(request)
        try:
            if action not in ACTIONS or (action == "wycofaj" and item is None):
                raise InvalidAnnouncement({"akcja": "Nieznana czynność."})
            draft = _draft(values, zone)
            if action == "zaplanuj" and draft.publish_at is None:
                raise InvalidAnnouncement({"publish_at": "Podaj datę i godzinę publikacji."})
            saved = await service.save(draft, user.username if user else "", announcement_id)
            if action == "opublikuj":
                await service.publish(saved)
            elif action == "zaplanuj" and draft.publish_at is not None:
                await service.schedule(saved, draft.publish_at)
            elif action == "wycofaj":
                await service.withdraw(saved)
        except InvalidAnnouncement as exc:
            current = await service.get(announcement_id) if announcement_id else None
            return await editor_page(request, values, item=current, errors=exc.fields,
                                     status=exc.status)  # fmt: skip
        raise web.HTTPSeeOther(f"{HOME}/ogloszenia/{saved}?stan={action}")

    @documented("Kategorie ogłoszeń (strona HTML)", errors=(401, 403))
    @require(*EDITORS)
    async def categories(request: web.Request) -> web.StreamResponse:
        found = await service.categories(all_of_them=True)
        return html(render(request, "redakcja_kategorie.html", categories=found, error=""))

    @documented("Dodanie albo zmiana kategorii (formularz: name, id, active)",
                errors=(400, 401, 403, 404), also={303: "zapisano"})  # fmt: skip
    @require(*EDITORS)
    async def save_category(request: web.Request) -> web.StreamResponse:
        fields = await form_fields(request, AnnouncementError)
        category_id = whole_number(fields.get("id") or None, 1, 2**31 - 1)
        try:
            await service.save_category(
                fields.get("name", ""), category_id=category_id,
                active=category_id is None or fields.get("active") == "tak",
            )  # fmt: skip
        except InvalidAnnouncement as exc:
            found = await service.categories(all_of_them=True)
            text = render(request, "redakcja_kategorie.html", categories=found,
                          error=exc.message)  # fmt: skip
            return html(text, exc.status)
        raise web.HTTPSeeOther(f"{HOME}/kategorie")

    return [
        web.get(HOME, home),
        web.get(f"{HOME}/ogloszenia/nowe", blank),
        web.post(f"{HOME}/ogloszenia/nowe", save),
        web.get(HOME + r"/ogloszenia/{id:\d{1,10}}", edit),
        web.post(HOME + r"/ogloszenia/{id:\d{1,10}}", save),
        web.get(f"{HOME}/kategorie", categories),
        web.post(f"{HOME}/kategorie", save_category),
    ]


def _draft(values: Mapping[str, Any], zone: str) -> Draft:
    wrong: dict[str, str] = {}
    times: dict[str, Any] = {}
    for name, label in (("publish_at", "publikacji"), ("expires_at", "wygaśnięcia")):
        try:
            times[name] = from_local_field(values[name], zone)
        except ValueError:
            wrong[name] = f"Termin {label}: podaj datę i godzinę."
    if wrong:
        raise InvalidAnnouncement(wrong)
    return Draft(
        values["title"], values["summary"], values["body"], values["category"],
        tuple(values["solectwa"]), times["publish_at"], times["expires_at"],
    )  # fmt: skip
