"""First-contact resolution: contacts after which the resident did not come back on the same
topic within ``dashboard.fcr_days`` days, on any channel.

A contact is an answered call with at least one topic (:mod:`cic.dashboard.centre_topics`)
or a contact report of any channel (``contact_reports``). A report written during a call
(linked in ``contact_report_calls``) is part of that call's contact: its topic and resident
join the call's, and it is not a contact of its own. Two contacts are the same resident's
when they share a phone number (in canonical form), an e-mail address, or a resident record
(``resident_numbers``, ``resident_emails``, ``contact_reports.resident_id``; merged records
count as the record they were merged into). A contact is repeated when another contact of
the same resident on one of its topics (compared without case) starts after it and at most
``fcr_days`` days later. Contacts that name no resident at all (a withheld number and no
address) cannot be followed and are left out.

Matching across three kinds of identity with an OR does not suit an SQL join; the contacts
of the period and the ``fcr_days`` after it are read once (a few columns each) and matched
in memory with sorted lists, which takes well under a second for a month of calls.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.cases.models import REPORT_CHANNELS, ContactReport, ContactReportCall
from cic.dashboard import centre_calls as calls
from cic.dashboard.centre_topics import call_topics
from cic.dashboard.period import Period
from cic.residents.emails import canonical_address
from cic.residents.models import Resident, ResidentEmail, ResidentNumber
from cic.residents.numbers import canonical_number

CHANNEL_LABELS = dict(REPORT_CHANNELS)
Key = tuple[str, str]


@dataclass
class FcrSums:
    """Contacts of a period and how many of them were not repeated."""

    contacts: int = 0
    resolved: int = 0


@dataclass
class Contact:
    """One contact: ``ref`` is ``call:<call id>`` or ``report:<id>``."""

    ref: str
    at: datetime
    channel: str
    topics: set[str] = field(default_factory=set)
    keys: frozenset[Key] = frozenset()


class _Residents:
    """Which resident record a number or an address belongs to."""

    def __init__(self, session: Session) -> None:
        numbers = select(ResidentNumber.number, ResidentNumber.resident_id)
        emails = select(ResidentEmail.address, ResidentEmail.resident_id)
        merged = select(Resident.id, Resident.merged_into).where(Resident.merged_into.is_not(None))
        self.numbers: dict[str, int] = {n: r for n, r in session.execute(numbers)}
        self.emails: dict[str, int] = {a: r for a, r in session.execute(emails)}
        self.merged: dict[int, int | None] = {i: m for i, m in session.execute(merged)}
        self._known: dict[str, frozenset[Key]] = {}

    def record(self, resident: int | None) -> Key | None:
        """The resident record's identity (the record it was merged into, if it was)."""
        seen = set()
        while resident in self.merged and resident not in seen:
            seen.add(resident)
            resident = self.merged[resident]
        return None if resident is None else ("res", str(resident))

    def keys(self, contact: str, resident: int | None = None) -> frozenset[Key]:
        """The identities of a number or address (and a resident record)."""
        out = self._of(contact)
        record = None if resident is None else self.record(resident)
        return out | {record} if record else out

    def _of(self, contact: str) -> frozenset[Key]:
        """The identities of a number or address, worked out once per query (a month
        repeats many numbers)."""
        known = self._known.get(contact)
        if known is None:
            known = self._known[contact] = self._identify(contact)
        return known

    def _identify(self, contact: str) -> frozenset[Key]:
        if "@" in contact:
            address = canonical_address(contact)
            found = [("mail", address), self.record(self.emails.get(address))] if address else []
        else:
            number = canonical_number(contact)
            found = [("tel", number), self.record(self.numbers.get(number))] if number else []
        return frozenset(key for key in found if key is not None)


