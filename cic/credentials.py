"""Generated secrets (AMI password, FastAGI secret, one SIP password per endpoint, API token,
the keys of the PESEL digests and of the web form's tokens) in a 0600 JSON file.

Secrets are created on first use with ``secrets.token_urlsafe`` and never leave this file except
into the rendered Asterisk configuration (0640: the controller and Asterisk's group) and, later,
the signed-in agent's browser.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from cic.private import private_dir


class Credentials:
    """Reads and extends the secrets file; every write is atomic and mode 0600."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict[str, Any] = {}
        if path.exists():
            self._data = json.loads(path.read_text(encoding="utf-8"))

    @property
    def ami_password(self) -> str:
        """The AMI password of the controller's manager user."""
        return self._get("ami_password")

    @property
    def agi_secret(self) -> str:
        """The secret every FastAGI request from the dialplan carries (URL-safe characters)."""
        return self._get("agi_secret")

    @property
    def api_token(self) -> str:
        """The bearer token of the controller's JSON API (used by the ``cic`` command)."""
        return self._get("api_token")

    @property
    def pesel_key(self) -> bytes:
        """The key of the residents' PESEL digests (``cic.residents.pesel``). Never rotate it
        casually: digests made with another key no longer find anyone."""
        return self._get("pesel_key", 32).encode("ascii")

    @property
    def form_key(self) -> bytes:
        """The key that signs the public web form's tokens (``cic.channels.formtoken``)."""
        return self._get("form_key", 32).encode("ascii")

    @property
    def dispatch_key(self) -> bytes:
        """The key that signs responders' confirmation links (``cic.responders.dispatch``)."""
        return self._get("dispatch_key", 32).encode("ascii")

    def sip_password(self, endpoint: str) -> str:
        """The SIP password of ``endpoint``, generated on first request."""
        passwords: dict[str, str] = self._data.setdefault("sip", {})
        if endpoint not in passwords:
            passwords[endpoint] = secrets.token_urlsafe(18)
            self._save()
        return passwords[endpoint]

    def forget(self, key: str) -> bool:
        """Remove ``key`` from the file (e.g. clear passwords an older version kept)."""
        if key not in self._data:
            return False
        del self._data[key]
        self._save()
        return True

    def _get(self, key: str, nbytes: int = 24) -> str:
        if key not in self._data:
            self._data[key] = secrets.token_urlsafe(nbytes)
            self._save()
        return str(self._data[key])

    def _save(self) -> None:
        private_dir(self.path.parent)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".secrets.")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self._data, fh, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
