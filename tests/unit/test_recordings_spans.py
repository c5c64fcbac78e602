"""The agent's file is heard only while an agent had the resident: spans from the timeline,
silence written outside them (same length, so word times still match the recording), and the
pipeline using both. The engine here records what it was given (a test of the plumbing)."""

from __future__ import annotations

import math
import struct
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cic.postcall.pipeline import Pipeline
from cic.postcall.spans import agent_spans, recorded_seconds
from cic.speech.engines.masking import keep_only
from cic.speech.models import Word
from cic.speech.stt import AudioError, Recognition
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import load_taxonomy

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _entry(seconds: float, type_: str, **data: Any) -> dict[str, Any]:
    return {"at": (T0 + timedelta(seconds=seconds)).isoformat(), "type": type_, "data": data}


def _answered_call(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        _entry(0, "CallEntered"),
        _entry(4, "RecordingStarted", path="/r/x.wav"),
        _entry(5, "CallQueued", queue="pierwsza-linia"),
        _entry(12, "CallAnswered", queue="pierwsza-linia", agent="PJSIP/agent-ola"),
        *extra,
    ]


def test_without_a_recording_start_the_whole_file_is_heard() -> None:
    assert agent_spans([_entry(5, "CallQueued", queue="q")]) is None


def test_nobody_answered_gives_no_span() -> None:
    timeline = [_entry(4, "RecordingStarted"), _entry(5, "CallQueued", queue="q"),
                _entry(40, "CallAbandoned", queue="q"), _entry(40, "CallEnded")]  # fmt: skip
    assert agent_spans(timeline) == []


def test_answer_to_hang_up_relative_to_the_recording_with_a_margin() -> None:
    spans = agent_spans(_answered_call(_entry(70, "CallEnded")), margin=0.5)
    assert spans == [(7.5, 66.5)]


def test_a_call_still_going_has_an_open_end() -> None:
    spans = agent_spans(_answered_call(), margin=0.0)
    assert spans is not None and spans[0][0] == 8.0 and math.isinf(spans[0][1])


def test_a_consult_puts_the_resident_on_hold_and_is_left_out() -> None:
    spans = agent_spans(
        _answered_call(
            _entry(20, "ConsultRinging", target="PJSIP/agent-jan"),
            _entry(22, "ConsultAnswered", target="PJSIP/agent-jan"),
            _entry(30, "ConsultEnded", target="PJSIP/agent-jan"),
            _entry(50, "CallEnded"),
        ),
        margin=0.0,
    )
    assert spans == [(8.0, 16.0), (26.0, 46.0)]


def test_an_attended_transfer_keeps_the_colleague_talking() -> None:
    spans = agent_spans(
        _answered_call(
            _entry(20, "ConsultRinging", target="PJSIP/agent-jan"),
            _entry(30, "CallTransferred", kind="attended", to_agent="PJSIP/agent-jan"),
            _entry(60, "CallEnded"),
        ),
        margin=0.0,
    )
    assert spans == [(8.0, 16.0), (26.0, 56.0)]


def test_a_blind_transfer_to_a_queue_waits_again_before_the_next_answer() -> None:
    spans = agent_spans(
        _answered_call(
            _entry(20, "CallTransferred", kind="blind"),
            _entry(20, "CallQueued", queue="FN"),
            _entry(35, "CallAnswered", queue="FN", agent="PJSIP/agent-ewa"),
            _entry(60, "CallEnded"),
        ),
        margin=0.0,
    )
    assert spans == [(8.0, 16.0), (31.0, 56.0)]


def test_recorded_seconds_run_from_the_recording_start_to_the_call_end() -> None:
    assert recorded_seconds(_answered_call(_entry(70, "CallEnded"))) == 66.0
    assert recorded_seconds(_answered_call()) is None  # still going
    assert recorded_seconds([_entry(9, "CallEnded")]) is None


def test_unreadable_timestamps_are_skipped() -> None:
    timeline = [{"at": "wczoraj", "type": "RecordingStarted"}, {"type": "CallAnswered"}]
    assert agent_spans(timeline) is None


