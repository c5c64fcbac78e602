"""The register of processing activities (art. 30 ust. 1 RODO): ``rejestr.yaml`` filled in from
the settings (retention, recording policy, roles, the controller and its data protection officer),
as JSON for the API and Markdown for the command line."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

import yaml

from cic.auth.roles import ROLE_LABELS
from cic.config import Settings

REGISTER_FILE = Path(str(files("cic.privacy") / "rejestr.yaml"))
ACTIVITY_FIELDS = (
    "id", "name", "residents", "purpose", "legal_basis", "data_subjects", "data_categories",
    "recipients", "retention", "tables",
)  # fmt: skip
POLICY_LABELS = {
    "always": "nagrywane są wszystkie rozmowy",
    "opt-out": "rozmowa jest nagrywana, chyba że mieszkaniec odmówi klawiszem",
    "opt-in": "rozmowa jest nagrywana tylko, gdy mieszkaniec się zgodzi klawiszem",
    "never": "rozmowy nie są nagrywane",
}
UNSET = "(do uzupełnienia: ustawienie {name})"


def _roles(roles: list[str]) -> str:
    return ", ".join(ROLE_LABELS.get(r, r) for r in dict.fromkeys([*roles, "admin"]) if r)


def values(settings: Settings) -> dict[str, str]:
    """What the register's ``$`` placeholders stand for, from ``settings``."""
    speech, privacy = settings.speech, settings.privacy
    unredacted = (
        f"przechowywany, do odczytu tylko dla roli {_roles([speech.unredacted_role])}"
        if speech.unredacted_role
        else "nie jest przechowywany"
    )
    return {
        "controller": privacy.controller or settings.office.name,
        "dpo_contact": privacy.dpo_contact or UNSET.format(name="privacy.dpo_contact"),
        "retention_days": str(speech.retention_days),
        "recording_policy": POLICY_LABELS.get(settings.office.recording_policy, ""),
        "playback_roles": _roles(speech.playback_roles),
        "hold_roles": _roles(speech.hold_roles),
        "unredacted": unredacted,
    }


def _fill(node: Any, mapping: dict[str, str]) -> Any:
    if isinstance(node, str):
        return Template(node).substitute(mapping)
    if isinstance(node, list):
        return [_fill(item, mapping) for item in node]
    if isinstance(node, dict):
        return {key: _fill(item, mapping) for key, item in node.items()}
    return node


def load_register(settings: Settings, path: Path = REGISTER_FILE) -> dict[str, Any]:
    """The register with every placeholder filled in (a ``KeyError`` names an unknown one)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    register: dict[str, Any] = _fill(raw, values(settings))
    return register


def for_residents(register: dict[str, Any]) -> list[dict[str, Any]]:
    """The activities that process residents' data (what an export's README explains)."""
    return [a for a in register["activities"] if a.get("residents")]


def markdown(register: dict[str, Any]) -> str:
    """The register as Markdown (Polish), one section per activity."""
    lines = [
        "# Rejestr czynności przetwarzania (art. 30 ust. 1 RODO)",
        "",
        f"Administrator: {register['controller']}  ",
        f"Inspektor ochrony danych: {register['dpo']}",
        "",
    ]
    if register.get("needs_local_check"):
        lines += ["> Wzór z cic: urząd sprawdza go i uzupełnia przed włączeniem do rejestru.", ""]
    for activity in register["activities"]:
        lines += [f"## {activity['name']}", ""]
        lines += [f"- **Cel:** {activity['purpose']}", f"- **Podstawa prawna:** "
                  f"{activity['legal_basis']}"]  # fmt: skip
        for key, label in (("data_subjects", "Kategorie osób"),
                           ("data_categories", "Kategorie danych"),
                           ("recipients", "Odbiorcy")):  # fmt: skip
            lines.append(f"- **{label}:** " + "; ".join(activity[key]))
        lines.append(f"- **Państwa trzecie:** {register['third_countries']}")
        lines.append(f"- **Okres przechowywania:** {activity['retention']}")
        if activity.get("automated_decisions"):
            lines.append(f"- **Zautomatyzowane przetwarzanie:** {activity['automated_decisions']}")
        lines.append("- **Tabele w cic:** " + ", ".join(activity["tables"]))
        lines.append("")
    lines += ["## Środki bezpieczeństwa (art. 32 RODO)", ""]
    lines += [f"- {measure}" for measure in register["security_measures"]]
    return "\n".join(lines) + "\n"
