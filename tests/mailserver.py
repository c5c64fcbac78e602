"""A real mail system for tests: Dovecot (IMAP, LMTP) and Postfix (SMTP) from Debian.

``MailServer(root)`` writes configs under ``root`` and starts its own Dovecot and its own
Postfix instance on free 127.0.0.1 ports (several can run side by side, e.g. one per
pytest-xdist worker); the system's mail services, if any, are neither used nor touched.

- Dovecot: IMAP with STARTTLS and IMAPS (implicit TLS), certificate signed by a CA generated
  for this server (``ca_file``); users from a passwd-file (``add_user``); maildirs; IDLE.
- Postfix: ``smtp_port`` accepts mail for gmina.test and mieszkaniec.test without AUTH and
  relays nowhere (the domains' MX: how a test resident writes to the office);
  ``submission_port`` (STARTTLS, like 587) and ``submissions_port`` (implicit TLS, like 465)
  require SASL AUTH checked by Dovecot: what cic sends through. Everything is delivered to
  Dovecot over LMTP; mail for any other domain bounces.

``root`` must be reachable by the unprivileged users the daemons switch to (dovecot, postfix,
mail), so not under pytest's 0700 ``tmp_path``: ``MailServer.temporary()`` makes a fitting
directory under /tmp. Daemons run as root, which this machine and CI are.
"""

from __future__ import annotations

import atexit
import dataclasses
import imaplib
import os
import pwd
import secrets
import shutil
import smtplib
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from tests import mailconf, mailtls
from tests.maildaemons import (
    DOVECOT,
    OWNER_FILE,
    POSTFIX_MASTER,
    TEMP_PREFIX,
    first_line,
    free_ports,
    missing_binaries,
    reap_abandoned,
    tail,
    terminate,
)

OFFICE_ADDRESS = "kontakt@gmina.test"
OFFICE_PASSWORD = "Sekretariat-2026"


class MailServerError(RuntimeError):
    """The mail system did not start (the message ends with the tail of its logs)."""


class PortTaken(MailServerError):
    """A port picked as free was taken by someone else before the daemon bound it."""


