"""The web form channel: the API the resident portal calls, open to anyone (no sign-in).

A message sent through the form becomes a report in the same queue as e-mail, through the
same :func:`cic.channels.intake.receive`: matched to a resident by the e-mail address given
(else by the phone number), acknowledged by e-mail when an address is given.

Spam is kept out without third-party captchas:

- a signed token (:mod:`cic.channels.formtoken`): the form came from here, was open at least
  ``form_min_seconds`` and at most ``form_max_hours``;
- each token is one message: the message id is made from the token's nonce, and the intake
  stores a message id once (a unique column), so a replay is refused by the database itself
  - across restarts and processes, with no table of used nonces to keep and expire;
- hourly caps per client address (behind the trusted proxy: the forwarded one) and in all
  (:mod:`cic.channels.ratelimit`), answered 429 with ``Retry-After``;
- consent must be given; its text is kept with the message (and in the audit log);
- a honeypot field people never see. A message that fills it gets the same thank-you (status
  201, but no report number) so a robot learns nothing, and is KEPT as automatic mail
  (``auto="spam"``: no report, no queue, no acknowledgement), listed for supervisors with
  the other automatic mail: a person whose browser filled the hidden field loses nothing, and
  no confirmation e-mail can be sent to an address a robot typed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.auth.lockout import address_key
from cic.channels.form_errors import (
    ConsentMissing,
    FormBusy,
    FormExpired,
    FormRateLimited,
    FormTokenInvalid,
    FormTokenUsed,
    FormTooFast,
)
from cic.channels.formtoken import FormTokens, TokenRefused
from cic.channels.inbound import InboundMessage
from cic.channels.intake import IntakePolicy, IntakeResult, receive
from cic.channels.ratelimit import HourlyLimit
from cic.channels.webform_schemas import FIELDS, HONEYPOT, FormIn, FormOut, FormReceipt
from cic.db import Store, utcnow
from cic.residents import records

log = logging.getLogger(__name__)
CHANNEL = "www"
#: The same words whether the message was taken or trapped (a robot learns nothing from them).
THANKS = "Dziękujemy za wiadomość. Urząd odpowie najszybciej, jak to możliwe."
SUBJECT_WORDS, SUBJECT_CHARS = 8, 80
#: Told of every message taken (acknowledgement queued: wake the outbox; a new report: tell
#: the consoles).
OnReport = Callable[[IntakeResult], Awaitable[None]]


async def _nothing(_: IntakeResult) -> None:
    return None


def first_words(text: str) -> str:
    """A subject made from the message: its first words on one line, cut with an ellipsis."""
    words = text.split()
    subject = " ".join(words[:SUBJECT_WORDS])
    if len(subject) > SUBJECT_CHARS:
        subject = subject[:SUBJECT_CHARS].rsplit(" ", 1)[0] or subject[:SUBJECT_CHARS]
    return subject + ("…" if subject != " ".join(words) else "")


class WebForm:
    """Blank forms and the messages sent with them."""

    def __init__(
        self,
        store: Store,
        tokens: FormTokens,
        limit: HourlyLimit,
        policy: IntakePolicy,
        *,
        consent: str,
        min_seconds: int,
        on_report: OnReport = _nothing,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        """``policy`` is the intake's (the same as e-mail's); ``consent`` the text a resident
        accepts; ``min_seconds`` how long a form is open at least (told to the portal)."""
        self.store, self.tokens, self.limit, self.policy = store, tokens, limit, policy
        self.consent, self.min_seconds = consent, min_seconds
        self.on_report, self.now = on_report, now

    def blank(self) -> FormOut:
        """A new form: a fresh token, the consent text and the fields."""
        return {
            "token": self.tokens.issue(), "consent": self.consent, "fields": FIELDS,
            "honeypot": HONEYPOT, "min_seconds": self.min_seconds,
        }  # fmt: skip

    async def submit(self, form: FormIn, client: str) -> FormReceipt:
        """Take a message sent from ``client`` (its address) or refuse it (400, 429)."""
        try:
            nonce = self.tokens.check(form.token).nonce
        except TokenRefused as exc:
            refused = {"too_fast": FormTooFast, "expired": FormExpired}
            raise refused.get(exc.reason, FormTokenInvalid)() from None
        if not form.consent:
            raise ConsentMissing()
        key = address_key(client or "-")
        verdict = self.limit.take(key)
        if verdict.wait:
            raise (FormBusy if verdict.scope == "all" else FormRateLimited)(verdict.wait)
        spam = form.website != ""
        message = self._message(form, nonce, spam)
        try:
            result = await self.store.run(lambda s: self._take(s, message, form, spam))
        except IntegrityError:  # the same token sent twice at the same moment
            self.limit.give_back(key)
            raise FormTokenUsed() from None
        except BaseException:
            self.limit.give_back(key)
            raise
        if spam:
            log.info("web form: a message filled the hidden field; kept as automatic mail")
            return {"report": None, "message": THANKS}
        try:
            await self.on_report(result)
        except Exception:  # the message is stored: the resident must hear so
            log.exception("web form: telling of report %s failed", result.report_id)
        return {"report": result.report_id, "message": THANKS}

    def _message(self, form: FormIn, nonce: str, spam: bool) -> InboundMessage:
        return InboundMessage(
            channel=CHANNEL, message_id=f"<www-{nonce}@{self.policy.domain}>",
            received_at=self.now(), from_address=form.email or "", from_name=form.name,
            subject=form.topic or first_words(form.message), text=form.message,
            phone=form.phone or "", auto="spam" if spam else "",
            extra={"consent": self.consent},
        )  # fmt: skip

    def _take(
        self, session: Session, message: InboundMessage, form: FormIn, spam: bool
    ) -> IntakeResult:
        if not spam:
            resident = records.by_address(session, form.email) if form.email else None
            if resident is None and form.phone:
                resident = records.by_number(session, form.phone)
            if resident is not None:
                message = dataclasses.replace(message, resident_id=resident)
        result = receive(session, message, self.policy)
        if result.duplicate:
            raise FormTokenUsed()
        if not spam:
            audit.record(
                session, "web_form_consent", actor="formularz",
                target=f"zgloszenie:{result.report_id}", message=result.message_pk,
                consent=self.consent,
            )  # fmt: skip
        return result
