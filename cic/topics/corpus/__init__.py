"""The topic corpus the project ships: hand-written seed lines (``seeds.yaml`` and
``more_seeds.yaml``), incidental
mentions of topics said in passing (``mentions.yaml``) and the builder of call-like labelled
transcripts from them, on which the learned topic model is trained."""

from cic.topics.corpus.build import Example, build_corpus, split
from cic.topics.corpus.mentions import (
    Mentions,
    MentionsError,
    load_mentions,
    parse_mentions,
    split_mentions,
)
from cic.topics.corpus.seeds import (
    Seeds,
    SeedsError,
    TopicSeeds,
    load_seeds,
    merge_more_seeds,
    parse_seeds,
)

__all__ = [
    "Example",
    "Mentions",
    "MentionsError",
    "Seeds",
    "SeedsError",
    "TopicSeeds",
    "build_corpus",
    "load_mentions",
    "load_seeds",
    "merge_more_seeds",
    "parse_mentions",
    "parse_seeds",
    "split",
    "split_mentions",
]
