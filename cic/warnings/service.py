"""Warnings: drafts, sending (recipients resolved per channel and queued in the notify store
as batch ``warning:<id>``), cancelling, the results a supervisor reads, and what residents see
(the portal banner, the list, one warning).

Who may do what is decided here, not in the views: a supervisor (and admin) may do
everything; an editor of the portal may draft and send only warnings whose one channel is the
portal banner (no e-mail, SMS or calls: those reach people's phones and mailboxes and are the
supervisor's decision). Times are UTC; the clock is injected.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.announcements.models import NewsSubscriber
from cic.announcements.rules import dump_list, load_list, matches
from cic.db import Store, utcnow
from cic.notify import statuses
from cic.notify.service import NotifyService, Outgoing, Recipient
from cic.warnings.errors import InvalidWarning, WarningForbidden, WarningNotFound
from cic.warnings.models import CHANNELS, SEVERITIES, STATES, ResidentWarning, WarningSubscription
from cic.warnings.rules import covers, is_current, shown_state

TITLE_MAX, DETAILS_MAX = 200, 10_000
#: The newsletter category whose subscribers get warnings by e-mail too.
NEWSLETTER_CATEGORY = "ostrzezenia"
#: How long an ended or cancelled warning stays on the portal's list of recent ones.
RECENT = timedelta(days=30)
_AUDIO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
STAFF = ("supervisor", "admin")
EDITOR = "editor"


@dataclass(frozen=True)
class Actor:
    """Who acts: the user name and role (from the session)."""

    username: str
    role: str


@dataclass(frozen=True)
class Draft:
    """What a supervisor or editor typed (times UTC; ``solectwa`` empty: the whole gmina)."""

    title: str
    text: str
    severity: str
    channels: tuple[str, ...]
    valid_from: datetime | None
    valid_until: datetime | None
    solectwa: tuple[str, ...] = ()
    details: str = ""
    incident_id: int | None = None
    audio: str = ""


@dataclass(frozen=True)
class WarningView:
    """A warning as pages and the API show it (``state`` as shown: ``wygasle`` past its
    end)."""

    id: int
    title: str
    text: str
    details: str
    severity: str
    solectwa: tuple[str, ...]
    channels: tuple[str, ...]
    valid_from: datetime
    valid_until: datetime
    incident_id: int | None
    audio: str
    state: str
    created_by: str
    sent_by: str
    cancelled_by: str
    created_at: datetime
    sent_at: datetime | None
    cancelled_at: datetime | None
    current: bool

    @property
    def batch(self) -> str:
        """The warning's batch in the notify store."""
        return f"warning:{self.id}"

    @property
    def severity_label(self) -> str:
        """The severity in Polish."""
        return SEVERITIES.get(self.severity, self.severity)

    @property
    def state_label(self) -> str:
        """The state in Polish."""
        return STATES.get(self.state, self.state)

    @property
    def area(self) -> str:
        """The area in words: the sołectwa, or the whole gmina."""
        return ", ".join(self.solectwa) if self.solectwa else "cała gmina"

    @property
    def channel_labels(self) -> str:
        """The channels in Polish."""
        return ", ".join(CHANNELS.get(c, c) for c in self.channels)

    def as_dict(self) -> dict[str, Any]:
        """JSON for the API."""
        return {
            "id": self.id, "title": self.title, "text": self.text, "details": self.details,
            "severity": self.severity, "solectwa": list(self.solectwa),
            "channels": list(self.channels), "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(), "incident_id": self.incident_id,
            "audio": self.audio, "state": self.state, "state_label": self.state_label,
            "created_by": self.created_by, "sent_by": self.sent_by,
            "cancelled_by": self.cancelled_by, "created_at": self.created_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "cancelled_at": self.cancelled_at.isoformat() if self.cancelled_at else None,
            "current": self.current, "batch": self.batch,
        }  # fmt: skip


@dataclass(frozen=True)
class Banner:
    """What the portal banner says of one warning in force."""

    id: int
    title: str
    text: str
    severity: str
    severity_label: str
    area: str
    valid_until: datetime