def contacts(session: Session, start: datetime, end: datetime) -> list[Contact]:
    """Every contact starting in ``[start, end)``, with its topics and identities."""
    who = _Residents(session)
    topic = call_topics()
    found: dict[str, Contact] = {}
    for call_id, at, number, name in session.execute(
        select(Call.call_id, Call.entered_at, Call.caller_number, topic.c.topic)
        .outerjoin(topic, topic.c.call_id == Call.call_id)
        .where(Call.entered_at >= start, Call.entered_at < end, calls.answered())
    ):
        contact = found.get(f"call:{call_id}")
        if contact is None:
            contact = found[f"call:{call_id}"] = Contact(
                f"call:{call_id}", at, "telefon", keys=who.keys(number)
            )
        if name and name.strip():
            contact.topics.add(name.strip().lower())
    links = (
        select(ContactReportCall.report_id, ContactReportCall.call_id)
        .join(ContactReport, ContactReport.id == ContactReportCall.report_id)
        .where(ContactReport.created_at >= start, ContactReport.created_at < end)
    )
    linked: dict[int, str] = {report: call for report, call in session.execute(links)}
    for report_id, at, channel, resident, address, name in session.execute(
        select(ContactReport.id, ContactReport.created_at, ContactReport.channel,
               ContactReport.resident_id, ContactReport.contact, ContactReport.topic)
        .where(ContactReport.created_at >= start, ContactReport.created_at < end)
    ):  # fmt: skip
        contact = found.get(f"call:{linked.get(report_id)}")
        if contact is None:
            contact = found[f"report:{report_id}"] = Contact(f"report:{report_id}", at, channel)
        contact.keys = contact.keys | who.keys(address, resident)
        if name and name.strip():
            contact.topics.add(name.strip().lower())
    return [c for c in found.values() if c.topics and c.keys]


def repeated(found: Iterable[Contact], days: int) -> set[str]:
    """The refs of contacts followed by the same resident on one of their topics within
    ``days`` days."""
    index: dict[tuple[Key, str], list[tuple[datetime, str]]] = defaultdict(list)
    for contact in found:
        for key in contact.keys:
            for topic in contact.topics:
                index[(key, topic)].append((contact.at, contact.ref))
    window, out = timedelta(days=days), set()
    for entries in index.values():
        if len(entries) < 2:
            continue
        entries.sort()
        later: datetime | None = None  # the earliest time after the current one
        for i in range(len(entries) - 1, -1, -1):
            at, ref = entries[i]
            if i + 1 < len(entries) and entries[i + 1][0] > at:
                later = entries[i + 1][0]
            if later is not None and later <= at + window:
                out.add(ref)
    return out


def in_period(session: Session, period: Period, days: int) -> tuple[list[Contact], set[str]]:
    """The contacts of ``period`` and the refs of those that were repeated."""
    start, end = period.bounds()
    found = contacts(session, start, end + timedelta(days=days))
    again = repeated(found, days)
    mine = [c for c in found if c.at < end]
    return mine, {c.ref for c in mine if c.ref in again}


def first_contact(
    session: Session, periods: Sequence[Period], days: int
) -> list[dict[str, FcrSums]]:
    """``{channel: FcrSums}`` of the contacts of each of ``periods``, read and matched once
    (a period and the one before it share most of their contacts' windows)."""
    bounds = [p.bounds() for p in periods]
    start, end = min(b[0] for b in bounds), max(b[1] for b in bounds)
    found = contacts(session, start, end + timedelta(days=days))
    again = repeated(found, days)
    out: list[dict[str, FcrSums]] = [{} for _ in periods]
    for contact in found:
        for (first, last), sums in zip(bounds, out, strict=True):
            if first <= contact.at < last:
                one = sums.setdefault(contact.channel, FcrSums())
                one.contacts += 1
                one.resolved += contact.ref not in again
    return out


def total(by_channel: dict[str, FcrSums]) -> FcrSums:
    """All channels together."""
    return FcrSums(
        sum(s.contacts for s in by_channel.values()),
        sum(s.resolved for s in by_channel.values()),
    )
