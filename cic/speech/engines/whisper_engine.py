"""The faster-whisper engine (optional): a Whisper model converted for CTranslate2, on the CPU.

Audio is read through sox at 16 kHz in windows of ``window_seconds`` (ten minutes by default),
each decoded with word timestamps and shifted by the window's start, so a long call never sits
in memory whole. Language is fixed ("pl" by default) rather than detected. Silero VAD (shipped
inside faster-whisper) skips the silence, which phone calls have plenty of.
"""

from __future__ import annotations

import threading
from contextlib import closing
from pathlib import Path
from typing import Any

from cic.speech.engines.audio import SAMPLE_BYTES, pcm_blocks, probe
from cic.speech.models import Word
from cic.speech.repetition import without_loops
from cic.speech.stt import EngineUnavailable, ModelError, Recognition, SpeechError

RATE = 16000
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
    ) -> None:
        """Check the model directory now; the model itself loads on first use."""
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

    def _loaded(self) -> Any:
        key = (self.model_dir.resolve(), self.compute_type, self.cpu_threads)
        with _models_lock:
            if key not in _models:
                from faster_whisper import WhisperModel

                try:
                    _models[key] = WhisperModel(
                        str(key[0]),
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
            return _models[key]

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
                segments, _info = model.transcribe(
                    audio,
                    language=self.language,
                    word_timestamps=True,
                    beam_size=self.beam_size,
                    condition_on_previous_text=False,
                    # Greedy at temperature 0 only: the same recording always gives the same
                    # transcript (jobs are retried; sampled fallbacks varied run to run). The
                    # mild repetition penalty breaks Whisper's loops ("użąc miny, użąc miny,
                    # ...") on synthetic and phone-band speech that temperature 0 alone fell into.
                    temperature=0.0,
                    repetition_penalty=self.repetition_penalty,
                    # Silero VAD drops silence (no hallucinated text in pauses); the no-speech
                    # threshold would also drop real 8 kHz phone speech, so it is off.
                    vad_filter=True,
                    no_speech_threshold=None,
                )
                window_end = offset + len(block) / (RATE * SAMPLE_BYTES)
                for segment in segments:
                    words += _words(segment.words or (), offset, min(window_end, duration))
                offset = window_end
        kept = without_loops(words, engine=self.name, source=path.name)
        return Recognition(kept, self.language, self.name, self.model_dir.name, duration)


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
