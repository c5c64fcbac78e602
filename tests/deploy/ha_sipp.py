"""SIPp for the failover test: residents calling through Kamailio, an agent's phone
registering through it. Each resident's call has its own caller number (``48600<n>``), so
every call SIPp placed can be found in the call register by its number.

SIPp's ``-trace_msg`` log is parsed for what happened to each call: answered (and by which
node, from the ``Contact`` of the 200 OK) or not, and when.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CALLER_PREFIX = "48600"

RESIDENT_XML = """<?xml version="1.0" encoding="UTF-8"?>
<scenario name="cic ha resident">
  <send retrans="500" start_rtd="answer"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Mieszkaniec" <sip:%(prefix)s[call_number]@[local_ip]:[local_port]>;tag=[pid]ha[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:%(prefix)s[call_number]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 0
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true" rtd="answer"/>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[last_From:]
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:%(prefix)s[call_number]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
]]></send>
  <recv request="BYE" timeout="%(hold_ms)d" ontimeout="hangup"/>
  <send next="end"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>
  <label id="hangup"/>
  <send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[last_From:]
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0
]]></send>
  <recv response="200"/>
  <label id="end"/>
</scenario>
"""

REGISTER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<scenario name="cic ha agent phone">
  <send retrans="500"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[service]@[remote_ip]>;tag=[pid]reg[call_number]
To: <sip:[service]@[remote_ip]>
Call-ID: [call_id]
CSeq: 1 REGISTER
Contact: <sip:[service]@[local_ip]:[local_port]>
Expires: 60
Max-Forwards: 70
Content-Length: 0
]]></send>
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[service]@[remote_ip]>;tag=[pid]reg[call_number]
To: <sip:[service]@[remote_ip]>
Call-ID: [call_id]
CSeq: 2 REGISTER
Contact: <sip:[service]@[local_ip]:[local_port]>
[authentication username=%(username)s password=%(password)s]
Expires: 60
Max-Forwards: 70
Content-Length: 0
]]></send>
  <recv response="100" optional="true"/>
  <recv response="200"/>
</scenario>
"""


@dataclass
class SippRun:
    """One SIPp process in the host's namespace, bound to the bridge address."""

    name: str
    xml: str
    workdir: Path
    bind: str
    port: int
    target: str
    service: str
    calls: int
    rate: float
    period_ms: int = 1000
    extra: tuple[str, ...] = ()
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SippRun:
        """Start SIPp in the background."""
        sipp = shutil.which("sipp") or "sipp"
        self.workdir.mkdir(parents=True, exist_ok=True)
        xml = self.workdir / f"{self.name}.xml"
        xml.write_text(self.xml, encoding="utf-8")
        argv = [
            sipp, "-sf", str(xml), "-i", self.bind, "-p", str(self.port), "-mi", self.bind,
            "-mp", str(self.port + 2), "-s", self.service, "-m", str(self.calls),
            "-r", str(self.rate), "-rp", str(self.period_ms), "-nostdin",
            "-trace_msg", "-message_file", str(self.message_log),
            "-trace_err", "-error_file", str(self.workdir / f"{self.name}.errors"),
            "-trace_stat", "-stf", str(self.workdir / f"{self.name}.csv"),
            "-timeout_error", "-recv_timeout", "20000", *self.extra, self.target,
        ]  # fmt: skip
        log = (self.workdir / f"{self.name}.out").open("ab")
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        return self

    @property
    def message_log(self) -> Path:
        """SIPp's log of every message sent and received."""
        return self.workdir / f"{self.name}.messages"

    def wait(self, timeout: float) -> int | None:
        """Wait for SIPp to finish its calls; its exit status (``None``: still running)."""
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """Stop SIPp if it is still running."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGUSR1)  # SIPp's "quit now"
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def resident_xml(hold_seconds: int) -> str:
    """The residents' scenario: call, wait for 200, hold ``hold_seconds``, hang up (or take
    the node's BYE)."""
    return RESIDENT_XML % {"prefix": CALLER_PREFIX, "hold_ms": hold_seconds * 1000}


def register_xml(username: str, password: str) -> str:
    """The agent phone's REGISTER with digest authentication (SIPp's ``-s`` is ``username``)."""
    if not all(re.fullmatch(r"[A-Za-z0-9_-]+", v) for v in (username, password)):
        raise ValueError("an endpoint name and a generated SIP password are URL-safe")
    return REGISTER_XML % {"username": username, "password": password}


@dataclass(frozen=True)
class Answer:
    """A 200 OK to a resident's INVITE: which call (caller number), when, from which node,
    and when its INVITE was sent."""

    caller: str
    at: float
    node_address: str
    offered_at: float


_BLOCK = re.compile(
    r"^-{10,} (?P<stamp>[^\n]*)\n(?P<verb>[^\n]*)\n\n(?P<msg>.*?)(?=^-{10,} |\Z)", re.S | re.M
)
_STAMP = re.compile(r"(\d{4}-\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+)")


def answers(message_log: Path) -> list[Answer]:
    """Every 200 OK to an INVITE SIPp received, from its message trace, with the moment the
    call's first INVITE was sent."""
    text = message_log.read_text(errors="replace") if message_log.exists() else ""
    found, offered = [], {}
    for block in _BLOCK.finditer(text):
        msg, sent = block.group("msg"), "sent" in block.group("verb")
        caller = re.search(rf"^From:.*?sip:({CALLER_PREFIX}\d+)@", msg, re.M | re.I)
        stamp = _STAMP.search(block.group("stamp"))
        if not caller or not stamp:
            continue
        if sent and msg.startswith("INVITE "):
            offered.setdefault(caller.group(1), _epoch(stamp.group(1)))
            continue
        if sent or not msg.startswith("SIP/2.0 200"):
            continue
        if not re.search(r"^CSeq:\s*1 INVITE", msg, re.M | re.I):
            continue
        contact = re.search(r"^Contact:.*?sip:(?:[^@>]*@)?([0-9.]+)[:>;]", msg, re.M | re.I)
        if contact:
            at = _epoch(stamp.group(1))
            found.append(
                Answer(caller.group(1), at, contact.group(1), offered.get(caller.group(1), at))
            )
    return found


def _epoch(stamp: str) -> float:
    day, clock = stamp.split()
    whole, _, frac = clock.partition(".")
    return time.mktime(time.strptime(f"{day} {whole}", "%Y-%m-%d %H:%M:%S")) + float(f"0.{frac}")
