"""A message as any channel hands it in: the shape every adapter produces (the mailbox today;
the web form; later the office's ePUAP / e-Doręczenia inbox through its document system).

An adapter turns its source's format into :class:`InboundMessage` and gives it to
:func:`cic.channels.intake.receive`; nothing after that knows which adapter it came from
except by ``channel``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class InboundAttachment:
    """An attachment: its content is in the channel store under ``sha256`` unless
    ``rejected`` says why it was not kept."""

    filename: str
    content_type: str
    size: int
    sha256: str
    detected_type: str = ""
    rejected: str = ""


@dataclass(frozen=True)
class InboundMessage:
    """One incoming message. ``message_id`` is unique per message (the mail's Message-ID, or
    one the adapter makes); ``thread_ids`` are the ids it answers (In-Reply-To, References);
    ``auto`` names automatic mail ("auto-reply", "bounce", "list", "loop") that is kept but
    never answered; ``sender_check`` is "fail" when the sender's address was shown forged."""

    channel: str
    message_id: str
    received_at: datetime
    from_address: str = ""
    from_name: str = ""
    reply_to: str = ""
    to: tuple[str, ...] = ()
    subject: str = ""
    text: str = ""
    html: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    attachments: tuple[InboundAttachment, ...] = ()
    auto: str = ""
    sender_check: str = "unknown"
    defects: tuple[str, ...] = ()
    unparseable: bool = False
    raw_sha256: str = ""
    size: int = 0
    phone: str = ""
    resident_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The ids this message answers, nearest first."""
        return tuple(dict.fromkeys((*self.in_reply_to, *reversed(self.references))))

    @property
    def answer_to(self) -> str:
        """Where an answer goes: Reply-To if given, else From."""
        return self.reply_to or self.from_address
