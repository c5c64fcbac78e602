"""Confirmation links: short, bound to one delivery, refused when forged or altered; and the
SMS rate limiter spaces requests evenly and holds everyone back after a 429."""

from __future__ import annotations

import pytest

from cic.notify.links import ConfirmLinks, confirm_key
from cic.sms.ratelimit import RateLimiter

LINKS = ConfirmLinks(confirm_key(b"k" * 32), "https://gmina.example.pl/")


def test_a_token_names_its_delivery_and_is_short() -> None:
    for delivery_id in (1, 35, 36, 123_456, 2**31):
        token = LINKS.token(delivery_id)
        assert LINKS.delivery(token) == delivery_id
        assert len(token) <= 20
    assert LINKS.url(5) == f"https://gmina.example.pl/e-urzad/potwierdz/{LINKS.token(5)}"


@pytest.mark.parametrize(
    "token",
    ["", "5", "5-", "../../etc/passwd", "5-" + "A" * 12, "x" * 300, "5-abc'; DROP TABLE--",
     "Ą-ąąąąąąąąąąąą"],
)  # fmt: skip
def test_forged_tokens_name_nothing(token: str) -> None:
    assert LINKS.delivery(token) is None


def test_an_altered_token_or_another_key_names_nothing() -> None:
    token = LINKS.token(41)
    ident, mac = token.split("-")
    assert LINKS.delivery(f"{int(ident, 36) + 1:x}-{mac}") is None
    assert LINKS.delivery(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    other = ConfirmLinks(confirm_key(b"o" * 32), "https://gmina.example.pl")
    assert other.delivery(token) is None


class FakeTime:
    """A clock and a sleep that only move the clock."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


async def test_requests_are_spaced_by_the_limit_and_a_pause_holds_them() -> None:
    time = FakeTime()
    limiter = RateLimiter(4, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        await limiter.wait()
    assert time.slept == [0.25, 0.25]
    limiter.pause(5)
    await limiter.wait()
    assert time.slept[-1] == 5.0
    with pytest.raises(ValueError):
        RateLimiter(0)


async def test_too_fast_halves_the_rate_once_a_second_and_success_creeps_back() -> None:
    time = FakeTime()
    limiter = RateLimiter(10, clock=time.clock, sleep=time.sleep)
    limiter.slower()
    limiter.slower()  # the same burst heard by another request: no second halving
    assert limiter.interval == pytest.approx(0.2)
    time.now += 1.5
    limiter.slower()
    assert limiter.interval == pytest.approx(0.4)
    for _ in range(200):
        limiter.faster()
    assert limiter.interval == pytest.approx(0.1)
