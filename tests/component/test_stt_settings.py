"""Speech-to-text settings, the engine factory's errors and the audio probe (no model needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cic.speech.engines.audio import pcm_blocks, probe
from cic.speech.models import Word
from cic.speech.stt import (
    AudioError,
    EngineUnavailable,
    ModelError,
    Recognition,
    SpeechError,
    SttSettings,
    create_engine,
)
from tests.conftest import unavailable


def test_settings_from_a_config_dict() -> None:
    settings = SttSettings.from_mapping(
        {"engine": "Faster-Whisper", "model_dir": "/srv/m", "language": "pl"}
    )
    assert settings == SttSettings(engine="whisper", model_dir="/srv/m", language="pl")
    assert SttSettings.from_mapping({}).engine == "vosk"


def test_unknown_engine_and_keys_are_refused() -> None:
    with pytest.raises(EngineUnavailable, match="Nieznany silnik") as caught:
        create_engine({"engine": "kaldi", "model_dir": "/x"})
    assert "vosk, whisper" in str(caught.value)
    with pytest.raises(SpeechError, match="Nieznane ustawienia") as caught:
        SttSettings.from_mapping({"engine": "vosk", "modeldir": "/x"})
    assert "modeldir" in caught.value.detail


def test_an_empty_model_dir_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="Nie ustawiono katalogu modelu") as caught:
        create_engine(SttSettings())
    assert caught.value.to_dict()["error"] == "stt_model_missing"
    assert str(caught.value).endswith("(model_dir is empty)")


def test_recognition_text_joins_words() -> None:
    words = (Word("dzień", 0.0, 0.4, 0.9), Word("dobry", 0.5, 0.9, 0.8))
    assert Recognition(words, "pl", "vosk", "m", 1.0).text == "dzień dobry"


@pytest.fixture
def sox() -> None:
    """sox reads the audio; skipped without it locally, failed under CI."""
    if shutil.which("sox") is None:
        unavailable("sox is not installed (bash bin/install-deps)")


def test_probe_reads_the_header(sox: None, tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "2", "-b", "16", str(path), "trim", "0", "1.5"],
        check=True,
    )
    info = probe(path)
    assert (info.channels, info.rate, info.samples) == (2, 8000, 12000)
    assert info.duration == pytest.approx(1.5)
    blocks = list(pcm_blocks(path, rate=16000, channel=1, block_seconds=0.5))
    assert [len(b) for b in blocks] == [16000, 16000, 16000]


@pytest.mark.parametrize(
    ("content", "polish"),
    [(b"", "pusty"), (b"RIFF1234WAVEjunk", "nie jest nagraniem"), (b"\x00" * 64, "nie jest")],
)
def test_probe_refuses_what_is_not_audio(
    sox: None, tmp_path: Path, content: bytes, polish: str
) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=polish):
        probe(path)


def test_whisper_guard_settings_are_read_and_checked() -> None:
    defaults = SttSettings.from_mapping({})
    assert defaults.temperatures == (0.0, 0.2, 0.4, 0.6)
    assert (defaults.compression_ratio_threshold, defaults.log_prob_threshold) == (2.4, None)
    assert not defaults.hotwords and not defaults.topic_hotwords
    greedy = SttSettings.from_mapping(
        {"temperatures": [0], "log_prob_threshold": -1, "compression_ratio_threshold": "2.0"}
    )
    assert greedy.temperatures == (0.0,) and greedy.log_prob_threshold == -1.0
    assert greedy.compression_ratio_threshold == 2.0
    for bad in ([0.2, 0.4], [0.0, 0.4, 0.2], [0.0, 1.5], "hot", []):
        with pytest.raises(SpeechError, match="temperatury"):
            SttSettings.from_mapping({"temperatures": bad})
    with pytest.raises(SpeechError, match="log_prob_threshold"):
        SttSettings.from_mapping({"log_prob_threshold": "low"})
