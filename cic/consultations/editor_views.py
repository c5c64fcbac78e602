"""The editors' pages of consultations (staff: role ``editor``, admin may too), server-rendered
with the staff layout; every POST carries the session's ``csrf_token`` (checked by the auth
middleware) and answers with a redirect (303) to the consultation's page, or the page again
with a Polish message.

GET  /redakcja/konsultacje                         the list and the form of a new one
POST /redakcja/konsultacje                         create -> /redakcja/konsultacje/{id}
GET  /redakcja/konsultacje/{id}                    edit, documents, comments, report
POST /redakcja/konsultacje/{id}                    change
POST /redakcja/konsultacje/{id}/dokumenty          upload a document (multipart: title, plik)
POST /redakcja/konsultacje/{id}/dokumenty/{doc}/usun      remove a document
POST /redakcja/konsultacje/{id}/uwagi/{comment}/moderacja  hide (reason) or show a comment
POST /redakcja/konsultacje/{id}/odpowiedzi         the response to the checked comments
POST /redakcja/konsultacje/{id}/raport             publish (or update) the report
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from cic.auth.roles import current_user, require
from cic.auth.templates import html, render
from cic.consultations.errors import ConsultationError, ConsultationNotFound, FieldErrors
from cic.consultations.names import RULE_LABELS
from cic.consultations.service import ConsultationService
from cic.http.endpoint import documented
from cic.http.json_api import form_data, form_fields
from cic.portal.render import form_values

BASE = "/redakcja/konsultacje"
EDITORS = ("editor",)  # admin may always
EDIT_FIELDS = ("title", "slug", "summary", "description", "starts_on", "ends_on", "names",
               "ask_solectwo")  # fmt: skip


def _actor(request: web.Request) -> str:
    user = current_user(request)
    return user.username if user else ""


def _number(raw: str, error: str = "Nie ma takiej konsultacji.") -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise ConsultationNotFound(error)
    return int(raw)


def _done(consultation_id: int, note: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"{BASE}/{consultation_id}?zrobione={note}")


NOTES = {
    "zapisano": "Zapisano konsultację.", "dokument": "Dodano dokument.",
    "usunieto": "Usunięto dokument.", "moderacja": "Zapisano decyzję moderatora.",
    "odpowiedz": "Zapisano stanowisko urzędu.", "raport": "Opublikowano raport.",
}  # fmt: skip


def routes(service: ConsultationService) -> list[web.RouteDef]:
    """The editors' pages."""

    async def listing(
        request: web.Request, *, values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None, status: int = 200,
    ) -> web.Response:  # fmt: skip
        text = render(request, "redakcja_konsultacje.html", items=await service.all(),
                      values=values or service.blank(), errors=errors or {},
                      rules=RULE_LABELS)  # fmt: skip
        return html(text, status)

    async def editor(
        request: web.Request, consultation_id: int, *, values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None, message: str = "", status: int = 200,
    ) -> web.Response:  # fmt: skip
        found = await service.by_id(consultation_id)
        current = values or {
            "title": found.title, "slug": found.slug, "summary": found.summary,
            "description": found.description, "starts_on": found.starts_on.isoformat(),
            "ends_on": found.ends_on.isoformat(), "names": found.names,
            "ask_solectwo": "1" if found.ask_solectwo else "",
        }  # fmt: skip
        note = NOTES.get(request.query.get("zrobione", ""), "")
        text = render(
            request, "redakcja_konsultacja.html", c=found, values=current, errors=errors or {},
            message=message, note=note, rules=RULE_LABELS,
            max_mb=service.settings.document_max_mb,
        )  # fmt: skip
        return html(text, status)

    @documented(
        "Konsultacje w redakcji portalu: lista i nowa konsultacja (strona HTML)", errors=(401, 403)
    )
    @require(*EDITORS)
    async def index(request: web.Request) -> web.StreamResponse:
        return await listing(request)

    @documented(
        "Nowa konsultacja (formularz redakcji)",
        errors=(400, 401, 403),
        also={303: "Utworzona: strona konsultacji w redakcji"},
    )
    @require(*EDITORS)
    async def create(request: web.Request) -> web.StreamResponse:
        values = form_values(await form_fields(request, ConsultationError), *EDIT_FIELDS,
                             limit=60_000)  # fmt: skip
        try:
            new = await service.save(None, values, _actor(request))
        except FieldErrors as exc:
            return await listing(request, values=values, errors=exc.fields, status=400)
        raise _done(new, "zapisano")

    @documented(
        "Konsultacja w redakcji: dane, dokumenty, uwagi, raport (strona HTML)",
        errors=(401, 403, 404),
    )
    @require(*EDITORS)
    async def show(request: web.Request) -> web.StreamResponse:
        return await editor(request, _number(request.match_info["id"]))

    @documented(
        "Zmiana konsultacji (formularz redakcji)",
        errors=(400, 401, 403, 404),
        also={303: "Zapisana"},
    )
    @require(*EDITORS)
    async def update(request: web.Request) -> web.StreamResponse:
        consultation_id = _number(request.match_info["id"])
        values = form_values(await form_fields(request, ConsultationError), *EDIT_FIELDS,
                             limit=60_000)  # fmt: skip
        try:
            await service.save(consultation_id, values, _actor(request))
        except FieldErrors as exc:
            return await editor(request, consultation_id, values=values, errors=exc.fields,
                                status=400)  # fmt: skip
        raise _done(consultation_id, "zapisano")

    @documented(
        "Dokument konsultacji (formularz multipart: title, plik)",
        errors=(400, 401, 403, 404, 413),
        also={303: "Dodany"},
    )
    @require(*EDITORS)
    async def upload(request: web.Request) -> web.StreamResponse:
        consultation_id = _number(request.match_info["id"])
        try:
            form = await request.post()
        except ValueError:
            form = None
        upload = form.get("plik") if form is not None else None
        if not isinstance(upload, web.FileField):
            return await editor(request, consultation_id, status=400,
                                message="Wybierz plik do wysłania.")  # fmt: skip
        title = form.get("title", "") if form is not None else ""
        data = upload.file.read()
        try:
            await service.add_document(
                consultation_id, str(title), upload.filename or "", data, _actor(request)
            )
        except ConsultationNotFound:
            raise
        except ConsultationError as exc:
            return await editor(request, consultation_id, status=exc.status,
                                message=exc.message)  # fmt: skip
        raise _done(consultation_id, "dokument")

    @documented("Usunięcie dokumentu konsultacji", errors=(401, 403, 404), also={303: "Usunięty"})
    @require(*EDITORS)
    async def remove(request: web.Request) -> web.StreamResponse:
        consultation_id = _number(request.match_info["id"])
        document = _number(request.match_info["document"], "Nie ma takiego dokumentu.")
        await service.remove_document(consultation_id, document, _actor(request))
        raise _done(consultation_id, "usunieto")

    @documented(
        "Ukrycie uwagi z powodem albo jej przywrócenie (moderacja)",
        errors=(400, 401, 403, 404),
        also={303: "Zapisana decyzja"},
    )
    @require(*EDITORS)
    async def moderate(request: web.Request) -> web.StreamResponse:
        consultation_id = _number(request.match_info["id"])
        comment = _number(request.match_info["comment"], "Nie ma takiej uwagi.")
        data = form_values(await form_fields(request, ConsultationError), "action", "reason")
        try:
            await service.moderate(consultation_id, comment, hide=data["action"] == "ukryj",
                                   reason=data["reason"], actor=_actor(request))  # fmt: skip
        except FieldErrors as exc:
            return await editor(request, consultation_id, status=400,
                                message=" ".join(exc.fields.values()))  # fmt: skip
        raise _done(consultation_id, "moderacja")

    @documented(
        "Stanowisko urzędu do zaznaczonych uwag",
        errors=(400, 401, 403, 404),
        also={303: "Zapisane"},
    )
    @require(*EDITORS)
    async def respond(request: web.Request) -> web.StreamResponse:
        consultation_id = _number(request.match_info["id"])
        form = await form_data(request, ConsultationError)
        ids = [_number(str(v), "Nie ma takiej uwagi.") for v in form.getall("comment", [])]
        try:
            await service.respond(consultation_id, ids, str(form.get("response", "")),
                                  _actor(request))  # fmt: skip
        except FieldErrors as exc:
            return await editor(request, consultation_id, status=400,
                                message=" ".join(exc.fields.values()))  # fmt: skip
        raise _done(consultation_id, "odpowiedz")

    @documented(
        "Publikacja raportu z zakończonej konsultacji",
        errors=(400, 401, 403, 404, 409),
        also={303: "Opublikowany"},
    )
    @require(*EDITORS)
    async def publish(request: web.Request) -> web.StreamResponse:
        consultation_id = _number(request.match_info["id"])
        data = form_values(await form_fields(request, ConsultationError), "intro", limit=60_000)
        try:
            await service.publish_report(consultation_id, data["intro"], _actor(request))
        except ConsultationError as exc:
            if isinstance(exc, ConsultationNotFound):
                raise
            return await editor(request, consultation_id, status=exc.status,
                                message=exc.message)  # fmt: skip
        raise _done(consultation_id, "raport")

    return [
        web.get(BASE, index),
        web.post(BASE, create),
        web.get(BASE + "/{id}", show),
        web.post(BASE + "/{id}", update),
        web.post(BASE + "/{id}/dokumenty", upload),
        web.post(BASE + "/{id}/dokumenty/{document}/usun", remove),
        web.post(BASE + "/{id}/uwagi/{comment}/moderacja", moderate),
        web.post(BASE + "/{id}/odpowiedzi", respond),
        web.post(BASE + "/{id}/raport", publish),
    ]
