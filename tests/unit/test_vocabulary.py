"""The office's vocabulary for Whisper: validated in the config, deduplicated, and trimmed to
whole phrases within the prompt's token budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from cic.config import ConfigError, SpeechSettings, check_vocabulary, load_settings
from cic.postcall.build import hotwords
from cic.speech.stt import SttSettings
from cic.speech.vocabulary import fit_prompt, prompt_phrases


def test_the_config_cleans_and_checks_speech_vocabulary(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("speech:\n  vocabulary: ['Zielona  Górka', 'ulica Lipowa']\n")
    assert load_settings(good, environ={}).speech.vocabulary == ["Zielona Górka", "ulica Lipowa"]
    for bad, why in (("['']", "empty"), ("['x' ]", "no letters"), (f"['{'a' * 61}']", "60")):
        path = tmp_path / "bad.yaml"
        path.write_text(f"speech:\n  vocabulary: {bad.replace('x', '12')}\n")
        with pytest.raises(ConfigError, match=f"speech.vocabulary: .*{why}"):
            load_settings(path, environ={})


def test_check_vocabulary_refuses_what_is_not_a_phrase() -> None:
    with pytest.raises(ValueError, match="text"):
        check_vocabulary([3])
    with pytest.raises(ValueError, match="control"):
        check_vocabulary(["Stare\x00Sioło"])
    with pytest.raises(ValueError, match="at most 300"):
        check_vocabulary(["Lipowa"] * 301)


def test_phrases_keep_their_order_once_each() -> None:
    assert prompt_phrases(["Lipowa", "Zielona Górka"], ["lipowa", "Podatek rolny"]) == (
        "Lipowa", "Zielona Górka", "Podatek rolny",
    )  # fmt: skip


def test_the_prompt_keeps_whole_phrases_within_the_budget() -> None:
    def words(text: str) -> int:
        return len(text.split())

    phrases = ["Zielona Górka", "ulica Lipowa", "Stare Sioło"]
    assert fit_prompt(phrases, words, 4) == "Zielona Górka, ulica Lipowa"
    assert fit_prompt(phrases, words, 1) == ""
    assert fit_prompt(phrases, words, 100) == "Zielona Górka, ulica Lipowa, Stare Sioło"


def test_the_pipeline_gives_hotwords_only_when_asked() -> None:
    speech = SpeechSettings(vocabulary=["Zielona Górka", "ulica Lipowa"])
    assert hotwords(speech, SttSettings.from_mapping({})) == ()
    on = SttSettings.from_mapping({"hotwords": True})
    assert hotwords(speech, on) == ("Zielona Górka", "ulica Lipowa")
    both = hotwords(speech, SttSettings.from_mapping({"hotwords": True, "topic_hotwords": True}))
    assert both[:2] == ("Zielona Górka", "ulica Lipowa") and "Podatek od nieruchomości" in both
