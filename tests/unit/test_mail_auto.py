"""Mail never to be answered (bounces, automatic replies, lists, loops) and the sender check
read only from the office's own server's Authentication-Results."""

from __future__ import annotations

from pathlib import Path

import pytest

from cic.mail.parse import ParsedMail, is_no_reply_address, parse_message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
OWN = ("kontakt@gmina.example", "sekretariat@gmina.example")


def parse(name: str, **options: tuple[str, ...]) -> ParsedMail:
    return parse_message((FIXTURES / name).read_bytes(), **options)


def headers_only(headers: str) -> str:
    return parse_message(f"From: jan@mieszkaniec.example\n{headers}\n\nTreść.".encode()).auto


def test_delivery_status_notification_is_a_bounce_and_shows_its_report() -> None:
    mail = parse("bounce.eml")

    assert mail.auto == "bounce"
    assert "550 5.1.1 User unknown" in mail.text
    assert "Final-Recipient: rfc822; nieistnieje@mieszkaniec.example" in mail.text


def test_mailer_daemon_with_null_return_path_is_a_bounce_without_a_report_type() -> None:
    raw = "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example\nSubject: failure\n\nx"

    assert parse_message(raw.encode()).auto == "bounce"


def test_vacation_reply_with_auto_submitted() -> None:
    assert parse("vacation.eml").auto == "auto-reply"


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: auto-generated",
        "Auto-Submitted: auto-replied; owner-email=x@y.example",
        "X-Autoreply: yes",
        "X-Autorespond: Nieobecność",
        "Precedence: auto_reply",
        "Return-Path: <>",
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="R"',
    ],
)
def test_automatic_replies(headers: str) -> None:
    assert headers_only(headers) == "auto-reply"


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: no",
        "Subject: Automatyczna odpowiedź",
        "Subject: Nieobecność w biurze – pytanie o urlop wychowawczy",
        "Subject: Out of Office",
        "Return-Path: <jan@mieszkaniec.example>",
    ],
)
def test_a_person_s_mail_is_not_taken_for_automatic_by_its_subject(headers: str) -> None:
    assert headers_only(headers) == ""


def test_list_mail() -> None:
    assert parse("list.eml").auto == "list"
    assert headers_only("List-Id: <ogloszenia.lista.example>") == "list"
    assert headers_only("Precedence: junk") == "list"


def test_our_own_loop_marker() -> None:
    assert parse("loop.eml").auto == "loop"
    assert headers_only("X-Inny-Znacznik: kontakt@gmina.example") == ""


def test_loop_marker_name_is_the_caller_s() -> None:
    raw = (FIXTURES / "list.eml").read_bytes().replace(b"List-Id", b"X-Gmina-Petla")

    assert parse_message(raw, loop_marker="X-Gmina-Petla").auto == "loop"


def test_forged_from_our_own_address_is_a_loop() -> None:
    assert parse("forged_own.eml", own_addresses=OWN).auto == "loop"
    assert parse("forged_own.eml").auto == ""


@pytest.mark.parametrize(
    "address",
    [
        "noreply@bank.example",
        "no-reply@bank.example",
        "No_Reply@bank.example",
        "donotreply@bank.example",
        "do-not-reply@bank.example",
        "nie-odpowiadaj@urzad.example",
        "MAILER-DAEMON@mx.example",
        "postmaster@mx.example",
        "bounce+abc123@lists.example",
        "bounces-42-jan=m.example@lists.example",
        "noreply.powiadomienia@bank.example",
        "",
        "nie adres",
    ],
)
def test_no_reply_addresses(address: str) -> None:
    assert is_no_reply_address(address)


@pytest.mark.parametrize(
    "address",
    ["jan@mieszkaniec.example", "noreen@mieszkaniec.example", "replyto@m.example",
     "bouncer@m.example", "postmistrz@m.example"],
)  # fmt: skip
def test_people_s_addresses(address: str) -> None:
    assert not is_no_reply_address(address)


def test_dmarc_fail_from_the_trusted_server_is_a_fail() -> None:
    assert parse("auth_results.eml", trusted_authserv_ids=("mx.gmina.example",)).sender_check == (
        "fail"
    )


def test_results_from_another_server_are_not_believed() -> None:
    # The sender wrote "dmarc=pass" under their own server's name: it counts for nothing.
    untrusted = parse("auth_results.eml", trusted_authserv_ids=("mx.inny.example",))
    attacker = parse("auth_results.eml", trusted_authserv_ids=("mx.oszust.example",))
    nobody = parse("auth_results.eml")

    assert untrusted.sender_check == "unknown"
    assert nobody.sender_check == "unknown"
    assert attacker.sender_check == "pass"  # only because the caller trusted that server


def test_only_the_topmost_trusted_field_counts() -> None:
    # A forged field with our server's name sits below the one our server prepended.
    raw = (
        b"Authentication-Results: mx.gmina.example; spf=fail smtp.mailfrom=o.example;"
        b" dkim=none\n"
        b"Authentication-Results: mx.gmina.example; dmarc=pass header.from=bank.example\n"
        b"From: info@bank.example\n\nx"
    )

    assert parse_message(raw, trusted_authserv_ids=("mx.gmina.example",)).sender_check == "fail"


@pytest.mark.parametrize(
    ("results", "verdict"),
    [
        ("dmarc=pass header.from=mieszkaniec.example", "pass"),
        ("spf=fail smtp.mailfrom=x.example; dkim=pass header.d=mieszkaniec.example", "pass"),
        ("spf=fail smtp.mailfrom=x.example; dkim=fail header.d=mieszkaniec.example", "fail"),
        ("spf=pass smtp.mailfrom=jan@mieszkaniec.example", "pass"),
        ("spf=pass smtp.mailfrom=jan@oszust.example", "unknown"),
        ("dkim=pass header.d=oszust.example", "unknown"),
        ("dkim=pass (dobry podpis) header.i=@poczta.mieszkaniec.example", "unknown"),
        ("dkim=pass header.d=example", "unknown"),
        ("none", "unknown"),
    ],
)
def test_verdicts(results: str, verdict: str) -> None:
    raw = (
        f"Authentication-Results: MX.Gmina.Example 1; {results}\nFrom: jan@mieszkaniec.example\n\nx"
    )

    mail = parse_message(raw.encode(), trusted_authserv_ids=("mx.gmina.example",))

    assert mail.sender_check == verdict
