"""Run SIPp as a resident (UAC) or an agent's phone (UAS) in the background."""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


class SippError(RuntimeError):
    """SIPp is missing or failed; the message carries its error log."""


@dataclass
class Sipp:
    """One SIPp process playing a generated scenario.

    ``target`` is Asterisk's SIP address; ``service`` the number dialled (UAC only);
    ``calls`` how many calls a UAC places (UAS: 0 = answer until stopped).
    """

    scenario_xml: str
    local_port: int
    media_port: int
    target: str = "127.0.0.1:5060"
    service: str = ""
    calls: int = 1
    rate: float = 1.0
    max_concurrent: int = 0
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cic-sipp-")))
    proc: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        """The sipp command line."""
        sipp = shutil.which("sipp")
        if not sipp:
            raise SippError("sipp is missing: apt-get install -y sip-tester")
        xml = self.workdir / "scenario.xml"
        xml.write_text(self.scenario_xml, encoding="utf-8")
        argv = [
            sipp, "-sf", str(xml), "-i", "127.0.0.1", "-p", str(self.local_port),
            "-mi", "127.0.0.1", "-mp", str(self.media_port), "-nostdin",
            "-trace_err", "-error_file", str(self.workdir / "errors.log"),
            "-trace_stat", "-stf", str(self.workdir / "stats.csv"),
            "-timeout_error", "-max_recv_loops", "100",
        ]  # fmt: skip
        if self.service:
            argv += ["-s", self.service, self.target]
        if self.calls:
            argv += ["-m", str(self.calls), "-r", str(self.rate), "-rp", "1000"]
        if self.max_concurrent:
            argv += ["-l", str(self.max_concurrent)]
        return argv

    def start(self) -> Sipp:
        """Start SIPp in the background."""
        log = (self.workdir / "sipp.out").open("wb")
        self.proc = subprocess.Popen(
            self.argv(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            cwd=self.workdir, start_new_session=True,
        )  # fmt: skip
        time.sleep(0.2)
        if self.proc.poll() not in (None, 0):
            raise SippError(f"sipp exited at once ({self.proc.returncode}): {self.errors()}")
        return self

    def running(self) -> bool:
        """True while SIPp is still placing or taking its calls."""
        return self.proc is not None and self.proc.poll() is None

    def wait(self, timeout: float) -> int:
        """Wait for SIPp to finish its calls; returns its exit code (0: every call succeeded)."""
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise SippError(f"sipp still running after {timeout} s: {self.errors()}") from None

    def stop(self) -> None:
        """Stop SIPp (agents' phones run until stopped)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGUSR1)
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=3)

    def errors(self) -> str:
        """SIPp's error log and output tail, for failure messages."""
        texts = []
        for name in ("errors.log", "sipp.out"):
            path = self.workdir / name
            if path.exists():
                texts.append(path.read_text(errors="replace")[-1500:])
        return "\n".join(texts)