def _tone(path: Path, seconds: float, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        samples = (
            int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(seconds * rate))
        )
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return path


def _loud(path: Path, rate: int = 8000) -> list[bool]:
    """Per tenth of a second: is there sound."""
    with wave.open(str(path), "rb") as f:
        data = f.readframes(f.getnframes())
    step = rate // 10 * 2
    return [any(data[i : i + step]) for i in range(0, len(data), step)]


def test_silence_outside_the_spans_same_length(tmp_path: Path) -> None:
    source = _tone(tmp_path / "agent.wav", 3.0)
    target = tmp_path / "masked.wav"
    keep_only(source, [(0.5, 1.0), (2.5, float("inf"))], target)
    assert target.stat().st_size == source.stat().st_size
    loud = _loud(target)
    assert loud == [False] * 5 + [True] * 5 + [False] * 15 + [True] * 5


def test_masking_refuses_what_is_not_16_bit_wav(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....WAVEnot really")
    with pytest.raises(AudioError):
        keep_only(bad, [(0, 1)], tmp_path / "out.wav")


class LoudnessEngine:
    """Hears one word per tenth of a second that has sound in it (so masking shows up)."""

    name = "loudness"
    language = "pl"

    def __init__(self) -> None:
        self.files: list[Path] = []

    def transcribe(self, path: Path, *, channel: int | None = None) -> Recognition:
        self.files.append(path)
        words = tuple(
            Word("dźwięk", i / 10, i / 10 + 0.1, 0.9) for i, loud in enumerate(_loud(path)) if loud
        )
        return Recognition(words, "pl", self.name, "m", 3.0)


def _speaker_files(tmp_path: Path) -> Path:
    mixed = _tone(tmp_path / "1764763200.9.wav", 3.0)
    _tone(tmp_path / "1764763200.9-resident.wav", 3.0)
    _tone(tmp_path / "1764763200.9-agent.wav", 3.0)
    return mixed


@pytest.mark.parametrize(("spans", "agent_words"), [(None, 30), ([], 0), ([(1.0, 2.0)], 10)])
def test_the_pipeline_hears_the_agent_only_within_the_spans(
    tmp_path: Path, spans: list[tuple[float, float]] | None, agent_words: int
) -> None:
    engine = LoudnessEngine()
    pipeline = Pipeline(lambda: engine, lambda: Tagger(load_taxonomy()))
    heard = pipeline.transcribe(_speaker_files(tmp_path), spans)
    words = {"resident": 0, "agent": 0}
    times = []
    for segment in heard.transcript.segments:
        words[segment.speaker] += len(segment.words)
        if segment.speaker == "agent":
            times += [w.start for w in segment.words]
    assert words == {"resident": 30, "agent": agent_words}
    if spans:
        assert min(times) == pytest.approx(1.0) and max(times) == pytest.approx(1.9)
    assert heard.split_by_speaker and len(heard.channels) == 2
    masked = [p for p in engine.files if p.parent != tmp_path]
    assert len(masked) == (1 if spans else 0) and not any(p.exists() for p in masked)


def test_a_file_that_did_not_run_with_the_clock_is_heard_whole(tmp_path: Path) -> None:
    """Asterisk writes nothing while no audio flows: 3 s of file for a 10 s recording means
    the clock's spans do not fit it."""
    engine = LoudnessEngine()
    pipeline = Pipeline(lambda: engine, lambda: Tagger(load_taxonomy()))
    heard = pipeline.transcribe(_speaker_files(tmp_path), [(1.0, 2.0)], recorded_seconds=10.0)
    agent = [w for s in heard.transcript.segments if s.speaker == "agent" for w in s.words]
    assert len(agent) == 30
    fits = pipeline.transcribe(_speaker_files(tmp_path), [(1.0, 2.0)], recorded_seconds=3.2)
    agent = [w for s in fits.transcript.segments if s.speaker == "agent" for w in s.words]
    assert len(agent) == 10
