"""E-mail channel intake: messages ingested per second and arrival-to-report latency.

    PYTHONPATH=. python bench/mail_ingest.py [--messages 200] [--live 40] [--interval 0.25]

Runs a real Dovecot + Postfix on loopback (tests/mailserver.py) and cic's mailbox reader
(cic.channels.mailbox.MailIngest) against it, on SQLite and, when reachable, PostgreSQL, side
by side (a fresh database ``cic_bench_*`` on 127.0.0.1:5432, dropped afterwards):

- **backlog**: ``--messages`` messages (a third with a PDF attachment) are delivered over SMTP
  first, then read in one go: messages per second from the first fetch to the last report.
- **live**: the reader waits in IMAP IDLE; ``--live`` messages are delivered one at a time
  ``--interval`` seconds apart; the latency of each is from the moment Postfix accepted it
  (SMTP 250) to the moment its report was committed; p50 and p95 are printed.

Acknowledgements are queued (as in production) but not sent: the outbox is not running.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cic.cases.models import ContactReport  # noqa: E402
from cic.channels.files import ChannelFiles  # noqa: E402
from cic.channels.intake import IntakePolicy  # noqa: E402
from cic.channels.mailbox import MailIngest, ParseRules  # noqa: E402
from cic.db import Store  # noqa: E402
from cic.mail.imap import ImapMailbox  # noqa: E402
from cic.mail.parse import AttachmentLimits  # noqa: E402
from cic.mail.settings import ImapAccount  # noqa: E402
from tests.mailserver import MailServer  # noqa: E402

PDF = b"%PDF-1.4\n" + b"0" * 40_000 + b"\n%%EOF\n"
DAYS = {"email": 3}


@dataclass
class Figures:
    """One database's results."""

    name: str
    backlog: int
    backlog_seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.backlog / self.backlog_seconds if self.backlog_seconds else 0.0


def message(index: int, live: bool) -> bytes:
    """A made-up resident's message (every third with a PDF)."""
    mail = EmailMessage()
    mail["From"] = f"Mieszkaniec Testowy {index} <mieszkaniec{index}@mieszkaniec.test>"
    mail["To"] = "kontakt@gmina.test"
    mail["Subject"] = f"{'na żywo' if live else 'zaległa'} {index}: wywóz odpadów"
    mail["Message-ID"] = f"<bench-{'l' if live else 'b'}-{index}-{time.time_ns()}@mieszkaniec.test>"
    mail.set_content("Dzień dobry, kiedy będzie odbiór odpadów wielkogabarytowych?\n" * 5)
    if index % 3 == 0:
        mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="wniosek.pdf")
    return bytes(mail)


def deliver(server: MailServer, raw: bytes, to: str) -> float:
    """Submit over SMTP; the time Postfix accepted it."""
    server.send(raw, "nadawca@mieszkaniec.test", [to])
    return time.time()


