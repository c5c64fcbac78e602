"""The topic tagger: phrase rules on lemmatised Polish, optionally combined with a model
learned from supervisors' corrections.

Rule confidence of a topic is ``1 - exp(-score)``, where ``score`` is the sum of the weights of
its phrases found in the text (each phrase once) minus the weights of its negative phrases
(at least 0). A topic is tagged when its confidence reaches ``threshold``.

With a learned model (see :mod:`cic.topics.learned`) for the topics it covers - those with
enough corrections - the confidence becomes ``w * p + (1 - w) * rule`` with ``p`` the model's
probability and ``w = learned_weight`` (0.6 by default): once supervisors have corrected a
topic often enough, their corrections outweigh the hand-written rules, both to add a topic the
rules miss and to drop one they wrongly find; rules alone still decide every other topic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from cic.topics.lemmas import PolishLemmatizer
from cic.topics.rules import CompiledPhrase, compile_phrase, phrase_words, text_keys
from cic.topics.taxonomy import Taxonomy, Topic

DEFAULT_THRESHOLD = 0.5
DEFAULT_MAX_GAP = 2
DEFAULT_LEARNED_WEIGHT = 0.6


class TopicModel(Protocol):
    """A learned model: topic probabilities for a text given as folded lemmas."""

    def predict(self, lemmas: Sequence[str]) -> Mapping[str, float]:
        """Probability per topic id, for the topics the model covers."""
        ...


@dataclass(frozen=True, slots=True)
class TopicScore:
    """A topic found in a text, its confidence in [0, 1] and the phrases that matched."""

    topic_id: str
    name: str
    department: str
    confidence: float
    matched: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _CompiledTopic:
    topic: Topic
    phrases: tuple[CompiledPhrase, ...]
    negative: tuple[CompiledPhrase, ...]


class Tagger:
    """Tags texts with the topics of a taxonomy."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        lemmatizer: PolishLemmatizer | None = None,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        max_gap: int = DEFAULT_MAX_GAP,
        model: TopicModel | None = None,
        learned_weight: float = DEFAULT_LEARNED_WEIGHT,
    ) -> None:
        if not 0.0 <= learned_weight <= 1.0 or not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1] and learned_weight in [0, 1]")
        self.taxonomy = taxonomy
        self.lemmatizer = lemmatizer or PolishLemmatizer()
        self.threshold = threshold
        self.max_gap = max_gap
        self.model = model
        self.learned_weight = learned_weight
        vocabulary = [
            word
            for topic in taxonomy.topics
            for phrase in (*topic.phrases, *topic.negative)
            for word in phrase_words(phrase)
        ]
        self.lemmatizer.learn_vocabulary(vocabulary)
        self._topics = tuple(
            _CompiledTopic(
                topic,
                tuple(compile_phrase(p, self.lemmatizer) for p in topic.phrases),
                tuple(compile_phrase(p, self.lemmatizer) for p in topic.negative),
            )
            for topic in taxonomy.topics
        )

    def with_model(self, model: TopicModel | None) -> Tagger:
        """The same tagger using another learned model (or none); the lemmatizer is shared."""
        return Tagger(
            self.taxonomy,
            self.lemmatizer,
            threshold=self.threshold,
            max_gap=self.max_gap,
            model=model,
            learned_weight=self.learned_weight,
        )

    def scores(self, text: str) -> list[TopicScore]:
        """Every topic with a confidence above zero, highest first."""
        keys = text_keys(text, self.lemmatizer)
        learned: Mapping[str, float] = {}
        if self.model is not None:
            learned = self.model.predict([lemma for lemma, _ in keys])
        results: list[TopicScore] = []
        for compiled in self._topics:
            matched = tuple(p.text for p in compiled.phrases if p.found_in(keys, self.max_gap))
            score = sum(p.weight for p in compiled.phrases if p.text in matched)
            score -= sum(p.weight for p in compiled.negative if p.found_in(keys, self.max_gap))
            confidence = 1.0 - math.exp(-max(score, 0.0))
            topic = compiled.topic
            if topic.id in learned:
                weight = self.learned_weight
                confidence = weight * learned[topic.id] + (1.0 - weight) * confidence
            if confidence > 0.0:
                results.append(
                    TopicScore(topic.id, topic.name, topic.department, confidence, matched)
                )
        return sorted(results, key=lambda s: (-s.confidence, s.topic_id))

    def tag(self, text: str) -> list[TopicScore]:
        """The topics of ``text`` whose confidence reaches the threshold, highest first."""
        return [score for score in self.scores(text) if score.confidence >= self.threshold]
