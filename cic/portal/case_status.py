"""Case status on the portal: the signature and the PIN from the receipt -> status,
department, deadline and what happens next. No JavaScript; nothing in the URL.

GET  /e-urzad/sprawa   the form
POST /e-urzad/sprawa   the answer, rendered at once (no redirect: the PIN is never in a URL)

The PIN check is the phone's (``StatusChecks``, one instance for both): wrong attempts at a
case by phone and here add up, and this page keys its client by address (``ip:…``). An
unknown signature and a wrong PIN get the same page; the title and parties are never shown.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from cic.cases.errors import InvalidSignature
from cic.cases.models import CASE_STATUSES
from cic.cases.phone import spoken_date
from cic.cases.pins import PIN_DIGITS
from cic.cases.signatures import MAX_SIGNATURE, Signature, parse_signature
from cic.cases.status import CaseFacts, StatusChecks
from cic.channels.ratelimit import HourlyLimit
from cic.http.endpoint import documented
from cic.http.json_api import form_data
from cic.portal.errors import PortalError, PortalFormExpired
from cic.portal.forms import PortalForms
from cic.portal.render import form_values, page

SECTION = "sprawa"
PATH = "/e-urzad/sprawa"
#: What happens next, per status (Polish, for the resident).
NEXT_STEPS = {
    "wszczeta": (
        "Sprawa została zarejestrowana i czeka na rozpatrzenie. Jeśli urząd będzie potrzebował"
        " dodatkowych dokumentów lub wyjaśnień, wyśle wezwanie na adres podany we wniosku."
    ),
    "w_toku": (
        "Urząd rozpatruje sprawę. Jeśli potrzebne będą dodatkowe dokumenty lub wyjaśnienia,"
        " otrzymasz wezwanie; rozstrzygnięcie dostaniesz na adres podany we wniosku."
    ),
    "zawieszona": (
        "Postępowanie jest zawieszone: urząd czeka na dokument lub zdarzenie, od którego zależy"
        " rozstrzygnięcie (powód podano w piśmie o zawieszeniu). Po jego podjęciu sprawa"
        " będzie rozpatrywana dalej."
    ),
    "zakonczona": (
        "Sprawa jest zakończona. Rozstrzygnięcie (decyzję, zaświadczenie lub odpowiedź) urząd"
        " wysłał na adres podany we wniosku albo wydał osobiście. Jeśli go nie masz, zadzwoń"
        " do urzędu."
    ),
}
NOT_FOUND = (
    "Nie znaleźliśmy sprawy o tym znaku z tym PIN-em. Sprawdź znak sprawy i PIN na potwierdzeniu"
    " złożenia wniosku i wpisz je ponownie."
)
LOCKED = (
    "Zbyt wiele nieudanych prób dla tej sprawy lub z tego urządzenia. Ze względów"
    " bezpieczeństwa sprawdzanie jest wstrzymane na godzinę. Możesz też zadzwonić do urzędu."
)
#: Both fields marked when no case has this signature with this PIN (which one is wrong is
#: not said: that would tell whether the case exists).
SUSPECT = {"znak": "Sprawdź znak sprawy.", "pin": "Sprawdź PIN."}
TOO_MANY = "Zbyt wiele sprawdzeń z tego adresu. Spróbuj ponownie za {minutes} min."


def result_view(facts: CaseFacts) -> dict[str, str]:
    """What the page shows of a case: signature, status, department, deadline, next step."""
    open_case = facts.status in ("wszczeta", "w_toku")
    return {
        "signature": facts.signature,
        "status": CASE_STATUSES.get(facts.status, facts.status),
        "department": facts.department or f"komórka {facts.unit}",
        "deadline": spoken_date(facts.deadline) if open_case and facts.deadline else "",
        "next": NEXT_STEPS.get(facts.status, ""),
    }


def _form(
    request: web.Request,
    tokens: PortalForms,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    status: int = 200,
    problem: str = "",
) -> web.Response:
    token = tokens.token()
    return page(request, "sprawa.html", status=status, section=SECTION, token=token,
                values=values, errors=errors, problem=problem, result=None)  # fmt: skip


def _check_fields(values: Mapping[str, str]) -> tuple[Signature | None, dict[str, str]]:
    errors: dict[str, str] = {}
    signature = None
    try:
        signature = parse_signature("".join(values["znak"].split()))
    except InvalidSignature as exc:
        errors["znak"] = exc.message
    pin = values["pin"]
    if not pin:
        errors["pin"] = "Wpisz PIN z potwierdzenia złożenia wniosku."
    elif not (pin.isascii() and pin.isdigit() and len(pin) == PIN_DIGITS):
        errors["pin"] = f"PIN to {PIN_DIGITS} cyfr z potwierdzenia złożenia wniosku."
    return signature, errors


def routes(checks: StatusChecks, tokens: PortalForms, limit: HourlyLimit) -> list[web.RouteDef]:
    """The case-status page over the shared ``checks``, the portal's lookup ``tokens`` and its
    per-address ``limit``."""

    @documented("Portal: stan sprawy — formularz (znak sprawy i PIN z potwierdzenia)")
    async def show(request: web.Request) -> web.StreamResponse:
        return _form(request, tokens, {"znak": ""}, {})

    @documented(
        "Portal: stan sprawy po znaku i PIN-ie (ten sam PIN i te same blokady co przez telefon)",
        description="Pola znak, pin i form_token, zakodowane jak formularz HTML. Wynik od razu"
        " na stronie (bez przekierowania). Zły PIN i nieznany znak: ta sama odpowiedź (400);"
        " blokada po 10 nieudanych próbach i limit na adres: 429 z Retry-After.",
        errors=(400, 429, 503),
    )  # fmt: skip
    async def lookup(request: web.Request) -> web.StreamResponse:
        data = await form_data(request, PortalError)
        values = form_values(data, "znak", "pin", limit=MAX_SIGNATURE + 20)
        shown = {"znak": values["znak"]}  # the PIN is never written back into the page
        try:
            tokens.check({k: str(v) for k, v in data.items()})
        except PortalFormExpired as exc:
            return _form(request, tokens, shown, {}, 400, exc.message)
        signature, errors = _check_fields(values)
        if errors or signature is None:
            return _form(request, tokens, shown, errors, 400)
        client = f"ip:{request.remote or '?'}"
        verdict = limit.take(client)
        if verdict.wait:
            minutes = max(1, -(-verdict.wait // 60))
            response = _form(request, tokens, shown, {}, 429, TOO_MANY.format(minutes=minutes))
            response.headers["Retry-After"] = str(verdict.wait)
            return response
        answer = await checks.by_signature(client, signature, values["pin"])
        if answer.result == "locked":
            response = _form(request, tokens, shown, {}, 429, LOCKED)
            response.headers["Retry-After"] = "3600"
            return response
        if answer.facts is None:
            return _form(request, tokens, shown, SUSPECT, 400, NOT_FOUND)
        return page(request, "sprawa.html", section=SECTION, result=result_view(answer.facts),
                    token="", values={}, errors={}, problem="")  # fmt: skip

    return [web.get(PATH, show), web.post(PATH, lookup)]
