"""The topic corpus the project ships: hand-written seed lines (``seeds.yaml``) and the builder
of call-like labelled transcripts from them, on which the learned topic model is trained."""

from cic.topics.corpus.build import Example, build_corpus, split
from cic.topics.corpus.seeds import Seeds, SeedsError, TopicSeeds, load_seeds, parse_seeds

__all__ = [
    "Example",
    "Seeds",
    "SeedsError",
    "TopicSeeds",
    "build_corpus",
    "load_seeds",
    "parse_seeds",
    "split",
]
