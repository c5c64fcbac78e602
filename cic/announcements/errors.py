"""Refusals of the announcements domain: clear Polish messages with stable ids."""

from __future__ import annotations

from collections.abc import Mapping

from cic.errors import CicError


class AnnouncementError(CicError):
    """The base of every announcements error."""

    status = 400
    error_id = "announcement_error"
    default_message = "Nie można wykonać tej czynności na ogłoszeniu."


class AnnouncementNotFound(AnnouncementError):
    """No such announcement (for residents: none that is public now)."""

    status = 404
    error_id = "announcement_not_found"
    default_message = "Nie ma takiego ogłoszenia."


class InvalidAnnouncement(AnnouncementError):
    """An announcement or a category that cannot be saved; ``fields`` maps each wrong field
    to what to change."""

    error_id = "announcement_invalid"
    default_message = "Popraw zaznaczone pola ogłoszenia."

    def __init__(self, fields: Mapping[str, str]) -> None:
        """Keep the message of each wrong field."""
        super().__init__("; ".join(fields.values()) or None)
        self.fields = dict(fields)


class InvalidSubscription(AnnouncementError):
    """A newsletter form that cannot be accepted; ``fields`` maps each wrong field to what to
    change."""

    error_id = "newsletter_invalid"
    default_message = "Popraw zaznaczone pola formularza."

    def __init__(self, fields: Mapping[str, str]) -> None:
        """Keep the message of each wrong field."""
        super().__init__("; ".join(fields.values()) or None)
        self.fields = dict(fields)


class LinkExpired(AnnouncementError):
    """A confirmation or unsubscribe link that is unknown, used or too old."""

    status = 404
    error_id = "newsletter_link_expired"
    default_message = (
        "Ten link jest nieważny: został już użyty albo wygasł. Zapisz się ponownie na stronie"
        " powiadomień."
    )


class NewsletterUnavailable(AnnouncementError):
    """The office's mail server cannot send now (or e-mail is not set up)."""

    status = 503
    error_id = "newsletter_unavailable"
    default_message = (
        "Nie udało się teraz wysłać wiadomości e-mail. Spróbuj ponownie za kilka minut."
    )