class MailServer:
    """One Dovecot and one Postfix under ``root``; see the module docstring."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._remove_root = False
        self._passwords: dict[str, str] = {}
        self._dovecot: subprocess.Popen[bytes] | None = None
        self._postfix: subprocess.Popen[bytes] | None = None
        mail = pwd.getpwnam("mail")
        tag = f"cic-test-{secrets.token_hex(4)}"
        self.layout = mailconf.Layout(root, tag, *free_ports(5), mail.pw_uid, mail.pw_gid)

    @classmethod
    def temporary(cls) -> MailServer:
        """A server in a new directory under /tmp (removed again by ``stop``). Servers left
        behind by test processes that died are stopped and removed first."""
        reap_abandoned()
        root = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
        (root / OWNER_FILE).write_text(str(os.getpid()))
        server = cls(root)
        server._remove_root = True
        return server

    @property
    def imap_port(self) -> int:
        """IMAP with STARTTLS (plain-text login is allowed too, on loopback only)."""
        return self.layout.imap_port

    @property
    def imaps_port(self) -> int:
        """IMAP over implicit TLS."""
        return self.layout.imaps_port

    @property
    def smtp_port(self) -> int:
        """Inbound SMTP without AUTH for the local domains (the domain's MX)."""
        return self.layout.smtp_port

    @property
    def submission_port(self) -> int:
        """Submission: STARTTLS required, then AUTH with a Dovecot user."""
        return self.layout.submission_port

    @property
    def submissions_port(self) -> int:
        """Submission over implicit TLS (like 465), then AUTH with a Dovecot user."""
        return self.layout.submissions_port

    @property
    def ca_file(self) -> Path:
        """The PEM certificate of the CA that signed both servers' certificates."""
        return self.layout.tls_dir / "ca.pem"

    @property
    def office_address(self) -> str:
        """The office's mailbox (created by ``start``)."""
        return OFFICE_ADDRESS

    @property
    def office_password(self) -> str:
        """The office mailbox's password (IMAP login and submission AUTH)."""
        return OFFICE_PASSWORD

    def start(self, attempts: int = 3) -> None:
        """Write the configs and start both daemons; returns once each port greets as this
        instance. When another process took a picked port first, starts again on new ports
        (``attempts`` times in all). Raises ``MailServerError`` with the logs' tails."""
        if missing := missing_binaries():
            raise MailServerError(f"not installed: {', '.join(missing)}")
        version = subprocess.run([DOVECOT, "--version"], capture_output=True, text=True).stdout
        if not version.startswith("2.3."):
            raise MailServerError(f"tests/mailconf.py writes Dovecot 2.3 settings, not {version}")
        atexit.register(self.stop)
        for attempt in range(attempts):
            try:
                self._prepare()
                self._start_dovecot()
                self._start_postfix()
                return
            except PortTaken:
                self._stop_daemons()
                if attempt == attempts - 1:
                    self.stop()
                    raise
                self.layout = dataclasses.replace(
                    self.layout, **dict(zip(mailconf.PORTS, free_ports(5), strict=True))
                )
            except BaseException:
                self.stop()
                raise

    def stop(self) -> None:
        """Stop both daemons (idempotent); a ``temporary()`` root is removed."""
        self._stop_daemons()
        atexit.unregister(self.stop)
        if self._remove_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def _stop_daemons(self) -> None:
        for name in ("_postfix", "_dovecot"):
            process = getattr(self, name)
            setattr(self, name, None)
            if process is not None:
                terminate(process)

    def restart_dovecot(self) -> None:
        """Stop Dovecot (clients get BYE and lose their connections) and start it again on
        the same ports, with the same mailboxes."""
        if self._dovecot is not None:
            terminate(self._dovecot)
            self._dovecot = None
        self._start_dovecot()

    def add_user(self, address: str, password: str) -> None:
        """A mailbox for ``address``, usable at once (its first delivery creates it)."""
        if any(c in address + password for c in ":/\n\r") or not address.find("@") > 0:
            raise ValueError(f"unusable test user {address!r}")
        self._passwords[address] = password
        tmp = self.layout.users_dir / f".{address}.new"
        tmp.write_text(f"{address}:{{PLAIN}}{password}::::::\n")
        shutil.chown(tmp, group="dovecot")
        tmp.chmod(0o640)
        tmp.replace(self.layout.users_dir / address)

    def send(self, raw: bytes, sender: str, rcpts: Iterable[str]) -> None:
        """Submit ``raw`` over the inbound SMTP port (no AUTH), as a resident's server would."""
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as smtp:
            smtp.sendmail(sender, list(rcpts), raw)

    def append(self, address: str, raw: bytes, folder: str = "INBOX") -> None:
        """Put ``raw`` into a mailbox byte for byte with IMAP APPEND (no SMTP in between)."""
        with self.imap(address) as imap:
            _ok(imap.append(folder, "", None, raw), "APPEND")

    def create_folder(self, address: str, folder: str) -> None:
        """A new folder in ``address``'s mailbox."""
        with self.imap(address) as imap:
            _ok(imap.create(folder), "CREATE")

    def messages(self, address: str, folder: str = "INBOX") -> list[bytes]:
        """Every message in ``folder``, raw, in UID order (read with BODY.PEEK, flags kept)."""
        with self.imap(address) as imap:
            _ok(imap.select(folder, readonly=True), "SELECT")
            typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
            _ok((typ, data), "FETCH")
            return [part[1] for part in data if isinstance(part, tuple)]

    def wait_for(
        self,
        address: str,
        predicate: Callable[[bytes], bool] = lambda raw: True,
        timeout: float = 15,
        folder: str = "INBOX",
    ) -> bytes:
        """The first message in ``folder`` for which ``predicate(raw)`` holds, polling until
        ``timeout`` seconds pass (then ``TimeoutError`` with what the box holds)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [raw for raw in self.messages(address, folder) if predicate(raw)]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                count = len(self.messages(address, folder))
                raise TimeoutError(
                    f"no matching message for {address}/{folder} in {timeout} s "
                    f"({count} other messages)\n{self.logs()}"
                )
            time.sleep(0.1)

    def logs(self) -> str:
        """The tails of Dovecot's and Postfix's logs, for failure messages."""
        return "\n".join(tail(path) for path in (self.layout.dovecot_log, self.layout.postfix_log))

    def imap(self, address: str) -> imaplib.IMAP4:
        """An imaplib connection logged in as ``address`` (use it as a context manager)."""
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        imap.login(address, self._passwords[address])
        return imap

    def _prepare(self) -> None:
        for parent in self.root.parents:
            if not parent.stat().st_mode & stat.S_IXOTH:
                raise MailServerError(
                    f"{parent} is not reachable by the mail daemons' users (mode "
                    f"{stat.filemode(parent.stat().st_mode)}): use MailServer.temporary()"
                )
        if len(str(self.layout.auth_socket)) > 100:
            raise MailServerError(f"{self.root} is too long a path for Unix sockets")
        self.root.chmod(0o755)
        layout = self.layout
        directories = (
            layout.dovecot_dir,
            layout.run_dir,
            layout.users_dir,
            layout.postfix_dir,
            layout.tls_dir,
        )
        for directory in directories:
            directory.mkdir(parents=True, exist_ok=True)
            # Explicitly: a test that ran cic's command in this process left umask 027, and
            # Dovecot's auth process (its own user) must read the users' files in here.
            directory.chmod(0o755)
        layout.mail_dir.mkdir(exist_ok=True)
        os.chown(layout.mail_dir, layout.mail_uid, layout.mail_gid)
        ca = mailtls.make_ca(layout.tls_dir)
        assert ca.cert_file == self.ca_file
        cert = mailtls.issue(ca, layout.tls_dir)
        layout.dovecot_conf.write_text(mailconf.dovecot_conf(layout, cert.cert_file, cert.key_file))
        (layout.postfix_dir / "main.cf").write_text(
            mailconf.postfix_main_cf(layout, cert.cert_file, cert.key_file)
        )
        (layout.postfix_dir / "master.cf").write_text(mailconf.postfix_master_cf(layout))
        # Postfix rereads a main.cf changed within the current second until it is older.
        past = time.time() - 2
        for name in ("main.cf", "master.cf"):
            os.utime(layout.postfix_dir / name, (past, past))
        self.add_user(OFFICE_ADDRESS, OFFICE_PASSWORD)

    def _start_dovecot(self) -> None:
        log = self.layout.dovecot_dir / "stderr.log"
        with log.open("ab") as out:
            self._dovecot = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.layout.dovecot_conf)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
                umask=0o022,
            )
        self._wait_ready(self._dovecot, log, greeting=[self.imap_port], tls=[self.imaps_port])
        self._wait_path(self.layout.auth_socket, self._dovecot)

    def _start_postfix(self) -> None:
        conf = str(self.layout.postfix_dir)
        log = self.layout.postfix_dir / "stderr.log"
        for path, owner, group, mode in mailconf.postfix_directories(self.layout):
            path.mkdir(exist_ok=True)
            shutil.chown(path, owner, group)
            path.chmod(mode)
        with log.open("ab") as out:
            self._postfix = subprocess.Popen(
                [POSTFIX_MASTER, "-c", conf, "-d"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
                umask=0o022,
            )
        self._wait_ready(
            self._postfix,
            log,
            greeting=[self.smtp_port, self.submission_port],
            tls=[self.submissions_port],
        )

    def _wait_ready(
        self,
        process: subprocess.Popen[bytes] | None,
        extra_log: Path,
        greeting: list[int],
        tls: list[int],
    ) -> None:
        """Wait until the ``greeting`` ports greet with this instance's tag and the ``tls``
        ports accept; a port greeting otherwise belongs to someone else (PortTaken)."""
        deadline = time.monotonic() + 15
        for port in greeting + tls:
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                        banner = first_line(sock) if port in greeting else self.layout.tag.encode()
                    break
                except OSError:
                    self._check_alive(process, f"port {port}", deadline, extra_log)
            if self.layout.tag.encode() not in banner:
                raise PortTaken(f"port {port} answers as someone else: {banner!r}")
        time.sleep(0.05)  # a daemon that failed to bind a later port exits at once
        self._check_alive(process, "start-up", deadline, extra_log)

    def _wait_path(self, path: Path, process: subprocess.Popen[bytes] | None) -> None:
        deadline = time.monotonic() + 15
        while not path.exists():
            self._check_alive(process, str(path), deadline, None)

    def _check_alive(
        self,
        process: subprocess.Popen[bytes] | None,
        what: str,
        deadline: float,
        extra_log: Path | None,
    ) -> None:
        exited = process is None or process.poll() is not None
        if exited or time.monotonic() > deadline:
            reason = "exited" if exited else "timed out"
            logs = self.logs() + ("\n" + tail(extra_log) if extra_log else "")
            error = PortTaken if "Address already in use" in logs else MailServerError
            raise error(f"mail server {reason} waiting for {what}\n{logs}")
        time.sleep(0.05)


def _ok(response: tuple[str, list[object]], command: str) -> None:
    if response[0] != "OK":
        raise MailServerError(f"IMAP {command} failed: {response[1]!r}")
