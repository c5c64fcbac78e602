"""Figures as staff read them: Polish numbers (decimal comma, thin-space thousands), the change
against the previous period as an arrow and a word, and a short sentence for the council.

A share (unit ``%``) changes by percentage points ("o 3,2 pkt proc."), anything else by a
percent of the previous value ("o 12%"), or by its own unit when the previous value was zero.
A figure that is unavailable or has no value is never turned into a zero: the words say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cic.dashboard.period import Period
from cic.dashboard.schemas import Figure, Part

#: The months in the genitive ("względem października").
MONTHS_GENITIVE = (
    "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
    "września", "października", "listopada", "grudnia",
)  # fmt: skip
NO_VALUE = "—"
#: What a unit is written as after a number ("liczba" is a plain count: nothing).
UNIT_SUFFIX = {"liczba": "", "%": "%", "s": " s", "min": " min", "h": " h", "dni": " dni",
               "na 1000": " na 1000"}  # fmt: skip
_VERBS = {  # grammatical gender of the label's first word -> (rose, fell, did not change)
    "f": ("wzrosła", "spadła", "nie zmieniła się"),
    "n": ("wzrosło", "spadło", "nie zmieniło się"),
    "m": ("wzrósł", "spadł", "nie zmienił się"),
}


def number(value: float | None, digits: int = 1) -> str:
    """``value`` the Polish way: "1 234", "85,3"; whole numbers without decimals; "—" for None."""
    if value is None:
        return NO_VALUE
    rounded = round(value, digits)
    text = f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.{digits}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def with_unit(value: float | None, unit: str) -> str:
    """``value`` and its unit ("85,3%", "42 s", "1 234"); "—" for None."""
    if value is None:
        return NO_VALUE
    return number(value) + UNIT_SUFFIX.get(unit, f" {unit}")


#: Figures that are ratios: their parts are often the counts they are made of.
RATIOS = ("%", "na 1000")


def part_unit(part: Part, unit: str) -> str:
    """The unit of a part of a figure in ``unit``. A ratio's part whose value is its record
    count (the complaints and matters a rate per 1000 is made of, the reports per channel
    of a share) is a plain count ("liczba"); any other part has the figure's unit."""
    counted = part.count is not None and part.value is not None and part.value == part.count
    return "liczba" if unit in RATIOS and counted else unit


@dataclass(frozen=True)
class Change:
    """How a figure moved: ``arrow`` (↑ ↓ →), ``word`` (wzrost, spadek, bez zmian),
    ``amount`` ("o 12%", "o 3,2 pkt proc.") and ``tone`` (ok, bad, info: a design-system
    badge); ``known`` is False when one of the two values is missing."""

    arrow: str
    word: str
    amount: str
    tone: str
    known: bool = True

    @property
    def text(self) -> str:
        """The change in one phrase: "wzrost o 12%", "bez zmian", "brak porównania"."""
        return f"{self.word} {self.amount}".strip()


def amount(figure: Figure) -> str:
    """How much a figure changed, without its direction: "o 12%", "o 3,2 pkt proc."."""
    change = figure.change
    if change is None or figure.previous is None:
        return ""
    if figure.unit == "%":
        return f"o {number(abs(change))} pkt proc."
    if figure.previous == 0:
        return f"o {with_unit(abs(change), figure.unit)}"
    return f"o {number(abs(change) / abs(figure.previous) * 100)}%"


def change_of(figure: Figure) -> Change:
    """The :class:`Change` of ``figure`` against its previous period."""
    change = figure.change
    if change is None:
        return Change("", "brak porównania", "", "info", known=False)
    if round(change, 6) == 0:
        return Change("→", "bez zmian", "", "info")
    rising = change > 0
    good = figure.higher_is_better
    tone = "info" if good is None else ("ok" if rising == good else "bad")
    return Change("↑" if rising else "↓", "wzrost" if rising else "spadek", amount(figure), tone)


def gender(label: str) -> str:
    """The grammatical gender of a label's first word, as a guess good for measure names:
    "Liczba" f, "Obłożenie" n, "Czas" / "Średni" / "Odsetek" m."""
    first = (label.split() or [""])[0].lower()
    if first.endswith("a"):
        return "f"
    if first.endswith(("o", "e", "ie")):
        return "n"
    return "m"


def compared_with(period: Period) -> str:
    """What the previous period is called after "względem": "października" or "poprzedniego
    okresu (01.02.2026–15.02.2026)"."""
    previous = period.previous()
    if previous.month:
        return MONTHS_GENITIVE[previous.first.month - 1]
    return f"poprzedniego okresu ({previous.label()})"


def sentence(figure: Figure, period: Period) -> str:
    """One Polish sentence for the council report, e.g. "Liczba zgłoszeń wzrosła o 12%
    względem października (z 100 do 112)."."""
    label = figure.label
    if not figure.available:
        return f"{label}: brak danych. {figure.note}".strip()
    if figure.value is None:
        return f"{label}: brak danych w okresie {period.label()}."
    now = with_unit(figure.value, figure.unit)
    change = figure.change
    if change is None:
        return f"{label}: {now} (brak danych za okres poprzedni do porównania)."
    rose, fell, same = _VERBS[gender(label)]
    against = compared_with(period)
    if round(change, 6) == 0:
        return f"{label} {same} względem {against} ({now})."
    verb = rose if change > 0 else fell
    before = with_unit(figure.previous, figure.unit)
    return f"{label} {verb} {amount(figure)} względem {against} (z {before} do {now})."


def when(at: str, zone: str) -> str:
    """An ISO 8601 date or instant as staff read it: "05.10.2026" or "05.10.2026 14:30" in
    the office's zone (an instant without an offset is UTC, as stored); other text as it is."""
    try:
        if len(at) == 10:
            return f"{date.fromisoformat(at):%d.%m.%Y}"
        instant = datetime.fromisoformat(at)
    except ValueError:
        return at
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return f"{instant.astimezone(ZoneInfo(zone)):%d.%m.%Y %H:%M}"


def shade(value: int, top: int) -> int:
    """The heat map's shade of a cell, 0 (none) to 5 (the busiest); the cell shows its number
    too, the shade only repeats it."""
    if value <= 0 or top <= 0:
        return 0
    return max(1, min(5, -(-value * 5 // top)))
