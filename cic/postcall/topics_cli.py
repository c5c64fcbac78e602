"""``cic topics train``: train the topic model for the office's taxonomy now, keep it in the
cache the workers read, and print how it does on the corpus's development calls.

Run it after editing the taxonomy (``speech.taxonomy``): workers would otherwise train on their
first job, which takes a minute on a small box.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from cic.config import Settings
from cic.errors import CommandError
from cic.postcall.build import topic_cache
from cic.topics.lemmas import make_lemmatizer
from cic.topics.quality import measure
from cic.topics.taxonomy import TaxonomyError, load_taxonomy
from cic.topics.trained import shipped_corpus, trained_tagger


def add_parser(sub: Any) -> None:
    """Add ``topics train`` to the ``cic`` parser."""
    parser = sub.add_parser("topics", help="topic tagging: train the model for the taxonomy")
    actions = parser.add_subparsers(dest="action", required=True)
    train = actions.add_parser("train", help="train (or read) the model and print its figures")
    train.add_argument("--cache", default=None, help="folder for the model (speech.topic_cache)")


def run(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """Train or read the model; its cache path, size and development figures."""
    cache = Path(args.cache) if args.cache else topic_cache(settings)
    try:
        taxonomy = load_taxonomy(settings.speech.taxonomy or None)
    except TaxonomyError as exc:
        raise CommandError(f"nie można wczytać taksonomii tematów: {exc}") from exc
    started = time.monotonic()
    train, dev = shipped_corpus()
    tagger = trained_tagger(taxonomy, make_lemmatizer(), cache_dir=cache, corpus=(train, dev))
    seconds = time.monotonic() - started
    figures = measure(lambda text: [s.topic_id for s in tagger.tag(text)],
                      [(e.text, e.topics) for e in dev])  # fmt: skip
    return {
        "cache": str(cache),
        "topics": len(taxonomy.topics),
        "learned_topics": 0 if tagger.corpus is None else len(tagger.thresholds),
        "seconds": round(seconds, 1),
        "development_calls": figures.texts,
        "micro_f1": round(figures.micro.f1, 3),
        "macro_f1": round(figures.macro_f1, 3),
        "untagged_share": round(figures.untagged_share, 3),
        "note": "development calls choose the thresholds: these figures are optimistic; "
        "bench/topics_quality.py measures on the independent evaluation set",
    }
