"""The web form's guards without I/O: signed tokens (altered, too fast, expired, another key)
and the hourly caps per client and in all, on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cic.channels.formtoken import FormTokens, TokenRefused
from cic.channels.ratelimit import HourlyLimit, Verdict


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def tokens(clock: Clock, key: bytes = b"klucz-formularza") -> FormTokens:
    return FormTokens(key, min_seconds=3, max_hours=24, clock=clock)


def reason(issuer: FormTokens, token: str) -> str:
    with pytest.raises(TokenRefused) as refused:
        issuer.check(token)
    return refused.value.reason


def test_a_token_is_good_between_the_minimum_time_and_the_maximum_age() -> None:
    clock = Clock()
    issuer = tokens(clock)
    token = issuer.issue()
    assert reason(issuer, token) == "too_fast"
    clock.advance(seconds=2.9)
    assert reason(issuer, token) == "too_fast"
    clock.advance(seconds=0.2)
    checked = issuer.check(token)
    assert checked.issued_at == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert len(checked.nonce) == 32 and checked.nonce in token
    clock.advance(hours=24)
    assert reason(issuer, token) == "expired"


def test_each_token_has_its_own_nonce() -> None:
    clock = Clock()
    issuer = tokens(clock)
    clock_tokens = {issuer.issue() for _ in range(50)}
    clock.advance(seconds=5)
    assert len({issuer.check(t).nonce for t in clock_tokens}) == 50


def test_an_altered_or_foreign_token_is_invalid() -> None:
    clock = Clock()
    issuer = tokens(clock)
    token = issuer.issue()
    clock.advance(minutes=1)
    version, issued, nonce, signature = token.split(".")
    older = f"{version}.{int(issued) - 3600}.{nonce}.{signature}"  # "shown an hour earlier"
    other_nonce = f"{version}.{issued}.{'0' * 32}.{signature}"
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    foreign = tokens(clock, b"inny-klucz").issue()
    for bad in (older, other_nonce, flipped, foreign, "", "v1", token + "x", " " + token,
                token.upper(), "v2" + token[2:], "x" * 10_000, "v1.1.2.3"):  # fmt: skip
        assert reason(issuer, bad) == "invalid", bad[:40]


def test_a_token_needs_a_key() -> None:
    with pytest.raises(ValueError, match="key"):
        FormTokens(b"", min_seconds=3, max_hours=24)


def test_each_client_and_everyone_together_have_an_hourly_cap() -> None:
    clock = Clock()
    limit = HourlyLimit(per_client=2, total=3, clock=clock)
    assert limit.take("10.0.0.1") == Verdict(0)
    clock.advance(minutes=10)
    assert limit.take("10.0.0.1") == Verdict(0)
    third = limit.take("10.0.0.1")
    assert third.scope == "client" and third.wait == 50 * 60  # the first one leaves the window
    assert limit.take("10.0.0.2") == Verdict(0)
    everyone = limit.take("10.0.0.3")
    assert everyone.scope == "all" and everyone.wait == 50 * 60
    clock.advance(minutes=50)
    assert limit.take("10.0.0.3") == Verdict(0)  # the oldest message left the hour
    assert limit.take("10.0.0.1").scope == "all"


def test_a_message_not_taken_is_given_back() -> None:
    clock = Clock()
    limit = HourlyLimit(per_client=1, total=10, clock=clock)
    assert limit.take("a") == Verdict(0)
    assert limit.take("a").scope == "client"
    limit.give_back("a")
    assert limit.take("a") == Verdict(0)
    limit.give_back("nobody")  # nothing to give back: no harm
    clock.advance(hours=1)
    assert limit.take("a") == Verdict(0)
