"""The office's rule for commenters' names, checked on what a resident typed (pure).

``required``: a name must be given (with consent to its publication in the report);
``optional``: a name may be given (consent then needed); ``none``: comments are anonymous and
a name sent anyway is dropped, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_NAME = 120
RULE_LABELS = {
    "required": "imię i nazwisko wymagane",
    "optional": "imię i nazwisko nieobowiązkowe",
    "none": "uwagi anonimowe (bez imienia i nazwiska)",
}


@dataclass(frozen=True)
class NameVerdict:
    """The name to store (empty: none) and what is wrong (field -> Polish message)."""

    name: str
    problems: dict[str, str]


def check_name(rule: str, name: str, consent: bool) -> NameVerdict:
    """Apply ``rule`` to the typed ``name`` and the consent box."""
    name = " ".join(name.split())
    if rule == "none":
        return NameVerdict("", {})
    problems = {}
    if not name and rule == "required":
        problems["name"] = "Podaj imię i nazwisko — w tej konsultacji uwagi są imienne."
    elif len(name) > MAX_NAME:
        problems["name"] = f"Imię i nazwisko może mieć najwyżej {MAX_NAME} znaków."
    elif name and not name.isprintable():
        problems["name"] = "Imię i nazwisko zawiera niedozwolone znaki."
    if name and not consent:
        problems["consent"] = "Zaznacz zgodę na przetwarzanie imienia i nazwiska."
    return NameVerdict(name, problems)
