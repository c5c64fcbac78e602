"""Rules for what administrators enter: same hours rules as the configuration, Polish errors."""

from __future__ import annotations

from typing import Any

import pytest

from cic.admin import validation
from cic.admin.errors import InvalidValue


def test_hours_normalised_sorted_and_every_weekday_present() -> None:
    out = validation.hours({"mon": ["13:00-16:00", "08:00-12:00"], "sat": "09:00-12:00"})
    assert out["mon"] == ["08:00-12:00", "13:00-16:00"]
    assert out["sat"] == ["09:00-12:00"]
    assert out["sun"] == [] and set(out) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    assert validation.hours({"fri": ["00:00-24:00"]})["fri"] == ["00:00-24:00"]
    assert validation.hours({"tue": ["08:00-12:00", "12:00-16:00"]})["tue"] == [
        "08:00-12:00", "12:00-16:00",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"mon": ["25:00-26:00"]}, "poniedziałek"),
        ({"tue": ["16:00-08:00"]}, "wtorek"),
        ({"wed": ["8-16"]}, "środa"),
        ({"thu": ["08:00-12:00", "11:00-15:00"]}, "nachodzą"),
        ({"monday": ["08:00-16:00"]}, "nieznany dzień"),
        ({"fri": 8}, "listy"),
        (["08:00-16:00"], "dni tygodnia"),
    ],
)
def test_bad_hours_name_the_day_in_polish(value: Any, fragment: str) -> None:
    with pytest.raises(InvalidValue) as err:
        validation.hours(value)
    assert fragment in err.value.message
    assert err.value.status == 400 and err.value.error_id == "invalid_value"


def test_closed_days_are_iso_dates_sorted_unique() -> None:
    assert validation.closed_days(["2026-12-24", "2026-11-10", "2026-12-24"]) == [
        "2026-11-10", "2026-12-24",
    ]  # fmt: skip
    with pytest.raises(InvalidValue, match="RRRR-MM-DD"):
        validation.closed_days(["10.11.2026"])
    with pytest.raises(InvalidValue):
        validation.closed_days("2026-11-10")


def test_recording_policy_one_of_four() -> None:
    for policy in ("always", "opt-out", "opt-in", "never"):
        assert validation.recording_policy(policy) == policy
    with pytest.raises(InvalidValue, match="Zasada nagrywania"):
        validation.recording_policy("sometimes")


def test_pause_reasons() -> None:
    assert validation.pause_reasons([" obiad ", "szkolenie BHP"]) == ["obiad", "szkolenie BHP"]
    for bad in ([], ["a", "a"], [""], ["x" * 61], ["zła\nlinia"], "przerwa", ["p"] * 21):
        with pytest.raises(InvalidValue):
            validation.pause_reasons(bad)


def test_text_limits_and_odd_characters() -> None:
    odd = "<script>alert(1)</script> ąęłńóśźż 🙂"
    assert validation.text(odd, "Nazwa") == odd
    with pytest.raises(InvalidValue, match="najwyżej 200 znaków"):
        validation.text("ż" * 300, "Nazwa")
    with pytest.raises(InvalidValue, match="wymagane"):
        validation.text("   ", "Nazwa")


def test_codes_queue_names_strategies_memberships() -> None:
    assert validation.department_code("fn") == "FN"
    assert validation.department_code("OŚ2") == "OŚ2"
    for bad in ("2FN", "F N", "<b>", ""):
        with pytest.raises(InvalidValue):
            validation.department_code(bad)
    assert validation.queue_name("podatki-2") == "podatki-2"
    for bad in ("Podatki", "po_datki", "-x", "ą", "x" * 65):
        with pytest.raises(InvalidValue):
            validation.queue_name(bad)
    assert validation.strategy("leastrecent") == "leastrecent"
    with pytest.raises(InvalidValue, match="ringall"):
        validation.strategy("roundrobin")
    assert validation.memberships([{"queue": "a", "penalty": 3}, "b"]) == {"a": 3, "b": 0}
    for bad in ([{"queue": "a", "penalty": -1}], [{"queue": "a", "penalty": "1"}],
                [{"queue": "a"}, {"queue": "a"}], [{"queue": "a", "penalty": True}]):  # fmt: skip
        with pytest.raises(InvalidValue):
            validation.memberships(bad)
