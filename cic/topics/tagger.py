"""The topic tagger: phrase rules on lemmatised Polish, a model learned from the project's
corpus, and a model learned from supervisors' corrections, combined.

Rule confidence of a topic is ``1 - exp(-score)``, where ``score`` is the sum of the weights of
its phrases found in the text (each phrase once; a phrase found only through a speech-recognition
slip, see :mod:`cic.topics.fuzzy`, at ``SLIP_WEIGHT`` of its weight) minus the weights of its
negative phrases (at least 0).

With a corpus model (see :mod:`cic.topics.trained`), for the topics it covers the confidence
becomes ``c * p + (1 - c) * rule`` with ``p`` the model's probability and ``c = corpus_weight``.
With a model learned from supervisors' corrections (see :mod:`cic.topics.learned`), for the
topics it covers - those with enough corrections - the confidence then becomes
``w * q + (1 - w) * confidence`` with ``q`` its probability and ``w = learned_weight`` (0.6 by
default): once supervisors have corrected a topic often enough, their corrections outweigh the
rest, both to add a topic the others miss and to drop one they wrongly find.

A topic is tagged when its confidence reaches its threshold (``thresholds``, calibrated per
topic on a development split, else ``threshold``). When no topic does, the likeliest one is
still tagged if its confidence reaches ``fallback``: a call is nearly always about something.
A text with fewer than ``MIN_CONTENT_WORDS`` meaningful words gets no topic from the models
alone: a single word never suffices.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cic.topics.fuzzy import SlipMatcher
from cic.topics.lemmas import Lemmatizer, make_lemmatizer, words
from cic.topics.rules import FUNCTION_WORDS, CompiledPhrase, TextIndex, compile_phrase, phrase_words
from cic.topics.taxonomy import Taxonomy, Topic

DEFAULT_THRESHOLD = 0.5
DEFAULT_MAX_GAP = 2
DEFAULT_LEARNED_WEIGHT = 0.6
DEFAULT_CORPUS_WEIGHT = 0.5
SLIP_WEIGHT = 0.7
MIN_CONTENT_WORDS = 2


class TopicModel(Protocol):
    """A learned model: topic probabilities for a text given as folded lemmas."""

    def predict(self, lemmas: Sequence[str]) -> Mapping[str, float]:
        """Probability per topic id, for the topics the model covers."""
        ...

    def predict_many(self, documents: Sequence[Sequence[str]]) -> list[dict[str, float]]:
        """:meth:`predict` of several texts at once."""
        ...


def _predict(model: TopicModel | None, documents: list[list[str]]) -> list[dict[str, float]]:
    if model is None or not documents:
        return [{} for _ in documents]
    return model.predict_many(documents)


@dataclass(frozen=True, slots=True)
class TopicScore:
    """A topic found in a text, its confidence in [0, 1] and the phrases that matched."""

    topic_id: str
    name: str
    department: str
    confidence: float
    matched: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the rules (confidence and matched phrases per topic) and the models (probability
    per topic) say about one text."""

    rules: Mapping[str, tuple[float, tuple[str, ...]]]
    corpus: Mapping[str, float]
    learned: Mapping[str, float]


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
        lemmatizer: Lemmatizer | None = None,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        max_gap: int = DEFAULT_MAX_GAP,
        model: TopicModel | None = None,
        learned_weight: float = DEFAULT_LEARNED_WEIGHT,
        corpus: TopicModel | None = None,
        corpus_weight: float = DEFAULT_CORPUS_WEIGHT,
        thresholds: Mapping[str, float] | None = None,
        fallback: float | None = None,
        slips: bool = True,
    ) -> None:
        limits = (threshold, *(thresholds or {}).values(), *([fallback] if fallback else []))
        if not all(0.0 < t <= 1.0 for t in limits):
            raise ValueError("thresholds must be in (0, 1]")
        if not (0.0 <= learned_weight <= 1.0 and 0.0 <= corpus_weight <= 1.0):
            raise ValueError("learned_weight and corpus_weight must be in [0, 1]")
        self.taxonomy = taxonomy
        self.lemmatizer = lemmatizer or make_lemmatizer()
        self.threshold = threshold
        self.max_gap = max_gap
        self.model = model
        self.learned_weight = learned_weight
        self.corpus = corpus
        self.corpus_weight = corpus_weight
        self.thresholds = dict(thresholds or {})
        self.fallback = fallback
        self.slips = slips
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
        keys = {
            key
            for compiled in self._topics
            for phrase in (*compiled.phrases, *compiled.negative)
            for pattern in phrase.pattern
            for key in pattern.vocabulary()
        }
        self._slips = SlipMatcher(keys, self.lemmatizer)

    def with_model(self, model: TopicModel | None) -> Tagger:
        """The same tagger using another corrections model (or none); the lemmatizer is
        shared."""
        return self.replace(model=model)

    def replace(self, **changes: Any) -> Tagger:
        """The same tagger with some settings changed (see ``__init__``)."""
        settings: dict[str, Any] = {
            "threshold": self.threshold,
            "max_gap": self.max_gap,
            "model": self.model,
            "learned_weight": self.learned_weight,
            "corpus": self.corpus,
            "corpus_weight": self.corpus_weight,
            "thresholds": self.thresholds,
            "fallback": self.fallback,
            "slips": self.slips,
        }
        settings.update(changes)
        return Tagger(self.taxonomy, self.lemmatizer, **settings)

    def _rule_score(
        self, compiled: _CompiledTopic, exact: TextIndex, slipped: TextIndex
    ) -> tuple[float, tuple[str, ...]]:
        score = 0.0
        matched = []
        for phrase in compiled.phrases:
            if phrase.found_in(exact, self.max_gap):
                score += phrase.weight
            elif self.slips and phrase.found_in(slipped, self.max_gap):
                score += phrase.weight * SLIP_WEIGHT
            else:
                continue
            matched.append(phrase.text)
        score -= sum(p.weight for p in compiled.negative if p.found_in(exact, self.max_gap))
        return max(score, 0.0), tuple(matched)

    def scores(self, text: str) -> list[TopicScore]:
        """Every topic with a confidence above zero, highest first."""
        return self.combine(self.evidence_many([text])[0])

    def scores_many(self, texts: Sequence[str]) -> list[list[TopicScore]]:
        """:meth:`scores` of several texts, the models asked once for all of them."""
        return [self.combine(evidence) for evidence in self.evidence_many(texts)]

    def evidence_many(self, texts: Sequence[str]) -> list[Evidence]:
        """What the rules and the models say about each text, before they are combined."""
        parsed = []
        for text in texts:
            tokens = words(text)
            keys = [self.lemmatizer.keys(token) for token in tokens]
            exact = TextIndex(keys)
            slipped = TextIndex(self._slips.slip_keys(tokens, keys)) if self.slips else exact
            rules = {}
            for compiled in self._topics:
                score, matched = self._rule_score(compiled, exact, slipped)
                if score > 0:
                    rules[compiled.topic.id] = (1.0 - math.exp(-score), matched)
            parsed.append((rules, [word[0] for word in keys]))
        modelled = [
            index
            for index, (_, lemmas) in enumerate(parsed)
            if sum(1 for lemma in lemmas if lemma not in FUNCTION_WORDS and len(lemma) > 2)
            >= MIN_CONTENT_WORDS
        ]
        chosen = [parsed[index][1] for index in modelled]
        corpus = dict(zip(modelled, _predict(self.corpus, chosen), strict=True))
        learned = dict(zip(modelled, _predict(self.model, chosen), strict=True))
        return [
            Evidence(rules, corpus.get(index, {}), learned.get(index, {}))
            for index, (rules, _) in enumerate(parsed)
        ]

    def combine(self, evidence: Evidence, corpus_weight: float | None = None) -> list[TopicScore]:
        """The topics' confidences from the evidence (``corpus_weight`` given: with that weight
        of the corpus model instead of the tagger's), highest first."""
        corpus_share = self.corpus_weight if corpus_weight is None else corpus_weight
        results: list[TopicScore] = []
        for compiled in self._topics:
            topic = compiled.topic
            confidence, matched = evidence.rules.get(topic.id, (0.0, ()))
            if topic.id in evidence.corpus:
                probability = evidence.corpus[topic.id]
                confidence = corpus_share * probability + (1.0 - corpus_share) * confidence
            if topic.id in evidence.learned:
                weight = self.learned_weight
                confidence = weight * evidence.learned[topic.id] + (1.0 - weight) * confidence
            if confidence > 0.0:
                results.append(
                    TopicScore(topic.id, topic.name, topic.department, confidence, matched)
                )
        return sorted(results, key=lambda s: (-s.confidence, s.topic_id))

    def threshold_of(self, topic_id: str) -> float:
        """The confidence a topic needs to be tagged."""
        return self.thresholds.get(topic_id, self.threshold)

    def tag(self, text: str) -> list[TopicScore]:
        """The topics of ``text`` whose confidence reaches their threshold, highest first
        (or the likeliest one if it reaches ``fallback``)."""
        found = self.scores(text)
        tagged = [s for s in found if s.confidence >= self.threshold_of(s.topic_id)]
        if not tagged and found and self.fallback and found[0].confidence >= self.fallback:
            return found[:1]
        return tagged
