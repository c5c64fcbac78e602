"""pcaps of RTP that SIPp's play_pcap_audio sends: speech from a WAV file (PCMA, 20 ms frames)
and keypad presses as RFC 4733 telephone events."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

FRAME = 160  # 20 ms at 8 kHz, one byte per A-law sample
PT_PCMA = 8


def wav_to_pcap(wav: Path, pcap: Path) -> int:
    """Write ``pcap`` with the audio of ``wav`` as A-law RTP; returns the number of packets."""
    if not shutil.which("sox"):
        raise RuntimeError("sox is missing: apt-get install -y sox")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "audio.al"
        subprocess.run(
            ["sox", "-R", str(wav), "-t", "raw", "-e", "a-law", "-r", "8000", "-c", "1", str(raw)],
            check=True,
            capture_output=True,
        )
        payload = raw.read_bytes()
    frames = [payload[i : i + FRAME] for i in range(0, len(payload), FRAME)]
    frames = [f.ljust(FRAME, b"\xd5") for f in frames]
    with pcap.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for seq, frame in enumerate(frames):
            rtp = struct.pack("!BBHII", 0x80, PT_PCMA, seq & 0xFFFF, seq * FRAME, 0x1C1C0001)
            packet = _ethernet_ipv4_udp(rtp + frame)
            usec = seq * 20_000
            out.write(
                struct.pack("<IIII", usec // 1_000_000, usec % 1_000_000, len(packet), len(packet))
            )
            out.write(packet)
    count = len(frames)
    return count


def audio_seconds(pcap: Path) -> float:
    """How long the speech in a pcap of :func:`wav_to_pcap` lasts (20 ms per packet)."""
    data = pcap.read_bytes()
    offset, packets = 24, 0
    while offset + 16 <= len(data):
        (length,) = struct.unpack_from("<I", data, offset + 8)
        offset += 16 + length
        packets += 1
    return packets * FRAME / 8000


DTMF_KEYS = "0123456789*#"
PT_EVENT = 101


def dtmf_pcap(key: str, pcap: Path, order: int = 0) -> Path:
    """Write ``pcap`` with one press of ``key`` (160 ms) as RFC 4733 events; returns ``pcap``.

    ``order`` numbers the presses of one call: each press gets later sequence numbers and
    timestamps, so Asterisk does not take a second press for a repeat of the first (which it
    does with the stock SIPp DTMF pcaps, as they were captured separately).
    """
    if len(key) != 1 or key not in DTMF_KEYS:
        raise ValueError(f"not a keypad key: {key!r}")
    event, seq0, ts0 = DTMF_KEYS.index(key), 20_000 + order * 40, 800_000 + order * 16_000
    packets = []
    for i in range(8):
        packets.append((seq0 + i, bool(i == 0), False, (i + 1) * 160))
    packets += [(seq0 + 8, False, True, 1280)] * 3  # the end packet, sent three times
    with pcap.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for n, (seq, marker, end, duration) in enumerate(packets):
            rtp = struct.pack(
                "!BBHII", 0x80, PT_EVENT | (0x80 if marker else 0), seq, ts0, 0x1C1C0002 + order
            )
            payload = struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)
            packet = _ethernet_ipv4_udp(rtp + payload)
            usec = n * 20_000
            out.write(
                struct.pack("<IIII", usec // 1_000_000, usec % 1_000_000, len(packet), len(packet))
            )
            out.write(packet)
    return pcap


def _ethernet_ipv4_udp(payload: bytes) -> bytes:
    udp = struct.pack("!HHHH", 6000, 6002, 8 + len(payload), 0) + payload
    total = 20 + len(udp)
    header = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        total,
        0,
        0,
        64,
        17,
        0,
        bytes([127, 0, 0, 1]),
        bytes([127, 0, 0, 1]),
    )
    checksum = _ip_checksum(header)
    header = header[:10] + struct.pack("!H", checksum) + header[12:]
    return b"\x00" * 12 + b"\x08\x00" + header + udp


def _ip_checksum(header: bytes) -> int:
    total: int = sum(struct.unpack("!10H", header))
    total = (total & 0xFFFF) + (total >> 16)
    total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF
