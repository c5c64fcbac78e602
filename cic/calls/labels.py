"""Polish labels of every code a call carries, in one place for pages, exports and tests.

A function per kind of code returns the label staff read; a code with no label (a new
Asterisk cause, say) comes back as the code itself, escaped, so a page never shows raw markup
and never shows nothing. The codes themselves stay in the API's JSON; pages add the labels
(JS pages through ``web/static/js/pl_format.js``, whose outcomes a test keeps equal).
Routing reasons and leg ends may carry a detail after a colon (``returning_caller:PJSIP/agent-
anna``, ``closed_holiday:Boże Narodzenie``): the label names the reason and keeps the detail.
"""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup, escape

OUTCOMES: Mapping[str, str] = {
    "answered": "odebrane", "abandoned": "porzucone", "unanswered": "nieodebrane",
    "message": "wiadomość", "lost": "przerwane", "in_progress": "w toku",
    "callback": "prośba o oddzwonienie",
}  # fmt: skip
#: The badge class of each outcome on the register (ok, warn, bad, info).
OUTCOME_BADGES: Mapping[str, str] = {
    "answered": "ok", "callback": "info", "message": "info", "in_progress": "info",
    "abandoned": "warn", "unanswered": "bad", "lost": "bad",
}  # fmt: skip
CONSENTS: Mapping[str, str] = {
    "given": "zgoda na nagrywanie", "declined": "odmowa nagrywania",
    "not_asked": "nie pytano (bez nagrywania)", "always": "nagrywane zawsze (informacja)",
}  # fmt: skip
EVENTS: Mapping[str, str] = {
    "CallEntered": "połączenie przychodzące", "ConsentRecorded": "zgoda na nagrywanie",
    "RecordingStarted": "rozpoczęto nagrywanie", "RecordingFailed": "błąd nagrania",
    "RecordingAttached": "zapisano nagranie", "CallRouted": "decyzja o kierowaniu",
    "CallFallback": "awaryjnie do pierwszej linii", "CallQueued": "w kolejce",
    "CallOffered": "dzwoni u konsultanta", "CallOfferFailed": "konsultant nie odebrał",
    "CallAnswered": "odebrane", "CallAbandoned": "rozłączył się w kolejce",
    "CallEnded": "zakończone", "CallbackRequested": "prośba o oddzwonienie",
    "CaseStatusChecked": "sprawdzenie stanu sprawy", "MessageLeft": "nagrana wiadomość",
    "ConsultRinging": "konsultacja: dzwoni u kolegi", "ConsultAnswered": "konsultacja: odebrana",
    "ConsultFailed": "konsultacja nieudana", "ConsultEnded": "konsultacja zakończona",
    "CallTransferred": "przekazane", "CallReconciled": "zamknięte po utracie łączności",
}  # fmt: skip
ROUTING_ACTIONS: Mapping[str, str] = {
    "queue": "do kolejki", "agent": "do konsultanta", "closed": "urząd zamknięty",
    "menu": "menu wydziałów",
}  # fmt: skip
REASONS: Mapping[str, str] = {
    "first_line": "nowy rozmówca: pierwsza linia", "closed_override": "zamknięte przełącznikiem",
    "closed_holiday": "święto", "closed_day": "dzień wolny", "closed_hours": "poza godzinami",
    "returning_caller": "powracający rozmówca", "agent_unavailable": "konsultant niedostępny",
    "case_owner": "prowadzący sprawę", "history_unavailable": "historia niedostępna",
    # Why an offer or a consult failed (CallOfferFailed, ConsultFailed).
    "no_answer": "brak odpowiedzi", "busy": "zajęty", "unavailable": "niedostępny",
    "rejected": "odrzucone", "agent_hangup": "konsultant się rozłączył",
    "caller_hangup": "mieszkaniec się rozłączył", "answered_elsewhere": "odebrał ktoś inny",
    "cancelled": "anulowane", "failed": "nieudane",
}  # fmt: skip
LEG_ENDS: Mapping[str, str] = {
    "in_progress": "w toku", "left": "przeszło dalej", "abandoned": "porzucone",
    "completed": "zakończone", "unanswered": "nieodebrane",
    "transferred_attended": "przekazane z zapowiedzią",
    "transferred_blind": "przekazane bez zapowiedzi",
    # How a consult on the leg ended.
    "returned": "powrót do mieszkańca", "transferred": "przekazane", "call_ended": "koniec rozmowy",
}  # fmt: skip
TRANSFER_KINDS: Mapping[str, str] = {
    "attended": "z zapowiedzią", "blind": "bez zapowiedzi", "consult": "konsultacja",
}  # fmt: skip
TRANSFER_STATES: Mapping[str, str] = {
    "consulting": "konsultacja trwa", "completing": "przekazywanie", "blind": "przekazywanie",
    "returned": "powrót do mieszkańca", "cancelled": "anulowane", "completed": "przekazane",
    "failed": "nieudane", "ended": "rozmowa zakończona", "done": "przekazane",
}  # fmt: skip
CALLBACK_STATUSES: Mapping[str, str] = {
    "waiting": "czeka", "dialing": "dzwonimy", "retry": "ponowna próba", "done": "oddzwoniono",
    "failed": "nieudane", "cancelled": "anulowane",
}  # fmt: skip
#: Asterisk's hang-up causes (Q.850 text as AMI gives it, or the number) and cic's own.
END_CAUSES: Mapping[str, str] = {
    "normal clearing": "zwykłe rozłączenie", "16": "zwykłe rozłączenie",
    "user busy": "zajęte", "17": "zajęte", "no user responding": "brak odpowiedzi",
    "18": "brak odpowiedzi", "no answer": "brak odpowiedzi", "19": "brak odpowiedzi",
    "call rejected": "odrzucone", "21": "odrzucone", "normal, unspecified": "rozłączenie",
    "31": "rozłączenie", "unallocated (unassigned) number": "nieprzydzielony numer",
    "1": "nieprzydzielony numer", "lost during ami reconnect": "utracone przy zaniku łączności",
    "not live after resync": "nie trwało po odzyskaniu łączności", "0": "nieznana przyczyna",
    "asterisk node lost": "awaria węzła centrali",
    "unknown": "nieznana przyczyna",
}  # fmt: skip


