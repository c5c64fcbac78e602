"""The acknowledgement a resident gets when their message becomes a report: the office's own
template (``mail.ack_template``, a text file) or the built-in Polish one, filled in with the
report's number, the date, the reply target and the office's name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cic.channels.intake import Acknowledgement
from cic.channels.targets import working_days_late
from cic.config import ConfigError, MailSettings
from cic.mail.compose import DEFAULT_ACK_SUBJECT, DEFAULT_ACK_TEMPLATE, render_template

MAX_TEMPLATE = 20_000


def _polish_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def make_acknowledgement(mail: MailSettings, office_name: str) -> Acknowledgement:
    """The subject and text of the acknowledgement of report ``number``."""
    template = DEFAULT_ACK_TEMPLATE
    if mail.ack_template:
        try:
            template = Path(mail.ack_template).read_text(encoding="utf-8")[:MAX_TEMPLATE]
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"mail.ack_template: cannot be read ({exc})") from None
    subject_template = mail.ack_subject or DEFAULT_ACK_SUBJECT

    def acknowledge(number: int, received: date, due: date) -> tuple[str, str]:
        values = {
            "numer": str(number),
            "data": _polish_date(received),
            "termin": _polish_date(due),
            "dni": str(working_days_late(received, due)),
            "urzad": office_name,
        }
        return render_template(subject_template, values), render_template(template, values)

    return acknowledge
