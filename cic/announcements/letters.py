"""The newsletter's e-mails as text: the confirmation link (double opt-in) and an
announcement, with the links residents follow and the list headers of RFC 2369 and RFC 8058
(one-click unsubscribe). Pure: the sending is in ``cic.announcements.delivery``."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cic.announcements.service import PublicAnnouncement

PAGE = "/e-urzad/powiadomienia"


@dataclass(frozen=True)
class Links:
    """Absolute links on the portal's public address ``base`` (``https://gmina.pl``)."""

    base: str

    def to(self, path: str) -> str:
        """``path`` (starting with ``/``) on the public address."""
        return self.base.rstrip("/") + path

    def confirm(self, token: str) -> str:
        """The one-time confirmation link."""
        return self.to(f"{PAGE}/potwierdz/{token}")

    def unsubscribe(self, token: str) -> str:
        """The unsubscribe link (a GET shows one button, a POST unsubscribes at once)."""
        return self.to(f"{PAGE}/wypisz/{token}")


@dataclass(frozen=True)
class Letter:
    """An e-mail to one address: subject, plain text and extra header fields."""

    to: str
    subject: str
    text: str
    headers: tuple[tuple[str, str], ...] = ()


def confirmation(to: str, office: str, link: str, hours: int, links: Links) -> Letter:
    """The double opt-in letter: nothing is sent to ``to`` before its link is followed."""
    text = "\n\n".join((
        "Dzień dobry,",
        f"ktoś (zapewne Pan/Pani) poprosił o powiadomienia e-mail o ogłoszeniach: {office}.",
        "Aby potwierdzić zapis albo zmianę wybranych kategorii i sołectw, otwórz link:",
        link,
        f"Link jest ważny {hours} godz. i można go użyć raz. Jeśli to nie Ty – zignoruj tę "
        "wiadomość: bez potwierdzenia nie wyślemy Ci żadnych ogłoszeń.",
        f"Strona powiadomień: {links.to(PAGE)}",
        f"Z poważaniem\n{office}",
    ))  # fmt: skip
    return Letter(to, f"Potwierdź zapis na powiadomienia – {office}", text)


def announcement(
    to: str, office: str, item: PublicAnnouncement, markdown: str, unsubscribe: str,
    links: Links, zone: str, list_id: str,
) -> Letter:  # fmt: skip
    """One announcement for one subscriber, with the unsubscribe link in the text and in the
    ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` fields."""
    when = item.published_at.astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y")
    where = ", ".join(item.solectwa) if item.solectwa else "cała gmina"
    parts = [item.title, f"{item.category_name} · {when} · dotyczy: {where}"]
    if item.summary:
        parts.append(item.summary)
    parts += [
        markdown.strip(),
        f"Ogłoszenie na stronie: {links.to(item.path)}",
        "—",
        "Otrzymujesz tę wiadomość, bo zapisano ten adres na powiadomienia o ogłoszeniach "
        f"({office}). Wypisz się jednym kliknięciem: {unsubscribe}",
    ]
    headers = (
        ("List-Id", list_id),
        ("List-Unsubscribe", f"<{unsubscribe}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Auto-Submitted", "auto-generated"),
    )
    return Letter(to, f"{item.title} – {office}", "\n\n".join(parts), headers)
