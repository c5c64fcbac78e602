"""argon2 password hashing: verify, reject, rehash when the parameters change."""

from __future__ import annotations

from argon2 import PasswordHasher

from cic.auth.passwords import burn_time, generate_password, hash_password, verify_password

WEAK = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_hash_and_verify() -> None:
    hashed = hash_password("Zażółć gęślą jaźń 🙂")
    assert hashed.startswith("$argon2id$")
    assert "Zażółć" not in hashed
    assert verify_password(hashed, "Zażółć gęślą jaźń 🙂") == (True, None)
    assert verify_password(hashed, "zażółć gęślą jaźń 🙂") == (False, None)
    assert hash_password("x") != hash_password("x")  # salted


def test_rehash_when_parameters_change() -> None:
    old = hash_password("hasło-123", WEAK)
    ok, new = verify_password(old, "hasło-123")
    assert ok and new is not None and new != old
    assert verify_password(new, "hasło-123") == (True, None)
    assert verify_password(old, "złe") == (False, None)


def test_garbage_hash_is_a_failure_not_a_crash() -> None:
    assert verify_password("not-a-hash", "x") == (False, None)
    burn_time("anything")


def test_generated_passwords_are_long_and_distinct() -> None:
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) >= 20 for p in passwords)
