"""The council report as PDF: the report's HTML printed by the machine's headless Chromium
(``chromium --headless --print-to-pdf``), in a temporary folder, with no network and a time
limit. The HTML carries its stylesheet inline (a local file, no request is made); without
Chromium the PDF is refused with :class:`PdfUnavailable` and the printable page stays.
:class:`Printer` prints one page at a time and keeps the last few PDFs by the page's hash, so
asking again for the same report does not start the browser again."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import tempfile
from collections import OrderedDict
from pathlib import Path

from cic.dashboard.errors import PdfUnavailable

BROWSERS = ("chromium", "chromium-browser")
FLAGS = (
    "--headless", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--no-pdf-header-footer", "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)  # fmt: skip
TIMEOUT = 60.0


def flags() -> tuple[str, ...]:
    """Chromium's flags: no network, and its sandbox unless cic runs as root (Chromium refuses
    to start as root with the sandbox on). The page's own policy allows no script
    (``wskazniki_raport_pdf.html``); ``--blink-settings=scriptEnabled=false`` would do the
    same but stops ``--print-to-pdf`` from writing anything."""
    return (*FLAGS, "--no-sandbox") if os.geteuid() == 0 else FLAGS


def browser() -> str | None:
    """The path of the Chromium to print with, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


async def print_pdf(page: str, limit_seconds: float = TIMEOUT) -> bytes:
    """``page`` (a whole HTML document, styles inline) printed to A4 PDF bytes."""
    program = browser()
    if program is None:
        raise PdfUnavailable()
    with tempfile.TemporaryDirectory(prefix="cic-raport-") as folder:
        where = Path(folder)
        source, target = where / "raport.html", where / "raport.pdf"
        source.write_text(page, encoding="utf-8")
        process = await asyncio.create_subprocess_exec(
            program, *flags(), f"--user-data-dir={where / 'profil'}",
            f"--print-to-pdf={target}", source.as_uri(),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await asyncio.wait_for(process.wait(), limit_seconds)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise PdfUnavailable() from None
        if not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable()
        return target.read_bytes()


class Printer:
    """Prints reports one at a time, keeping the ``keep`` newest PDFs by their page's hash."""

    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self.lock = asyncio.Lock()
        self.kept: OrderedDict[str, bytes] = OrderedDict()

    async def pdf(self, page: str) -> bytes:
        """``page`` as PDF: a kept one when the same page was printed lately."""
        key = hashlib.sha256(page.encode("utf-8")).hexdigest()
        async with self.lock:
            if key in self.kept:
                self.kept.move_to_end(key)
                return self.kept[key]
            body = await print_pdf(page)
            self.kept[key] = body
            while len(self.kept) > self.keep:
                self.kept.popitem(last=False)
            return body
