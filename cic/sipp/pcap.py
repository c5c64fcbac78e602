"""Turn a WAV file into a pcap of RTP (PCMA, 20 ms frames) that SIPp's play_pcap_audio sends."""

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
            ["sox", str(wav), "-t", "raw", "-e", "a-law", "-r", "8000", "-c", "1", str(raw)],
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
