"""What every portal page shows of the office: its name, address, phone, e-mail, ePUAP box
and opening hours, built once from the settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from cic.config import Settings

DAYS = (("mon", "poniedziałek"), ("tue", "wtorek"), ("wed", "środa"), ("thu", "czwartek"),
        ("fri", "piątek"), ("sat", "sobota"), ("sun", "niedziela"))  # fmt: skip

#: ePUAP's "pismo ogólne do podmiotu publicznego": the service a resident files any matter with.
EPUAP_GENERAL_LETTER = (
    "https://epuap.gov.pl/wps/portal/strefa-klienta/katalog-spraw/sprawy-ogolne/"
    "pismo-ogolne-do-podmiotu-publicznego"
)


@dataclass(frozen=True)
class PortalSite:
    """The office as the portal's pages show it (no staff data, ever)."""

    name: str
    address: tuple[str, ...]
    phone: str
    email: str
    epuap_box: str
    hours: tuple[tuple[str, str], ...]
    solectwa: tuple[str, ...] = ()

    @property
    def phone_text(self) -> str:
        """The phone number as people read it: ``+48 820 000 000`` (the link dials ``phone``);
        a number the office wrote with spaces is shown as written."""
        digits = self.phone
        if digits.startswith("+48") and len(digits) == 12 and digits[1:].isdigit():
            local = digits[3:]
            return f"+48 {local[:3]} {local[3:6]} {local[6:]}"
        return self.phone

    @property
    def epuap_url(self) -> str:
        """The ePUAP page of the office's box (empty without a box address)."""
        if not self.epuap_box:
            return ""
        return EPUAP_GENERAL_LETTER


def site_from(settings: Settings) -> PortalSite:
    """The portal's view of the office from ``settings``."""
    hours = tuple(
        (label, ", ".join(spans).replace("-", "–"))
        for key, label in DAYS
        if (spans := settings.office.hours.get(key))
    )
    return PortalSite(
        name=settings.office.name,
        address=tuple(settings.portal.address),
        phone=settings.portal.phone or settings.office.number,
        email=settings.portal.email or settings.mail.address,
        epuap_box=settings.portal.epuap_box,
        hours=hours,
        solectwa=tuple(settings.portal.solectwa),
    )


SITE = web.AppKey("portal_site", PortalSite)


@dataclass(frozen=True)
class HomeItem:
    """One line of news on the portal's home page: its title, page, summary and date."""

    title: str
    path: str
    summary: str
    date: str


HomeNews = Callable[[], Awaitable[list[HomeItem]]]
#: Where the home page gets its newest announcements (set by the announcements section).
HOME_NEWS: web.AppKey[HomeNews] = web.AppKey("portal_home_news")


@dataclass(frozen=True)
class PortalBanner:
    """A warning in force as the banner on every portal page shows it: ``severity`` is
    ``informacja``, ``ostrzezenie`` or ``alarm`` (only an alarm interrupts a screen reader)."""

    title: str
    text: str
    severity: str
    severity_label: str
    area: str
    path: str


PortalBanners = Callable[[], list[PortalBanner]]
#: Where every portal page gets its banners (set by the warnings section; no I/O: a cache).
BANNERS: web.AppKey[PortalBanners] = web.AppKey("portal_banners")
