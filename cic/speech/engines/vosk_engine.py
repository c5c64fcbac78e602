"""The Vosk engine (the default): Kaldi models, streaming, word timestamps and confidence.

The recording is fed to the recognizer in blocks of ``chunk_seconds`` at the model's sample
rate (sox resamples 8 kHz phone audio, usually to 16 kHz), so long calls use little memory.
"""

from __future__ import annotations

import json
import re
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

from cic.speech.engines.audio import pcm_blocks, probe
from cic.speech.models import Word
from cic.speech.repetition import without_loops
from cic.speech.stt import EngineUnavailable, ModelError, Recognition, SpeechError, model_label

DEFAULT_RATE = 16000
# Tokens a Kaldi graph emits for noise and unknown words, e.g. "[unk]", "<unk>", "[9]".
_NOISE = re.compile(r"^(\[.*\]|<.*>)$")
# Loaded models by directory: engines (and worker threads) in one process share one copy.
_models: dict[Path, Any] = {}
_models_lock = threading.Lock()


def _model_rate(model_dir: Path) -> int:
    for conf in (model_dir / "conf" / "mfcc.conf", model_dir / "mfcc.conf"):
        if conf.is_file():
            found = re.search(r"--sample-frequency=(\d+)", conf.read_text(errors="replace"))
            return int(found.group(1)) if found else DEFAULT_RATE
    return DEFAULT_RATE


def check_vosk_model(model_dir: Path) -> None:
    """ModelError unless ``model_dir`` looks like a Vosk model (acoustic model and a graph)."""
    if not model_dir.is_dir():
        raise ModelError(
            f"Nie znaleziono katalogu modelu Vosk: {model_dir}.",
            f"Vosk model directory does not exist: {model_dir}",
        )
    has_am = (model_dir / "am" / "final.mdl").is_file() or (model_dir / "final.mdl").is_file()
    graphs = ("graph/HCLG.fst", "graph/HCLr.fst", "HCLG.fst", "HCLr.fst")
    if not has_am or not any((model_dir / g).is_file() for g in graphs):
        raise ModelError(
            f"Katalog {model_dir} nie zawiera modelu Vosk.",
            f"{model_dir} has no am/final.mdl or no graph (HCLG.fst / HCLr.fst): not a Vosk model",
        )


class VoskEngine:
    """Recognises recordings with a Vosk model; the model loads on first use and is reused."""

    name = "vosk"

    def __init__(
        self,
        model_dir: Path,
        *,
        language: str = "pl",
        chunk_seconds: float = 4.0,
        model_name: str = "",
    ) -> None:
        """Check the model directory now; ``chunk_seconds`` is how much audio one feed holds;
        ``model_name`` is what transcripts record (default: :func:`model_label`)."""
        try:
            import vosk  # noqa: F401
        except ImportError as exc:
            raise EngineUnavailable(
                "Brak pakietu vosk (pip install 'cic[stt]').", f"cannot import vosk: {exc}"
            ) from exc
        check_vosk_model(model_dir)
        if chunk_seconds <= 0:
            raise SpeechError("Nieprawidłowa długość porcji nagrania.", "chunk_seconds must be > 0")
        self.model_dir = model_dir
        self.language = language
        self.chunk_seconds = chunk_seconds
        self.sample_rate = _model_rate(model_dir)
        self.model_name = model_name

    def _loaded(self) -> Any:
        key = self.model_dir.resolve()
        with _models_lock:
            if key not in _models:
                import vosk

                vosk.SetLogLevel(-1)
                try:
                    _models[key] = vosk.Model(model_path=str(key))
                except Exception as exc:
                    raise ModelError(
                        f"Nie udało się wczytać modelu Vosk z {self.model_dir}.",
                        f"vosk.Model failed: {exc}",
                    ) from exc
            return _models[key]

    def transcribe(self, path: Path, *, channel: int | None = None) -> Recognition:
        """Words of ``path`` (one channel if given) with start, end and confidence."""
        import vosk

        duration = probe(path).duration
        recognizer = vosk.KaldiRecognizer(self._loaded(), float(self.sample_rate))
        recognizer.SetWords(True)
        words: list[Word] = []
        blocks = pcm_blocks(
            path, rate=self.sample_rate, channel=channel, block_seconds=self.chunk_seconds
        )
        with closing(blocks):  # stops sox at once if recognition fails
            for block in blocks:
                if recognizer.AcceptWaveform(block):
                    words += _words(recognizer.Result(), duration)
        words += _words(recognizer.FinalResult(), duration)
        kept = without_loops(words, engine=self.name, source=path.name)
        # Named now, not when built: ``current`` may have been switched to another model since.
        label = self.model_name or model_label(self.model_dir)
        return Recognition(kept, self.language, self.name, label, duration)


def _words(result_json: str, duration: float) -> list[Word]:
    result = json.loads(result_json)
    words = []
    for item in result.get("result", []):
        text = str(item.get("word", "")).strip()
        if not text or _NOISE.match(text):
            continue
        start = min(float(item["start"]), duration)
        end = min(max(float(item["end"]), start), duration)
        confidence = min(max(float(item.get("conf", 1.0)), 0.0), 1.0)
        words.append(Word(text, start, end, confidence))
    return words
