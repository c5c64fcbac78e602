"""The shipped topic corpus: hand-written seeds and incidental mentions for every topic of the
packaged taxonomy, and the call-like labelled transcripts built from them (deterministic, noisy,
some with two topics or none, some mentioning other topics in passing)."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from cic.topics.corpus import (
    Example,
    MentionsError,
    SeedsError,
    build_corpus,
    load_mentions,
    load_seeds,
    merge_more_seeds,
    parse_mentions,
    parse_seeds,
    split,
    split_mentions,
)
from cic.topics.corpus.noise import (
    drop_diacritics,
    normalise,
    recognition_slips,
    sound_alike,
    split_word,
)
from cic.topics.lemmas import make_lemmatizer
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import load_taxonomy

POLISH_LETTERS = set("ąćęłńóśźż")
PER_TOPIC = 10


@pytest.fixture(scope="module")
def corpus() -> list[Example]:
    return build_corpus(seed=7, per_topic=PER_TOPIC)


# --- seeds --------------------------------------------------------------------------------------


def test_seeds_cover_every_topic_with_enough_hand_written_lines() -> None:
    seeds = load_seeds()
    assert set(seeds.topics) == {topic.id for topic in load_taxonomy().topics}
    for topic_id, lines in seeds.topics.items():
        assert len(set(lines.resident)) >= 30, topic_id
        assert len(set(lines.agent)) >= 8, topic_id
    assert all(len(lines) >= 5 for lines in seeds.generic.values())


def test_merged_seeds_hold_many_distinct_lines_per_topic() -> None:
    seeds = load_seeds()
    for topic_id, lines in seeds.topics.items():
        assert len(lines.resident) >= 60, topic_id
        for kind in (lines.resident, lines.agent):
            spoken = [" ".join(line.lower().split()) for line in kind]
            repeated = [line for line, count in Counter(spoken).items() if count > 1]
            assert not repeated, (topic_id, repeated)


def test_seeds_hold_no_digit_runs_that_could_be_personal_numbers() -> None:
    seeds = load_seeds()
    every = [line for t in seeds.topics.values() for line in (*t.resident, *t.agent)]
    every += [line for lines in seeds.generic.values() for line in lines]
    assert not [line for line in every if any(ch.isdigit() for ch in line)]


def test_generic_lines_get_no_topic_from_the_packaged_rules() -> None:
    # guards the taxonomy against phrases every call contains ("dzień dobry, urząd gminy"
    # once matched "dni gminy"), and the seeds against generic lines that name a matter
    tagger = Tagger(load_taxonomy(), make_lemmatizer())
    generic = [line for lines in load_seeds().generic.values() for line in lines]
    assert {line: tagger.tag(line) for line in generic if tagger.tag(line)} == {}


def test_invalid_seeds_name_the_section(tmp_path: Path) -> None:
    generic = {kind: ["dzień dobry"] for kind in load_seeds().generic}
    with pytest.raises(SeedsError, match=r"topics\.drogi\.agent"):
        parse_seeds({"generic": generic, "topics": {"drogi": {"resident": ["dziura"]}}})
    with pytest.raises(SeedsError, match=r"generic\.closing"):
        parse_seeds({"generic": {**generic, "closing": []}, "topics": {}})
    path = tmp_path / "seeds.yaml"
    path.write_text("generic: {}\ntopics: {}\n", "utf-8")
    with pytest.raises(SeedsError, match=str(path)):
        load_seeds(path)


# --- incidental mentions ------------------------------------------------------------------------


def test_mentions_cover_every_topic_with_enough_hand_written_lines() -> None:
    mentions = load_mentions()
    assert set(mentions) == {topic.id for topic in load_taxonomy().topics}
    for topic_id, lines in mentions.items():
        assert len(set(lines)) >= 12, topic_id


def test_mentions_carry_the_words_the_rules_look_for() -> None:
    # they are traps only if the rules take most of them for their topic
    tagger = Tagger(load_taxonomy())
    mentions = load_mentions()
    fooled = [
        line
        for topic_id, lines in mentions.items()
        for line in lines
        if topic_id in {score.topic_id for score in tagger.tag(normalise(line))}
    ]
    assert len(fooled) / sum(len(lines) for lines in mentions.values()) >= 0.75


def test_invalid_mentions_name_the_section_and_a_missing_file_gives_none(
    tmp_path: Path,
) -> None:
    with pytest.raises(MentionsError, match=r"mentions\.drogi"):
        parse_mentions({"mentions": {"drogi": []}})
    with pytest.raises(MentionsError, match=r"mentions\.cmentarz"):
        parse_mentions({"mentions": {"cmentarz": ["koło cmentarza", 7]}})
    with pytest.raises(MentionsError, match="'mentions' mapping"):
        parse_mentions(["koło szkoły"])
    path = tmp_path / "mentions.yaml"
    path.write_text("mentions: [koło szkoły\n", "utf-8")
    with pytest.raises(MentionsError, match=str(path)):
        load_mentions(path)
    assert isinstance(MentionsError("x"), SeedsError)
    assert load_mentions(tmp_path / "absent.yaml") == {}


def test_split_mentions_keeps_lines_apart_per_topic() -> None:
    mentions = load_mentions()
    train, dev = split_mentions(mentions, dev_share=0.25, seed=1)
    assert (train, dev) == split_mentions(mentions, dev_share=0.25, seed=1)
    for topic_id, lines in mentions.items():
        assert sorted((*train[topic_id], *dev[topic_id])) == sorted(lines)
        assert len(dev[topic_id]) == round(len(lines) * 0.25)


def test_more_seeds_beside_the_file_are_appended_and_checked(tmp_path: Path) -> None:
    generic = {kind: ["dzień dobry"] for kind in load_seeds().generic}
    topics = {"drogi": {"resident": ["dziura w drodze"], "agent": ["zgłoszę dziurę"]}}
    path = tmp_path / "seeds.yaml"
    path.write_text(yaml.safe_dump({"generic": generic, "topics": topics}), "utf-8")
    more = {"topics": {"drogi": {"resident": ["asfalt się sypie"], "agent": ["przekażę"]}}}
    (tmp_path / "more_seeds.yaml").write_text(yaml.safe_dump(more), "utf-8")
    merged = load_seeds(path).topics["drogi"]
    assert merged.resident == ("dziura w drodze", "asfalt się sypie")
    assert merged.agent == ("zgłoszę dziurę", "przekażę")
    unknown = {"topics": {"drogi-nowe": {"resident": ["x"], "agent": ["y"]}}}
    with pytest.raises(SeedsError, match=r"topics\.drogi-nowe: unknown topic id"):
        merge_more_seeds(load_seeds(path), unknown, "more.yaml")
    with pytest.raises(SeedsError, match=r"topics\.drogi\.agent"):
        merge_more_seeds(load_seeds(path), {"topics": {"drogi": {"resident": ["x"]}}})


# --- the built corpus ---------------------------------------------------------------------------


def test_same_seed_same_corpus_other_seed_other_corpus(corpus: list[Example]) -> None:
    assert build_corpus(seed=7, per_topic=PER_TOPIC) == corpus
    assert build_corpus(seed=8, per_topic=PER_TOPIC) != corpus


def test_a_share_of_calls_mention_other_topics_with_labels_unchanged() -> None:
    ids = sorted(topic.id for topic in load_taxonomy().topics)
    marked = {topic_id: (f"qxq{index}",) for index, topic_id in enumerate(ids)}
    built = build_corpus(seed=7, per_topic=PER_TOPIC, mentions=marked)
    assert build_corpus(seed=7, per_topic=PER_TOPIC, mentions=marked) == built
    with_mentions = [e for e in built if "qxq" in e.text]
    assert 0.33 <= len(with_mentions) / len(built) <= 0.47
    assert any(not e.topics for e in with_mentions)
    for example in with_mentions:
        said = {ids[int(n)] for n in re.findall(r"qxq(\d+)", example.text)}
        assert said and len(said) <= 2 and not said & example.topics, example
    plain = build_corpus(seed=7, per_topic=PER_TOPIC, mentions={})
    assert [e.topics for e in plain] == [e.topics for e in built]
    assert not any("qxq" in e.text for e in plain)


def test_the_packaged_mentions_reach_calls_about_other_topics(corpus: list[Example]) -> None:
    mentions = load_mentions()
    found = [
        (topic_id, example)
        for example in corpus
        for topic_id, lines in mentions.items()
        if any(normalise(line) in example.text for line in lines)
    ]
    assert len({id(example) for _, example in found}) / len(corpus) >= 0.15
    assert sum(topic_id not in example.topics for topic_id, example in found) >= 0.95 * len(found)


def test_every_topic_has_examples_and_labels_are_taxonomy_ids(corpus: list[Example]) -> None:
    ids = {topic.id for topic in load_taxonomy().topics}
    counts = Counter(topic for example in corpus for topic in example.topics)
    assert set(counts) == ids
    assert min(counts.values()) >= PER_TOPIC
    single = Counter(next(iter(e.topics)) for e in corpus if len(e.topics) == 1)
    assert set(single.values()) == {PER_TOPIC}


def test_shares_of_two_topic_and_no_topic_calls(corpus: list[Example]) -> None:
    sizes = Counter(len(example.topics) for example in corpus)
    assert set(sizes) == {0, 1, 2}
    assert sizes[2] / len(corpus) == pytest.approx(0.15, abs=0.01)
    assert sizes[0] / len(corpus) == pytest.approx(0.05, abs=0.01)
    assert all(len(example.topics) == len(set(example.topics)) for example in corpus)


def test_texts_read_like_transcripts(corpus: list[Example]) -> None:
    for example in corpus:
        assert example.text == example.text.strip() and "  " not in example.text
        words = [w for w in example.text.split() if not w.startswith("[")]
        assert all(w == w.lower() and w.isalnum() for w in words), example.text
    assert sum(" yyy " in f" {e.text} " or " znaczy " in f" {e.text} " for e in corpus) > 20
    # a caller's identification reaches the corpus as the redactor writes it
    assert any("[PESEL]" in example.text for example in corpus)


def test_noise_is_applied_in_a_share_of_calls(corpus: list[Example]) -> None:
    plain = [e for e in corpus if not POLISH_LETTERS & set(e.text)]
    assert 0.25 <= len(plain) / len(corpus) <= 0.45
    seeds = load_seeds()
    clean = {
        normalise(line)
        for lines in seeds.topics.values()
        for line in lines.resident
        if len(line.split()) >= 4
    }
    # with diacritics kept and no slip, whole seed utterances are found verbatim
    verbatim = [e for e in corpus if any(line in e.text for line in clean)]
    assert 0.3 <= len(verbatim) / len(corpus) <= 0.7


def test_split_is_deterministic_disjoint_and_keeps_every_topic_in_both(
    corpus: list[Example],
) -> None:
    train, dev = split(corpus, dev_share=0.2, seed=3)
    assert (train, dev) == split(corpus, dev_share=0.2, seed=3)
    assert split(corpus, dev_share=0.2, seed=4) != (train, dev)
    assert len(train) + len(dev) == len(corpus)
    assert len(dev) / len(corpus) == pytest.approx(0.2, abs=0.02)
    assert Counter(train) + Counter(dev) == Counter(corpus)
    topics = {topic.id for topic in load_taxonomy().topics}
    assert {t for e in dev for t in e.topics} == topics
    assert {t for e in train for t in e.topics} == topics
    with pytest.raises(ValueError, match="dev_share"):
        split(corpus, dev_share=1.0)


# --- noise --------------------------------------------------------------------------------------


def test_normalise_keeps_placeholders_and_drops_punctuation() -> None:
    said = "Dzień dobry, mój PESEL to [PESEL]; dzwonię z Lipnika!"
    assert normalise(said) == "dzień dobry mój pesel to [PESEL] dzwonię z lipnika"
    assert drop_diacritics("żółć [DOWÓD]") == "zolc [DOWÓD]"


def test_sound_alike_swaps_polish_spellings() -> None:
    rng = random.Random(0)
    heard = {sound_alike("rzeka", rng) for _ in range(30)}
    assert "żeka" in heard
    assert {sound_alike("chodnik", rng) for _ in range(40)} & {"hodnik"}
    assert sound_alike("xyz", rng) == "xyz"
    # a letter inside a digraph is not swapped alone ("sz" never becomes "śz")
    assert {sound_alike("szkoła", rng) for _ in range(40)} <= {"szkola", "szkoła"}


def test_split_word_prefers_a_prefix() -> None:
    rng = random.Random(2)
    splits = {tuple(split_word("zameldować", rng)) for _ in range(40)}
    assert ("za", "meldować") in splits
    assert all("".join(parts) == "zameldować" and len(parts) == 2 for parts in splits)


def test_recognition_slips_change_the_text_but_not_placeholders() -> None:
    rng = random.Random(1)
    text = "chciałbym zgłosić wycinkę drzewa mój numer [TELEFON]"
    slipped = [recognition_slips(text, rng, 3) for _ in range(20)]
    assert sum(s != text for s in slipped) >= 18
    assert all("[TELEFON]" in s for s in slipped)