@dataclass
class WarningService:
    """Warnings over ``store``, sent through ``notify``; ``solectwa`` are the gmina's
    sołectwa (``portal.solectwa``), ``sms_max`` the longest short text."""

    store: Store
    notify: NotifyService
    solectwa: tuple[str, ...] = ()
    sms_max: int = 320
    now: Callable[[], datetime] = field(default=utcnow)
    _banners: list[Banner] = field(default_factory=list)

    async def save(self, draft: Draft, actor: Actor, warning_id: int | None = None) -> int:
        """Create a draft or change one (only drafts change); returns its id."""
        _may_handle(actor, draft.channels)
        self._check(draft)
        now = self.now()

        def work(session: Session) -> int:
            if warning_id is None:
                row = ResidentWarning(created_by=actor.username[:64], created_at=now,
                                      state="szkic")  # fmt: skip
                session.add(row)
            else:
                row = _row(session, warning_id)
                _may_handle(actor, load_list(row.channels))
                if row.state != "szkic":
                    raise InvalidWarning({"state": "Zmieniać można tylko szkic ostrzeżenia."})
            row.title, row.text = draft.title.strip(), draft.text.strip()
            row.details, row.severity = draft.details, draft.severity
            row.audio, row.incident_id = draft.audio, draft.incident_id
            row.solectwa, row.channels = dump_list(draft.solectwa), dump_list(draft.channels)
            row.valid_from = draft.valid_from or now
            row.valid_until = draft.valid_until or now
            session.flush()
            return row.id

        return await self.store.run(work)

    async def send(self, warning_id: int, actor: Actor) -> dict[str, Any]:
        """Send a draft: it shows on the portal (if chosen) and every recipient on its
        channels is queued. Returns the notify store's ``{"queued", "skipped"}``."""
        now = self.now()

        def work(session: Session) -> tuple[WarningView, list[Recipient]]:
            row = _row(session, warning_id, lock=True)
            _may_handle(actor, load_list(row.channels))
            if row.state != "szkic":
                raise InvalidWarning({"state": "To ostrzeżenie zostało już wysłane."})
            if row.valid_until <= now:
                raise InvalidWarning({"valid_until": "Ostrzeżenie już wygasło: zmień termin."})
            row.state, row.sent_at, row.sent_by = "wyslane", now, actor.username[:64]
            view = _view(row, now)
            return view, _recipients(session, view)

        view, recipients = await self.store.run(work)
        result: dict[str, Any] = {"queued": 0, "skipped": []}
        if recipients:
            message = Outgoing(
                _message_text(view), subject=f"{view.severity_label.capitalize()}: {view.title}",
                audio=view.audio, confirm="voice" in view.channels,
            )  # fmt: skip
            result = await self.notify.send(view.batch, message, recipients)
        await self.refresh()
        return result

    async def cancel(self, warning_id: int, actor: Actor) -> None:
        """Cancel a sent warning: it leaves the banner and what is still queued is not sent."""
        now = self.now()

        def work(session: Session) -> None:
            row = _row(session, warning_id, lock=True)
            _may_handle(actor, load_list(row.channels))
            if row.state != "wyslane":
                raise InvalidWarning({"state": "Odwołać można tylko wysłane ostrzeżenie."})
            row.state, row.cancelled_at, row.cancelled_by = "odwolane", now, actor.username[:64]

        await self.store.run(work)
        await self.notify.cancel(f"warning:{warning_id}")
        await self.refresh()

    async def get(self, warning_id: int) -> WarningView:
        """One warning (staff)."""
        now = self.now()

        def read(session: Session) -> WarningView:
            return _view(_row(session, warning_id), now)

        return await self.store.run(read)

    async def listing(self, limit: int = 200) -> list[WarningView]:
        """Every warning, the newest first (staff)."""
        now = self.now()

        def read(session: Session) -> list[WarningView]:
            query = select(ResidentWarning).order_by(ResidentWarning.id.desc()).limit(limit)
            return [_view(row, now) for row in session.scalars(query)]

        return await self.store.run(read)

    async def public(self) -> list[WarningView]:
        """What residents see listed: warnings in force, then those ended or cancelled in
        the last 30 days; portal-only or not (every sent warning is public)."""
        now = self.now()

        def read(session: Session) -> list[WarningView]:
            query = (
                select(ResidentWarning)
                .where(ResidentWarning.state.in_(("wyslane", "odwolane")),
                       ResidentWarning.valid_from <= now,
                       ResidentWarning.valid_until > now - RECENT)
                .order_by(ResidentWarning.valid_from.desc(), ResidentWarning.id.desc())
                .limit(100)
            )  # fmt: skip
            views = [_view(row, now) for row in session.scalars(query)]
            return sorted(views, key=lambda v: not v.current)

        return await self.store.run(read)

    async def public_one(self, warning_id: int) -> WarningView:
        """One sent warning as residents see it (drafts are not found)."""
        found = await self.get(warning_id)
        if found.state == "szkic" or found.valid_from > self.now():
            raise WarningNotFound()
        return found

    async def results(
        self, warning_id: int, actor: Actor, status: str = ""
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The summary of a sent warning (counts per channel and state, reached share) and
        its deliveries, optionally only those in ``status`` (supervisor only)."""
        _staff_only(actor)
        found = await self.get(warning_id)
        summary = await self.notify.summary(found.batch)
        total = summary["total"]
        summary["reached_percent"] = round(100 * summary["reached"] / total, 1) if total else 0.0
        summary["channel_labels"] = dict(statuses.CHANNEL_LABELS)
        summary["status_labels"] = dict(statuses.LABELS)
        rows = await self.notify.deliveries(found.batch)
        if status:
            rows = [r for r in rows if r["status"] == status]
        return summary, rows

    async def results_csv(self, warning_id: int, actor: Actor) -> str:
        """Every delivery of a warning as CSV (semicolons, as Polish spreadsheets expect)."""
        _, rows = await self.results(warning_id, actor)
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(["kanał", "adres", "odbiorca", "stan", "próby", "zmiana", "potwierdzono",
                         "szczegóły"])  # fmt: skip
        for row in rows:
            writer.writerow([
                row["channel_label"], _cell(row["address"]), row["recipient"],
                row["status_label"], row["attempts"], row["updated_at"],
                row["confirmed_at"] or "", _cell(row["detail"]),
            ])  # fmt: skip
        return out.getvalue()

    def banners(self) -> list[Banner]:
        """The warnings in force for the portal banner, as last refreshed (no I/O: every
        portal page reads it); an ended one drops out even before the next refresh."""
        return list(self._banners)

    async def refresh(self) -> None:
        """Read the warnings in force again for the banner (after a change, and on a loop)."""
        now = self.now()

        def read(session: Session) -> list[Banner]:
            query = (
                select(ResidentWarning)
                .where(ResidentWarning.state == "wyslane", ResidentWarning.valid_from <= now,
                       ResidentWarning.valid_until > now)
                .order_by(ResidentWarning.valid_from.desc())
            )  # fmt: skip
            found = []
            for row in session.scalars(query):
                if "portal" not in load_list(row.channels):
                    continue
                view = _view(row, now)
                found.append(Banner(view.id, view.title, view.text, view.severity,
                                    view.severity_label, view.area, view.valid_until))  # fmt: skip
            rank = list(SEVERITIES)
            return sorted(found, key=lambda b: -rank.index(b.severity))

        self._banners = await self.store.run(read)

    def _check(self, draft: Draft) -> None:
        wrong: dict[str, str] = {}
        title, text = draft.title.strip(), draft.text.strip()
        if not title or len(title) > TITLE_MAX or any(ord(c) < 32 for c in title):
            wrong["title"] = f"Tytuł: od 1 do {TITLE_MAX} znaków w jednym wierszu."
        if not text or len(text) > self.sms_max:
            wrong["text"] = (f"Krótka treść (SMS i połączenie): od 1 do {self.sms_max} znaków; "
                             "dłuższy opis wpisz w polu szczegółów.")  # fmt: skip
        if len(draft.details) > DETAILS_MAX:
            wrong["details"] = f"Szczegóły: najwyżej {DETAILS_MAX} znaków."
        if draft.severity not in SEVERITIES:
            wrong["severity"] = "Wybierz stopień: informacja, ostrzeżenie albo alarm."
        if not draft.channels or any(c not in CHANNELS for c in draft.channels):
            wrong["channels"] = "Wybierz co najmniej jeden kanał z listy."
        if any(s not in self.solectwa for s in draft.solectwa):
            wrong["solectwa"] = "Wybierz sołectwa z listy (żadne: cała gmina)."
        if draft.valid_until is None:
            wrong["valid_until"] = "Podaj, do kiedy ostrzeżenie obowiązuje."
        elif draft.valid_until <= (draft.valid_from or self.now()):
            wrong["valid_until"] = "Koniec musi być późniejszy niż początek i niż teraz."
        if draft.incident_id is not None and not 0 < draft.incident_id < 2**31:
            wrong["incident_id"] = "Numer zdarzenia: liczba całkowita dodatnia."
        if draft.audio and (not _AUDIO.fullmatch(draft.audio) or ".." in draft.audio):
            wrong["audio"] = "Nagranie: sama nazwa pliku (litery, cyfry, kropka, - i _)."
        if wrong:
            raise InvalidWarning(wrong)


def _may_handle(actor: Actor, channels: Sequence[str]) -> None:
    if actor.role in STAFF:
        return
    if actor.role == EDITOR and list(channels) == ["portal"]:
        return
    raise WarningForbidden()


def _staff_only(actor: Actor) -> None:
    if actor.role not in STAFF:
        raise WarningForbidden("Wyniki wysyłki ostrzeżeń widzi kierownik zmiany.")


def _row(session: Session, warning_id: int, lock: bool = False) -> ResidentWarning:
    row = session.get(ResidentWarning, warning_id, with_for_update=lock)
    if row is None:
        raise WarningNotFound()
    return row


def _view(row: ResidentWarning, now: datetime) -> WarningView:
    return WarningView(
        row.id, row.title, row.text, row.details, row.severity, tuple(load_list(row.solectwa)),
        tuple(c for c in CHANNELS if c in load_list(row.channels)), row.valid_from,
        row.valid_until, row.incident_id, row.audio, shown_state(row.state, row.valid_until, now),
        row.created_by, row.sent_by, row.cancelled_by, row.created_at, row.sent_at,
        row.cancelled_at, is_current(row.state, row.valid_from, row.valid_until, now),
    )  # fmt: skip


def _message_text(view: WarningView) -> str:
    """What is sent and spoken: the severity, the area and the short text."""
    return f"{view.severity_label.capitalize()} ({view.area}): {view.title}. {view.text}"


def _recipients(session: Session, view: WarningView) -> list[Recipient]:
    """Active subscriptions whose sołectwa cover the area, per chosen channel, and the
    newsletter's confirmed subscribers of the warnings category for e-mail; each address
    once per channel."""
    wanted = [c for c in view.channels if c != "portal"]
    found: dict[tuple[str, str], Recipient] = {}
    if not wanted:
        return []
    rows = session.execute(
        select(WarningSubscription.id, WarningSubscription.channel, WarningSubscription.address,
               WarningSubscription.solectwa)
        .where(WarningSubscription.state == "active", WarningSubscription.channel.in_(wanted))
        .order_by(WarningSubscription.id)
    ).all()  # fmt: skip
    for sub_id, channel, address, places in rows:
        if covers(view.solectwa, load_list(places)):
            ref = f"subscription:{sub_id}"
            found.setdefault((channel, address), Recipient(channel, address, ref))
    if "email" in wanted:
        letters = session.execute(
            select(NewsSubscriber.id, NewsSubscriber.email, NewsSubscriber.categories,
                   NewsSubscriber.solectwa)
            .where(NewsSubscriber.state == "confirmed").order_by(NewsSubscriber.id)
        ).all()  # fmt: skip
        for sub_id, address, categories, places in letters:
            if matches(NEWSLETTER_CATEGORY, view.solectwa, load_list(categories),
                       load_list(places)):  # fmt: skip
                key = ("email", address.lower())
                found.setdefault(key, Recipient("email", address.lower(), f"newsletter:{sub_id}"))
    return list(found.values())


def _cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
