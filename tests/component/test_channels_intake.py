"""Taking messages in, on SQLite and PostgreSQL: exactly once, threading, residents by address,
acknowledgements only where safe, automatic mail kept but never answered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.cases.models import ContactReport
from cic.channels import outbox
from cic.channels.inbound import InboundAttachment, InboundMessage
from cic.channels.intake import IntakePolicy, IntakeResult, receive
from cic.channels.models import ChannelAttachment, ChannelMessage
from cic.db import Store, migrate
from cic.residents.models import Resident, ResidentEmail

RESIDENT = "jan.testowy@mieszkaniec.test"
OFFICE = "kontakt@gmina.test"
AT = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # a Thursday


def acknowledge(number: int, received: date, due: date) -> tuple[str, str]:
    return f"Potwierdzenie nr {number}", f"Przyjęliśmy {received}, odpowiemy do {due}."


POLICY = IntakePolicy(
    {"email": 3, "www": 3}, "Europe/Warsaw", "gmina.test", (OFFICE,), acknowledge, 2
)


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    migrate(db_url)
    store = Store(db_url)
    yield store
    await store.close()


def mail(n: int, **fields: Any) -> InboundMessage:
    values: dict[str, Any] = {
        "channel": "email", "message_id": f"<m{n}@mieszkaniec.test>", "received_at": AT,
        "from_address": RESIDENT, "from_name": "Jan Testowy", "subject": f"Wniosek {n}",
        "text": "Dzień dobry, proszę o informację.",
    }  # fmt: skip
    values.update(fields)
    return InboundMessage(**values)


async def take(store: Store, message: InboundMessage) -> IntakeResult:
    return await store.run(lambda s: receive(s, message, POLICY))


def outgoing(session: Session, report_id: int | None = None) -> list[ChannelMessage]:
    stmt = select(ChannelMessage).where(ChannelMessage.direction == "out")
    if report_id is not None:
        stmt = stmt.where(ChannelMessage.report_id == report_id)
    return list(session.scalars(stmt.order_by(ChannelMessage.id)))


async def test_a_new_message_is_a_waiting_report_with_attachments_and_one_acknowledgement(
    store: Store,
) -> None:
    pdf = InboundAttachment("wniosek.pdf", "application/pdf", 1234, "a" * 64, "application/pdf")
    exe = InboundAttachment("faktura.pdf", "application/pdf", 99, "b" * 64,
                            "application/x-msdownload", "plik wykonywalny")  # fmt: skip
    result = await take(store, mail(1, attachments=(pdf, exe)))
    assert result.new_report and result.acknowledged and not result.duplicate

    def check(session: Session) -> None:
        report = session.get(ContactReport, result.report_id)
        assert report is not None
        assert (report.channel, report.contact, report.status, report.owner) == (
            "email",
            RESIDENT,
            "nowe",
            "",
        )
        assert report.topic == "Wniosek 1" and report.waiting_since is not None
        assert report.reply_due == date(2026, 12, 8)  # Fri, Mon, Tue
        rows = session.scalars(select(ChannelAttachment).order_by(ChannelAttachment.id)).all()
        assert [(a.filename, a.rejected) for a in rows] == [
            ("wniosek.pdf", ""),
            ("faktura.pdf", "plik wykonywalny"),
        ]
        [ack] = outgoing(session, report.id)
        assert ack.purpose == "potwierdzenie" and ack.to_addresses == RESIDENT
        assert ack.in_reply_to == "<m1@mieszkaniec.test>"
        assert f"[ZGL-{report.id}]" in ack.subject and ack.send_state == "oczekuje"
        assert ack.message_id.endswith("@gmina.test>")

    await store.run(check)


async def test_the_same_message_twice_is_taken_once(store: Store) -> None:
    first = await take(store, mail(2))
    again = await take(store, mail(2, subject="inna kopia"))
    assert again.duplicate and again.report_id == first.report_id
    assert again.message_pk == first.message_pk
    counts = await store.run(lambda s: (
        s.scalar(select(func.count(ContactReport.id))),
        s.scalar(select(func.count(ChannelMessage.id)).where(ChannelMessage.direction == "in")),
        len(outgoing(s)),
    ))  # fmt: skip
    assert counts == (1, 1, 1)


async def test_a_reply_to_our_acknowledgement_continues_the_report_and_reopens_it(
    store: Store,
) -> None:
    first = await take(store, mail(3))
    assert first.report_id is not None
    ack_id = await store.run(lambda s: outgoing(s, first.report_id)[0].message_id)

    def close(session: Session) -> None:
        report = session.get(ContactReport, first.report_id)
        assert report is not None
        report.status, report.waiting_since = "zamkniete", None

    await store.run(close)
    reply = await take(store, mail(4, in_reply_to=(ack_id,), subject="Re: Wniosek 3"))
    assert reply.report_id == first.report_id and not reply.new_report
    assert not reply.acknowledged
    report = await store.run(lambda s: s.get(ContactReport, first.report_id))
    assert report is not None and report.status == "nowe" and report.waiting_since is not None


async def test_the_report_tag_threads_only_from_the_address_it_is_answered_at(
    store: Store,
) -> None:
    first = await take(store, mail(5))
    tagged = f"Uzupełnienie [ZGL-{first.report_id}]"
    same = await take(store, mail(6, subject=tagged))
    other = await take(store, mail(7, subject=tagged, from_address="obcy@inna.test"))
    assert same.report_id == first.report_id
    assert other.new_report and other.report_id != first.report_id


async def test_automatic_mail_is_kept_never_acknowledged_and_a_bounce_marks_our_message(
    store: Store,
) -> None:
    first = await take(store, mail(8))
    ack_id = await store.run(lambda s: outgoing(s, first.report_id)[0].message_id)

    def mark_sent(session: Session) -> None:
        row = outgoing(session, first.report_id)[0]
        row.send_state = "wyslana"

    await store.run(mark_sent)
    bounce = await take(store, mail(9, auto="bounce", from_address="mailer-daemon@gmina.test",
                                    in_reply_to=(ack_id,)))  # fmt: skip
    stray = await take(store, mail(10, auto="auto-reply", subject="Nieobecność"))
    assert bounce.report_id == first.report_id and not bounce.acknowledged
    assert stray.report_id is None and not stray.new_report
    state = await store.run(lambda s: (
        outgoing(s, first.report_id)[0].send_state,
        outgoing(s, first.report_id)[0].last_error,
        s.scalar(select(func.count(ContactReport.id))),
        len(outgoing(s)),
    ))  # fmt: skip
    assert state[0] == "blad" and "nie dotarła" in state[1]
    assert state[2:] == (1, 1)


@pytest.mark.parametrize(
    "fields",
    [
        {"sender_check": "fail"},
        {"from_address": OFFICE},
        {"from_address": "no-reply@sklep.test"},
        {"from_address": ""},
    ],
    ids=["forged", "our-own-address", "no-reply", "no-address"],
)
async def test_no_acknowledgement_where_it_could_loop_or_reach_a_forger(
    store: Store, fields: dict[str, str]
) -> None:
    result = await take(store, mail(11, **fields))
    assert result.new_report and not result.acknowledged
    assert await store.run(lambda s: len(outgoing(s))) == 0


async def test_acknowledgements_per_sender_are_capped_per_day(store: Store) -> None:
    results = [await take(store, mail(20 + n)) for n in range(4)]
    assert [r.acknowledged for r in results] == [True, True, False, False]
    assert all(r.new_report for r in results)


async def test_a_known_address_finds_the_resident_unless_the_sender_check_failed(
    store: Store,
) -> None:
    def add(session: Session) -> int:
        resident = Resident(name="Jan Testowy")
        session.add(resident)
        session.flush()
        session.add(ResidentEmail(resident_id=resident.id, address=RESIDENT))
        return resident.id

    resident_id = await store.run(add)
    known = await take(store, mail(30, from_address=RESIDENT.upper()))
    forged = await take(store, mail(31, sender_check="fail"))
    residents = await store.run(lambda s: [
        s.get(ContactReport, r.report_id).resident_id  # type: ignore[union-attr]
        for r in (known, forged)
    ])  # fmt: skip
    assert residents == [resident_id, None]


async def test_queued_letters_keep_their_message_id(store: Store) -> None:
    letter = outbox.Letter(RESIDENT, "Odpowiedź", "Treść", "odpowiedz")
    ids = await store.run(lambda s: [
        outbox.queue(s, None, letter, author="anna", domain="gmina.test").message_id
        for _ in range(2)
    ])  # fmt: skip
    assert len(set(ids)) == 2 and all(i.endswith("@gmina.test>") for i in ids)