def wait_count(server: MailServer, address: str, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(server.messages(address)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{count} messages not delivered\n{server.logs()}")
        time.sleep(0.2)


async def run_one(name: str, url: str, server: MailServer, backlog: int, live: int,
                  interval: float, base: int) -> Figures:  # fmt: skip
    store = Store(url)
    store.migrate()
    office, password = f"kontakt-{name}@gmina.test", "haslo-bench-123"
    server.add_user(office, password)
    files = ChannelFiles(tempfile.mkdtemp(prefix="cic-bench-channels-"))
    account = ImapAccount(
        host="127.0.0.1", port=server.imap_port, tls="starttls",
        username=office, password=password,
        ca_file=str(server.ca_file), poll_seconds=5,
    )  # fmt: skip
    policy = IntakePolicy(DAYS, "Europe/Warsaw", "gmina.test", ("kontakt@gmina.test",))
    rules = ParseRules(AttachmentLimits(), own_addresses=("kontakt@gmina.test",))
    committed: dict[str, float] = {}

    async def on_report(result: object) -> None:
        committed[str(getattr(result, "report_id", ""))] = time.time()

    ingest = MailIngest(
        store, files, lambda: ImapMailbox(account), ("INBOX",), f"bench-{name}", rules, policy,
        on_report=on_report, wait_seconds=60,
    )  # fmt: skip
    for i in range(backlog):
        deliver(server, message(base + i, live=False), office)
    wait_count(server, office, backlog)
    mailbox = ImapMailbox(account)
    await mailbox.connect()
    started = time.perf_counter()
    done = await ingest.read_folder(mailbox, "INBOX")
    backlog_seconds = time.perf_counter() - started
    await mailbox.close()
    assert done >= backlog, f"read {done} of {backlog}"

    task = asyncio.create_task(ingest.run())
    await asyncio.sleep(1.0)  # in IDLE
    sent: dict[str, float] = {}
    for i in range(live):
        raw = message(base + backlog + i, live=True)
        subject = f"na żywo {base + backlog + i}: wywóz odpadów"
        sent[subject] = await asyncio.to_thread(deliver, server, raw, office)
        await asyncio.sleep(interval)
    deadline = time.monotonic() + 60
    latencies: list[float] = []
    while time.monotonic() < deadline:
        found = store.run_sync(
            lambda s: dict(
                s.execute(
                    select(ContactReport.topic, ContactReport.created_at).where(
                        ContactReport.topic.in_(list(sent))
                    )
                ).all()
            )
        )
        if len(found) == live:
            latencies = [
                (found[subject].astimezone(UTC).timestamp() - at) for subject, at in sent.items()
            ]
            break
        await asyncio.sleep(0.2)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    total = store.run_sync(lambda s: s.scalar(select(func.count(ContactReport.id))))
    await store.close()
    print(f"  {name}: {total} reports in the store")
    return Figures(name, done, backlog_seconds, latencies)


def postgres_database() -> str:
    """A new empty database on the local PostgreSQL (dropped when this process ends), or ""
    when PostgreSQL is not reachable (``CIC_BENCH_POSTGRES_ADMIN`` overrides the server)."""
    import atexit
    import secrets

    import psycopg

    admin = os.environ.get("CIC_BENCH_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"cic_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL not reachable ({exc}); SQLite only")
        return ""

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    return "postgresql+psycopg://" + admin.split("://", 1)[1].rsplit("/", 1)[0] + f"/{name}"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--live", type=int, default=40)
    parser.add_argument("--interval", type=float, default=0.25)
    args = parser.parse_args()
    server = MailServer.temporary()
    server.start()
    results: list[Figures] = []
    try:
        databases = [("sqlite", f"sqlite:///{tempfile.mkdtemp(prefix='cic-bench-')}/cic.db")]
        pg = postgres_database()
        if pg:
            databases.append(("postgresql", pg))
        base = 0
        for name, url in databases:
            results.append(asyncio.run(run_one(name, url, server, args.messages, args.live,
                                               args.interval, base)))  # fmt: skip
            base += args.messages + args.live
    finally:
        server.stop()
    print(f"\nmail intake, {datetime.now(UTC):%Y-%m-%d}: {args.messages} waiting messages, "
          f"{args.live} live ones {args.interval} s apart")  # fmt: skip
    print(f"{'database':<12}{'msgs/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for f in results:
        lat = [x * 1000 for x in f.latencies]
        worst = max(lat) if lat else float("nan")
        print(f"{f.name:<12}{f.rate:>10.1f}{percentile(lat, 0.5):>10.0f}"
              f"{percentile(lat, 0.95):>10.0f}{worst:>10.0f}")  # fmt: skip
    if any(not f.latencies for f in results):
        print("some live messages did not become reports within 60 s")
    every = [x for f in results for x in f.latencies] or [0.0]
    print(f"(mean latency: {statistics.fmean(every):.3f} s)")


if __name__ == "__main__":
    main()
