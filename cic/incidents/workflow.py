"""The incident's status workflow: which status may follow which (pure, no I/O).

zgloszone → przyjete → w_realizacji → usuniete; any open status → odrzucone; a duplicate
becomes ``polaczone`` only by a merge (never by a plain status change). ``usuniete`` and
``odrzucone`` may be reopened (``przyjete``) when the threat came back or was refused by
mistake; ``polaczone`` is final.
"""

from __future__ import annotations

STATUSES: dict[str, str] = {
    "zgloszone": "zgłoszone",
    "przyjete": "przyjęte",
    "w_realizacji": "w realizacji",
    "usuniete": "usunięte",
    "odrzucone": "odrzucone",
    "polaczone": "połączone z innym",
}
#: Statuses of an incident still to be dealt with (shown on the map by default, and the
#: candidates for duplicates).
OPEN = ("zgloszone", "przyjete", "w_realizacji")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "zgloszone": ("przyjete", "w_realizacji", "usuniete", "odrzucone"),
    "przyjete": ("w_realizacji", "usuniete", "odrzucone"),
    "w_realizacji": ("usuniete", "odrzucone", "przyjete"),
    "usuniete": ("przyjete",),
    "odrzucone": ("przyjete",),
    "polaczone": (),
}
MERGED = "polaczone"
PRIORITIES: dict[str, str] = {
    "niski": "niski",
    "sredni": "średni",
    "wysoki": "wysoki",
    "krytyczny": "krytyczny",
}
SOURCES: dict[str, str] = {"telefon": "telefon", "portal": "portal", "personel": "personel"}


def can_move(current: str, target: str) -> bool:
    """True when an incident in ``current`` may be set to ``target`` by a status change."""
    return target in TRANSITIONS.get(current, ())


def next_statuses(current: str) -> tuple[str, ...]:
    """The statuses a person may choose next (for the detail page's buttons)."""
    return TRANSITIONS.get(current, ())


def is_open(status: str) -> bool:
    """True while the incident is still to be dealt with."""
    return status in OPEN
