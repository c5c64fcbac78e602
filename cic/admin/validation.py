"""Rules for what an administrator enters, with Polish messages naming the field.

Hours and closed days use the same parsers as the configuration (``cic.routing.calendar``),
so a stored value is accepted exactly when the same value in ``cic.yaml`` would be.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from cic.admin.errors import InvalidValue
from cic.agents.service import NAME_FIELD, checked_contact
from cic.config import RECORDING_POLICIES, WEEKDAYS
from cic.departments.service import DepartmentFields
from cic.pbx_values import DisplayName, QueueName, QueueStrategy, UnsafeValue
from cic.routing.calendar import parse_interval
from cic.routing.errors import OfficeCalendarError
from cic.routing.menu import MenuError, case_status_key, menu_as_settings, parse_menu

WEEKDAYS_PL = dict(
    zip(
        WEEKDAYS,
        ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
        strict=True,
    )
)
POLICY_LABELS = {
    "always": "zawsze (z informacją)",
    "opt-out": "domyślnie nagrywane, klawisz wyłącza",
    "opt-in": "tylko za zgodą (klawisz 1)",
    "never": "bez nagrywania",
}
STRATEGIES = QueueStrategy.choices
QUEUE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
DEPARTMENT_CODE = re.compile(r"[A-ZĄĆĘŁŃÓŚŹŻ][A-Z0-9ĄĆĘŁŃÓŚŹŻ]{0,15}")
MAX_PENALTY = 100
MAX_PAUSE_REASONS = 20


def text(value: object, field: str, max_len: int = 200) -> str:
    """A required single-line text of 1..``max_len`` characters, trimmed."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(f"{field}: pole wymagane.")
    value = value.strip()
    if len(value) > max_len:
        raise InvalidValue(f"{field}: najwyżej {max_len} znaków (jest {len(value)}).")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidValue(f"{field}: bez znaków sterujących i końców wiersza.")
    return value


def hours(value: object, field: str = "Godziny pracy") -> dict[str, list[str]]:
    """Opening hours per weekday (``{"mon": ["08:00-16:00"], ...}``), several intervals a day."""
    if not isinstance(value, dict):
        raise InvalidValue(f"{field}: oczekiwano dni tygodnia z przedziałami godzin.")
    unknown = [str(day) for day in value if day not in WEEKDAYS]
    if unknown:
        raise InvalidValue(f"{field}: nieznany dzień {unknown[0]!r}; dni: {', '.join(WEEKDAYS)}.")
    out: dict[str, list[str]] = {}
    for day in WEEKDAYS:
        raw = value.get(day, [])
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list):
            raise InvalidValue(f"{field} ({WEEKDAYS_PL[day]}): oczekiwano listy przedziałów.")
        spans: list[tuple[int, int]] = []
        for item in items:
            try:
                spans.append(parse_interval(item, day))
            except OfficeCalendarError:
                raise InvalidValue(
                    f"{field} ({WEEKDAYS_PL[day]}): {item!r} to nie przedział godzin w jednym "
                    "dniu, np. 08:00-16:00 (koniec po początku, najpóźniej 24:00)."
                ) from None
        spans.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
            if s2 < e1:
                raise InvalidValue(f"{field} ({WEEKDAYS_PL[day]}): przedziały nachodzą na siebie.")
        out[day] = [f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in spans]
    return out


def closed_days(value: object) -> list[str]:
    """Extra closed days as ISO dates, sorted and without repeats."""
    if not isinstance(value, list):
        raise InvalidValue("Dni wolne: oczekiwano listy dat RRRR-MM-DD.")
    days: set[date] = set()
    for item in value:
        try:
            days.add(date.fromisoformat(str(item).strip()))
        except ValueError:
            raise InvalidValue(f"Dni wolne: {item!r} to nie data w formacie RRRR-MM-DD.") from None
    return [d.isoformat() for d in sorted(days)]


def recording_policy(value: object) -> str:
    """One of ``always``, ``opt-out``, ``opt-in``, ``never``."""
    if value not in RECORDING_POLICIES:
        allowed = ", ".join(f"{p} ({POLICY_LABELS[p]})" for p in RECORDING_POLICIES)
        raise InvalidValue(f"Zasada nagrywania: jedna z {allowed}.")
    return str(value)


