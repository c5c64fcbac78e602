"""The short department menu ("sprawy podatkowe - jeden, ...") an office may switch on.

``office.department_menu`` lists the options: ``{"key": "1", "department": "FN",
"label": "podatki i opłaty lokalne"}``; key ``0`` (or no key) is always the first line.
The resident's key picks the department's queue when the department is open; when it is
closed, has no queue or is inactive the call goes to the first line with the reason kept.

Reasons (see ``cic.routing.service`` for the rest):

- ``menu:<code>`` -- the resident chose the department, which is open;
- ``menu_department_closed:<code>`` -- chosen, but outside the department's hours: first line;
- ``menu_unavailable:<code>`` -- chosen, but the department has no queue or is inactive;
- ``menu_first_line`` -- the resident pressed 0;
- ``menu_no_choice`` -- no key within the time-out;
- ``menu_invalid`` -- a key that is not on the menu;
- ``menu_case_status`` -- the resident chose "case status by phone" (``office.case_status_key``):
  action ``case_status``, the dialplan asks for the case's phone code and PIN;
- ``menu_warnings`` -- the resident chose warnings by phone (``office.warnings_key``): action
  ``warnings``, the dialplan (``dialplan/subscribe.conf.j2``) subscribes or unsubscribes them.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cic.asterisk import dialplan
from cic.asterisk.decisions import Decision
from cic.asterisk.prompts import DEPARTMENT_CLOSED_PROMPT
from cic.config import ConfigError, OfficeSettings
from cic.latency import Stages
from cic.routing.calendar import OfficeCalendar
from cic.routing.errors import OfficeCalendarError
from cic.routing.service import Clock, utc_now

log = logging.getLogger(__name__)

MENU_KEYS = "123456789"
MAX_LABEL = 80
_CODE = re.compile(r"[A-ZĄĆĘŁŃÓŚŹŻ][A-Z0-9ĄĆĘŁŃÓŚŹŻ]{0,15}")
KEY_WORDS = dict(
    zip(
        MENU_KEYS,
        ("jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem", "dziewięć"),
        strict=True,
    )
)


def menu_enabled(office: OfficeSettings) -> bool:
    """Whether calls get the menu: departments to choose, case status or warnings by phone."""
    return bool(office.department_menu or office.case_status_key or office.warnings_key)


class MenuError(ConfigError):
    """``office.department_menu`` is not a usable menu; the message says what is wrong."""


@dataclass(frozen=True)
class MenuOption:
    """One key of the menu: the department it leads to and the words the prompt says."""

    key: str
    department: str
    label: str


def parse_menu(raw: object) -> list[MenuOption]:
    """Check a menu (a list of ``key``/``department``/``label`` mappings); Polish errors."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise MenuError("Menu wydziałów: oczekiwano listy pozycji.")
    options: list[MenuOption] = []
    for number, item in enumerate(raw, 1):
        if not isinstance(item, dict) or set(item) - {"key", "department", "label"}:
            raise MenuError(f"Menu wydziałów, pozycja {number}: pola key, department i label.")
        key = str(item.get("key", "")).strip()
        code = str(item.get("department", "")).strip().upper()
        label = item.get("label")
        if key not in MENU_KEYS or len(key) != 1:
            raise MenuError(
                f"Menu wydziałów, pozycja {number}: klawisz od 1 do 9 (0 to punkt obsługi)."
            )
        if any(o.key == key for o in options):
            raise MenuError(f"Menu wydziałów: klawisz {key} użyty dwa razy.")
        if not _CODE.fullmatch(code):
            raise MenuError(f"Menu wydziałów, pozycja {number}: symbol wydziału, np. FN.")
        if not isinstance(label, str) or not label.strip():
            raise MenuError(f"Menu wydziałów, pozycja {number}: podaj, co mówi zapowiedź.")
        label = " ".join(label.split())
        if len(label) > MAX_LABEL or any(ord(ch) < 32 for ch in label):
            raise MenuError(
                f"Menu wydziałów, pozycja {number}: opis najwyżej {MAX_LABEL} znaków, jeden wiersz."
            )
        options.append(MenuOption(key, code, label))
    return sorted(options, key=lambda o: o.key)


def menu_as_settings(options: list[MenuOption]) -> list[dict[str, str]]:
    """The menu as stored in ``office.department_menu``."""
    return [{"key": o.key, "department": o.department, "label": o.label} for o in options]


def case_status_key(raw: object) -> str:
    """The case-status key: one of 1-9, or ``''`` (off)."""
    key = str(raw or "").strip()
    if key and (len(key) != 1 or key not in MENU_KEYS):
        raise MenuError("Klawisz stanu sprawy: od 1 do 9 albo pusty (wyłączone).")
    return key


def spoken_menu(office: OfficeSettings) -> str:
    """The sentence of the department menu prompt ('' without a usable menu)."""
    try:
        options = parse_menu(office.department_menu)
        status_key = case_status_key(office.case_status_key)
        return menu_prompt(options, status_key, warnings_key(office.warnings_key, status_key))
    except MenuError:
        return ""


def warnings_key(raw: object, status_key: str = "") -> str:
    """The key for warnings by phone: one of 1-9 other than the case-status key, or ``''``."""
    key = case_status_key(raw)
    if key and key == status_key:
        raise MenuError("Klawisz ostrzeżeń: inny niż klawisz stanu sprawy.")
    return key


