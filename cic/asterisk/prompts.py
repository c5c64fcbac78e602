"""Polish voice prompts, generated at install time with espeak-ng and sox.

Asterisk ships no Polish sounds. Each prompt is synthesised once (8 kHz, mono, 16-bit WAV, like a
phone line) and regenerated only when its text changes. An office replaces a prompt by putting a
recorded file of the same name (``notice-optout.wav``, ...) in ``office.prompts_dir``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from cic.config import OfficeSettings

# The prompt a department menu choice plays when that department is closed.
DEPARTMENT_CLOSED_PROMPT = "department-closed"
NO_MENU = "Proszę czekać na połączenie."


class PromptError(RuntimeError):
    """A prompt could not be generated; the message names the tool that failed."""


def prompt_texts(
    office: OfficeSettings, callback_key: str = "5", menu: str = "",
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:  # fmt: skip
    """The text of every prompt the dialplan plays, in Polish; ``menu`` is the department
    menu's sentence (the routing domain words it, ``cic.routing.menu.spoken_menu``);
    ``extra`` the prompts a domain words itself (subscribing to warnings by phone)."""
    hello = f"Dzień dobry, {office.name}."
    return {
        "welcome": f"{hello} Proszę czekać na połączenie.",
        "notice-always": f"{hello} Rozmowa jest nagrywana.",
        "notice-optout": (
            f"{hello} Rozmowa jest nagrywana. "
            "Aby rozmawiać bez nagrywania, proszę nacisnąć dowolny klawisz."
        ),
        "notice-optin": f"{hello} Aby zgodzić się na nagrywanie rozmowy, proszę nacisnąć jeden.",
        "norecord-confirm": "Rozmowa nie będzie nagrywana.",
        "closed": (
            "Urząd jest teraz nieczynny. Zapraszamy w godzinach pracy. "
            "Aby zostawić wiadomość, proszę nacisnąć jeden."
        ),
        "message-beep": "Proszę mówić po sygnale.",
        "goodbye": "Dziękujemy, do widzenia.",
        "no-such-number": "Wybrany numer nie istnieje.",
        "menu": menu or NO_MENU,
        **CASE_STATUS_TEXTS,
        DEPARTMENT_CLOSED_PROMPT: (
            "Wybrany wydział jest teraz nieczynny. Łączymy z punktem obsługi mieszkańców."
        ),
        **callback_texts(callback_key),
        **NOTIFY_TEXTS,
        **{f"digit-{d}": word for d, word in enumerate(DIGITS)},
        **(extra or {}),
    }


CASE_STATUS_TEXTS = {
    "case-number": "Proszę wpisać numer sprawy z potwierdzenia i nacisnąć krzyżyk.",
    "case-pin": "Proszę wpisać sześciocyfrowy kod PIN.",
    "case-wrong": "Nie znaleziono sprawy o tym numerze i kodzie PIN.",
    "case-locked": (
        "Zbyt wiele błędnych prób. Stan sprawy można sprawdzić później albo u konsultanta."
    ),
    "case-more": "Aby porozmawiać z konsultantem, proszę nacisnąć zero.",
}


#: Warnings by phone call (dialplan/notify.conf.j2): the question after the message, the thanks.
NOTIFY_TEXTS = {
    "notify-confirm": "Aby potwierdzić, że wiadomość dotarła, naciśnij 1.",
    "notify-thanks": "Dziękujemy za potwierdzenie. Do widzenia.",
}


DIGITS = ("zero", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem", "dziewięć")
_KEY_WORDS = {str(d): word for d, word in enumerate(DIGITS)} | {"*": "gwiazdkę", "#": "krzyżyk"}


def callback_texts(key: str) -> dict[str, str]:
    """The prompts of "callback instead of waiting" (``key`` leaves the queue)."""
    word = _KEY_WORDS.get(key, key)
    return {
        "callback-offer": (f"Jeśli nie chcą Państwo czekać, oddzwonimy. Proszę nacisnąć {word}."),
        "callback-number": "Oddzwonimy na numer",
        "callback-confirm": (
            "Aby potwierdzić, proszę nacisnąć jeden. Aby podać inny numer, proszę nacisnąć dwa."
        ),
        "callback-enter": "Proszę wpisać numer telefonu i nacisnąć krzyżyk.",
        "callback-bad-number": "Na ten numer nie możemy oddzwonić.",
        "callback-registered": (
            "Dziękujemy. Oddzwonimy, gdy tylko konsultant będzie wolny. Do widzenia."
        ),
        "callback-back": "Wracamy do kolejki. Proszę czekać na połączenie.",
    }


def generate(
    office: OfficeSettings, target: Path, callback_key: str = "5", menu: str = "",
    extra: Mapping[str, str] | None = None,
) -> list[str]:  # fmt: skip
    """Make every prompt in ``target`` (``menu`` and ``extra`` as in :func:`prompt_texts`);
    returns the names (re)generated or copied."""
    target.mkdir(parents=True, exist_ok=True)
    done: list[str] = []
    override = Path(office.prompts_dir) if office.prompts_dir else None
    for name, text in prompt_texts(office, callback_key, menu, extra).items():
        wav, stamp = target / f"{name}.wav", target / f"{name}.txt"
        if override and (override / f"{name}.wav").is_file():
            shutil.copyfile(override / f"{name}.wav", wav)
            stamp.write_text("office recording\n", encoding="utf-8")
            done.append(name)
            continue
        if wav.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == text:
            continue
        # Digits are read out one after another: no silence around them.
        synthesize(text, wav, beep=name == "message-beep", tight=name.startswith("digit-"))
        stamp.write_text(text, encoding="utf-8")
        done.append(name)
    return done


def synthesize(
    text: str, wav: Path, *, beep: bool = False, voice: str = "pl", tight: bool = False
) -> None:
    """Speak ``text`` into an 8 kHz mono 16-bit WAV (optionally followed by a beep)."""
    for tool in ("espeak-ng", "sox"):
        if not shutil.which(tool):
            raise PromptError(f"{tool} is missing: apt-get install -y espeak-ng sox")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        _run(["espeak-ng", "-v", voice, "-s", "165", "-w", str(raw), "--", text])
        parts = [str(raw)]
        if beep:
            tone = Path(tmp) / "beep.wav"
            _run(
                [
                    "sox",
                    "-R",
                    "-n",
                    "-r",
                    "22050",
                    "-c",
                    "1",
                    str(tone),
                    "synth",
                    "0.4",
                    "sine",
                    "1000",
                ]
            )
            parts.append(str(tone))
        trim = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%",
                "reverse", "pad", "0", "0.12"] if tight else []  # fmt: skip
        _run(["sox", "-R", *parts, "-r", "8000", "-c", "1", "-b", "16", str(wav), *trim])


def hold_music(target: Path) -> Path:
    """A calm synthetic hold tune for the queue (no licensed music needed)."""
    target.mkdir(parents=True, exist_ok=True)
    out = target / "cic-hold.wav"
    if not out.exists():
        notes = ["sine 523", "sine 659", "sine 784", "sine 659"]
        with tempfile.TemporaryDirectory() as tmp:
            parts = []
            for i, note in enumerate(notes):
                part = Path(tmp) / f"{i}.wav"
                _run(
                    [
                        "sox",
                        "-R",
                        "-n",
                        "-r",
                        "8000",
                        "-c",
                        "1",
                        "-b",
                        "16",
                        str(part),
                        "synth",
                        "0.6",
                        *note.split(),
                        "vol",
                        "0.2",
                        "fade",
                        "0.05",
                        "0.6",
                        "0.1",
                    ]
                )
                parts.append(str(part))
            _run(["sox", "-R", *parts, str(out), "repeat", "4"])
    return out


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PromptError(f"{argv[0]} failed: {result.stderr.strip()[:500]}")


def spoken_file(text: str, host_dir: Path, name: str, keep_seconds: float = 3600.0) -> Path:
    """Speak ``text`` into ``host_dir/<name>.wav`` for one call (e.g. a case's status) and
    remove such files older than ``keep_seconds``: they may hold personal data.

    ``name`` must be letters, digits, ``.``, ``-`` or ``_`` (a call id), nothing else.
    """
    if not name or not all(c.isascii() and (c.isalnum() or c in ".-_") for c in name):
        raise PromptError(f"bad spoken file name {name!r}")
    host_dir.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in host_dir.glob("*.wav"):
        if now - old.stat().st_mtime > keep_seconds:
            old.unlink(missing_ok=True)
    out = host_dir / f"{name}.wav"
    synthesize(text, out)
    return out
