"""The post-call steps: transcribe (per speaker), redact, tag; and what they produce.

The steps are blocking (speech engines, the lemmatizer), so the worker runs each in a
thread. They keep no state between jobs except the loaded engine and tagger, and their result
is saved in one transaction with the job's completion (:mod:`cic.postcall.results`), so
running a job twice overwrites the first result instead of adding a second.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cic.calls.recording_files import RecordingInfo, inspect_now
from cic.postcall.spans import Span
from cic.recordings.files import speaker_files
from cic.speech.engines.audio import probe
from cic.speech.engines.masking import keep_only
from cic.speech.models import Segment, Speaker, Transcript, Word
from cic.speech.redaction import RedactionPolicy, redact_transcript
from cic.speech.stt import CHANNEL_SPEAKERS, AudioError, Recognition, SpeechEngine
from cic.topics.tagger import Tagger, TopicScore

log = logging.getLogger(__name__)
CLOCK_SHARE = 0.9
"""A speaker file shorter than this share of the recording's clock time (less a second) did not
run with the clock: the timeline's spans do not fit it."""


def merge_segments(channels: Sequence[tuple[Speaker, Sequence[Word]]]) -> tuple[Segment, ...]:
    """Words of all speakers in time order, grouped into runs of one speaker."""
    timed = sorted(
        ((word.start, index, speaker, word) for index, (speaker, words) in enumerate(channels)
         for word in words),
        key=lambda item: (item[0], item[1]),
    )  # fmt: skip
    segments: list[Segment] = []
    current: list[Word] = []
    speaker: Speaker | None = None
    for _start, _index, who, word in timed:
        if who != speaker and current and speaker is not None:
            segments.append(Segment(speaker, tuple(current)))
            current = []
        speaker = who
        current.append(word)
    if current and speaker is not None:
        segments.append(Segment(speaker, tuple(current)))
    return tuple(segments)


def _fitting(
    spans: Sequence[Span] | None, file: Path, recorded_seconds: float | None
) -> Sequence[Span] | None:
    """``spans`` if the file ran with the clock (or that is unknown), else None (whole file)."""
    if spans is None or recorded_seconds is None:
        return spans
    length = probe(file).duration
    if length < CLOCK_SHARE * recorded_seconds - 1.0:
        log.info("%s: %.1f s of audio for %.1f s of call, heard whole", file, length,
                 recorded_seconds)  # fmt: skip
        return None
    return spans


@dataclass(frozen=True, slots=True)
class ChannelFile:
    """A per-speaker file with its size, duration and checksum."""

    speaker: Speaker
    path: str
    info: RecordingInfo


@dataclass(frozen=True, slots=True)
class Heard:
    """The transcribe step's output."""

    transcript: Transcript
    model: str
    duration: float
    split_by_speaker: bool
    channels: tuple[ChannelFile, ...]


@dataclass(frozen=True, slots=True)
class PipelineResult:
    """Everything a job stores: the redacted transcript, its findings, the topics."""

    heard: Heard
    redacted: Transcript
    findings: dict[str, int]
    topics: tuple[TopicScore, ...]
    unredacted: str | None


