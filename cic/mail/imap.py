"""The office's mailbox over IMAP (aioimaplib): connect with TLS, read new messages by UID,
wait for new mail with IDLE or by polling.

The API stays at the mailbox level; an ingestion loop built on it looks like::

    box = ImapMailbox(account)
    while True:
        try:
            await box.connect()
            state = await box.select("INBOX")   # compare state.uidvalidity with the stored one
            while True:
                for message in await box.fetch_new("INBOX", last_uid):
                    ...                          # store it, then remember message.uid
                await box.wait_for_mail("INBOX", timeout=account.poll_seconds)
        except MailConnectionError:
            await box.close()
            await asyncio.sleep(backoff)         # MailAuthError: much longer, and tell someone

Certificates are always verified. Cancelling ``wait_for_mail`` closes the connection.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable
from typing import Any, TypeVar

from aioimaplib import AioImapException, Command

from cic.mail.errors import MailAuthError, MailConnectionError, MailFolderError
from cic.mail.imap_wire import (
    FetchedMessage,
    FolderState,
    WatchedProtocol,
    folder_name,
    parse_fetch,
    parse_search,
    parse_select,
)
from cic.mail.settings import ImapAccount, tls_context

__all__ = ["FetchedMessage", "FolderState", "ImapMailbox"]

T = TypeVar("T")
# RFC 2177: clients re-issue IDLE at least every 29 minutes.
MAX_IDLE_SECONDS = 25 * 60
_SSL_ERRORS = (OSError, ssl.SSLError, asyncio.TimeoutError)


class ImapMailbox:
    """One IMAP connection to the office's mailbox (``account``). Every method raises
    ``MailConnectionError`` when the server cannot be reached or the connection breaks
    (then ``connect`` again), ``MailAuthError`` when the credentials are refused."""

    def __init__(self, account: ImapAccount) -> None:
        self.account = account
        self._proto: WatchedProtocol | None = None
        self._selected: str | None = None

    async def __aenter__(self) -> ImapMailbox:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def capabilities(self) -> frozenset[str]:
        """What the server advertised after login (empty when not connected)."""
        return frozenset(self._proto.capabilities) if self._proto else frozenset()

    @property
    def connected(self) -> bool:
        """Whether the connection is (as far as is known) still open."""
        return self._proto is not None and not self._proto.closed.is_set()

    @property
    def tls_version(self) -> str | None:
        """The TLS version of the connection ("TLSv1.3"), None when unencrypted or closed."""
        if not self.connected or self._proto is None or self._proto.transport is None:
            return None
        ssl_object = self._proto.transport.get_extra_info("ssl_object")
        return None if ssl_object is None else str(ssl_object.version())

    @property
    def idling(self) -> bool:
        """Whether an IDLE command is running (the server pushes new mail as it comes)."""
        return self.connected and self._proto is not None and self._proto.has_pending_idle_command()

    async def connect(self) -> None:
        """Connect (TLS as configured), log in; closes any earlier connection first."""
        await self.close()
        account, loop = self.account, asyncio.get_running_loop()
        proto = WatchedProtocol(loop)
        context = tls_context(account.ca_file) if account.tls != "none" else None
        try:
            await asyncio.wait_for(
                loop.create_connection(
                    lambda: proto,
                    account.host,
                    account.port,
                    ssl=context if account.tls == "ssl" else None,
                ),
                account.timeout,
            )
        except _SSL_ERRORS as exc:
            raise MailConnectionError(self._where(f"nie udało się połączyć ({exc})")) from exc
        self._proto = proto
        try:
            await self._call(proto.wait("AUTH|NONAUTH"), "powitanie")
            if account.tls == "starttls":
                await self._starttls(proto, context)
            await self._login(proto)
        except BaseException:
            self._drop()
            raise

    async def close(self) -> None:
        """Log out and close the connection (quietly; safe to call at any time)."""
        proto, self._proto, self._selected = self._proto, None, None
        if proto is None:
            return
        if not proto.closed.is_set() and proto.state in ("AUTH", "SELECTED", "NONAUTH"):
            try:
                await asyncio.wait_for(proto.logout(), min(self.account.timeout, 5))
            except (TimeoutError, AioImapException, OSError):
                pass
        if proto.transport is not None:
            proto.transport.close()

    async def select(self, folder: str) -> FolderState:
        """Open ``folder`` (read-write, so that the server reports new mail in it)."""
        proto = self._require()
        self._selected = None
        response = await self._call(proto.select(folder_name(folder)), "SELECT")
        if response.result != "OK":
            raise MailFolderError(
                f"Folder „{folder}” w skrzynce {self.account.username} nie istnieje "
                f"lub nie można go otworzyć."
            )
        self._selected = folder
        proto.new_mail.clear()
        return parse_select(response.lines)

    async def fetch_new(
        self, folder: str, after_uid: int, limit: int = 100
    ) -> list[FetchedMessage]:
        """Up to ``limit`` messages of ``folder`` with a UID above ``after_uid``, in UID
        order, raw bytes exactly as stored (BODY.PEEK: the \\Seen flag is left alone). Call
        again while it returns ``limit`` messages."""
        if limit < 1:
            raise ValueError("limit must be positive")
        proto = await self._selected_proto(folder)
        proto.new_mail.clear()
        found = await self._call(
            proto.search("UID", f"{after_uid + 1}:*", charset=None, by_uid=True), "UID SEARCH"
        )
        self._check(found, "UID SEARCH")
        uids = [uid for uid in parse_search(found.lines) if uid > after_uid][:limit]
        if not uids:
            return []
        message_set = ",".join(str(uid) for uid in uids)
        # Per-command inactivity timeout (reset by each chunk), so a big message may take
        # longer than ``timeout`` as long as data keeps coming.
        fetch = proto.fetch(
            message_set, "(UID RFC822.SIZE BODY.PEEK[])", by_uid=True, timeout=self.account.timeout
        )
        response = await self._call(fetch, "UID FETCH", inactivity_only=True)
        self._check(response, "UID FETCH")
        wanted = set(uids)
        return sorted((m for m in parse_fetch(response.lines) if m.uid in wanted), key=_uid)

    # Not asyncio.timeout(): running out of time is an answer (False) here, not an error.
    async def wait_for_mail(self, folder: str, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until the server announces new mail in ``folder`` (True) or ``timeout``
        seconds pass (False). Uses IDLE when the server offers it and the account allows it;
        otherwise sleeps ``poll_seconds`` (at most ``timeout``) and asks with NOOP."""
        proto = await self._selected_proto(folder)
        if proto.new_mail.is_set():
            proto.new_mail.clear()
            return True
        if self.account.idle and "IDLE" in proto.capabilities:
            await self._idle(proto, min(timeout, MAX_IDLE_SECONDS))
        else:
            await asyncio.sleep(min(self.account.poll_seconds, timeout))
            self._check(await self._call(proto.simple_command("NOOP"), "NOOP"), "NOOP")
        announced = proto.new_mail.is_set()
        proto.new_mail.clear()
        return announced

    async def _idle(self, proto: WatchedProtocol, seconds: float) -> None:
        idle = asyncio.ensure_future(proto.idle())
        try:
            started = asyncio.ensure_future(proto.wait_for_idle_response())
            await self._call(asyncio.wait({idle, started}, return_when="FIRST_COMPLETED"), "IDLE")
            started.cancel()
            if not idle.done():  # idling: wait for news, the end of the connection or time
                events = [asyncio.ensure_future(e.wait()) for e in (proto.new_mail, proto.closed)]
                await asyncio.wait([*events, idle], timeout=seconds, return_when="FIRST_COMPLETED")
                for event in events:
                    event.cancel()
                if proto.closed.is_set():
                    raise self._lost("IDLE")
                if not idle.done():  # else the server ended IDLE itself
                    proto.idle_done()
            self._check(await self._call(idle, "IDLE"), "IDLE")
        except BaseException:
            if not idle.done():
                idle.cancel()
                self._drop()
            raise
        finally:
            while not proto.idle_queue.empty():
                proto.idle_queue.get_nowait()

    async def _starttls(self, proto: WatchedProtocol, context: ssl.SSLContext | None) -> None:
        assert context is not None
        if "STARTTLS" not in proto.capabilities:
            raise MailConnectionError(self._where("serwer nie oferuje STARTTLS"))
        command = Command("STARTTLS", proto.new_tag(), loop=proto.loop)
        self._check(await self._call(proto.execute(command), "STARTTLS"), "STARTTLS")
        loop = asyncio.get_running_loop()
        try:
            proto.transport = await asyncio.wait_for(
                loop.start_tls(proto.transport, proto, context, server_hostname=self.account.host),
                self.account.timeout,
            )
        except _SSL_ERRORS as exc:
            raise MailConnectionError(self._where(f"błąd TLS ({exc})")) from exc
        await self._call(proto.capability(), "CAPABILITY")

    async def _login(self, proto: WatchedProtocol) -> None:
        response = await self._call(
            proto.login(self.account.username, self.account.password), "LOGIN"
        )
        if response.result != "OK":
            text = b" ".join(line for line in response.lines if isinstance(line, bytes))
            if b"[UNAVAILABLE]" in text or b"[SERVERBUG]" in text:
                raise MailConnectionError(self._where("serwer chwilowo nie loguje użytkowników"))
            raise MailAuthError(
                f"Serwer IMAP {self.account.host} odrzucił logowanie użytkownika "
                f"{self.account.username}: sprawdź nazwę użytkownika i hasło."
            )
        await self._call(proto.capability(), "CAPABILITY")

    async def _selected_proto(self, folder: str) -> WatchedProtocol:
        if self._selected != folder or not self.connected:
            await self.select(folder)
        return self._require()

    def _require(self) -> WatchedProtocol:
        if self._proto is None or self._proto.closed.is_set():
            self._drop()
            raise MailConnectionError(self._where("brak połączenia"))
        return self._proto

    async def _call(self, awaitable: Awaitable[T], what: str, inactivity_only: bool = False) -> T:
        """``awaitable``'s result; a lost connection, an aioimaplib error or the account's
        timeout (unless the command has an inactivity timeout of its own) become
        MailConnectionError."""
        proto = self._require()
        limit = None if inactivity_only else self.account.timeout
        operation = asyncio.ensure_future(awaitable)
        closed = asyncio.ensure_future(proto.closed.wait())
        try:
            await asyncio.wait({operation, closed}, timeout=limit, return_when="FIRST_COMPLETED")
        finally:
            closed.cancel()
        if not operation.done():
            operation.cancel()
            if proto.closed.is_set():
                raise self._lost(what)
            self._drop()
            raise MailConnectionError(self._where(f"brak odpowiedzi na {what} w ciągu {limit} s"))
        try:
            return operation.result()
        except (AioImapException, OSError) as exc:
            self._drop()
            raise MailConnectionError(self._where(f"błąd przy {what} ({exc})")) from exc

    def _check(self, response: Any, what: str) -> None:
        if response.result != "OK":
            detail = b" ".join(x for x in response.lines if isinstance(x, bytes)).decode(
                errors="replace"
            )
            raise MailConnectionError(self._where(f"serwer odrzucił {what}: {detail}"))

    def _lost(self, what: str) -> MailConnectionError:
        bye = self._proto is not None and self._proto.said_bye
        self._drop()
        reason = "serwer zakończył połączenie (BYE)" if bye else "połączenie zerwane"
        return MailConnectionError(self._where(f"{reason} podczas {what}"))

    def _drop(self) -> None:
        if self._proto is not None and self._proto.transport is not None:
            self._proto.transport.close()
        self._proto, self._selected = None, None

    def _where(self, reason: str) -> str:
        account = self.account
        return f"Serwer IMAP {account.host}:{account.port} ({account.username}): {reason}."


def _uid(message: FetchedMessage) -> int:
    return message.uid
