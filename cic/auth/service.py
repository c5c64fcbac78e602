"""The sign-in rules: throttled password checks, sessions, sign-out, revocation, audit."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cic.auth import audit, passwords, sessions, users
from cic.auth.errors import InvalidCredentials, NoSuchLock, Throttled, UserNotFound
from cic.auth.lockout import Clock, SignInGuard, address_key, name_key
from cic.auth.models import User
from cic.auth.sessions import CurrentUser, SessionInfo
from cic.config import AuthSettings
from cic.db import Store, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignedIn:
    """The outcome of a sign-in: the new cookie value, its CSRF token and the user."""

    token: str
    csrf_token: str
    user: CurrentUser


class AuthService:
    """Signs staff in and out; ``clock`` is injectable so tests control time."""

    def __init__(
        self, store: Store, settings: AuthSettings | None = None, clock: Clock = utcnow
    ) -> None:
        """Work on ``store`` with ``settings`` (defaults: ``AuthSettings()``)."""
        self.store = store
        self.settings = settings or AuthSettings()
        self._clock = clock
        self.guard = SignInGuard(self.settings, self.now)

    def now(self) -> datetime:
        """The current time according to the injected clock."""
        return self._clock()

    def set_clock(self, clock: Clock) -> None:
        """Replace the clock (tests)."""
        self._clock = clock

    async def sign_in(self, username: str, password: str, ip: str) -> SignedIn:
        """Check the password and open a NEW session.

        Raises ``Throttled`` (429) while the (user, address) pair is locked or the address is
        backing off (``cic.auth.lockout``), whatever the password, and ``InvalidCredentials``
        (401) for a wrong password or an unknown or inactive user (hashing a dummy so timing
        does not tell them apart).
        """
        verdict = self.guard.check(username, ip)
        now = self.now()
        if verdict.wait:
            await self.store.run(
                lambda db: audit.record(
                    db, "sign_in_throttled", actor=username[:64], ip=ip, at=now,
                    retry_after=verdict.wait, reason=verdict.reason,
                )
            )  # fmt: skip
            raise Throttled(verdict.wait)
        # Counted before the check, so parallel guesses already see this attempt.
        counted = self.guard.failure(username, ip)
        try:
            result = await self.store.run(lambda db: self._check(db, username, password, ip, now))
        except Exception:
            self.guard.undo(username, ip)
            raise
        if result is not None:
            self.guard.success(username, ip)
            return result

        def failed(db: Session) -> None:
            audit.record(
                db, "sign_in_failed", actor=username[:64], ip=ip, at=now,
                failures=counted.pair_failures, address_failures=counted.address_failures,
            )  # fmt: skip
            if counted.locked_until is not None:
                audit.record(
                    db, "sign_in_locked", actor=username[:64], target=name_key(username), ip=ip,
                    at=now, address=address_key(ip), failures=counted.pair_failures,
                    until=counted.locked_until.isoformat(),
                )  # fmt: skip

        await self.store.run(failed)
        raise InvalidCredentials()

    async def lift_lock(
        self, address: str, username: str | None, actor: str, actor_ip: str = ""
    ) -> None:
        """Lift the lock of a (user, address) pair, or an address's back-off; audited as
        ``sign_in_unlocked``. Raises ``NoSuchLock`` (404) when there was nothing to lift."""
        if not self.guard.lift(address, username):
            raise NoSuchLock()
        now = self.now()
        target = name_key(username) if username is not None else ""
        kind = "pair" if username is not None else "address"
        await self.store.run(
            lambda db: audit.record(
                db, "sign_in_unlocked", actor=actor, target=target, ip=actor_ip, at=now,
                address=address_key(address.strip()), kind=kind,
            )
        )  # fmt: skip

    def _check(
        self, db: Session, username: str, password: str, ip: str, now: datetime
    ) -> SignedIn | None:
        user = users.find(db, username) if users.USERNAME_RE.fullmatch(username) else None
        if user is None or not user.active:
            passwords.burn_time(password)
            return None
        ok, new_hash = passwords.verify_password(user.password_hash, password)
        if not ok:
            return None
        if new_hash:
            user.password_hash = new_hash
        token, csrf = sessions.create(db, user.id, ip, now)
        audit.record(db, "sign_in", actor=user.username, target=user.username, ip=ip, at=now)
        current = CurrentUser(user.id, user.username, user.display_name, user.role, user.agent_id)
        return SignedIn(token, csrf, current)

    async def session(self, token: str) -> SessionInfo | None:
        """The live session behind a cookie value, or None (expired ones are deleted)."""
        now = self.now()
        return await self.store.run(lambda db: sessions.load(db, token, now, self.settings))

    async def sign_out(self, token: str, ip: str = "") -> None:
        """Delete the session behind ``token``; audited as ``sign_out``."""
        now = self.now()

        def write(db: Session) -> None:
            user_id = sessions.remove(db, token)
            if user_id is not None:
                user = db.get(User, user_id)
                name = user.username if user else str(user_id)
                audit.record(db, "sign_out", actor=name, target=name, ip=ip, at=now)

        await self.store.run(write)

    async def revoke_user(self, username: str, actor: str) -> int:
        """End every session of ``username``; returns how many were ended."""
        now = self.now()

        def write(db: Session) -> int:
            user = users.find(db, username)
            if user is None:
                raise UserNotFound(username)
            count = sessions.revoke_user(db, user.id)
            audit.record(db, "sessions_revoked", actor=actor, target=username, at=now, count=count)
            return count

        return await self.store.run(write)

    async def purge_expired(self) -> int:
        """Delete sessions past their time-outs; returns how many."""
        now = self.now()
        return await self.store.run(lambda db: sessions.purge_expired(db, now, self.settings))


async def run_session_purger(auth: AuthService, interval: float = 300.0) -> None:
    """Delete expired sessions every ``interval`` seconds until cancelled."""
    while True:
        try:
            await auth.purge_expired()
        except Exception:
            log.exception("purging expired sessions failed; retrying later")
        await asyncio.sleep(interval)
