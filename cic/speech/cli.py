"""``cic speech install-model``: install a speech model from a URL, an archive or a directory.

::

    cic speech install-model https://example.org/vosk-model-small-pl-0.22.zip \\
        --sha256 <64 hex digits> --engine vosk

The model goes to ``<state_dir>/models/<engine>/<name>-<sha8>`` and ``…/<engine>/current``
is switched to it (see :mod:`cic.speech.model_store`); ``speech.stt.model_dir`` should point at
that ``current`` link, so the next transcription uses the new model without a restart.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from cic.config import Settings
from cic.errors import CommandError
from cic.speech.model_store import InstallError, ModelEngine, install_model


def add_parser(sub: Any) -> None:
    """The ``speech`` subcommand and its actions."""
    speech = sub.add_parser("speech", help="rozpoznawanie mowy: instalacja modeli")
    ssub = speech.add_subparsers(dest="action", required=True)
    install = ssub.add_parser(
        "install-model",
        help="instaluje model z adresu URL, archiwum (.zip, .tar.gz) lub katalogu",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    install.add_argument("source", help="adres http(s), plik .zip/.tar.gz/.tgz albo katalog")
    install.add_argument("--sha256", required=True, help="suma kontrolna SHA-256 źródła")
    install.add_argument("--engine", choices=("whisper", "vosk"), default=None)
    install.add_argument("--name", default=None, help="nazwa modelu (domyślnie z nazwy pliku)")
    install.add_argument(
        "--models-dir", default=None, help="katalog modeli (domyślnie <state_dir>/models/<silnik>)"
    )


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        """``label`` starts the line; ``stream`` is stderr unless given."""
        self.label = label
        self.stream = stream or sys.stderr
        self._drawn = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        """Redraw for ``done`` of ``total`` bytes."""
        now = time.monotonic()
        if now - self._drawn < 0.1 and done != total:
            return
        self._drawn = now
        mb = done / 1e6
        if total:
            filled = int(30 * done / total)
            bar = "#" * filled + "." * (30 - filled)
            line = f"{self.label} [{bar}] {100 * done // total:3d}% {mb:.1f}/{total / 1e6:.1f} MB"
        else:
            line = f"{self.label} {mb:.1f} MB"
        self.stream.write("\r" + line)
        self.stream.flush()

    def close(self) -> None:
        """End the line."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()


def run(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """Install the model; a CommandError carries the Polish reason (the old model stays)."""
    configured_engine = str(settings.speech.stt.get("engine", "")).lower()
    engine: ModelEngine | None = args.engine
    if engine is None and configured_engine in ("whisper", "faster-whisper"):
        engine = "whisper"
    elif engine is None and configured_engine == "vosk":
        engine = "vosk"
    if args.models_dir:
        models_dir = Path(args.models_dir)
    elif engine:
        models_dir = Path(settings.state_dir) / "models" / engine
    else:
        raise CommandError("Podaj --engine whisper|vosk albo --models-dir.")
    bar = ProgressBar("Pobieranie" if "://" in args.source else "Kopiowanie")
    try:
        done = install_model(
            args.source, args.sha256, models_dir, engine=engine, name=args.name, progress=bar
        )
    except InstallError as exc:
        bar.close()
        raise CommandError(exc.message) from exc
    except KeyboardInterrupt:
        bar.close()
        raise CommandError("Przerwano instalację modelu; obecny model działa dalej.") from None
    bar.close()
    configured = str(settings.speech.stt.get("model_dir", ""))
    result: dict[str, Any] = {
        "name": f"{done.name}-{done.sha256[:8]}",
        "engine": done.engine,
        "directory": str(done.directory),
        "current": str(done.current),
        "previous": str(done.previous) if done.previous else None,
    }
    if Path(configured) != done.current:
        result["uwaga"] = (
            f"Ustaw speech.stt.model_dir: {done.current} (i speech.stt.engine: {done.engine}), "
            "aby rozpoznawanie mowy używało tego modelu."
        )
    return result
