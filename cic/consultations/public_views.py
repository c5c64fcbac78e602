"""The public pages of consultations (no sign-in, no cookie, no script).

GET  /e-urzad/konsultacje                              running, announced and closed ones
GET  /e-urzad/konsultacje/{slug}                       description, period, documents, form
POST /e-urzad/konsultacje/{slug}/uwagi                 a comment -> 303 to the thank-you page
GET  /e-urzad/konsultacje/{slug}/dziekujemy?nr=N       thanks, with the comment's number
GET  /e-urzad/konsultacje/{slug}/dokumenty/{id}        a document (attachment, safe name)
GET  /e-urzad/konsultacje/{slug}/raport                the report, once published
GET  /e-urzad/konsultacje/{slug}/raport.csv            the same as CSV
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cic.consultations.commenting import FIELDS, Commenting
from cic.consultations.errors import ConsultationClosed, ConsultationNotFound, FieldErrors
from cic.consultations.names import RULE_LABELS
from cic.consultations.report import build, to_csv
from cic.consultations.service import ConsultationService
from cic.consultations.views_model import Comment, ConsultationView
from cic.http.endpoint import documented
from cic.http.json_api import form_fields
from cic.kb.render import to_html
from cic.portal.errors import PortalError, PortalFormExpired, PortalTooManyAttempts
from cic.portal.forms import PortalForms
from cic.portal.render import form_values, page, see_other

BASE = "/e-urzad/konsultacje"
SECTION = "konsultacje"
HEADINGS = {"trwa": "Trwające konsultacje", "zapowiedziana": "Zapowiedziane konsultacje",
            "zakończona": "Zakończone konsultacje"}  # fmt: skip
ORDER = ("trwa", "zapowiedziana", "zakończona")


def _document_id(request: web.Request) -> int:
    raw = request.match_info["document"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise ConsultationNotFound("Nie ma takiego dokumentu.")
    return int(raw)


def routes(
    service: ConsultationService, commenting: Commenting, forms: PortalForms
) -> list[web.RouteDef]:
    """The public pages."""
    settings = service.settings

    def visible(found: ConsultationView) -> tuple[Comment, ...]:
        if not settings.show_comments_during or found.report_published_at is not None:
            return ()
        return tuple(c for c in found.comments if c.moderated and not c.hidden)

    def show(
        request: web.Request, found: ConsultationView, *, status: int = 200,
        values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
        problem: str = "", refused: str = "",
    ) -> web.Response:  # fmt: skip
        return page(
            request, "konsultacja.html", status=status, section=SECTION, c=found,
            description=to_html(found.description), token=forms.token(),
            values=values or {name: "" for name in FIELDS}, errors=errors or {},
            problem=problem, refused=refused, rule=RULE_LABELS[found.names],
            solectwa=service.place.solectwa,
            consent=settings.name_consent, max_chars=settings.comment_max_chars,
            comments=visible(found),
        )  # fmt: skip

    @documented("Konsultacje społeczne: trwające, zapowiedziane i zakończone (strona HTML portalu)")
    async def index(request: web.Request) -> web.StreamResponse:
        found = await service.all()
        groups = [(HEADINGS[s], [c for c in found if c.state == s]) for s in ORDER]
        return page(request, "konsultacje.html", section=SECTION, groups=groups)

    @documented(
        "Konsultacja: opis, termin, dokumenty i formularz uwag (strona HTML portalu)", errors=(404,)
    )
    async def one(request: web.Request) -> web.StreamResponse:
        found = await service.by_slug(request.match_info["slug"], comments=True)
        return show(request, found)

    @documented(
        "Uwaga mieszkańca do konsultacji (formularz z form_token; bez logowania)",
        errors=(400, 404, 409, 429),
        also={303: "Przyjęta: przekierowanie na podziękowanie z numerem uwagi"},
    )
    async def comment(request: web.Request) -> web.StreamResponse:
        slug = request.match_info["slug"]
        data = await form_fields(request, PortalError)
        values = form_values(data, *FIELDS, limit=settings.comment_max_chars + 1000)
        found = await service.by_slug(slug, comments=True)
        try:
            token = forms.check(data)
            number = await commenting.submit(slug, values, token.nonce, request.remote or "")
        except FieldErrors as exc:
            return show(request, found, status=400, values=values, errors=exc.fields)
        except PortalFormExpired as exc:
            return show(request, found, status=400, values=values, problem=exc.message)
        except PortalTooManyAttempts as exc:
            answer = show(request, found, status=429, values=values, problem=exc.message)
            answer.headers["Retry-After"] = str(exc.retry_after)
            return answer
        except ConsultationClosed as exc:
            return show(request, found, status=409, values=values, refused=exc.message)
        raise see_other(f"{BASE}/{found.slug}/dziekujemy?nr={number}")

    @documented("Podziękowanie za uwagę z jej numerem (strona HTML portalu)", errors=(404,))
    async def thanks(request: web.Request) -> web.StreamResponse:
        found = await service.by_slug(request.match_info["slug"])
        raw = request.query.get("nr", "")
        number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 0
        return page(request, "konsultacja_dziekujemy.html", section=SECTION, c=found,
                    number=number, shown_later=not settings.show_comments_during)  # fmt: skip

    @documented(
        "Dokument konsultacji do pobrania (załącznik)",
        errors=(404,),
        media="application/octet-stream",
    )
    async def document(request: web.Request) -> web.StreamResponse:
        name, media_type, content = await service.document(
            request.match_info["slug"], _document_id(request)
        )
        return web.Response(body=content, headers={
            "Content-Type": media_type,
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
        })  # fmt: skip

    async def published(request: web.Request) -> Any:
        found = await service.by_slug(request.match_info["slug"], comments=True)
        if found.report_published_at is None:
            raise ConsultationNotFound("Raport z tej konsultacji nie został jeszcze opublikowany.")
        return build(found, service.place.zone)

    @documented(
        "Raport z konsultacji: uwagi, stanowisko urzędu, liczby (strona HTML portalu)",
        errors=(404,),
    )
    async def report(request: web.Request) -> web.StreamResponse:
        built = await published(request)
        intro = to_html(built.consultation.report_intro)
        return page(request, "konsultacja_raport.html", section=SECTION, r=built,
                    c=built.consultation, intro=intro)  # fmt: skip

    @documented("Raport z konsultacji jako CSV (UTF-8, średniki)", errors=(404,), media="text/csv")
    async def report_csv(request: web.Request) -> web.StreamResponse:
        built = await published(request)
        name = f"raport-{built.consultation.slug}.csv"
        return web.Response(body=to_csv(built), headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
        })  # fmt: skip

    return [
        web.get(BASE, index),
        web.get(BASE + "/{slug}", one),
        web.post(BASE + "/{slug}/uwagi", comment),
        web.get(BASE + "/{slug}/dziekujemy", thanks),
        web.get(BASE + "/{slug}/dokumenty/{document}", document),
        web.get(BASE + "/{slug}/raport", report),
        web.get(BASE + "/{slug}/raport.csv", report_csv),
    ]
