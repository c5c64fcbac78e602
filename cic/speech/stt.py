"""Speech-to-text behind one interface: engines, their settings, errors and the stereo split.

An engine turns a recording (any file sox reads; recordings are 8 kHz WAV) into timed words.
Vosk is the default (``engine: vosk``); faster-whisper is optional (``engine: whisper``). Both
read the audio through sox in chunks, so a call of an hour needs no more memory than a minute.

Stereo recordings carry the resident on the left channel and the agent on the right one:
:func:`transcribe_stereo` recognises each channel on its own and labels it with its speaker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol, cast, get_args

from cic.errors import CicError
from cic.speech.models import Speaker, Word

EngineName = Literal["vosk", "whisper"]
ENGINE_NAMES: tuple[str, ...] = get_args(EngineName)
TEMPERATURES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6)
"""Whisper's fallback ladder: greedy first, then sampling hotter each time a stretch fails."""
CHANNEL_SPEAKERS: tuple[Speaker, Speaker] = ("resident", "agent")
"""Channel 0 (left) is the resident, channel 1 (right) the agent."""


class SpeechError(CicError):
    """Speech-to-text failed; ``message`` is Polish, ``detail`` says what happened in English."""

    status: ClassVar[int] = 500
    error_id: ClassVar[str] = "stt_error"
    default_message: ClassVar[str] = "Rozpoznawanie mowy nie powiodło się."

    def __init__(self, message: str | None = None, detail: str = "") -> None:
        """Keep the Polish message for people and the English detail for logs."""
        super().__init__(message)
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message


class ModelError(SpeechError):
    """The configured model directory is missing or holds no model of the engine."""

    status: ClassVar[int] = 503
    error_id: ClassVar[str] = "stt_model_missing"
    default_message: ClassVar[str] = "Brak modelu rozpoznawania mowy."


class EngineUnavailable(SpeechError):
    """The engine's Python package (or sox) is not installed, or the engine name is unknown."""

    status: ClassVar[int] = 503
    error_id: ClassVar[str] = "stt_engine_unavailable"
    default_message: ClassVar[str] = "Silnik rozpoznawania mowy jest niedostępny."


class AudioError(SpeechError):
    """The recording is missing, empty, not audio, or has no such channel."""

    status: ClassVar[int] = 422
    error_id: ClassVar[str] = "stt_audio_invalid"
    default_message: ClassVar[str] = "Nie można odczytać nagrania."


@dataclass(frozen=True, slots=True)
class Recognition:
    """What an engine heard in one recording (or one channel of it)."""

    words: tuple[Word, ...]
    language: str
    engine: str
    model: str
    duration: float

    @property
    def text(self) -> str:
        """The words joined by single spaces."""
        return " ".join(word.text for word in self.words)


class SpeechEngine(Protocol):
    """A speech-to-text engine: a recording in, timed words with confidence out."""

    name: str
    language: str

    def transcribe(self, path: Path, *, channel: int | None = None) -> Recognition:
        """Recognise ``path``; ``channel`` (0 = left) picks one channel, None mixes them all."""
        ...


@dataclass(frozen=True, slots=True)
class SttSettings:
    """How to build the engine: which one, its model directory and the spoken language.

    Whisper only: ``temperatures`` (the fallback ladder; ``[0.0]`` decodes greedily only),
    ``compression_ratio_threshold`` and ``log_prob_threshold`` (what makes a stretch be decoded
    again; None turns one off: the log-probability one is off by default, as on the bench it
    made decoding four times slower on phone-band speech without fewer errors), ``hotwords``
    (the office's ``speech.vocabulary`` is given to the model before every window) and
    ``topic_hotwords`` (the taxonomy's topic names too). Both are off by default: Whisper base
    wrote prompt words into unclear speech (see the README).
    """

    engine: EngineName = "vosk"
    model_dir: str = ""
    language: str = "pl"
    chunk_seconds: float = 4.0
    compute_type: str = "int8"
    cpu_threads: int = 0
    temperatures: tuple[float, ...] = TEMPERATURES
    compression_ratio_threshold: float | None = 2.4
    log_prob_threshold: float | None = None
    hotwords: bool = False
    topic_hotwords: bool = False

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> SttSettings:
        """Settings from a config dict; unknown keys and an unknown engine are errors."""
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise SpeechError(
                "Nieznane ustawienia rozpoznawania mowy.", f"unknown keys: {sorted(unknown)}"
            )
        engine = str(values.get("engine", "vosk")).strip().lower()
        if engine == "faster-whisper":
            engine = "whisper"
        if engine not in ENGINE_NAMES:
            raise EngineUnavailable(
                f"Nieznany silnik rozpoznawania mowy: {engine!r}.",
                f"engine must be one of {', '.join(ENGINE_NAMES)}",
            )
        return cls(
            engine=cast(EngineName, engine),
            model_dir=str(values.get("model_dir", "")),
            language=str(values.get("language", "pl")),
            chunk_seconds=float(values.get("chunk_seconds", 4.0)),
            compute_type=str(values.get("compute_type", "int8")),
            cpu_threads=int(values.get("cpu_threads", 0)),
            temperatures=_temperatures(values.get("temperatures", TEMPERATURES)),
            compression_ratio_threshold=_optional_float(
                values.get("compression_ratio_threshold", 2.4), "compression_ratio_threshold"
            ),
            log_prob_threshold=_optional_float(
                values.get("log_prob_threshold"), "log_prob_threshold"
            ),
            hotwords=bool(values.get("hotwords", False)),
            topic_hotwords=bool(values.get("topic_hotwords", False)),
        )


