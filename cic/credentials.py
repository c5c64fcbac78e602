"""Generated secrets (AMI password, FastAGI secret, the key SIP passwords derive from, API token,
the keys of the PESEL digests and of the web form's tokens) and secrets issued elsewhere (the
SMS gateway's API token) in a 0600 JSON file.

Secrets are created on first use with ``secrets.token_urlsafe`` and never leave this file except
into the rendered Asterisk configuration (0640: the controller and Asterisk's group) and, later,
the signed-in agent's browser.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
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
    def sms_token(self) -> str:
        """The SMS gateway's API token kept in this file (``sms_token``; empty: none). It is
        the operator's, not generated: ``set_secret("sms_token", ...)`` stores it."""
        return str(self._data.get("sms_token", ""))

    def set_secret(self, key: str, value: str) -> None:
        """Keep ``value`` under ``key`` (a secret someone else issued, like an API token)."""
        self._data[key] = value
        self._save()

    def sip_password(self, endpoint: str) -> str:
        """The SIP password of ``endpoint``: one kept from earlier versions, else derived from
        the file's SIP key (HMAC-SHA256), so every Asterisk node whose controller holds a copy
        of this file gives a new agent the same password without copying the file again."""
        kept = self._data.get("sip", {}).get(endpoint)
        if isinstance(kept, str):
            return kept
        digest = hmac.new(self._get("sip_key", 32).encode(), endpoint.encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()[:18]).decode()

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
