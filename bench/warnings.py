"""Warnings to residents: the time to deliver one warning to many recipients, per channel.

    PYTHONPATH=. python bench/warnings.py [--recipients 2000] [--per-second 50]
        [--latency 0.08] [--channels sms,email,voice]

One function per channel; each queues a warning for ``--recipients`` made-up recipients in a
fresh SQLite store (``NotifyService.send``), runs that channel's sender until every delivery
has its result, and prints the time from queueing to the last result and the rate:

- **sms**: the SMS sender through the SMSAPI adapter against the local gateway of
  tests/smsgateway.py, which enforces ``--per-second`` (its 429 answers are counted) and holds
  every answer ``--latency`` seconds (a gateway across the internet); the sender is set to the
  same ``--per-second``, as an office would set ``sms.per_second`` to its contract's limit.
- **email**: the e-mail sender through the real Postfix submission port (STARTTLS and AUTH,
  one connection per message, as cic sends) of tests/mailserver.py, into Dovecot; the time is
  until Postfix accepted the last message, and a sample of mailboxes is read back.
- **voice**: calls through a real Asterisk, SIPp answering behind the trunk and residents
  calling in meanwhile: ``bench/warnings_voice.py``, run after the table (it prints calls per
  second placed and the share of the trunk left for inbound calls).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cic.bus import InProcessBus  # noqa: E402
from cic.channels.outbox import SenderIdentity  # noqa: E402
from cic.db import Store  # noqa: E402
from cic.mail.settings import SmtpAccount  # noqa: E402
from cic.mail.smtp import SmtpSender  # noqa: E402
from cic.notify.senders import EmailSender, SmsSender  # noqa: E402
from cic.notify.service import NotifyService, Outgoing, Recipient  # noqa: E402
from cic.sms.smsapi import SmsApi  # noqa: E402
from tests.smsgateway import TOKEN, SmsGateway  # noqa: E402

WARNING = Outgoing(
    "Ostrzeżenie: jutro 6:00–18:00 silny wiatr do 90 km/h. Zabezpiecz rzeczy na posesji.",
    "UG Testowo",
)


@dataclass
class Figures:
    """One channel's result."""

    channel: str
    recipients: int
    seconds: float
    outcomes: Counter[str]
    note: str = ""

    @property
    def rate(self) -> float:
        """Results per second."""
        return self.recipients / self.seconds if self.seconds else float("nan")


def store() -> Store:
    """A fresh, migrated SQLite store in a temporary directory."""
    made = Store(f"sqlite:///{tempfile.mkdtemp(prefix='cic-bench-')}/cic.db")
    made.migrate()
    return made


async def outcomes(service: NotifyService, batch: str) -> Counter[str]:
    """How many deliveries of ``batch`` are in each state."""
    return Counter(d["status"] for d in await service.deliveries(batch))


async def sms(recipients: int, per_second: int, latency: float) -> Figures:
    """A warning to ``recipients`` SMS numbers through the local gateway."""
    db, bus, gateway = store(), InProcessBus(), SmsGateway(points=1e9, per_second=per_second)
    gateway.delay = latency
    await gateway.start()
    provider = SmsApi(TOKEN, base_url=gateway.url, timeout=10)
    service = NotifyService(db, bus)
    people = [Recipient("sms", f"5{n:08d}", f"subscriber:{n}") for n in range(recipients)]
    began = time.perf_counter()
    await service.send("warning:1", WARNING, people)
    sender = SmsSender(service, bus, provider, per_second=per_second, batch=100)
    while await sender.round():
        pass
    seconds = time.perf_counter() - began
    throttled = sum(1 for r in gateway.received if r.answer == 429)
    result = await outcomes(service, "warning:1")
    await provider.close()
    await gateway.stop()
    await bus.close()
    await db.close()
    note = f"gateway limit {per_second}/s, answer after {latency * 1000:.0f} ms, 429s: {throttled}"
    return Figures("sms", recipients, seconds, result, note)


async def email(recipients: int) -> Figures:
    """A warning to ``recipients`` e-mail addresses through the real Postfix and Dovecot."""
    from tests.mailserver import MailServer  # needs Debian's postfix and dovecot

    server = MailServer.temporary()
    server.start()
    db, bus = store(), InProcessBus()
    try:
        addresses = [f"mieszkaniec{n:05d}@mieszkaniec.test" for n in range(recipients)]
        for address in addresses:
            server.add_user(address, "Haslo-testowe-1")
        account = SmtpAccount(
            host="127.0.0.1", port=server.submission_port, tls="starttls",
            username=server.office_address, password=server.office_password,
            ca_file=str(server.ca_file), timeout=30,
        )  # fmt: skip
        service = NotifyService(db, bus)
        identity = SenderIdentity(server.office_address, "Urząd Gminy Testowo")
        sender = EmailSender(
            service, bus, SmtpSender(account), identity, domain="gmina.test",
            office="Urząd Gminy Testowo", batch=100,
        )  # fmt: skip
        people = [Recipient("email", a, f"subscriber:{n}") for n, a in enumerate(addresses)]
        began = time.perf_counter()
        await service.send("warning:2", WARNING, people)
        while await sender.round():
            pass
        seconds = time.perf_counter() - began
        sample = addresses[:: max(1, recipients // 10)]
        arrived = sum(1 for a in sample if server.wait_for(a, timeout=60))
        result = await outcomes(service, "warning:2")
        note = f"one SMTP connection per message; {arrived}/{len(sample)} sampled mailboxes got it"
        return Figures("email", recipients, seconds, result, note)
    finally:
        await bus.close()
        await db.close()
        server.stop()


def voice(recipients: int) -> int:
    """Calls through Asterisk on a real instance with SIPp behind the trunk and residents
    calling in meanwhile: ``bench/warnings_voice.py`` (its own figures: calls per second
    placed, the share of the trunk left for inbound calls), run as a separate process because
    it starts its own Asterisk."""
    script = Path(__file__).with_name("warnings_voice.py")
    env = {**os.environ, "PYTHONPATH": str(script.parents[1])}
    return subprocess.run(
        [sys.executable, str(script), "--recipients", str(recipients)], env=env, check=False
    ).returncode


def main() -> None:
    """Run the chosen channels and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--per-second", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.08)
    parser.add_argument("--channels", default="sms,email,voice")
    args = parser.parse_args()
    chosen = args.channels.split(",")
    results: list[Figures] = []
    skipped: list[str] = []
    if "sms" in chosen:
        results.append(asyncio.run(sms(args.recipients, args.per_second, args.latency)))
    if "email" in chosen:
        try:
            results.append(asyncio.run(email(args.recipients)))
        except Exception as exc:  # no mail system on this machine
            skipped.append(f"email: not measured ({type(exc).__name__}: {exc})"[:300])
    print(f"\nwarning to {args.recipients} recipients per channel")
    print(f"{'channel':<8}{'seconds':>10}{'per s':>10}  outcomes / notes")
    for f in results:
        print(f"{f.channel:<8}{f.seconds:>10.1f}{f.rate:>10.1f}  {dict(f.outcomes)}; {f.note}")
    for line in skipped:
        print(line)
    if "voice" in chosen:
        print("\nvoice (bench/warnings_voice.py):", flush=True)
        voice(args.recipients)


if __name__ == "__main__":
    main()
