"""The topic taxonomy: municipal matters, their departments and phrase rules, loaded from YAML.

File format (see ``taxonomy.yaml`` beside this module, the default)::

    departments:            # optional; when given, every topic's department must be listed
      FN: Finanse i podatki
    topics:
      - id: podatek-od-nieruchomosci      # ascii slug, unique
        name: Podatek od nieruchomości     # shown to people
        department: FN
        description: Podatek od domu, mieszkania, działki i budynków   # optional, one line
        phrases:                           # at least one; text, or text with a weight
          - podatek od nieruchomości       # weight 1.0
          - {text: nieruchomość, weight: 0.4}
        negative:                          # optional: phrases that speak against the topic
          - {text: podatek rolny, weight: 0.5}

A phrase's words are lemmatised when the tagger is built, so write them in any inflected form;
a word ending in ``*`` matches every word starting with it (``odpad*``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TOPIC_FIELDS = {"id", "name", "department", "description", "phrases", "negative"}


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message names the topic and the field."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase rule: words to find in order, and how much finding them counts."""

    text: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Topic:
    """One municipal matter residents call about."""

    id: str
    name: str
    department: str
    phrases: tuple[Phrase, ...]
    negative: tuple[Phrase, ...] = ()
    description: str = ""  # one line in Polish: what the topic covers; empty when not given


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """All topics of an office, and its departments (code → name)."""

    topics: tuple[Topic, ...]
    departments: Mapping[str, str]
    source: str

    def topic(self, topic_id: str) -> Topic:
        """The topic with this id (KeyError if there is none)."""
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Loads and validates a taxonomy file; ``None`` loads the packaged default."""
    if path is None:
        source = "cic/topics/taxonomy.yaml"
        text = resources.files("cic.topics").joinpath("taxonomy.yaml").read_text("utf-8")
    else:
        source = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as error:
            raise TaxonomyError(f"{source}: cannot read: {error.strerror}") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TaxonomyError(f"{source}: not valid YAML: {error}") from error
    return parse_taxonomy(data, source)


def parse_taxonomy(data: Any, source: str = "<taxonomy>") -> Taxonomy:
    """Validates already-parsed YAML data (see the module docstring for the format)."""
    if not isinstance(data, dict):
        raise TaxonomyError(f"{source}: the file must be a mapping with a 'topics' list")
    departments = _departments(data.get("departments", {}), source)
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise TaxonomyError(f"{source}: 'topics' must be a non-empty list")
    topics: list[Topic] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_topics, start=1):
        topic = _topic(raw, f"{source}: topic #{number}", departments)
        if topic.id in seen:
            raise TaxonomyError(f"{source}: topic #{number} ({topic.id}): duplicate id")
        seen.add(topic.id)
        topics.append(topic)
    return Taxonomy(tuple(topics), departments, source)


def _departments(raw: Any, source: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise TaxonomyError(f"{source}: 'departments' must map codes to names")
    return dict(raw)


def _topic(raw: Any, where: str, departments: Mapping[str, str]) -> Topic:
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{where}: must be a mapping with id, name, department, phrases")
    topic_id = raw.get("id")
    if isinstance(topic_id, str):
        where = f"{where} ({topic_id})"
    unknown = sorted(set(raw) - _TOPIC_FIELDS, key=str)
    if unknown:
        raise TaxonomyError(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")
    if not isinstance(topic_id, str) or not SLUG.fullmatch(topic_id):
        raise TaxonomyError(f"{where}: field 'id' must be an ascii slug like 'wycinka-drzew'")
    name = _text(raw.get("name"), where, "name")
    department = _text(raw.get("department"), where, "department")
    if departments and department not in departments:
        raise TaxonomyError(f"{where}: field 'department': {department!r} is not in departments")
    phrases = _phrases(raw.get("phrases"), where, "phrases")
    if not phrases:
        raise TaxonomyError(f"{where}: field 'phrases' needs at least one phrase")
    negative = _phrases(raw.get("negative", []), where, "negative")
    description = ""
    if "description" in raw:
        description = _text(raw["description"], where, "description")
        if "\n" in description:
            raise TaxonomyError(f"{where}: field 'description' must be one line")
    return Topic(topic_id, name, department, phrases, negative, description)


def _text(value: Any, where: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{where}: field '{field}' must be a non-empty text")
    return value.strip()


def _phrases(raw: Any, where: str, field: str) -> tuple[Phrase, ...]:
    if not isinstance(raw, list):
        raise TaxonomyError(f"{where}: field '{field}' must be a list")
    phrases: list[Phrase] = []
    for number, item in enumerate(raw, start=1):
        here = f"{where}: field '{field}' item {number}"
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict) or set(item) - {"text", "weight"}:
            raise TaxonomyError(f"{here}: must be a text or {{text: ..., weight: ...}}")
        text = _text(item.get("text"), here, "text")
        weight = item.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise TaxonomyError(f"{here}: 'weight' must be a positive number")
        phrases.append(Phrase(text, float(weight)))
    return tuple(phrases)
