"""How residents and agents say things, mapped to the articles' wording: the search's synonyms.

The packaged file is ``kb/synonimy.yaml`` (``cic/assets/kb/synonimy.yaml`` in a wheel); an office
adds its own with the setting ``office.kb_synonyms`` (a path; its entries are added to the
packaged ones and replace a packaged entry with the same phrase). Format::

    synonimy:
      kopciuch: wymiana pieca, Czyste Powietrze     # phrase: the articles' words
      ksero dowodu: [kopia dokumentu, kserokopia]   # or a list of them

A phrase is one or more words, written in any inflected form and with or without diacritics;
the search matches it on folded lemmas (see ``cic.kb.search``). This module only reads and
checks files; the index gets the resulting mapping and does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from cic import assets

SynonymMap = dict[str, tuple[str, ...]]


class SynonymsError(ValueError):
    """A synonyms file cannot be used; the message names the file and the entry."""


def default_file() -> Path:
    """The packaged synonyms file (kb/synonimy.yaml)."""
    return assets.folder("kb") / "synonimy.yaml"


def parse_synonyms(data: Any, source: str = "<synonimy>") -> SynonymMap:
    """Checks already-parsed YAML (the module docstring's format): phrase → the articles' words."""
    if not isinstance(data, Mapping) or not isinstance(data.get("synonimy"), Mapping):
        raise SynonymsError(f"{source}: plik musi mieć słownik „synonimy” (fraza: słowa)")
    out: SynonymMap = {}
    for phrase, meaning in data["synonimy"].items():
        if not isinstance(phrase, str) or not phrase.strip():
            raise SynonymsError(f"{source}: fraza {phrase!r} musi być niepustym tekstem")
        targets = [meaning] if isinstance(meaning, str) else meaning
        if (
            not isinstance(targets, list)
            or not targets
            or not all(isinstance(t, str) and t.strip() for t in targets)
        ):
            raise SynonymsError(
                f"{source}: „{phrase}” musi wskazywać tekst albo listę niepustych tekstów"
            )
        out[phrase.strip()] = tuple(t.strip() for t in targets)
    return out


def read_synonyms(path: Path) -> SynonymMap:
    """One synonyms file parsed and checked."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SynonymsError(f"{path}: nie można odczytać: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise SynonymsError(f"{path}: błędny YAML: {error}") from error
    return parse_synonyms(data, str(path))


def load_synonyms(*paths: Path | None) -> SynonymMap:
    """The entries of ``paths`` merged in order (a later file replaces an equal phrase)."""
    merged: SynonymMap = {}
    for path in paths:
        if path is not None:
            merged.update(read_synonyms(path))
    return merged