def pause_reasons(value: object) -> list[str]:
    """1..20 distinct reasons of 1..60 characters each."""
    if not isinstance(value, list) or not value:
        raise InvalidValue("Powody przerw: podaj co najmniej jeden powód.")
    if len(value) > MAX_PAUSE_REASONS:
        raise InvalidValue(f"Powody przerw: najwyżej {MAX_PAUSE_REASONS}.")
    reasons = [text(v, "Powód przerwy", 60) for v in value]
    if len(set(reasons)) != len(reasons):
        raise InvalidValue("Powody przerw: każdy powód tylko raz.")
    return reasons


def department_menu(value: object) -> list[dict[str, str]]:
    """The department menu: up to nine ``key``/``department``/``label`` options (empty: off)."""
    try:
        return menu_as_settings(parse_menu(value))
    except MenuError as exc:
        raise InvalidValue(str(exc)) from None


def status_key(value: object) -> str:
    """The menu key of "case status by phone": 1-9, or empty (off)."""
    try:
        return case_status_key(value)
    except MenuError as exc:
        raise InvalidValue(str(exc)) from None


OFFICE_RULES: dict[str, Any] = {
    "hours": hours,
    "closed_days": closed_days,
    "recording_policy": recording_policy,
    "pause_reasons": pause_reasons,
    "department_menu": department_menu,
    "case_status_key": status_key,
}


def department_code(value: object) -> str:
    """A department symbol such as ``FN`` or ``OR2``: capital letters and digits, up to 16."""
    code = text(value, "Symbol wydziału", 16).upper()
    if not DEPARTMENT_CODE.fullmatch(code):
        raise InvalidValue("Symbol wydziału: wielkie litery i cyfry, zaczyna się literą (np. FN).")
    return code


def department_fields(body: dict[str, Any], partial: bool) -> DepartmentFields:
    """A department's ``name`` (required unless ``partial``), ``hours`` (``null``: the office's)
    and ``active`` from a request body."""
    out: DepartmentFields = {}
    if "name" in body or not partial:
        out["name"] = text(body.get("name"), "Nazwa wydziału")
    if "hours" in body:
        raw = body["hours"]
        out["hours"] = None if raw is None else hours(raw, "Godziny wydziału")
    if "active" in body:
        if not isinstance(body["active"], bool):
            raise InvalidValue("Aktywny: tak albo nie (true/false).")
        out["active"] = body["active"]
    return out


def queue_name(value: object) -> QueueName:
    """An Asterisk queue name (:class:`QueueName`), here lowercase ASCII letters, digits, '-'."""
    if not isinstance(value, str) or not QUEUE_NAME.fullmatch(value):
        raise InvalidValue("Nazwa kolejki: małe litery ASCII, cyfry i '-', do 64 znaków.")
    return QueueName.parse(value, "Nazwa kolejki")


def strategy(value: object) -> QueueStrategy:
    """One of Asterisk's queue strategies."""
    with _as_invalid():
        return QueueStrategy.parse(value, "Strategia kolejki")


def display_name(value: object) -> DisplayName:
    """An agent's name: :func:`text`, without the characters Asterisk's files forbid."""
    with _as_invalid():
        return DisplayName.parse(text(value, NAME_FIELD), NAME_FIELD)


def static_contact(value: object) -> str | None:
    """A fixed phone's SIP URI; ``None`` or ``""``: the agent uses the browser softphone."""
    with _as_invalid():
        return checked_contact(value)


@contextlib.contextmanager
def _as_invalid() -> Iterator[None]:
    """An Asterisk grammar refusal as the admin's :class:`InvalidValue` (same id, 400)."""
    try:
        yield
    except UnsafeValue as exc:
        raise InvalidValue(exc.message) from None


def memberships(value: object) -> dict[str, int]:
    """Queue memberships ``[{"queue": name, "penalty": 0..100}, ...]`` as ``{name: penalty}``."""
    if not isinstance(value, list):
        raise InvalidValue("Kolejki: oczekiwano listy {queue, penalty}.")
    out: dict[str, int] = {}
    for item in value:
        name = item.get("queue") if isinstance(item, dict) else item
        penalty = item.get("penalty", 0) if isinstance(item, dict) else 0
        name = queue_name(name)
        if isinstance(penalty, bool) or not isinstance(penalty, int):
            raise InvalidValue(f"Kolejka {name}: priorytet (kara) to liczba całkowita.")
        if not 0 <= penalty <= MAX_PENALTY:
            raise InvalidValue(f"Kolejka {name}: kara od 0 do {MAX_PENALTY}.")
        if name in out:
            raise InvalidValue(f"Kolejka {name} podana dwa razy.")
        out[name] = penalty
    return out
