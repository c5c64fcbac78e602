"""The states of one delivery, their Polish names, and which of them end it.

A delivery starts ``queued``; a sender claims it (``sending``) and finishes it with one of the
outcomes. ``busy`` and ``no_answer`` are tried again while attempts remain (the delivery goes
back to ``queued`` with a later ``next_at``); every other outcome is final.
"""

from __future__ import annotations

CHANNELS = ("voice", "sms", "email")
CHANNEL_LABELS = {"voice": "połączenie głosowe", "sms": "SMS", "email": "e-mail"}

QUEUED = "queued"
SENDING = "sending"
LABELS = {
    QUEUED: "w kolejce",
    SENDING: "w toku",
    "confirmed": "potwierdzone",
    "answered": "odebrane bez potwierdzenia",
    "delivered": "wysłane",
    "busy": "zajęte",
    "no_answer": "nieodebrane",
    "hung_up": "rozłączone w trakcie komunikatu",
    "failed": "błąd",
    "cancelled": "anulowane",
}
#: Outcomes a sender may report (``finish``).
OUTCOMES = frozenset(LABELS) - {QUEUED, SENDING, "cancelled"}
#: Outcomes tried again while attempts remain.
RETRIED = frozenset({"busy", "no_answer"})
#: States after which nothing more happens to the delivery.
FINAL = frozenset(LABELS) - {QUEUED, SENDING}
#: States that count as the message having reached the person.
REACHED = frozenset({"confirmed", "answered", "delivered"})