def menu_prompt(options: list[MenuOption], status_key: str = "", warn_key: str = "") -> str:
    """The Polish words of the menu prompt (empty when the menu is off)."""
    options = [o for o in options if o.key not in (status_key, warn_key)]
    if not options and not status_key and not warn_key:
        return ""
    parts = [f"W sprawie: {o.label}, proszę nacisnąć {KEY_WORDS[o.key]}." for o in options]
    if status_key:
        parts.append(f"Aby sprawdzić stan swojej sprawy, proszę nacisnąć {KEY_WORDS[status_key]}.")
    if warn_key:
        parts.append(
            "Aby zapisać się na ostrzeżenia o zagrożeniach albo się z nich wypisać, "
            f"proszę nacisnąć {KEY_WORDS[warn_key]}."
        )
    parts.append("Aby porozmawiać z punktem obsługi mieszkańców, proszę nacisnąć zero.")
    return " ".join(parts)


@dataclass(frozen=True)
class DepartmentRoute:
    """What routing needs of a department: its queue (``''`` if none), hours, whether active."""

    code: str
    name: str
    queue: str
    hours: dict[str, list[str]] | None
    active: bool


class Departments(Protocol):
    """Looks departments up by code."""

    async def get(self, code: str) -> DepartmentRoute | None:
        """The department, or ``None`` if there is no such department."""
        ...


class MenuRouter:
    """Turns the key a resident pressed into a queue decision."""

    def __init__(
        self,
        office: OfficeSettings,
        calendar: OfficeCalendar,
        departments: Departments,
        clock: Clock = utc_now,
        stages: Stages | None = None,
    ) -> None:
        """``office`` is the live settings object (the menu is read on every call); ``stages``
        records how long the department lookup took (``menu``)."""
        parse_menu(office.department_menu)
        warnings_key(office.warnings_key, case_status_key(office.case_status_key))
        self._office = office
        self._calendar = calendar
        self._departments = departments
        self._clock = clock
        self.stages = stages or Stages()
        # Each department's calendar with the hours it was made from (rebuilt when they change).
        self._calendars: dict[str, tuple[dict[str, list[str]], OfficeCalendar]] = {}

    def enabled(self) -> bool:
        """Whether the office has a menu now."""
        return menu_enabled(self._office)

    def options(self) -> list[MenuOption]:
        """The current menu; a bad stored menu counts as none (it is validated when stored)."""
        try:
            return parse_menu(self._office.department_menu)
        except MenuError:
            log.warning("office.department_menu is not valid; no menu")
            return []

    async def choose(self, call_id: str, key: str) -> tuple[Decision, str]:
        """The decision for ``key`` and the prompt to play first (``''`` for none)."""
        key = key.strip()
        if key == "":
            return self._first_line("menu_no_choice", "Menu: brak wyboru; punkt obsługi."), ""
        if key == "0":
            return self._first_line("menu_first_line", "Menu: wybrano punkt obsługi."), ""
        if key == self._office.case_status_key:
            first_line = self._office.first_line_queue
            text = "Menu: stan sprawy przez telefon."
            return Decision("case_status", "", first_line, 0, "menu_case_status", text), ""
        if key == self._office.warnings_key:
            first_line = self._office.first_line_queue
            text = "Menu: ostrzeżenia przez telefon (zapis lub wypisanie)."
            return Decision("warnings", "", first_line, 0, "menu_warnings", text), ""
        option = next((o for o in self.options() if o.key == key), None)
        if option is None:
            return self._first_line("menu_invalid", "Menu: klawisz spoza menu; punkt obsługi."), ""
        code = option.department
        try:
            with self.stages.timed("menu"):
                department = await self._departments.get(code)
        except Exception:
            log.warning("call %s: department lookup failed", call_id, exc_info=True)
            department = None
        if department is None or not department.active or not department.queue:
            text = f"Menu: {option.label}; wydział {code} nie przyjmuje połączeń: punkt obsługi."
            return self._first_line(f"menu_unavailable:{code}", text), ""
        if not self._open(department):
            text = f"Menu: {option.label}; wydział {code} poza godzinami pracy: punkt obsługi."
            decision = self._first_line(f"menu_department_closed:{code}", text)
            return decision, DEPARTMENT_CLOSED_PROMPT
        text = f"Menu: {option.label} ({department.name})."
        first_line = self._office.first_line_queue
        return Decision("queue", department.queue, first_line, 0, f"menu:{code}", text), ""

    def _open(self, department: DepartmentRoute) -> bool:
        if department.hours is None:
            return self._calendar.is_open(self._now()).open
        cached = self._calendars.get(department.code)
        if cached is not None and cached[0] == department.hours:
            calendar = cached[1]
        else:
            # Holidays and the office's closed days apply to every department.
            office = copy.copy(self._office)
            office.hours = department.hours
            try:
                calendar = OfficeCalendar(office)
            except OfficeCalendarError:
                log.warning("department %s: bad hours; the office's hours apply", department.code)
                calendar = self._calendar
            self._calendars[department.code] = (department.hours, calendar)
        return calendar.is_open(self._now()).open

    def _now(self) -> datetime:
        return self._clock()

    def _first_line(self, reason: str, text: str) -> Decision:
        queue = self._office.first_line_queue
        return Decision("queue", queue, queue, 0, reason, text)


def menu_variables(decision: Decision, notice: str) -> list[tuple[str, str]]:
    """Channel variables after a menu choice, ``CIC_ACTION`` last (as for ``route``)."""
    return [
        (dialplan.TARGET, decision.target),
        (dialplan.REASON, decision.reason),
        (dialplan.NOTICE, notice),
        (dialplan.ACTION, decision.action),
    ]