class Pipeline:
    """The three steps with a lazily built engine and tagger (shared by this process's workers).

    ``keep_unredacted``: also return the unredacted text (stored only for the role the
    office chose; off by default).
    """

    def __init__(
        self,
        engine: Callable[[], SpeechEngine],
        tagger: Callable[[], Tagger],
        *,
        policy: RedactionPolicy | None = None,
        keep_unredacted: bool = False,
        tagger_version: Callable[[], object] | None = None,
    ) -> None:
        """``engine`` and ``tagger`` are factories, called on first use; ``tagger`` again
        whenever ``tagger_version()`` (asked before each tagging) changes."""
        self._make_engine = engine
        self._make_tagger = tagger
        self._tagger_version = tagger_version
        self._engine: SpeechEngine | None = None
        self._tagger: Tagger | None = None
        self._built_version: object = None
        self._lock = threading.Lock()
        self.policy = policy or RedactionPolicy()
        self.keep_unredacted = keep_unredacted

    def engine(self) -> SpeechEngine:
        """The speech engine, built on first use."""
        with self._lock:
            if self._engine is None:
                self._engine = self._make_engine()
            return self._engine

    def tagger(self) -> Tagger:
        """The topic tagger, built on first use and again when its version changed (if the
        version cannot be read, e.g. the store is down, the current tagger goes on)."""
        version = self._built_version
        if self._tagger_version is not None:
            try:
                version = self._tagger_version()
            except Exception as exc:
                log.warning("topic tagger version unknown, keeping the current one: %s", exc)
        with self._lock:
            if self._tagger is None or version != self._built_version:
                self._tagger = self._make_tagger()
                self._built_version = version
            return self._tagger

    def transcribe(
        self,
        path: Path,
        agent_spans: Sequence[Span] | None = None,
        recorded_seconds: float | None = None,
    ) -> Heard:
        """Each speaker's file on its own when there are two, else the recording itself: a
        stereo file channel by channel, a mono mix as one speaker (``split_by_speaker`` False,
        labelled ``resident``: recordings made before per-speaker files existed).

        ``agent_spans`` (see :mod:`cic.postcall.spans`): the agent's file is heard only
        within them (hold music and ringing elsewhere are not the agent's words); None: whole.
        ``recorded_seconds``: how long the recording ran by the clock; a file much shorter
        than that did not run with the clock, so the spans do not fit it: heard whole.
        """
        if not path.is_file():
            raise AudioError("Brak pliku nagrania.", f"{path} does not exist")
        engine = self.engine()
        files = speaker_files(path)
        recognitions: list[tuple[Speaker, Recognition]]
        channels: list[ChannelFile] = []
        if files:
            spans = _fitting(agent_spans, files["agent"], recorded_seconds)
            recognitions = [
                (speaker, self._hear(engine, file, spans if speaker == "agent" else None))
                for speaker, file in files.items()
            ]
            channels = [ChannelFile(s, str(f), inspect_now(f)) for s, f in files.items()]
            split = True
        else:
            if probe(path).channels == 2:
                recognitions = [
                    (speaker, engine.transcribe(path, channel=index))
                    for index, speaker in enumerate(CHANNEL_SPEAKERS)
                ]
                split = True
            else:
                recognitions = [("resident", engine.transcribe(path))]
                split = False
        segments = merge_segments([(speaker, r.words) for speaker, r in recognitions])
        first = recognitions[0][1]
        transcript = Transcript(segments, engine=first.engine, language=first.language)
        duration = max(r.duration for _speaker, r in recognitions)
        return Heard(transcript, first.model, duration, split, tuple(channels))

    @staticmethod
    def _hear(engine: SpeechEngine, file: Path, spans: Sequence[Span] | None) -> Recognition:
        if spans is None:
            return engine.transcribe(file)
        if not spans:  # nobody answered: the file holds prompts and music only
            language = str(getattr(engine, "language", "pl"))
            return Recognition((), language, engine.name, "", probe(file).duration)
        with tempfile.TemporaryDirectory(prefix="cic-spans-") as tmp:
            masked = Path(tmp) / file.name
            try:
                keep_only(file, spans, masked)
            except AudioError as exc:
                log.warning("heard %s whole: %s", file, exc.detail)
                return engine.transcribe(file)
            return engine.transcribe(masked)

    def redact_and_tag(self, heard: Heard) -> PipelineResult:
        """Redact each segment, then tag the redacted text (numbers never reach the tagger)."""
        redacted = redact_transcript(heard.transcript, self.policy)
        findings: dict[str, int] = {}
        for item in redacted.findings:
            findings[item.finding.kind.name] = findings.get(item.finding.kind.name, 0) + 1
        topics = tuple(self.tagger().tag(redacted.transcript.text))
        unredacted = heard.transcript.text if self.keep_unredacted else None
        return PipelineResult(heard, redacted.transcript, findings, topics, unredacted)
