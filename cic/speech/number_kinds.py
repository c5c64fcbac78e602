"""What a run of digits holds: PESEL, NIP, account, phone, or a long number (``[NUMER]``).

A run with fewer than ``min_digits`` (9) digits is left alone. A longer run is split, at unit
boundaries, into pieces that are each a checksum-verified identifier (account, PESEL, NIP) or
shaped like a Polish phone number - e.g. a PESEL read straight into a phone number gives
``[PESEL] [TELEFON]``. Spoken phrases may be read two ways ("pięćdziesiąt jeden" is 51, or 50
and 1), and a keyword before the run ("pesel", "telefon", "konto") settles which kind is
meant. When no split exists the whole run becomes one ``[NUMER]``: a resident reading out a
long number is personal data by default, even when it is mistyped or the engine misheard a
digit - so an 11-digit number with a wrong PESEL check digit is redacted, but never labelled
PESEL. Amounts (see :mod:`numbers`) are only redacted when they split into verified
identifiers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import islice, product

from cic.speech import checksums
from cic.speech.findings import Kind, Span
from cic.speech.numbers import Run, Unit
from cic.speech.text import Token

MAX_PIECE = 26  # the longest identifier: an account number
MAX_READINGS = 64  # readings of one piece tried at most (2 per ambiguous spoken phrase)
HINT_WINDOW = 4  # words looked at before a run for a keyword
HINTS: dict[str, Kind] = {
    **dict.fromkeys(["pesel", "peselu", "peselem"], Kind.PESEL),
    **dict.fromkeys(["nip", "nipu", "nipem"], Kind.NIP),
    **dict.fromkeys(["konto", "konta", "rachunek", "rachunku", "iban"], Kind.ACCOUNT),
    **dict.fromkeys(
        ["telefon", "telefonu", "tel", "komorka", "komorki", "komorkowy", "komorkowego"],
        Kind.PHONE,
    ),
    **dict.fromkeys(["dzwonic", "zadzwonic", "oddzwonic", "dzwoncie", "sms"], Kind.PHONE),
}
"""Folded keywords that name the kind of the number that follows."""
# Checksum-verified identifiers: (kind, length in digits, check).
VERIFIED: tuple[tuple[Kind, int, Callable[[str], bool]], ...] = (
    (Kind.ACCOUNT, 26, checksums.is_pl_account),
    (Kind.PESEL, 11, checksums.is_pesel),
    (Kind.NIP, 10, checksums.is_nip),
)


def hint_before(tokens: Sequence[Token], start: int) -> Kind | None:
    """The kind named by a keyword in the few words before word ``start`` ("pesel", "telefon",
    "konto", ...), which settles readings that fit two kinds; None without one."""
    for token in reversed(tokens[max(0, start - HINT_WINDOW) : start]):
        if token.key in HINTS:
            return HINTS[token.key]
        if token.ends_sentence:
            break
    return None


def classify_run(
    run: Run, min_digits: int, redact_unverified: bool, hint: Kind | None = None
) -> list[Span]:
    """The spans of personal data in one run (see the module docstring for the rules);
    ``hint`` is the kind a keyword before the run names (see :func:`hint_before`)."""
    if run.longest_reading < min_digits:
        return []
    units = run.units
    pieces = _split(units, phones=not run.amount, hint=hint)
    if pieces is not None:
        return [Span(kind, units[a].start, units[b - 1].end) for kind, a, b in pieces]
    if run.amount or not redact_unverified:
        return []
    return [Span(Kind.NUMBER, units[0].start, units[-1].end)]


def _split(
    units: Sequence[Unit], phones: bool, hint: Kind | None = None
) -> list[tuple[Kind, int, int]] | None:
    """Splits the run at unit boundaries into pieces that are each a verified identifier (or,
    if ``phones``, phone-shaped), preferring a first piece of the ``hint`` kind, then fewer
    phone pieces, then fewer pieces, then fewer NIPs (the weakest checksum: a PESEL or an
    account number explains the digits better), then fewer alternative readings; None if no
    such split exists. Dynamic programming over unit boundaries."""
    Cost = tuple[int, int, int, int, int]
    best: list[tuple[Cost, list[tuple[Kind, int, int]]] | None] = [None] * (len(units) + 1)
    best[0] = ((0, 0, 0, 0, 0), [])
    for a in range(len(units)):
        state = best[a]
        if state is None:
            continue
        (missed, phone_count, piece_count, nip_count, alt_count), pieces = state
        for b in range(a + 1, len(units) + 1):
            if sum(min(map(len, unit.readings)) for unit in units[a:b]) > MAX_PIECE:
                break
            found = _piece(units[a:b], phones, hint if a == 0 else None)
            if found is None:
                continue
            kind, alternatives = found
            cost = (
                missed + (a == 0 and hint is not None and kind is not hint),
                phone_count + (kind is Kind.PHONE),
                piece_count + 1,
                nip_count + (kind is Kind.NIP),
                alt_count + alternatives,
            )
            current = best[b]
            if current is None or cost < current[0]:
                best[b] = (cost, [*pieces, (kind, a, b)])
    final = best[-1]
    return None if final is None else final[1]


def _piece(units: Sequence[Unit], phones: bool, hint: Kind | None) -> tuple[Kind, int] | None:
    """The kind of the piece made of ``units`` under its best reading (the hinted kind first,
    then verified before phone, PESEL/account before NIP, fewer alternative readings), and how
    many units needed their alternative reading; None if no reading fits any kind."""
    choices = [unit.readings for unit in units]
    best: tuple[tuple[bool, bool, bool, int], Kind, int] | None = None
    for combination in islice(product(*choices), MAX_READINGS):
        kind = _piece_kind("".join(combination), phones)
        if kind is None:
            continue
        alternatives = sum(r != c[0] for r, c in zip(combination, choices, strict=True))
        rank = (
            hint is not None and kind is not hint,
            kind is Kind.PHONE,
            kind is Kind.NIP,
            alternatives,
        )
        if best is None or rank < best[0]:
            best = (rank, kind, alternatives)
    return None if best is None else (best[1], best[2])


def _piece_kind(piece: str, phones: bool) -> Kind | None:
    for kind, length, check in VERIFIED:
        if len(piece) == length and check(piece):
            return kind
    if phones and checksums.is_phone(piece):
        return Kind.PHONE
    return None
