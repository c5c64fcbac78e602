"""A remote agent's phone for tests: SIP over TLS (verified against the test's CA), digest
registration, and answering one call with SRTP keyed in the SDP (SDES).

Debian's SIPp is built without OpenSSL (``-t l1`` refuses), so this small client speaks
SIP itself over Python's ``ssl``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Message:
    """One SIP message: the first line, headers (names lower-cased, first value) and body."""

    first: str
    headers: dict[str, list[str]]
    body: str

    def header(self, name: str) -> str:
        """The first value of header ``name`` (empty when absent)."""
        return self.headers.get(name.lower(), [""])[0]


@dataclass
class TlsPhone:
    """One registration of ``user`` with ``password`` at ``host:port`` over TLS."""

    host: str
    port: int
    user: str
    password: str
    ca_file: Path
    received: list[Message] = field(default_factory=list)
    #: Sizes of the media packets Asterisk sent to the answered call's audio port.
    media_sizes: list[int] = field(default_factory=list)
    _buffer: bytes = b""

    def __post_init__(self) -> None:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        raw = socket.create_connection((self.host, self.port), timeout=10)
        self.sock = context.wrap_socket(raw, server_hostname="localhost")
        self.local_port = self.sock.getsockname()[1]
        self.call_id = secrets.token_hex(8)
        self.tag = secrets.token_hex(4)
        self.media = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.media.bind(("127.0.0.1", 0))
        self.media.settimeout(0.5)
        self._listening = True
        threading.Thread(target=self._count_media, daemon=True).start()

    def _count_media(self) -> None:
        while self._listening:
            try:
                self.media_sizes.append(len(self.media.recv(2048)))
            except TimeoutError:
                continue
            except OSError:
                return

    # --- wire ---
    def send(self, text: str) -> None:
        """Send one message (``\\n`` line ends become CRLF)."""
        self.sock.sendall(text.replace("\r\n", "\n").replace("\n", "\r\n").encode())

    def receive(self, timeout: float) -> Message:
        """The next message from Asterisk (``TimeoutError`` after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self._buffer:
            self._read(deadline)
        head, _, rest = self._buffer.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        length = int(headers.get("content-length", ["0"])[0])
        while len(rest) < length:
            self._read(deadline)
            rest = self._buffer.partition(b"\r\n\r\n")[2]
        self._buffer = rest[length:]
        message = Message(lines[0], headers, rest[:length].decode())
        self.received.append(message)
        return message

    def _read(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no SIP message from Asterisk in time")
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("Asterisk closed the TLS connection")
        self._buffer += chunk

    # --- registration ---
    def register(self, timeout: float = 10) -> Message:
        """REGISTER, answer the digest challenge; the final response."""
        response = self._register(1, "")
        if response.first.startswith("SIP/2.0 401"):
            response = self._register(2, self._authorization(response))
        while response.first.startswith("SIP/2.0 1"):
            response = self.receive(timeout)
        return response

    def _register(self, cseq: int, authorization: str) -> Message:
        uri = f"sip:{self.host}:{self.port}"
        self.send(
            f"REGISTER {uri} SIP/2.0\n"
            f"Via: SIP/2.0/TLS 127.0.0.1:{self.local_port};rport;"
            f"branch=z9hG4bK{secrets.token_hex(6)}\n"
            f"Max-Forwards: 70\nFrom: <sip:{self.user}@{self.host}>;tag={self.tag}\n"
            f"To: <sip:{self.user}@{self.host}>\nCall-ID: {self.call_id}\nCSeq: {cseq} REGISTER\n"
            f"Contact: <sip:{self.user}@127.0.0.1:{self.local_port};transport=tls>\nExpires: 300\n"
            f"{authorization}Content-Length: 0\n\n"
        )
        return self.receive(10)

    def _authorization(self, challenge: Message) -> str:
        offer = next(c for c in challenge.headers["www-authenticate"] if "MD5" in c.upper())
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', offer))
        uri = f"sip:{self.host}:{self.port}"

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5(f"{self.user}:{fields['realm']}:{self.password}")
        ha2 = md5(f"REGISTER:{uri}")
        cnonce, nc = secrets.token_hex(4), "00000001"
        response = md5(f"{ha1}:{fields['nonce']}:{nc}:{cnonce}:auth:{ha2}")
        opaque = f', opaque="{fields["opaque"]}"' if "opaque" in fields else ""
        return (
            f'Authorization: Digest username="{self.user}", realm="{fields["realm"]}", '
            f'nonce="{fields["nonce"]}", uri="{uri}", response="{response}", algorithm=MD5, '
            f'qop=auth, nc={nc}, cnonce="{cnonce}"{opaque}\n'
        )

    # --- a call ---
    def answer(self, timeout: float, srtp: bool = True) -> Message:
        """Wait for an INVITE (answering other requests with 200), answer it with SRTP (SDES)
        in the SDP (``srtp=False``: plain RTP) and take the ACK; returns the INVITE."""
        invite = self._next_request("INVITE", timeout)
        offer = invite.body
        payload = re.search(r"^m=audio \d+ [\w/]+ (\d+)", offer, re.M)
        crypto = re.search(r"^a=crypto:(\d+) (\S+) ", offer, re.M)
        answer_sdp = (
            "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
            f"m=audio {self.media.getsockname()[1]} RTP/{'SAVP' if srtp else 'AVP'} "
            f"{payload.group(1) if payload else 0}\n"
        )
        if crypto and srtp:
            key = base64.b64encode(secrets.token_bytes(30)).decode()
            answer_sdp += f"a=crypto:{crypto.group(1)} {crypto.group(2)} inline:{key}\n"
        answer_sdp += "a=sendrecv\n"
        self._reply(invite, "200 OK", answer_sdp)
        self._next_request("ACK", 10)
        return invite

    def hang_up_when_asked(self, timeout: float) -> Message:
        """Wait for Asterisk's BYE and confirm it."""
        return self._next_request("BYE", timeout)

    def _next_request(self, method: str, timeout: float) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            message = self.receive(max(0.1, deadline - time.monotonic()))
            if message.first.startswith(f"{method} "):
                if method != "ACK" and method != "INVITE":
                    self._reply(message, "200 OK")
                return message
            if not message.first.startswith("SIP/2.0") and not message.first.startswith("ACK "):
                self._reply(message, "200 OK")

    def _reply(self, request: Message, status: str, sdp: str = "") -> None:
        vias = "".join(f"Via: {v}\n" for v in request.headers.get("via", []))
        to = request.header("to")
        if ";tag=" not in to:
            to += f";tag={self.tag}"
        body = sdp.replace("\n", "\r\n")
        kind = "Content-Type: application/sdp\n" if sdp else ""
        self.send(
            f"SIP/2.0 {status}\n{vias}From: {request.header('from')}\nTo: {to}\n"
            f"Call-ID: {request.header('call-id')}\nCSeq: {request.header('cseq')}\n"
            f"Contact: <sip:{self.user}@127.0.0.1:{self.local_port};transport=tls>\n"
            f"{kind}Content-Length: {len(body)}\n\n"
        )
        self.sock.sendall(body.encode())

    def close(self) -> None:
        """Close the TLS connection (Asterisk drops the registration's flow) and the audio port."""
        self._listening = False
        self.sock.close()
        self.media.close()
