"""Sign-in protection rules (``SignInGuard``) with an injected clock: back-off per address that
never locks, locks per (user, address) pair, remembered pairs, forgetting, lifting, bounds."""

from __future__ import annotations

from cic.auth.lockout import SignInGuard, address_key
from cic.config import AuthSettings
from tests.unit.test_auth_support import FakeClock

SETTINGS = AuthSettings()
ATTACKER, OFFICE = "203.0.113.7", "198.51.100.20"


def guard_and_clock(**changes: int) -> tuple[SignInGuard, FakeClock]:
    clock = FakeClock()
    return SignInGuard(AuthSettings(**changes), clock), clock  # type: ignore[arg-type]


def fail(guard: SignInGuard, clock: FakeClock, user: str, address: str, times: int) -> None:
    """``times`` failures, each after waiting out any back-off (as a patient attacker does)."""
    for _ in range(times):
        clock.advance(seconds=guard.check(user, address).wait)
        assert guard.check(user, address).reason != "locked"
        guard.failure(user, address)


def test_address_backoff_doubles_up_to_the_cap_and_never_locks() -> None:
    guard, clock = guard_and_clock()
    waits = []
    for n in range(40):
        guard.failure(f"user{n}", ATTACKER)  # spraying: a new username every time
        waits.append(guard.check(f"user{n + 1}", ATTACKER).wait)
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:9] == [2, 4, 8, 16, SETTINGS.backoff_max_seconds]
    assert max(waits) == SETTINGS.backoff_max_seconds  # capped, never a lock
    assert guard.check("anna", ATTACKER).reason == "backoff"
    clock.advance(seconds=SETTINGS.backoff_max_seconds)
    assert guard.check("anna", ATTACKER).wait == 0
    assert guard.check("anna", OFFICE).wait == 0  # other addresses never slowed
    assert guard.locks() == []  # many usernames once each: no pair is locked


def test_pair_locks_only_that_user_from_that_address() -> None:
    guard, clock = guard_and_clock()
    fail(guard, clock, "anna", ATTACKER, SETTINGS.lock_after - 1)
    assert guard.check("anna", ATTACKER).reason != "locked"
    clock.advance(seconds=guard.check("anna", ATTACKER).wait)
    counted = guard.failure("anna", ATTACKER)
    assert counted.pair_failures == SETTINGS.lock_after and counted.locked_until is not None
    locked = guard.check("anna", ATTACKER)
    assert locked.reason == "locked" and locked.wait == SETTINGS.lockout_seconds
    assert guard.check("anna", OFFICE).wait == 0  # the same user elsewhere
    clock.advance(seconds=SETTINGS.backoff_max_seconds)
    assert guard.check("jan", ATTACKER).wait == 0  # another user, even from that address
    [lock] = guard.locks()
    assert (lock["username"], lock["address"], lock["failures"]) == ("anna", ATTACKER, 10)
    clock.advance(seconds=SETTINGS.lockout_seconds)
    assert guard.check("anna", ATTACKER).wait == 0 and guard.locks() == []
    again = guard.failure("anna", ATTACKER)  # one more wrong guess right after: locked again
    assert again.locked_until is not None and guard.check("anna", ATTACKER).reason == "locked"


def test_usernames_count_case_insensitively() -> None:
    guard, clock = guard_and_clock()
    fail(guard, clock, "Anna", ATTACKER, 5)
    fail(guard, clock, " ANNA ", ATTACKER, 5)
    assert guard.check("anna", ATTACKER).reason == "locked"


def test_a_remembered_user_is_not_slowed_by_others_at_the_same_address() -> None:
    guard, clock = guard_and_clock()
    guard.failure("anna", OFFICE)
    guard.success("anna", OFFICE)  # signed in from the office's NAT address before
    fail(guard, clock, "nikt", OFFICE, 8)  # a colleague's machine sprays wrong guesses
    assert guard.check("jan", OFFICE).reason == "backoff"
    assert guard.check("anna", OFFICE).wait == 0
    clock.advance(days=SETTINGS.remember_days + 1)
    fail(guard, clock, "nikt", OFFICE, 6)
    assert guard.check("anna", OFFICE).reason == "backoff"  # forgotten after remember_days


def test_success_takes_back_the_provisional_count_and_clears_the_pair() -> None:
    guard, clock = guard_and_clock()
    fail(guard, clock, "anna", OFFICE, 3)
    guard.failure("anna", OFFICE)  # counted before the check ...
    guard.success("anna", OFFICE)  # ... and the password was right
    assert guard.slowed() == []
    fail(guard, clock, "jan", OFFICE, 1)
    assert guard.check("jan", OFFICE).wait == 0  # 3 + 1 failures at the address, below 5
    fail(guard, clock, "jan", OFFICE, 1)
    assert guard.check("jan", OFFICE).wait == 2


def test_quiet_addresses_and_pairs_start_afresh() -> None:
    guard, clock = guard_and_clock()
    fail(guard, clock, "anna", ATTACKER, 9)
    clock.advance(seconds=SETTINGS.backoff_forget_seconds + 1)
    assert guard.check("anna", ATTACKER).wait == 0
    counted = guard.failure("anna", ATTACKER)
    assert (counted.pair_failures, counted.address_failures) == (1, 1)


def test_undo_takes_back_one_failure() -> None:
    guard, clock = guard_and_clock()
    fail(guard, clock, "anna", ATTACKER, 5)
    guard.undo("anna", ATTACKER)
    assert guard.check("anna", ATTACKER).wait == 0


def test_lift_a_pair_or_an_address() -> None:
    guard, clock = guard_and_clock()
    fail(guard, clock, "anna", ATTACKER, SETTINGS.lock_after)
    assert guard.check("anna", ATTACKER).reason == "locked"
    assert [s["address"] for s in guard.slowed()] == [ATTACKER]
    assert guard.lift(ATTACKER, "ANNA")
    assert not guard.lift(ATTACKER, "anna")
    assert guard.check("anna", ATTACKER).reason == "backoff"
    assert guard.lift(ATTACKER)
    assert guard.check("anna", ATTACKER).wait == 0 and guard.slowed() == []


def test_ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_key("nie-adres") == "nie-adres"
    guard, _clock = guard_and_clock()
    for n in range(6):
        guard.failure("anna", f"2001:db8:1:2::{n + 1}")  # a fresh address of the same /64
    assert guard.check("anna", "2001:db8:1:2::ffff").reason == "backoff"
    assert guard.check("anna", "2001:db8:1:3::1").wait == 0


def test_tables_stay_bounded_dropping_the_oldest() -> None:
    clock = FakeClock()
    guard = SignInGuard(SETTINGS, clock, limit=100)
    for n in range(1000):
        guard.failure(f"user{n}", f"10.0.{n // 250}.{n % 250}")
    assert len(guard._addresses) <= 100 and len(guard._pairs) <= 100
    assert guard.failure("user999", "10.0.3.249").pair_failures == 2  # the newest kept
