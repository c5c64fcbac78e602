"""The faster-whisper engine (optional): a Whisper model converted for CTranslate2, on the CPU.

Audio is read through sox at 16 kHz in windows of ``window_seconds`` (ten minutes by default),
each decoded with word timestamps and shifted by the window's start, so a long call never sits
in memory whole. Language is fixed ("pl" by default) rather than detected. Silero VAD (shipped
inside faster-whisper) skips the silence, which phone calls have plenty of; hold music, ringing
and DTMF tones are not speech to it either, so they are never decoded.

Loop guards. Whisper falls into loops on noisy phone-band speech ("mój mój mój …" ninety-nine times
from one sentence of espeak-ng at 110 words a minute through u-law with pink noise). Each window is
decoded without conditioning on the previous text, greedily (beam search at temperature 0), with a
mild repetition penalty. A 30-second stretch whose text compresses too well
(``compression_ratio_threshold``: a loop) or, when set, whose average log-probability is too low
(``log_prob_threshold``; off by default: on phone-band speech nearly every stretch is "unsure", and
decoding them again cost four times the time for no fewer errors) makes the window be decoded again
with faster-whisper's temperature fallback (``temperatures``). Sampling must not make a retried job
give another transcript: CTranslate2 seeds its sampler once per worker thread (a ``thread_local``
generator seeded from ``set_random_seed`` at first use), so reseeding a loaded model changes
nothing; the second pass therefore runs on a model loaded just for it after
``set_random_seed(seed)``, so the same recording always gives the same words. Last,
:mod:`cic.speech.repetition` cuts any run left.

Hotwords (opt-in): the office's place names and the topics' names (:mod:`cic.speech.vocabulary`)
are given before every 30-second window, trimmed to whole phrases within ``HOTWORD_TOKENS``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from cic.speech.engines.audio import SAMPLE_BYTES, pcm_blocks, probe
from cic.speech.models import Word
from cic.speech.repetition import without_loops
from cic.speech.stt import (
    TEMPERATURES,
    EngineUnavailable,
    ModelError,
    Recognition,
    SpeechError,
    model_label,
)
from cic.speech.vocabulary import fit_prompt

log = logging.getLogger(__name__)

RATE = 16000

SEED = 20240601
# Whisper's prompt may take half of its 448-token context; keep well within it.
HOTWORD_TOKENS = 160
# Silero inside faster-whisper, tuned for calls: a 1 s pause ends a stretch of speech (the
# default 2 s merges a whole exchange), clicks shorter than 0.2 s are not speech, and 0.3 s
# of padding keeps soft word ends that 8 kHz audio blurs.
VAD_PARAMETERS = {
    "threshold": 0.5,
    "min_speech_duration_ms": 200,
    "min_silence_duration_ms": 1000,
    "speech_pad_ms": 300,
}
_PUNCTUATION = " \t\n.,!?;:…\"'„”“«»()[]-–—"
# Loaded models by (directory, compute type, threads): engines in one process share one copy.
_models: dict[tuple[Path, str, int], Any] = {}
_models_lock = threading.Lock()


def check_whisper_model(model_dir: Path) -> None:
    """ModelError unless ``model_dir`` holds a CTranslate2 Whisper model with its tokenizer."""
    if not model_dir.is_dir():
        raise ModelError(
            f"Nie znaleziono katalogu modelu Whisper: {model_dir}.",
            f"Whisper model directory does not exist: {model_dir}",
        )
    missing = [
        n for n in ("model.bin", "config.json", "tokenizer.json") if not (model_dir / n).is_file()
    ]
    if not any((model_dir / n).is_file() for n in ("vocabulary.json", "vocabulary.txt")):
        missing.append("vocabulary.json|vocabulary.txt")
    if missing:
        raise ModelError(
            f"Katalog {model_dir} nie zawiera modelu Whisper dla faster-whisper.",
            f"{model_dir} lacks {', '.join(missing)}: not a CTranslate2 Whisper model",
        )


class WhisperEngine:
    """Recognises recordings with faster-whisper (int8 on the CPU by default)."""

    name = "whisper"

    def __init__(
        self,
        model_dir: Path,
        *,
        language: str = "pl",
        compute_type: str = "int8",
        cpu_threads: int = 0,
        beam_size: int = 5,
        window_seconds: float = 600.0,
        repetition_penalty: float = 1.1,
        temperatures: Sequence[float] = TEMPERATURES,
        compression_ratio_threshold: float | None = 2.4,
        log_prob_threshold: float | None = None,
        hotwords: Sequence[str] = (),
        seed: int = SEED,
        model_name: str = "",
    ) -> None:
        """Check the model directory now; the model itself loads on first use.

        ``temperatures`` starting with 0.0 and with more entries enable the fallback pass;
        ``(0.0,)`` decodes greedily only (what earlier versions did). ``model_name`` is what
        transcripts record (default: :func:`~cic.speech.stt.model_label`).
        """
        try:
            import faster_whisper  # noqa: F401
        except ImportError as exc:
            raise EngineUnavailable(
                "Brak pakietu faster-whisper (pip install 'cic[whisper]').",
                f"cannot import faster_whisper: {exc}",
            ) from exc
        check_whisper_model(model_dir)
        if window_seconds < 1:
            raise SpeechError("Nieprawidłowa długość okna nagrania.", "window_seconds must be >= 1")
        self.model_dir = model_dir
        self.language = language
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self.window_seconds = window_seconds
        self.repetition_penalty = repetition_penalty
        if not temperatures or temperatures[0] != 0.0 or list(temperatures) != sorted(temperatures):
            raise SpeechError(
                "Nieprawidłowe temperatury rozpoznawania mowy.",
                "temperatures must start at 0.0 and increase",
            )
        self.temperatures = tuple(float(t) for t in temperatures)
        self.compression_ratio_threshold = compression_ratio_threshold
        self.log_prob_threshold = log_prob_threshold
        self.hotwords = tuple(hotwords)
        self.seed = seed
        self.model_name = model_name
        self._prompt: str | None = None

    def _load(self) -> Any:
        from faster_whisper import WhisperModel

        try:
            return WhisperModel(
                str(self.model_dir.resolve()),
                device="cpu",
                compute_type=self.compute_type,
                cpu_threads=self.cpu_threads,
                local_files_only=True,
            )
        except Exception as exc:
            raise ModelError(
                f"Nie udało się wczytać modelu Whisper z {self.model_dir}.",
                f"WhisperModel failed: {exc}",
            ) from exc

    def _loaded(self) -> Any:
        key = (self.model_dir.resolve(), self.compute_type, self.cpu_threads)
        with _models_lock:
            if key not in _models:
                _models[key] = self._load()
            return _models[key]

    def _seeded(self) -> Any:
        """A model of its own for the sampling pass, its sampler seeded (see the module doc)."""
        import ctranslate2

        with _models_lock:  # the seed is global: two loads at once must not interleave
            ctranslate2.set_random_seed(self.seed)
            return self._load()

    def prompt(self, model: Any) -> str | None:
        """The hotwords as the model's tokenizer fits them, or None when there are none."""
        if self._prompt is None:
            tokenizer = model.hf_tokenizer
            self._prompt = fit_prompt(
                self.hotwords, lambda text: len(tokenizer.encode(" " + text).ids), HOTWORD_TOKENS
            )
        return self._prompt or None

    def _options(self, model: Any, temperatures: tuple[float, ...]) -> dict[str, Any]:
        return {
            "language": self.language,
            "word_timestamps": True,
            "beam_size": self.beam_size,
            "condition_on_previous_text": False,  # a loop must not feed the next window
            "temperature": temperatures,
            "compression_ratio_threshold": self.compression_ratio_threshold,
            "log_prob_threshold": self.log_prob_threshold,
            "repetition_penalty": self.repetition_penalty,
            "hotwords": self.prompt(model),
            "vad_filter": True,
            "vad_parameters": VAD_PARAMETERS,
            # The no-speech threshold would also drop real 8 kHz phone speech; VAD does its job.
            "no_speech_threshold": None,
        }

    def _failed(self, segment: Any) -> bool:
        """Whether faster-whisper would have fallen back to a higher temperature here."""
        cr, lp = self.compression_ratio_threshold, self.log_prob_threshold
        too_repetitive = cr is not None and segment.compression_ratio > cr
        too_unsure = lp is not None and segment.avg_logprob < lp
        return bool(too_repetitive or too_unsure)

    def _decode(self, model: Any, audio: Any, source: str) -> list[Any]:
        """The window's segments: greedy first, the seeded fallback pass if a stretch failed."""
        segments, _info = model.transcribe(audio, **self._options(model, (0.0,)))
        greedy = list(segments)
        if len(self.temperatures) == 1 or not any(self._failed(s) for s in greedy):
            return greedy
        log.info("speech: whisper fallback pass for %s (a loop or an unsure stretch)", source)
        private = self._seeded()
        try:
            segments, _info = private.transcribe(audio, **self._options(private, self.temperatures))
            return list(segments)
        finally:
            del private

    def transcribe(self, path: Path, *, channel: int | None = None) -> Recognition:
        """Words of ``path`` (one channel if given) with start, end and probability."""
        import numpy as np  # comes with faster-whisper

        duration = probe(path).duration
        model = self._loaded()
        words: list[Word] = []
        offset = 0.0
        blocks = pcm_blocks(path, rate=RATE, channel=channel, block_seconds=self.window_seconds)
        with closing(blocks):  # stops sox at once if recognition fails
            for block in blocks:
                audio = np.frombuffer(block, dtype="<i2").astype(np.float32) / 32768.0
                segments = self._decode(model, audio, path.name)
                window_end = offset + len(block) / (RATE * SAMPLE_BYTES)
                for segment in segments:
                    words += _words(segment.words or (), offset, min(window_end, duration))
                offset = window_end
        kept = without_loops(words, engine=self.name, source=path.name)
        # Named now, not when built: ``current`` may have been switched to another model since.
        label = self.model_name or model_label(self.model_dir)
        return Recognition(kept, self.language, self.name, label, duration)


def _words(items: Any, offset: float, limit: float) -> list[Word]:
    words = []
    for item in items:
        text = str(item.word).strip(_PUNCTUATION)
        if not text:
            continue
        start = min(offset + float(item.start), limit)
        end = min(max(offset + float(item.end), start), limit)
        confidence = min(max(float(item.probability), 0.0), 1.0)
        words.append(Word(text, start, end, confidence))
    return words
