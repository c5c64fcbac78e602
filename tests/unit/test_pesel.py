"""PESEL checks (digits, checksum, a real date in the encoded century) and the keyed digest.

The numbers are made up here from a date and a serial, with their checksum computed."""

from __future__ import annotations

from datetime import date

import pytest

from cic.residents.pesel import (
    InvalidPesel,
    birth_date,
    checksum_digit,
    is_valid_pesel,
    looks_like_pesel,
    parse_pesel,
    pesel_digest,
)

OFFSETS = {1800: 80, 1900: 0, 2000: 20, 2100: 40, 2200: 60}


def make_pesel(born: date, serial: str = "0123") -> str:
    """A made-up PESEL of someone born on ``born`` (serial: 3 digits and the sex digit)."""
    month = born.month + OFFSETS[born.year // 100 * 100]
    first_ten = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial}"
    return first_ten + str(checksum_digit(first_ten))


def test_the_checksum_of_a_known_example() -> None:
    # the worked example of the PESEL rules: 4405140135 has control digit 9
    assert checksum_digit("4405140135") == 9
    assert parse_pesel("44051401359") == "44051401359"


@pytest.mark.parametrize(
    "born",
    [date(1850, 3, 1), date(1899, 12, 31), date(1900, 1, 1), date(1985, 7, 15),
     date(2000, 2, 29), date(2004, 2, 29), date(2023, 12, 24), date(2150, 6, 1),
     date(2299, 1, 31)],
)  # fmt: skip
def test_every_century_decodes_to_the_date_of_birth(born: date) -> None:
    pesel = make_pesel(born)
    assert parse_pesel(pesel) == pesel
    assert birth_date(pesel) == born
    assert is_valid_pesel(pesel)


def test_the_month_carries_the_century() -> None:
    assert make_pesel(date(1885, 4, 2))[2:4] == "84"
    assert make_pesel(date(2010, 4, 2))[2:4] == "24"
    assert make_pesel(date(1910, 4, 2))[2:4] == "04"


def test_spaces_are_ignored() -> None:
    pesel = make_pesel(date(1990, 5, 17))
    assert parse_pesel(f" {pesel[:6]} {pesel[6:]} ") == pesel
    assert looks_like_pesel(f"{pesel[:6]} {pesel[6:]}")


def test_a_wrong_checksum_is_refused_without_repeating_the_number() -> None:
    pesel = make_pesel(date(1990, 5, 17))
    wrong = pesel[:10] + str((int(pesel[10]) + 1) % 10)
    with pytest.raises(InvalidPesel, match="cyfra kontrolna") as refused:
        parse_pesel(wrong)
    assert wrong not in str(refused.value) and pesel[:6] not in str(refused.value)
    assert not is_valid_pesel(wrong)


@pytest.mark.parametrize(
    "first_ten",
    ["9002300123",  # 30 February 1990
     "0102290123",  # 29 February 1901 (not a leap year)
     "0042290123",  # 29 February 2100 (not a leap year)
     "9013010123",  # month 13
     "9000010123",  # month 0
     "9001000123",  # day 0
     "9001320123"],  # day 32
)  # fmt: skip
def test_dates_that_do_not_exist_are_refused(first_ten: str) -> None:
    pesel = first_ten + str(checksum_digit(first_ten))
    with pytest.raises(InvalidPesel, match="daty urodzenia"):
        parse_pesel(pesel)


def test_february_29th_only_in_leap_years_of_every_century() -> None:
    assert parse_pesel(make_pesel(date(2000, 2, 29)))
    leap_1800s = make_pesel(date(1896, 2, 29))
    assert birth_date(leap_1800s) == date(1896, 2, 29)
    first_ten = "0082290123"  # 29 February 1800: not a leap year
    with pytest.raises(InvalidPesel):
        parse_pesel(first_ten + str(checksum_digit(first_ten)))


def test_a_birth_after_today_is_refused_when_today_is_given() -> None:
    later = make_pesel(date(2030, 1, 1))
    assert parse_pesel(later) == later
    with pytest.raises(InvalidPesel, match="daty urodzenia"):
        parse_pesel(later, today=date(2026, 12, 6))
    assert parse_pesel(later, today=date(2030, 1, 1)) == later


@pytest.mark.parametrize(
    "raw",
    ["", "1234567890", "123456789012", "9001010123a", "９００１０１０１２３４", "900101-01234",
     None, 90010101234, "' OR 1=1 --"],
)  # fmt: skip
def test_anything_but_eleven_digits_is_refused(raw: object) -> None:
    with pytest.raises(InvalidPesel, match="11 cyfr"):
        parse_pesel(raw)


def test_the_digest_is_keyed_and_stable() -> None:
    pesel = make_pesel(date(1975, 11, 3))
    first = pesel_digest(pesel, b"klucz-pierwszy")
    assert first == pesel_digest(pesel, b"klucz-pierwszy")
    assert len(first) == 64 and pesel not in first
    assert first != pesel_digest(pesel, b"klucz-drugi")
    assert first != pesel_digest(make_pesel(date(1975, 11, 4)), b"klucz-pierwszy")
    with pytest.raises(ValueError, match="key"):
        pesel_digest(pesel, b"")
