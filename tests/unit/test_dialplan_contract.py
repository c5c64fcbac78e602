"""The dialplan contract (``cic.asterisk.dialplan``) and the templates name the same things.

Every variable and context the contract declares occurs in the dialplan templates (a rename on
one side only fails here), and no Python module outside the contract spells a variable the
templates use as a string literal (it must take the contract's constant).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from cic.asterisk import dialplan

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "dialplan").glob("*.j2"))
_NAME = re.compile(r"\bCIC_[A-Z0-9_]+|\bcic-[a-z0-9-]+")


def _declared() -> dict[str, str]:
    return {k: v for k, v in vars(dialplan).items() if k.isupper() and isinstance(v, str)}


def _in_templates() -> set[str]:
    return {name for path in TEMPLATES for name in _NAME.findall(path.read_text("utf-8"))}


def test_every_declared_name_occurs_in_the_templates() -> None:
    assert TEMPLATES, "no dialplan templates found"
    declared = _declared()
    assert len(declared) > 20
    missing = {const: name for const, name in declared.items() if name not in _in_templates()}
    assert set(missing.values()) == dialplan.NOT_IN_TEMPLATES


def test_no_module_spells_a_dialplan_variable_itself() -> None:
    variables = {n for n in _in_templates() if n.startswith("CIC_")}
    offenders = []
    for path in sorted((ROOT / "cic").rglob("*.py")):
        if path.name == "dialplan.py" and path.parent.name == "asterisk":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value.lstrip("_") in variables:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value}")
    assert offenders == []


def test_inherited_variables_carry_the_double_underscore() -> None:
    assert dialplan.inherited(dialplan.XFER_ID) == "__CIC_XFER_ID"
