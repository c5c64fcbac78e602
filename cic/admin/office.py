"""The office's stored settings: hours, closed days, recording policy, pause reasons, menu.

A stored value overrides the configuration's default; removing it brings the default back.
The effective values live in the one ``OfficeSettings`` object every service already holds,
so the status page, the console and the next provisioning all see them. What keeps its own
parsed copy is told explicitly (the calendar, the pause reasons of the agents service, the
dialplan's ``CIC_POLICY``).
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.admin import validation
from cic.admin.errors import InvalidValue
from cic.admin.models import OfficeSetting
from cic.admin.schemas import OfficeView
from cic.auth import audit
from cic.config import OfficeSettings
from cic.db import Store, utcnow
from cic.routing.calendar import OfficeCalendar
from cic.routing.errors import OfficeCalendarError

log = logging.getLogger(__name__)
KEYS: tuple[str, ...] = tuple(validation.OFFICE_RULES)


class LiveCalendar(Protocol):
    """The calendar routing reads on every call, reloadable in place."""

    def reload(self, office: OfficeSettings) -> None:
        """Take new hours and closed days (validated already)."""
        ...


def read_stored(session: Session) -> dict[str, Any]:
    """Every stored setting that is still valid, by key (a bad row is logged and skipped)."""
    out: dict[str, Any] = {}
    for row in session.scalars(select(OfficeSetting)):
        rule = validation.OFFICE_RULES.get(row.key)
        if rule is None:
            continue
        try:
            out[row.key] = rule(json.loads(row.value))
        except (ValueError, InvalidValue):
            log.warning(
                "stored office setting %s is not valid; the configured value applies", row.key
            )
    return out


def apply_stored(office: OfficeSettings, store: Store) -> None:
    """Put the stored settings over ``office`` (for ``cic asterisk install`` before a start)."""
    for key, value in store.run_sync(read_stored).items():
        setattr(office, key, value)


class OfficeAdmin:
    """Reads and changes the stored office settings and applies them without a restart."""

    def __init__(
        self,
        store: Store,
        office: OfficeSettings,
        calendar: LiveCalendar,
        set_pause_reasons: Callable[[list[str]], None],
        apply_policy: Callable[[], Awaitable[None]],
        apply_menu: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """``office`` is the shared settings object, changed in place; its values now are
        remembered as the configuration's defaults. ``apply_policy`` and ``apply_menu`` make
        Asterisk follow a changed recording policy or department menu (its prompt)."""
        self.store = store
        self.office = office
        self.defaults = copy.deepcopy(office)
        self.calendar = calendar
        self.set_pause_reasons = set_pause_reasons
        self.apply_policy = apply_policy
        self.apply_menu = apply_menu
        self.stored: dict[str, dict[str, Any]] = {}

    async def load(self) -> None:
        """Read the stored settings and apply them (at start-up)."""

        def read(session: Session) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
            valid = read_stored(session)
            rows = session.scalars(select(OfficeSetting).where(OfficeSetting.key.in_(valid)))
            return valid, {r.key: _meta(r) for r in rows}

        values, self.stored = await self.store.run(read)
        self._apply(values)

    def as_dict(self) -> OfficeView:
        """The effective values, the defaults and who changed what when."""
        return {
            "values": {key: getattr(self.office, key) for key in KEYS},
            "defaults": {key: getattr(self.defaults, key) for key in KEYS},
            "stored": {
                key: {"updated_at": meta["updated_at"], "updated_by": meta["updated_by"]}
                for key, meta in self.stored.items()
            },
            "policies": validation.POLICY_LABELS,
            "weekdays": validation.WEEKDAYS_PL,
        }

    async def update(self, changes: dict[str, Any], actor: str, ip: str = "") -> OfficeView:
        """Validate and store ``changes`` (``None`` restores the default), then apply them."""
        unknown = sorted(set(changes) - set(KEYS))
        if unknown or not changes:
            raise InvalidValue(f"Ustawienia urzędu: do zmiany są tylko {', '.join(KEYS)}.")
        values: dict[str, Any] = {}
        for key, raw in changes.items():
            values[key] = (
                getattr(self.defaults, key) if raw is None else validation.OFFICE_RULES[key](raw)
            )
        candidate = copy.deepcopy(self.office)
        for key, value in values.items():
            setattr(candidate, key, value)
        try:
            OfficeCalendar(candidate)
        except OfficeCalendarError as exc:
            raise InvalidValue(f"Kalendarz urzędu: {exc}") from None
        now = utcnow()
        old = {key: getattr(self.office, key) for key in values}

        def write(session: Session) -> dict[str, dict[str, Any]]:
            for key in values:
                row = session.get(OfficeSetting, key)
                if changes[key] is None:
                    if row is not None:
                        session.delete(row)
                    continue
                row = row or OfficeSetting(key=key)
                row.value = json.dumps(values[key], ensure_ascii=False)
                row.updated_at, row.updated_by = now, actor[:64]
                session.add(row)
            audit.record(
                session, "office_settings_changed", actor=actor, target="urząd", ip=ip, at=now,
                old=old, new=values,
            )  # fmt: skip
            session.flush()
            rows = session.scalars(select(OfficeSetting).where(OfficeSetting.key.in_(KEYS)))
            return {r.key: _meta(r) for r in rows}

        self.stored = await self.store.run(write)
        self._apply(values)
        if "recording_policy" in values and values["recording_policy"] != old["recording_policy"]:
            await self.apply_policy()
        if {"department_menu", "case_status_key"} & set(values) and self.apply_menu is not None:
            await self.apply_menu()
        return self.as_dict()

    def _apply(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            setattr(self.office, key, copy.deepcopy(value))
        if "hours" in values or "closed_days" in values:
            self.calendar.reload(self.office)
        if "pause_reasons" in values:
            self.set_pause_reasons(list(self.office.pause_reasons))


def _meta(row: OfficeSetting) -> dict[str, Any]:
    updated: datetime | None = row.updated_at
    return {
        "value": row.value,
        "updated_at": updated.isoformat() if updated else None,
        "updated_by": row.updated_by,
    }
