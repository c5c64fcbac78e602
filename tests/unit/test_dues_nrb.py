"""The Polish bank account number (NRB): its mod-97 check digits, normalising and grouping."""

from __future__ import annotations

import pytest

from cic.dues import nrb

# The IBAN registry's example for Poland (not anyone's account).
EXAMPLE = "61109010140000071219812874"


def test_a_valid_number_passes_and_every_single_digit_change_fails() -> None:
    assert nrb.check_digits_ok(EXAMPLE)
    for i in range(len(EXAMPLE)):
        other = str((int(EXAMPLE[i]) + 1) % 10)
        assert not nrb.check_digits_ok(EXAMPLE[:i] + other + EXAMPLE[i + 1 :]), i


def test_two_swapped_neighbours_fail() -> None:
    swapped = EXAMPLE[:5] + EXAMPLE[6] + EXAMPLE[5] + EXAMPLE[7:]
    assert swapped != EXAMPLE and not nrb.check_digits_ok(swapped)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "brak numeru rachunku"),
        (EXAMPLE[:-1], "numer rachunku musi mieć 26 cyfr (ma 25 znaków)"),
        (EXAMPLE + "0", "numer rachunku musi mieć 26 cyfr (ma 27 znaków)"),
        (EXAMPLE[:-1] + "X", "numer rachunku musi mieć 26 cyfr (ma 26 znaków)"),
        (EXAMPLE[:-1] + "5", "numer rachunku ma złe cyfry kontrolne (pomyłka w numerze)"),
        ("PL" + EXAMPLE, ""),
        ("pl 61 1090 1014 0000 0712 1981 2874", ""),
        ("61-1090-1014-0000-0712-1981-2874", ""),
    ],
)
def test_the_reason_a_number_is_refused(text: str, reason: str) -> None:
    assert nrb.problem(text) == reason


def test_normalise_and_group() -> None:
    assert nrb.normalize(" PL61 1090 1014 0000 0712 1981 2874 ") == EXAMPLE
    assert nrb.grouped(EXAMPLE) == "61 1090 1014 0000 0712 1981 2874"


def test_check_digits_are_made_for_a_body() -> None:
    assert nrb.with_check_digits(EXAMPLE[2:]) == EXAMPLE
    made = nrb.with_check_digits("102055610000300200000101")
    assert made == "42102055610000300200000101" and nrb.check_digits_ok(made)
