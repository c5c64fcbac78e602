"""The package map stays as ARCHITECTURE in the README describes it (the layers themselves are
import-linter's contract in setup.cfg, run by bin/test):

- no import cycle between the top-level packages of ``cic`` (a cycle makes two domains one);
- migrations import no live code of cic (only Alembic's ``env.py`` uses ``cic.db``'s engine
  helpers and metadata): a later change to a domain must not change what an old migration
  did, so a migration that needs application code carries a frozen copy of it (0014 does).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import grimp

CIC = Path(__file__).resolve().parents[2] / "cic"


def _package_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("cic")
    edges: dict[str, set[str]] = defaultdict(set)
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            source, target = module.split(".")[:2], imported.split(".")[:2]
            if len(source) == 2 and len(target) == 2 and source != target:
                edges[source[1]].add(target[1])
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_top_level_packages() -> None:
    edges = _package_graph()
    assert edges, "grimp found no imports: is cic importable?"
    assert _cycles(edges) == []


def _cic_imports(path: Path) -> set[str]:
    """The modules of cic that ``path`` imports; a relative import (``.x``) is one of cic's."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                found.add("." * node.level + (node.module or ""))
            elif node.module:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "cic" or name.startswith(("cic.", "."))}


def test_the_import_finder_finds_live_imports(tmp_path: Path) -> None:
    source = tmp_path / "0099_example.py"
    source.write_text(
        "import sqlalchemy as sa\nimport cic.db\nfrom cic.kb.text import fold\n"
        "from . import helpers\n\ndef upgrade() -> None:\n    from cic import config\n",
        encoding="utf-8",
    )
    assert _cic_imports(source) == {"cic.db", "cic.kb.text", ".", "cic"}


def test_migrations_import_no_live_code() -> None:
    versions = sorted((CIC / "migrations" / "versions").glob("*.py"))
    assert len(versions) > 10
    wrong = {path.name: _cic_imports(path) for path in versions if _cic_imports(path)}
    assert wrong == {}, "a migration imports live code of cic; copy what it needs into it"
    env = CIC / "migrations" / "env.py"
    assert _cic_imports(env) <= {"cic.db"}
