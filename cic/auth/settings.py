"""Settings of sign-in and sessions (to move into ``cic.config`` as ``Settings.auth``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AuthSettings:
    """Session time-outs, the cookie and the sign-in throttle.

    ``backoff_after`` consecutive failures start a back-off of ``backoff_base_seconds``
    doubling per further failure (at most ``backoff_max_seconds``); once ``lock_after - 1``
    failures are in a row, the ``lock_after``-th attempt is refused (even with the right
    password) until ``lockout_seconds`` have passed since the last failure.
    """

    idle_timeout_seconds: int = 30 * 60
    absolute_timeout_seconds: int = 12 * 60 * 60
    cookie_name: str = "cic_session"
    cookie_secure: bool = False
    backoff_after: int = 5
    lock_after: int = 10
    backoff_base_seconds: int = 2
    backoff_max_seconds: int = 60
    lockout_seconds: int = 15 * 60
