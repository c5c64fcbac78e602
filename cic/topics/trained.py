"""The tagger as the worker runs it: the taxonomy's rules, a model trained on the corpus the
project ships (:mod:`cic.topics.corpus`), and per-topic thresholds calibrated on the corpus's
development split (:mod:`cic.topics.calibration`).

Training takes seconds, so the trained model and its thresholds are kept in a cache directory,
under a name made from everything they depend on (the taxonomy, the corpus, the lemmatiser, the
versions of this code and of scikit-learn): an office that edits its taxonomy gets a model
trained again on the next start, and topics the office added that the corpus does not know are
decided by their rules alone. Without scikit-learn the tagger runs on the rules alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import random
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cic.topics.calibration import Calibration, calibrate
from cic.topics.corpus import (
    Example,
    Seeds,
    TopicSeeds,
    build_corpus,
    load_mentions,
    load_seeds,
    split_mentions,
)
from cic.topics.learned import LearnedModelUnavailable, LearnedTopics, fit_topics
from cic.topics.lemmas import Lemmatizer
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import Taxonomy

log = logging.getLogger(__name__)

MODEL_VERSION = "4"
CORPUS_SEED = 0
TRAIN_PER_TOPIC = 60
DEV_PER_TOPIC = 48  # three times 16: +0.02 macro-F1 on held-out development calls
DEV_SHARE = 0.25
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Trained:
    """What training produces and the cache keeps."""

    model: LearnedTopics
    calibration: Calibration


def seed_split(
    seeds: Seeds, dev_share: float = DEV_SHARE, seed: int = CORPUS_SEED
) -> tuple[Seeds, Seeds]:
    """(train, dev) seed lines: ``dev_share`` of every topic's resident and agent lines are
    kept for the development calls, so that thresholds are chosen on wording the model never
    saw (calls assembled from the same lines would flatter it)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    train: dict[str, TopicSeeds] = {}
    dev: dict[str, TopicSeeds] = {}
    for topic_id, lines in seeds.topics.items():
        parts = [_halves(lines.resident, dev_share, rng), _halves(lines.agent, dev_share, rng)]
        train[topic_id] = TopicSeeds(parts[0][0], parts[1][0])
        dev[topic_id] = TopicSeeds(parts[0][1], parts[1][1])
    return Seeds(train, seeds.generic), Seeds(dev, seeds.generic)


def _halves(
    lines: Sequence[str], share: float, rng: random.Random
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    shuffled = list(lines)
    rng.shuffle(shuffled)
    cut = min(max(round(len(shuffled) * share), 1), len(shuffled) - 1)
    return tuple(shuffled[cut:]), tuple(shuffled[:cut])


def shipped_corpus(seed: int = CORPUS_SEED) -> tuple[list[Example], list[Example]]:
    """(train, dev) calls built from the shipped seed lines and incidental mentions, both
    split by line so the thresholds are chosen on wording the model never saw."""
    train_seeds, dev_seeds = seed_split(load_seeds(), seed=seed)
    train_mentions, dev_mentions = split_mentions(load_mentions(), DEV_SHARE, seed)
    return (
        build_corpus(seed, TRAIN_PER_TOPIC, train_seeds, train_mentions),
        build_corpus(seed + 1, DEV_PER_TOPIC, dev_seeds, dev_mentions),
    )


def train_corpus_model(
    taxonomy: Taxonomy, lemmatizer: Lemmatizer, train: Sequence[Example]
) -> LearnedTopics | None:
    """A model over character n-grams and lemmas for the taxonomy's topics the examples
    know; None when they know none."""
    known = {topic.id for topic in taxonomy.topics}
    labels = [example.topics & known for example in train]
    topics = sorted({topic for found in labels for topic in found})
    if not topics:
        return None
    documents = [lemmatizer.lemmas(example.text) for example in train]
    return fit_topics(documents, labels, topics, characters=True, c=1.0, margin_scale=2.0)


def _digest(taxonomy: Taxonomy, lemmatizer: Lemmatizer, corpus: Sequence[Example]) -> str:
    import sklearn

    digest = hashlib.sha256()
    for part in (MODEL_VERSION, sklearn.__version__, lemmatizer.name, repr(taxonomy)):
        digest.update(part.encode() + b"\0")
    for example in corpus:
        digest.update(example.text.encode() + b"\0" + ",".join(sorted(example.topics)).encode())
    return digest.hexdigest()[:24]


def train(
    taxonomy: Taxonomy, lemmatizer: Lemmatizer, train: Sequence[Example], dev: Sequence[Example]
) -> Trained | None:
    """Train on ``train`` and calibrate on ``dev``; None when the corpus knows no topic."""
    # The rules first: they teach the lemmatiser the taxonomy's words written without Polish
    # letters, so the corpus is lemmatised as the texts the model will be asked about.
    rules = Tagger(taxonomy, lemmatizer)
    model = train_corpus_model(taxonomy, lemmatizer, train)
    if model is None:
        return None
    calibration = calibrate(rules.replace(corpus=model), dev)
    return Trained(model, calibration)


def _private(folder: Path) -> bool:
    """Whether only this process's user can write into ``folder`` (the cache is unpickled)."""
    info = folder.stat()
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def _read(path: Path) -> Trained | None:
    try:
        if not _private(path.parent):
            log.warning(
                "topics: %s is writable by others, not reading a model from it", path.parent
            )
            return None
        with path.open("rb") as file:
            found = pickle.load(file)  # noqa: S301 - our own file in a folder only we can write
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or stale cache: train again
        log.warning("topics: cached model %s unusable (%s), training again", path, exc)
        return None
    return found if isinstance(found, Trained) else None


def _write(path: Path, trained: Trained) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".model-")
        with os.fdopen(handle, "wb") as file:
            pickle.dump(trained, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(name, path)
    except OSError as exc:  # a read-only or full cache only costs training next time
        log.warning("topics: cannot keep the trained model in %s: %s", path.parent, exc)


def trained_tagger(
    taxonomy: Taxonomy,
    lemmatizer: Lemmatizer,
    *,
    cache_dir: Path | None = None,
    corpus: tuple[Sequence[Example], Sequence[Example]] | None = None,
) -> Tagger:
    """The taxonomy's tagger with the corpus model and calibrated thresholds (trained now or
    read from ``cache_dir``); the rules alone when scikit-learn is missing."""
    if corpus is None:
        corpus = shipped_corpus()
    try:
        digest = _digest(taxonomy, lemmatizer, [*corpus[0], *corpus[1]])
    except ImportError:
        log.info("topics: scikit-learn missing, tagging with rules only")
        return Tagger(taxonomy, lemmatizer)
    path = None if cache_dir is None else cache_dir / f"topics-{digest}.pickle"
    with _lock:
        found = None if path is None else _read(path)
        if found is None:
            try:
                found = train(taxonomy, lemmatizer, *corpus)
            except LearnedModelUnavailable:
                return Tagger(taxonomy, lemmatizer)
            if found is None:
                return Tagger(taxonomy, lemmatizer)
            if path is not None:
                _write(path, found)
    return Tagger(
        taxonomy,
        lemmatizer,
        corpus=found.model,
        thresholds=found.calibration.thresholds,
        fallback=found.calibration.fallback,
        corpus_weight=found.calibration.corpus_weight,
    )
