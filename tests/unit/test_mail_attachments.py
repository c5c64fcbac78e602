"""Attachments of incoming mail: safe names, types from magic bytes, the office's limits; a
refused attachment keeps its name, size and checksum but never its content."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from cic.mail.attachments import (
    MB,
    AttachmentGate,
    AttachmentLimits,
    format_mb,
    safe_filename,
)
from cic.mail.filetypes import detect_type
from cic.mail.parse import ParsedMail, parse_message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56


def parse(name: str) -> ParsedMail:
    return parse_message((FIXTURES / name).read_bytes())


def message_with(filename: str, content_type: str, data: bytes) -> bytes:
    encoded = base64.encodebytes(data)
    return (
        b"From: a@mieszkaniec.example\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\nx\n'
        b"--B\nContent-Type: " + content_type.encode() + b"\n"
        b'Content-Disposition: attachment; filename="' + filename.encode() + b'"\n'
        b"Content-Transfer-Encoding: base64\n\n" + encoded + b"--B--\n"
    )


def test_path_parts_are_stripped_and_rfc2231_names_decoded() -> None:
    mail = parse("attachment_names.eml")

    names = [a.filename for a in mail.attachments]
    assert names == [
        "passwd",
        "wniosek o wycięcie żółtej wierzby.pdf",
        "zaświadczenie o zameldowaniu.pdf",
    ]
    passwd, pdf, _ = mail.attachments
    assert passwd.rejected == "" and passwd.data == b"root:x:0:0:root:/root:/bin/sh"
    assert (pdf.content_type, pdf.detected_type, pdf.size) == (
        "application/pdf",
        "application/pdf",
        48,
    )
    assert pdf.sha256 == hashlib.sha256(PDF).hexdigest() and pdf.data == PDF


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\system32\\evil.dll", "evil.dll"),
        ("faktura\u202efdp.exe", "fakturafdp.exe"),
        ("a\x00b\x07c.txt", "abc.txt"),
        ("plik:strumien.txt", "plik_strumien.txt"),
        ("  ..  ", "zalacznik-3.pdf"),
        ("", "zalacznik-3.pdf"),
        ("/", "zalacznik-3.pdf"),
    ],
)
def test_safe_filename(given: str, expected: str) -> None:
    assert safe_filename(given, 3, "application/pdf") == expected


def test_long_filename_is_cut_keeping_its_extension() -> None:
    name = safe_filename("ż" * 500 + ".pdf", 1)

    assert len(name) <= 200 and name.endswith("ż.pdf")


def test_executable_renamed_pdf_is_refused_by_its_magic() -> None:
    mail = parse("exe_as_pdf.eml")

    exe, script = mail.attachments
    assert exe.filename == "faktura_12_2026.pdf"
    assert (exe.content_type, exe.detected_type) == ("application/pdf", "application/x-msdownload")
    assert (exe.rejected, exe.data) == ("plik wykonywalny", None)
    assert exe.size > 0 and len(exe.sha256) == 64
    assert (script.rejected, script.data) == ("niedozwolony rodzaj pliku (.js)", None)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "application/pdf"),
        (b"junk before\n" + PDF, "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0....", "image/jpeg"),
        (b"GIF89a....", "image/gif"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "application/x-ole-storage"),
        (b"PK\x03\x04" + b"\x00" * 40 + b"[Content_Types].xml word/document.xml", "application/"
         "vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/vnd.oasis.opendocument.text",
         "application/vnd.oasis.opendocument.text"),
        (b"PK\x03\x04" + b"\x00" * 40, "application/zip"),
        (PE, "application/x-msdownload"),
        (PE + b"%PDF-1.4", "application/x-msdownload"),
        (b"\x7fELF\x02\x01\x01", "application/x-executable"),
        (b"#!/bin/sh\nrm -rf /", "text/x-script"),
        (b'\xef\xbb\xbf<?xml version="1.0"?><ds:Signature/>', "application/xml"),
        (b'<?xml version="1.0"?><svg onload="x()"/>', "image/svg+xml"),
        (b"<!DOCTYPE html><script>", "text/html"),
        (b"zwykly tekst", ""),
    ],
)  # fmt: skip
def test_detect_type(data: bytes, kind: str) -> None:
    assert detect_type(data) == kind


@pytest.mark.parametrize(
    ("filename", "declared", "data", "reason"),
    [
        ("skan.pdf", "application/pdf", PDF, ""),
        ("podpis.xades", "application/octet-stream", b"<?xml version='1.0'?><x/>", ""),
        ("podpis.p7s", "application/octet-stream", b"\x30\x82\x01\x00", ""),
        ("dane.csv", "text/csv", b"a;b\n1;2\n", ""),
        ("wniosek.doc", "application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ""),
        ("setup.msi", "application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
         "niedozwolony rodzaj pliku (.msi)"),
        ("obraz.iso", "application/octet-stream", b"\x00" * 64, "niedozwolony rodzaj pliku (.iso)"),
        ("faktura.pdf.exe", "application/pdf", PDF, "niedozwolony rodzaj pliku (.exe)"),
        ("archiwum.zip", "application/zip", b"PK\x03\x04" + b"\x00" * 40,
         "niedozwolony typ (application/zip)"),
        ("strona.html", "text/html", b"<html><script>x</script>", "niedozwolony typ (text/html)"),
        ("rysunek.svg", "image/svg+xml", b"<svg onload='x()'/>",
         "niedozwolony typ (image/svg+xml)"),
        ("udawany.pdf", "application/pdf", b"not a pdf",
         "treść nie jest tym, czym się przedstawia (application/pdf)"),
        ("run.sh", "text/plain", b"#!/bin/sh\n", "plik wykonywalny"),
    ],
)  # fmt: skip
def test_kinds_allowed_and_refused(filename: str, declared: str, data: bytes, reason: str) -> None:
    admitted = AttachmentGate(AttachmentLimits()).admit(filename, declared, data, inline=False)

    assert admitted.rejected == reason
    assert (admitted.data is None) == bool(reason)
    assert admitted.sha256 == hashlib.sha256(data).hexdigest() and admitted.size == len(data)


def test_count_and_total_limits() -> None:
    gate = AttachmentGate(AttachmentLimits(max_bytes=10, max_total_bytes=15, max_count=3))

    first = gate.admit("a.txt", "text/plain", b"x" * 10, inline=False)
    second = gate.admit("b.txt", "text/plain", b"x" * 10, inline=False)
    third = gate.admit("c.txt", "text/plain", b"x" * 5, inline=False)
    fourth = gate.admit("d.txt", "text/plain", b"x", inline=False)

    assert first.rejected == ""
    assert second.rejected.startswith("przekroczony łączny limit załączników")
    assert third.rejected == ""
    assert fourth.rejected == "za dużo załączników (limit 3)"
    assert fourth.data is None and fourth.size == 1


@pytest.mark.parametrize(
    ("size", "text"), [(25 * MB, "25 MB"), (50 * MB, "50 MB"), (25 * MB + 1, "25,1 MB"),
                       (MB // 2, "0,5 MB")],
)  # fmt: skip
def test_format_mb(size: int, text: str) -> None:
    assert format_mb(size) == text


@pytest.fixture(scope="module")
def fifty_megabytes() -> bytes:
    # A realistic PDF of 50 MB: generated here, never committed. Parsing it takes the stdlib a
    # second or two, so it is built and parsed once for the module.
    return PDF + bytes(range(256)) * (50 * MB // 256 - 1)


def test_fifty_megabyte_attachment_is_refused_with_size_and_checksum(
    fifty_megabytes: bytes,
) -> None:
    mail = parse_message(message_with("skan.pdf", "application/pdf", fifty_megabytes))

    (big,) = mail.attachments
    assert big.rejected == f"za duży ({format_mb(len(fifty_megabytes))}, limit 25 MB)"
    assert big.data is None
    assert big.size == len(fifty_megabytes)
    assert big.sha256 == hashlib.sha256(fifty_megabytes).hexdigest()
    assert mail.text == "x"