def _optional_float(value: Any, key: str) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SpeechError(
            f"Nieprawidłowa wartość ustawienia {key}.", f"{key} must be a number or null"
        ) from None


def _temperatures(value: Any) -> tuple[float, ...]:
    """The fallback ladder: numbers from 0.0 up, increasing, each at most 1.0."""
    try:
        ladder = tuple(float(t) for t in (value if isinstance(value, list | tuple) else [value]))
    except (TypeError, ValueError):
        ladder = ()
    if not ladder or ladder[0] != 0.0 or list(ladder) != sorted(set(ladder)) or ladder[-1] > 1:
        raise SpeechError(
            "Nieprawidłowe temperatury rozpoznawania mowy (np. [0.0, 0.2, 0.4, 0.6]).",
            f"temperatures must rise from 0.0 to at most 1.0, got {value!r}",
        )
    return ladder


def create_engine(
    settings: SttSettings | Mapping[str, Any], *, hotwords: Sequence[str] = ()
) -> SpeechEngine:
    """The engine the settings name, with its model checked (not yet loaded: that is lazy).

    ``hotwords``: phrases the model should expect (Whisper only; Vosk's graph is fixed).
    """
    if not isinstance(settings, SttSettings):
        settings = SttSettings.from_mapping(settings)
    if not settings.model_dir:
        raise ModelError("Nie ustawiono katalogu modelu rozpoznawania mowy.", "model_dir is empty")
    model_dir = Path(settings.model_dir)
    if settings.engine == "vosk":
        from cic.speech.engines.vosk_engine import VoskEngine

        return VoskEngine(
            model_dir,
            language=settings.language,
            chunk_seconds=settings.chunk_seconds,
        )
    from cic.speech.engines.whisper_engine import WhisperEngine

    return WhisperEngine(
        model_dir,
        language=settings.language,
        compute_type=settings.compute_type,
        cpu_threads=settings.cpu_threads,
        temperatures=settings.temperatures,
        compression_ratio_threshold=settings.compression_ratio_threshold,
        log_prob_threshold=settings.log_prob_threshold,
        hotwords=hotwords,
    )


def model_label(model_dir: Path) -> str:
    """The model's name as transcripts record it: the name ``cic speech install-model`` gave
    it (with its checksum's start), else the directory's own name (``current`` resolved)."""
    from cic.speech.model_store import installed_name

    return installed_name(model_dir) or model_dir.resolve().name


def transcribe_stereo(engine: SpeechEngine, path: Path) -> list[tuple[Speaker, Recognition]]:
    """Each channel of a two-channel recording on its own: ``[("resident", …), ("agent", …)]``."""
    from cic.speech.engines.audio import probe

    info = probe(path)
    if info.channels != 2:
        raise AudioError(
            "Nagranie nie jest stereofoniczne: nie da się rozdzielić mieszkańca i pracownika.",
            f"{path.name} has {info.channels} channel(s), expected 2",
        )
    return [
        (speaker, engine.transcribe(path, channel=index))
        for index, speaker in enumerate(CHANNEL_SPEAKERS)
    ]
