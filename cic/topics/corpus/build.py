"""Call-like labelled transcripts assembled from the seed lines, for training and checking the
learned topic model.

A call is: the agent's opening, the caller's greeting, 1-3 of the caller's utterances about a
topic interleaved with the agent's lines about it and generic lines, and a closing; all lower
case without punctuation, as a transcript reads. Of all calls about 15 % are about two topics
(labelled with both) and about 5 % about none (generic lines only, an empty label set). Noise
is drawn independently per call: diacritics dropped in about 35 %, recognition slips (sound-
alike spellings, split or merged words, wrong endings, a dropped short word) in about 30 %.
About 40 % of calls (with or without topics) also carry 1-2 incidental mentions of other topics
(``mentions.yaml``: "mieszkam koło szkoły", "sołtys mi powiedział żebym zadzwoniła") at random
places among the turns, labels unchanged, so a topic's words alone do not teach the topic.
The result depends only on the seed and mention lines, ``seed`` and ``per_topic``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from cic.topics.corpus.mentions import Mentions, load_mentions
from cic.topics.corpus.noise import add_fillers, drop_diacritics, normalise, recognition_slips
from cic.topics.corpus.seeds import Seeds, load_seeds

TWO_TOPIC_SHARE = 0.15
NO_TOPIC_SHARE = 0.05
NO_DIACRITICS_SHARE = 0.35
SLIPS_SHARE = 0.30
FILLER_CHANCE = 0.5  # per caller utterance
MENTION_SHARE = 0.40  # calls with 1-2 incidental mentions of topics they are not about
DEFAULT_PER_TOPIC = 40
# What a caller says when moving to a second matter in the same call.
TRANSITIONS = (
    "i jeszcze jedna sprawa",
    "a przy okazji chciałam zapytać",
    "i jeszcze mam pytanie",
    "a jeszcze coś innego",
    "aha i jeszcze",
    "a skoro już dzwonię to",
)


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled transcript: its text and the ids of the topics it is about."""

    text: str
    topics: frozenset[str]


def build_corpus(
    seed: int = 0,
    per_topic: int = DEFAULT_PER_TOPIC,
    seeds: Seeds | None = None,
    mentions: Mentions | None = None,
) -> list[Example]:
    """``per_topic`` single-topic calls for every topic, plus two-topic and no-topic calls in
    the shares above, in a shuffled order that is the same for the same ``seed``.
    ``mentions`` None uses the packaged incidental mentions; an empty mapping adds none."""
    if per_topic < 1:
        raise ValueError("per_topic must be at least 1")
    seeds = seeds or load_seeds()
    mentions = load_mentions() if mentions is None else mentions
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    topic_ids = list(seeds.topics)
    single = per_topic * len(topic_ids)
    total = round(single / (1.0 - TWO_TOPIC_SHARE - NO_TOPIC_SHARE))
    two = round(total * TWO_TOPIC_SHARE)
    none = total - single - two
    plans: list[tuple[str, ...]] = [(t,) for t in topic_ids for _ in range(per_topic)]
    for number in range(two):
        first = topic_ids[number % len(topic_ids)]
        second = rng.choice([t for t in topic_ids if t != first])
        plans.append((first, second))
    plans += [()] * none
    rng.shuffle(plans)
    return [_call(plan, seeds, mentions, rng) for plan in plans]


def split(
    examples: Sequence[Example], dev_share: float = 0.2, seed: int = 0
) -> tuple[list[Example], list[Example]]:
    """(train, dev): about ``dev_share`` of the examples of every label set's first topic (and
    of the unlabelled ones) go to dev, chosen by ``seed``; each keeps the input order."""
    if not 0.0 <= dev_share < 1.0:
        raise ValueError("dev_share must be in [0, 1)")
    rng = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    groups: dict[str, list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        groups[min(example.topics, default="")].append(index)
    dev: set[int] = set()
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        dev.update(members[: round(len(members) * dev_share)])
    train = [e for i, e in enumerate(examples) if i not in dev]
    return train, [e for i, e in enumerate(examples) if i in dev]


def _call(plan: tuple[str, ...], seeds: Seeds, mentions: Mentions, rng: random.Random) -> Example:
    generic = seeds.generic
    lines: list[str] = []
    if rng.random() < 0.8:
        lines.append(rng.choice(generic["opening"]))
    lines.append(_resident(rng.choice(generic["greeting"]), rng))
    after_greeting = len(lines)
    if not plan:
        for said in rng.sample(generic["no_topic_resident"], rng.randint(1, 2)):
            lines.append(_resident(said, rng))
            lines += _generic_turns(seeds, rng)
    for number, topic_id in enumerate(plan):
        if number:
            lines.append(rng.choice(TRANSITIONS))
        topic = seeds.topics[topic_id]
        most = 3 if len(plan) == 1 else 2
        answers = rng.sample(topic.agent, len(topic.agent))  # no answer twice in a call
        for said in rng.sample(topic.resident, rng.randint(1, most)):
            lines.append(_resident(said, rng))
            if answers and rng.random() < 0.6:
                lines.append(answers.pop())
            lines += _generic_turns(seeds, rng)
    _insert_mentions(lines, after_greeting, plan, mentions, rng)
    if rng.random() < 0.8:
        lines.append(rng.choice(generic["closing"]))
    text = normalise(" ".join(lines))
    if rng.random() < NO_DIACRITICS_SHARE:
        text = drop_diacritics(text)
    if rng.random() < SLIPS_SHARE:
        text = recognition_slips(text, rng, rng.randint(1, 3))
    return Example(text, frozenset(plan))


def _insert_mentions(
    lines: list[str],
    start: int,
    plan: tuple[str, ...],
    mentions: Mentions,
    rng: random.Random,
) -> None:
    """In about ``MENTION_SHARE`` of calls, 1-2 lines mentioning topics outside ``plan`` go
    anywhere from ``start`` to the end of ``lines``. Draws nothing without mentions, so a
    corpus without them is the same as before they existed."""
    others = sorted(topic for topic in mentions if topic not in plan)
    if not others or rng.random() >= MENTION_SHARE:
        return
    for topic in rng.sample(others, min(len(others), rng.randint(1, 2))):
        lines.insert(rng.randint(start, len(lines)), rng.choice(mentions[topic]))


def _resident(line: str, rng: random.Random) -> str:
    if rng.random() < FILLER_CHANCE:
        return add_fillers(line, rng, rng.randint(1, 2))
    return line


def _generic_turns(seeds: Seeds, rng: random.Random) -> list[str]:
    """Nothing, an agent's holding line, a caller's small talk, or both."""
    turns: list[str] = []
    if rng.random() < 0.35:
        turns.append(rng.choice(seeds.generic["agent"]))
    if rng.random() < 0.25:
        turns.append(_resident(rng.choice(seeds.generic["resident"]), rng))
    return turns
