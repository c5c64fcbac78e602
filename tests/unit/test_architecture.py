"""The package map stays as ARCHITECTURE in the README describes it (the layers themselves are
import-linter's contract in setup.cfg, run by bin/test):

- no import cycle between the top-level packages of ``cic`` (a cycle makes two domains one);
- migrations import no live code of cic (only ``cic.db``'s engine helpers in ``env.py``, and
  0014's backfill the search indexing): a later change to a domain must not change what an
  old migration did.
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
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "cic" or name.startswith("cic.")}


def test_migrations_import_no_live_code() -> None:
    migrations = sorted((CIC / "migrations").rglob("*.py"))
    assert len(migrations) > 10
    imports = {path.name: _cic_imports(path) for path in migrations}
    # 0014 indexes the transcripts already stored with the application's own indexing (the
    # index must match what the application searches with), the one exception.
    allowed = {"env.py": {"cic.db"}, "0014_transcript_search.py": {"cic.review.search"}}
    wrong = {n: i - allowed.get(n, set()) for n, i in imports.items() if i - allowed.get(n, set())}
    assert wrong == {}
