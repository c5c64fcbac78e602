"""The pure rules of warnings: who an area covers, mobiles, confirmation codes, the state a
warning shows, and the phone prompts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cic.warnings.phone import prompt_texts
from cic.warnings.rules import (
    code_hash,
    code_matches,
    covers,
    is_current,
    is_mobile,
    new_code,
    shown_state,
    spoken_code,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_an_area_covers_its_solectwa_and_the_whole_gmina_covers_all() -> None:
    assert covers([], ["Lipki"]) and covers(["Lipki"], []) and covers([], [])
    assert covers(["Lipki", "Żabno"], ["Żabno"])
    assert not covers(["Lipki"], ["Dąbrowa", "Żabno"])


def test_only_mobile_numbers_take_sms() -> None:
    assert is_mobile("500100201") and is_mobile("880100201") and is_mobile("451002010")
    assert not is_mobile("221002003") and not is_mobile("50010020") and not is_mobile("50010020x")


def test_codes_are_six_digits_bound_to_their_subscription() -> None:
    key = b"k" * 32
    codes = {new_code() for _ in range(50)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 40
    stored = code_hash(key, 7, "012345")
    assert code_matches(key, 7, "012345", stored)
    assert not code_matches(key, 8, "012345", stored)  # another subscription
    assert not code_matches(b"x" * 32, 7, "012345", stored)
    for odd in ("", "12345", "0123456", "01234a", "٠١٢٣٤٥", "012345 "):
        assert not code_matches(key, 7, odd, stored)
    assert not code_matches(key, 7, "012345", "")
    assert (
        spoken_code("012")
        == "Twój kod potwierdzenia to: zero, jeden, dwa. Powtarzam: zero, jeden, dwa."
    )


def test_a_sent_warning_past_its_end_shows_as_expired() -> None:
    later = NOW + timedelta(hours=1)
    assert shown_state("wyslane", NOW, later) == "wygasle"
    assert shown_state("wyslane", later, NOW) == "wyslane"
    assert shown_state("odwolane", NOW, later) == "odwolane"
    assert is_current("wyslane", NOW, later, NOW)
    assert not is_current("wyslane", later, later + timedelta(hours=1), NOW)  # not begun
    assert not is_current("szkic", NOW, later, NOW) and not is_current("wyslane", NOW, later, later)


def test_the_phone_prompts_name_the_solectwa_by_digit_and_say_the_consent() -> None:
    texts = prompt_texts("Urząd Gminy Testowo", "Zgadzam się na ostrzeżenia.", ["Dąbrowa", "Lipki"])
    assert "Treść zgody: Zgadzam się na ostrzeżenia." in texts["warnings-offer"]
    assert "Lipki – proszę nacisnąć dwa." in texts["warnings-area"]
    assert set(texts) >= {"warnings-subscribed", "warnings-unsubscribed",
                          "warnings-not_subscribed", "warnings-bad_number"}  # fmt: skip
    assert "całej gminy" in prompt_texts("U", "Z.", [])["warnings-area"]
