"""Department (komórka) codes that articles name; the office's data resolves how to reach them.

Articles never carry phone numbers: they name a code, and the console shows the contact data the
office keeps for that code. An office with other codes extends ``DEPARTMENTS``.
"""

from __future__ import annotations

DEPARTMENTS: dict[str, str] = {
    "FN": "Referat Finansów i Podatków",
    "GK": "Referat Gospodarki Komunalnej",
    "SO": "Referat Spraw Obywatelskich",
    "USC": "Urząd Stanu Cywilnego",
    "PP": "Referat Planowania Przestrzennego",
    "RO": "Referat Rolnictwa i Ochrony Środowiska",
    "OR": "Referat Organizacyjny (sekretariat)",
    "GOPS": "Gminny Ośrodek Pomocy Społecznej",
    "OSW": "Referat Oświaty",
    "ZK": "Zarządzanie kryzysowe i bezpieczeństwo",
    "RG": "Biuro Rady Gminy",
    "KS": "Kultura i sport",
    "ZEW": "Poza urzędem gminy (instytucja zewnętrzna)",
}


def department_name(code: str) -> str:
    """The department's name, or the code itself when the office has not named it."""
    return DEPARTMENTS.get(code, code)
