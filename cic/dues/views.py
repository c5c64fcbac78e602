"""The dues lookup on the portal (public, no sign-in, no JavaScript).

GET  /e-urzad/naleznosci   the form: payer number and PIN from the decision
POST /e-urzad/naleznosci   the statement, rendered directly (the PIN never goes into a URL,
                           nothing personal is in one), or the form again with a Polish error
                           (400; 429 with Retry-After when throttled)
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from cic.dues.errors import DuesError, DuesLocked, DuesNotFound
from cic.dues.payment import Payee, day, payments, zloty
from cic.dues.service import DuesLookup
from cic.http.endpoint import documented
from cic.http.json_api import form_data
from cic.portal.errors import PortalError, PortalFormExpired
from cic.portal.plugin import Portal
from cic.portal.render import form_values, page

PATH = "/e-urzad/naleznosci"
SECTION = "naleznosci"


def routes(lookup: DuesLookup, portal: Portal, payee: Payee) -> list[web.RouteDef]:
    """The form and the lookup."""

    def form(
        request: web.Request, values: Mapping[str, str], *, status: int = 200,
        errors: Mapping[str, str] | None = None, problem: str = "", retry_after: int = 0,
    ) -> web.Response:  # fmt: skip
        response = page(request, "naleznosci.html", status=status, section=SECTION,
                        token=portal.lookups.token(), values=values, errors=errors or {},
                        problem=problem)  # fmt: skip
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @documented("Portal: sprawdź należności — formularz (numer płatnika i PIN z decyzji)")
    async def show(request: web.Request) -> web.StreamResponse:
        return form(request, {"platnik": ""})

    @documented(
        "Portal: należności płatnika (numer płatnika i PIN z decyzji) z danymi do przelewu i"
        " kodem QR",
        description="Wynik od razu na stronie (bez PIN-u w adresie). Błędny PIN i nieznany"
        " płatnik: ta sama odpowiedź; zbyt wiele prób: 429 z Retry-After.",
        errors=(400, 429, 503),
    )
    async def check(request: web.Request) -> web.StreamResponse:
        data = await form_data(request, PortalError)
        values = form_values(data, "platnik", limit=40)
        pin = str(data.get("pin", "")).strip()[:40]
        try:
            portal.lookups.check({k: str(v) for k, v in data.items()})
        except PortalFormExpired as exc:
            return form(request, values, status=400, problem=exc.message)
        errors = {}
        if not values["platnik"]:
            errors["platnik"] = "wpisz numer płatnika (jest w decyzji)."
        if not pin:
            errors["pin"] = "wpisz PIN (jest w decyzji)."
        if errors:
            return form(request, values, status=400, errors=errors)
        client = request.remote or ""
        verdict = portal.lookup_limit.take(client)
        if verdict.wait:
            minutes = -(-verdict.wait // 60)
            message = (f"Zbyt wiele sprawdzeń z tego adresu w ciągu godziny. Spróbuj ponownie"
                       f" za {minutes} min albo zadzwoń do urzędu.")  # fmt: skip
            return form(request, values, status=429, problem=message, retry_after=verdict.wait)
        try:
            statement = await lookup.find(values["platnik"], pin, client)
        except DuesNotFound as exc:
            errors = {"platnik": "sprawdź numer płatnika.", "pin": "sprawdź PIN."}
            return form(request, values, status=exc.status, errors=errors, problem=exc.message)
        except DuesLocked as exc:
            return form(request, values, status=exc.status, problem=exc.message,
                        retry_after=exc.retry_after)  # fmt: skip
        except DuesError as exc:  # pragma: no cover - no other refusal today
            return form(request, values, status=exc.status, problem=exc.message)
        return page(request, "naleznosci_wynik.html", section=SECTION, statement=statement,
                    payments=payments(statement, payee), zloty=zloty, day=day,
                    payee=payee)  # fmt: skip

    return [web.get(PATH, show), web.post(PATH, check)]