def _label(table: Mapping[str, str], code: str | None) -> Markup:
    """The label of ``code`` (the part before a colon), its detail kept; else the code."""
    text = code or ""
    if text in table:
        return escape(table[text])
    lowered = text.lower()
    if lowered in table:
        return escape(table[lowered])
    head, colon, detail = text.partition(":")
    if colon and head in table:
        return escape(f"{table[head]} ({detail})")
    return escape(text)


def outcome(code: str | None) -> Markup:
    """The Polish label of a call outcome (``answered`` -> ``odebrane``)."""
    return _label(OUTCOMES, code)


def outcome_badge(code: str | None) -> str:
    """The badge class of an outcome: ``badge-ok``, ``badge-warn``, ``badge-bad`` or
    ``badge-info``."""
    return f"badge-{OUTCOME_BADGES.get(code or '', 'info')}"


def consent(code: str | None) -> Markup:
    """The Polish label of a recording-consent outcome."""
    return _label(CONSENTS, code)


def event(code: str | None) -> Markup:
    """The Polish label of a timeline entry's type (``CallQueued`` -> ``w kolejce``)."""
    return _label(EVENTS, code)


def routing_action(code: str | None) -> Markup:
    """The Polish label of a routing action (queue, agent, closed, menu)."""
    return _label(ROUTING_ACTIONS, code)


def reason(code: str | None) -> Markup:
    """The Polish label of a routing reason or a failed offer's or consult's reason."""
    return _label(REASONS, code)


def leg_end(code: str | None) -> Markup:
    """The Polish label of how a leg of a call (or a consult on it) ended."""
    return _label(LEG_ENDS, code)


def transfer_kind(code: str | None) -> Markup:
    """The Polish label of a transfer's kind (attended, blind, consult)."""
    return _label(TRANSFER_KINDS, code)


def transfer_state(code: str | None) -> Markup:
    """The Polish label of a transfer's state (consulting, completed, ...)."""
    return _label(TRANSFER_STATES, code)


def callback_status(code: str | None) -> Markup:
    """The Polish label of a callback request's status."""
    return _label(CALLBACK_STATUSES, code)


def end_cause(code: str | None) -> Markup:
    """The Polish label of a call's end cause (Asterisk hang-up cause, text or number)."""
    return _label(END_CAUSES, code)
