"""The repeated-run cutter: recognition loops are kept once, people's own repeats stay."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cic.speech import repetition
from cic.speech.models import Word
from cic.speech.repetition import cut_repetitions, without_loops


def words(text: str) -> list[Word]:
    """One word per half second."""
    return [Word(t, i * 0.5, i * 0.5 + 0.4, 0.9) for i, t in enumerate(text.split())]


def texts(result: tuple[Word, ...]) -> str:
    return " ".join(w.text for w in result)


def longest_run(keys: list[str], max_n: int = 6) -> int:
    """Copies in the longest run of a repeated n-gram (brute force, independent of the code)."""
    best = 1
    for n in range(1, max_n + 1):
        for i in range(len(keys)):
            copies = 1
            while i + (copies + 1) * n <= len(keys) and (
                keys[i + copies * n : i + (copies + 1) * n] == keys[i : i + n]
            ):
                copies += 1
            best = max(best, copies)
    return best


def test_the_loop_from_the_issue_is_kept_once() -> None:
    loop = "dzień dobry " + "i wem się zmierodzy " * 40 + "do widzenia"
    cut = cut_repetitions(words(loop))
    assert texts(cut.words) == "dzień dobry i wem się zmierodzy do widzenia"
    assert cut.dropped == 4 * 39


def test_a_single_word_loop_and_punctuation_and_case_are_ignored() -> None:
    cut = cut_repetitions(words("Jędzi do mój, mój Mój mój. mój mój pieca"))
    assert texts(cut.words) == "Jędzi do mój, pieca"


def test_up_to_three_copies_are_what_people_say() -> None:
    said = "nie nie nie proszę pani do mnie do mnie do mnie"
    cut = cut_repetitions(words(said))
    assert texts(cut.words) == said and cut.dropped == 0
    assert texts(cut_repetitions(words("nie nie nie nie")).words) == "nie"


def test_a_partial_last_copy_goes_with_the_loop() -> None:
    loop = "Młogniew z Ramią " * 5 + "Młogniew z"
    assert texts(cut_repetitions(words(loop)).words) == "Młogniew z Ramią"


def test_runs_brought_together_by_a_cut_are_cut_too() -> None:
    said = ("b " + "a " * 4) * 5
    result = cut_repetitions(words(said)).words
    assert longest_run([w.text for w in result]) <= 3, texts(result)


def test_longer_grams_than_max_n_are_left_alone() -> None:
    seven = "jeden dwa trzy cztery pięć sześć siedem "
    assert cut_repetitions(words(seven * 5)).dropped == 0
    assert cut_repetitions(words(seven * 5), max_n=7).dropped == 28
    with pytest.raises(ValueError):
        cut_repetitions(words("a"), max_n=0)


def test_kept_words_keep_their_own_times() -> None:
    source = words("a " + "b c " * 6 + "d")
    kept = cut_repetitions(source).words
    assert [w.text for w in kept] == ["a", "b", "c", "d"]
    assert kept == (source[0], source[1], source[2], source[-1])


def test_a_cut_is_logged_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    before = repetition.times_fired()
    with caplog.at_level(logging.WARNING, logger="cic.speech.repetition"):
        assert len(without_loops(words("x " * 9), engine="whisper", source="a.wav")) == 1
        assert len(without_loops(words("x y"), engine="whisper", source="b.wav")) == 2
    assert repetition.times_fired() == before + 1
    assert "a.wav" in caplog.text and "b.wav" not in caplog.text


VOCAB = st.sampled_from(["a", "b", "c", "nie", "Nie,"])


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(VOCAB, max_size=60))
def test_no_long_run_survives_and_the_result_is_a_subsequence(tokens: list[str]) -> None:
    source = words(" ".join(tokens))
    kept = cut_repetitions(source).words
    keys = [w.text.strip(",").casefold() for w in kept]
    assert longest_run(keys) <= 3
    it = iter(source)
    assert all(any(w is s for s in it) for w in kept)  # in order, each one from the input
    assert cut_repetitions(kept).words == kept


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(VOCAB, max_size=40))
def test_text_without_long_runs_is_unchanged(tokens: list[str]) -> None:
    source = words(" ".join(tokens))
    if longest_run([w.text.strip(",").casefold() for w in source]) <= 3:
        assert cut_repetitions(source).words == tuple(source)
