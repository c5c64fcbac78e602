"""The tagger's parts added for issue 16: Morfeusz lemmas, speech-recognition slips, the corpus
model with calibrated thresholds and its cache, and the quality figures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cic.topics.calibration import calibrate
from cic.topics.corpus import Example
from cic.topics.lemmas import Lemmatizer, make_lemmatizer
from cic.topics.quality import figures
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import load_taxonomy, parse_taxonomy
from cic.topics.trained import train, trained_tagger

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def morfeusz() -> Lemmatizer:
    return make_lemmatizer("morfeusz")


@pytest.fixture(scope="module")
def rules(morfeusz: Lemmatizer) -> Tagger:
    return Tagger(load_taxonomy(), morfeusz)


def ids(tagger: Tagger, text: str) -> list[str]:
    return [score.topic_id for score in tagger.tag(text)]


# --- Morfeusz -----------------------------------------------------------------------------------


def test_morfeusz_gives_every_reading(morfeusz: Lemmatizer) -> None:
    assert "droga" in morfeusz.readings("drogi")  # also the adjective "drogi"
    assert morfeusz.lemma("od") == "od"  # the preposition, not a form of "oda"
    assert morfeusz.lemma("wymiany") == "wymiana"
    assert morfeusz.keys("podatku") == ("podatek", "podatku")


def test_morfeusz_puts_diacritics_back(morfeusz: Lemmatizer) -> None:
    assert morfeusz.lemma("nieruchomosci") == "nieruchomosc"
    assert morfeusz.lemma("zaswiadczenia") == "zaswiadczenie"
    assert morfeusz.known("solectwa")
    assert not morfeusz.known("qwxzrt")
    assert morfeusz.readings("qwxzrt") == ("qwxzrt",)


def test_unknown_lemmatizer_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown lemmatizer"):
        make_lemmatizer("stemmer")


# --- slips --------------------------------------------------------------------------------------


def test_a_split_word_is_joined_at_a_lower_weight(rules: Tagger) -> None:
    exact = {s.topic_id: s.confidence for s in rules.scores("gdzie znajdę harmonogram wywozu")}
    split = {s.topic_id: s.confidence for s in rules.scores("gdzie znajdę harmono gram wywozu")}
    without = {
        s.topic_id: s.confidence
        for s in rules.replace(slips=False).scores("gdzie znajdę harmono gram wywozu")
    }
    topic = "harmonogram-odpadow"
    assert without.get(topic, 0.0) < split[topic] < exact[topic]


def test_an_unknown_misheard_word_reaches_the_closest_phrase_word(rules: Tagger) -> None:
    text = "kiedy przyjedzie śmieciarkaa na naszą ulicę"  # not a word: a slip
    assert "harmonogram-odpadow" in ids(rules, text)
    assert "harmonogram-odpadow" not in ids(rules.replace(slips=False), text)


def test_a_real_word_is_not_taken_for_a_slip(rules: Tagger) -> None:
    assert rules.lemmatizer.known("szkody")
    slipped = rules._slips.slip_keys(["szkody"], [rules.lemmatizer.keys("szkody")])
    assert slipped == [rules.lemmatizer.keys("szkody")]


# --- the corpus model ---------------------------------------------------------------------------

CORPUS = [
    Example(text, frozenset({topic}))
    for topic, texts in {
        "harmonogram-odpadow": [
            "kiedy przyjedzie śmieciarka po worki",
            "nie zabrali nam pojemnika z ulicy",
            "w tym tygodniu nikt nie odebrał odpadów",
            "gdzie oddać stare meble gabaryty",
            "kiedy jest wywóz szkła i plastiku",
            "harmonogram odbioru na przyszły rok",
        ],
        "drogi": [
            "na drodze jest wielka dziura",
            "chodnik się zapadł przy przystanku",
            "nie odśnieżyli naszej drogi gminnej",
            "asfalt popękany po zimie trzeba załatać",
            "droga gruntowa cała w koleinach",
            "kto naprawi pobocze przy rowie",
        ],
        "meldunek": [
            "chcę się zameldować u męża",
            "jak wymeldować lokatora który wyjechał",
            "zaświadczenie o zameldowaniu do banku",
            "meldunek czasowy dla pracownika",
            "syn wrócił i chce się zameldować na stałe",
            "gdzie złożyć wymeldowanie",
        ],
    }.items()
    for text in texts
] + [Example("dzień dobry dziękuję do widzenia", frozenset())]


def test_training_gives_a_model_and_thresholds_on_the_grid(morfeusz: Lemmatizer) -> None:
    trained = train(load_taxonomy(), morfeusz, CORPUS, CORPUS)
    assert trained is not None
    assert set(trained.model.topics) == {"harmonogram-odpadow", "drogi", "meldunek"}
    assert set(trained.calibration.thresholds) == set(trained.model.topics)
    assert all(0.15 <= t <= 0.85 for t in trained.calibration.thresholds.values())
    probabilities = trained.model.predict(morfeusz.lemmas("dziura w drodze przy przystanku"))
    assert max(probabilities, key=lambda t: probabilities[t]) == "drogi"


def test_topics_the_taxonomy_lacks_are_not_learned(morfeusz: Lemmatizer) -> None:
    taxonomy = load_taxonomy()
    own = parse_taxonomy(
        {
            "departments": dict(taxonomy.departments),
            "topics": [
                {"id": "drogi", "name": "Drogi", "department": "GK", "phrases": ["dziura"]},
                {"id": "meldunek", "name": "Meldunek", "department": "SO", "phrases": ["meldunek"]},
            ],
        }
    )
    trained = train(own, morfeusz, CORPUS, CORPUS)
    assert trained is not None and set(trained.model.topics) == {"drogi", "meldunek"}


def test_a_single_word_never_suffices(morfeusz: Lemmatizer) -> None:
    tagger = trained_tagger(load_taxonomy(), morfeusz, corpus=(CORPUS, CORPUS))
    assert tagger.corpus is not None
    for word in ("śmieciarka", "chodnik", "szkoła", "podatek"):
        scores = {s.topic_id: s for s in tagger.scores(word)}
        # only the rules speak for one word; the models stay silent
        assert all(s.confidence < 0.5 or s.matched for s in scores.values())
    assert ids(tagger, "szkoła") == []


def test_calibration_picks_the_best_f1_threshold(morfeusz: Lemmatizer) -> None:
    tagger = trained_tagger(load_taxonomy(), morfeusz, corpus=(CORPUS, CORPUS))
    calibration = calibrate(tagger.replace(thresholds={}), CORPUS)
    scored = [{s.topic_id: s.confidence for s in tagger.scores(e.text)} for e in CORPUS]

    def f1(topic: str, at: float) -> float:
        found = [c.get(topic, 0.0) >= at for c in scored]
        gold = [topic in e.topics for e in CORPUS]
        hits = sum(1 for f, g in zip(found, gold, strict=True) if f and g)
        return 2 * hits / (sum(found) + sum(gold))

    assert calibration.thresholds
    for topic, limit in calibration.thresholds.items():
        assert f1(topic, limit) >= max(f1(topic, t) for t in (0.2, 0.3, 0.4, 0.5, 0.6)) - 1e-9


# --- the cache ----------------------------------------------------------------------------------


def test_the_trained_model_is_kept_and_read_back(tmp_path: Path, morfeusz: Lemmatizer) -> None:
    cache = tmp_path / "models"
    first = trained_tagger(load_taxonomy(), morfeusz, cache_dir=cache, corpus=(CORPUS, CORPUS))
    kept = list(cache.glob("topics-*.pickle"))
    assert len(kept) == 1 and (kept[0].stat().st_mode & 0o077) == 0
    second = trained_tagger(load_taxonomy(), morfeusz, cache_dir=cache, corpus=(CORPUS, CORPUS))
    text = "nie zabrali śmieci z ulicy lipowej"
    assert [(s.topic_id, s.confidence) for s in second.scores(text)] == [
        (s.topic_id, s.confidence) for s in first.scores(text)
    ]
    assert second.thresholds == first.thresholds


def test_a_damaged_cache_is_trained_again(tmp_path: Path, morfeusz: Lemmatizer) -> None:
    cache = tmp_path / "models"
    trained_tagger(load_taxonomy(), morfeusz, cache_dir=cache, corpus=(CORPUS, CORPUS))
    (kept,) = cache.glob("topics-*.pickle")
    kept.write_bytes(b"not a pickle")
    again = trained_tagger(load_taxonomy(), morfeusz, cache_dir=cache, corpus=(CORPUS, CORPUS))
    assert again.corpus is not None
    assert kept.read_bytes() != b"not a pickle"


def test_a_cache_others_can_write_is_not_read(tmp_path: Path, morfeusz: Lemmatizer) -> None:
    cache = tmp_path / "models"
    trained_tagger(load_taxonomy(), morfeusz, cache_dir=cache, corpus=(CORPUS, CORPUS))
    (kept,) = cache.glob("topics-*.pickle")
    kept.write_bytes(b"planted")
    os.chmod(cache, 0o777)
    again = trained_tagger(load_taxonomy(), morfeusz, cache_dir=cache, corpus=(CORPUS, CORPUS))
    assert again.corpus is not None  # trained again, the planted file never unpickled


# --- figures ------------------------------------------------------------------------------------


def test_quality_figures() -> None:
    result = figures(
        [
            (["a"], ["a"]),
            (["a", "b"], ["a"]),
            ([], ["b"]),
            (["c"], ["c", "b"]),
        ]
    )
    assert result.texts == 4 and result.untagged == 1
    assert (result.micro.true_positive, result.micro.predicted, result.micro.actual) == (3, 4, 5)
    assert result.per_topic["a"].f1 == 1.0
    assert result.per_topic["b"].f1 == 0.0  # tagged once wrongly, missed twice
    assert result.per_topic["b"].precision == 0.0 and result.per_topic["b"].recall == 0.0
    assert result.macro_f1 == pytest.approx((1.0 + 0.0 + 1.0) / 3)
    assert result.micro.f1 == pytest.approx(2 * 3 / (4 + 5))
    assert result.untagged_share == 0.25


def test_two_short_words_are_not_joined_into_an_acronym(rules: Tagger) -> None:
    tokens = ["i", "od", "tego", "czasu"]
    keys = [rules.lemmatizer.keys(token) for token in tokens]
    assert rules._slips.slip_keys(tokens, keys) == keys
    assert "ochrona-danych" not in ids(rules, "i od tego czasu nikt nie przyjechał po śmieci")
