"""The speech bench's error rates, computed by hand on small cases."""

from __future__ import annotations

from bench.stt_quality import SENTENCES, VOCABULARY, cer, edits, normalise, wer


def test_edits_count_substitutions_insertions_and_deletions() -> None:
    assert edits("kot", "kot") == 0
    assert edits("kot", "kat") == 1
    assert edits("kot", "kto") == 2
    assert edits([], ["a", "b"]) == 2 and edits(["a", "b"], []) == 2


def test_word_and_character_rates_ignore_case_and_punctuation() -> None:
    assert normalise("Dzień dobry,  PANI!") == "dzień dobry pani"
    assert wer("Ile wynosi opłata za odpady?", "ile wynosi opłata na otwazy") == (2, 5)
    assert cer("abc d", "Abd d.") == (1, 5)


def test_the_test_set_names_the_office_places() -> None:
    assert len(SENTENCES) >= 25
    stems = [place.split()[-1][:3].lower() for place in VOCABULARY]  # inflected: Górce
    assert all(any(stem in s.lower() for s in SENTENCES) for stem in stems), stems
