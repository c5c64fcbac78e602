"""The hand-written seed lines of the topic corpus, loaded from ``seeds.yaml`` beside this module.

File format::

    generic:                 # lines that carry no topic
      opening: [...]         # the agent answers the call
      greeting: [...]        # the caller's first words
      agent: [...]           # the agent's holding lines ("chwileczkę sprawdzę")
      resident: [...]        # the caller's small talk and identification
      closing: [...]         # either side ends the call
      no_topic_resident: [...]  # whole requests that name no municipal matter
    topics:
      wycinka-drzew:         # a topic id of the taxonomy
        resident: [...]      # what callers say about the matter
        agent: [...]         # what the agent says or asks about it
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

GENERIC_KINDS = ("opening", "greeting", "agent", "resident", "closing", "no_topic_resident")


class SeedsError(ValueError):
    """A seeds file that cannot be used; the message names the section."""


@dataclass(frozen=True, slots=True)
class TopicSeeds:
    """The lines written for one topic."""

    resident: tuple[str, ...]
    agent: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Seeds:
    """All seed lines: per topic, and the generic lines of every call."""

    topics: Mapping[str, TopicSeeds]
    generic: Mapping[str, tuple[str, ...]]


MORE_SEEDS = "more_seeds.yaml"


def load_seeds(path: Path | str | None = None) -> Seeds:
    """Loads and validates a seeds file; ``None`` loads the packaged ``seeds.yaml``.

    A ``more_seeds.yaml`` beside the file is merged in when it exists (see ``merge_more_seeds``).
    """
    folder: Any = resources.files("cic.topics.corpus") if path is None else Path(path).parent
    if path is None:
        source = "cic/topics/corpus/seeds.yaml"
        text = folder.joinpath("seeds.yaml").read_text("utf-8")
    else:
        source = str(path)
        text = Path(path).read_text("utf-8")
    seeds = parse_seeds(yaml.safe_load(text), source)
    more = folder.joinpath(MORE_SEEDS)
    if not more.is_file():
        return seeds
    more_source = f"cic/topics/corpus/{MORE_SEEDS}" if path is None else str(more)
    return merge_more_seeds(seeds, yaml.safe_load(more.read_text("utf-8")), more_source)


def merge_more_seeds(seeds: Seeds, data: Any, source: str = "<more seeds>") -> Seeds:
    """Appends the lines of parsed ``more_seeds.yaml`` data to the topics of ``seeds``.

    The data is a mapping with a non-empty ``topics`` mapping; every topic it names must already
    be in ``seeds`` and holds non-empty ``resident`` and ``agent`` lists.
    """
    if not isinstance(data, dict):
        raise SeedsError(f"{source}: must be a mapping with 'topics'")
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, dict) or not raw_topics:
        raise SeedsError(f"{source}: 'topics' must be a non-empty mapping")
    topics = dict(seeds.topics)
    for topic_id, raw in raw_topics.items():
        where = f"{source}: topics.{topic_id}"
        if str(topic_id) not in topics:
            raise SeedsError(f"{where}: unknown topic id (not in seeds.yaml)")
        if not isinstance(raw, dict):
            raise SeedsError(f"{where}: must be a mapping with 'resident' and 'agent'")
        known = topics[str(topic_id)]
        topics[str(topic_id)] = TopicSeeds(
            known.resident + _lines(raw.get("resident"), f"{where}.resident"),
            known.agent + _lines(raw.get("agent"), f"{where}.agent"),
        )
    return Seeds(topics, seeds.generic)


def parse_seeds(data: Any, source: str = "<seeds>") -> Seeds:
    """Validates already-parsed YAML data (see the module docstring for the format)."""
    if not isinstance(data, dict):
        raise SeedsError(f"{source}: must be a mapping with 'generic' and 'topics'")
    raw_generic = data.get("generic")
    if not isinstance(raw_generic, dict):
        raise SeedsError(f"{source}: 'generic' must be a mapping")
    generic = {
        kind: _lines(raw_generic.get(kind), f"{source}: generic.{kind}") for kind in GENERIC_KINDS
    }
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, dict) or not raw_topics:
        raise SeedsError(f"{source}: 'topics' must be a non-empty mapping")
    topics: dict[str, TopicSeeds] = {}
    for topic_id, raw in raw_topics.items():
        where = f"{source}: topics.{topic_id}"
        if not isinstance(raw, dict):
            raise SeedsError(f"{where}: must be a mapping with 'resident' and 'agent'")
        topics[str(topic_id)] = TopicSeeds(
            _lines(raw.get("resident"), f"{where}.resident"),
            _lines(raw.get("agent"), f"{where}.agent"),
        )
    return Seeds(topics, generic)


def _lines(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise SeedsError(f"{where}: must be a non-empty list of lines")
    if not all(isinstance(line, str) and line.strip() for line in raw):
        raise SeedsError(f"{where}: every line must be a non-empty text")
    return tuple(line.strip() for line in raw)
