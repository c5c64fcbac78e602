"""Incidental mentions: lines said in passing that carry a topic's words without being a
request about it, loaded from ``mentions.yaml`` beside this module.

File format::

    mentions:
      cmentarz:              # a topic id of the taxonomy
        - jak wracałam z cmentarza to sobie przypomniałam że muszę zadzwonić
        - mieszkam naprzeciwko cmentarza przy tej bramie

The corpus builder drops such lines into calls about other matters, labels unchanged, so the
model and the threshold calibration learn that a topic's words alone do not make the topic.
An office's own corpus may have no mentions file: a missing file means no mentions.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from cic.topics.corpus.seeds import SeedsError

Mentions = Mapping[str, tuple[str, ...]]
PACKAGED = "mentions.yaml"


class MentionsError(SeedsError):
    """A mentions file that cannot be used; the message names the section."""


def load_mentions(path: Path | str | None = None) -> Mentions:
    """Loads and validates a mentions file; ``None`` loads the packaged ``mentions.yaml``.
    A file that does not exist gives no mentions."""
    if path is None:
        source = f"cic/topics/corpus/{PACKAGED}"
        packaged = resources.files("cic.topics.corpus").joinpath(PACKAGED)
        if not packaged.is_file():
            return {}
        text = packaged.read_text("utf-8")
    else:
        source = str(path)
        if not Path(path).is_file():
            return {}
        text = Path(path).read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise MentionsError(f"{source}: not valid YAML ({error})") from error
    return parse_mentions(data, source)


def parse_mentions(data: Any, source: str = "<mentions>") -> Mentions:
    """Validates already-parsed YAML data (see the module docstring for the format)."""
    if not isinstance(data, dict) or not isinstance(data.get("mentions"), dict):
        raise MentionsError(f"{source}: must be a mapping with a 'mentions' mapping")
    mentions: dict[str, tuple[str, ...]] = {}
    for topic_id, raw in data["mentions"].items():
        where = f"{source}: mentions.{topic_id}"
        if not isinstance(raw, list) or not raw:
            raise MentionsError(f"{where}: must be a non-empty list of lines")
        if not all(isinstance(line, str) and line.strip() for line in raw):
            raise MentionsError(f"{where}: every line must be a non-empty text")
        mentions[str(topic_id)] = tuple(line.strip() for line in raw)
    return mentions


def split_mentions(
    mentions: Mentions, dev_share: float = 0.25, seed: int = 0
) -> tuple[Mentions, Mentions]:
    """(train, dev): about ``dev_share`` of every topic's lines, chosen by ``seed``, go to dev,
    so development calls carry mentions the model has not been trained on."""
    if not 0.0 <= dev_share < 1.0:
        raise ValueError("dev_share must be in [0, 1)")
    rng = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    train: dict[str, tuple[str, ...]] = {}
    dev: dict[str, tuple[str, ...]] = {}
    for topic_id in sorted(mentions):
        lines = list(mentions[topic_id])
        rng.shuffle(lines)
        held = round(len(lines) * dev_share) if len(lines) > 1 else 0
        train[topic_id] = tuple(lines[held:])
        if held:
            dev[topic_id] = tuple(lines[:held])
    return train, dev
