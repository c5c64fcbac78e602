"""The SMSAPI.pl client: ``POST {base}/sms.do`` with ``Authorization: Bearer <token>`` and the
form fields ``to`` (``48`` and the nine national digits), ``message``, ``from`` (the sender
name, when set), ``format=json``, ``encoding=utf-8``, ``normalize`` (replace Polish letters
with plain ones: one GSM part holds 160 characters instead of 70), and ``idx`` with
``check_idx=1``: the gateway refuses (error 53) a second message with the same key, so a
message whose answer was lost is never sent twice.

The answer is ``{"count": n, "list": [{"id", "points", "number", "status", ...}]}`` or
``{"error": code, "message": text}``. The error codes and what a sender does with them:

====================  ===================================================  ==============
code                  meaning (SMSAPI's documentation)                     kind
====================  ===================================================  ==============
13, 57                no valid number / the number is on the blacklist     recipient
11, 12, 17, 18, 8     the text or the request is not acceptable            recipient
52                    too many messages to one number within 60 s          temporary
53                    ``idx`` already used (``check_idx``)                 already sent
14                    the sender name is not valid/verified                gateway
101, 102, 105, 110    authorisation, login, IP filter, action not allowed  gateway
103                   not enough points (credit) on the account            gateway
200, 201, 202, 203    not sent / internal error / too many requests        temporary
HTTP 429, 5xx         rate limit, the gateway's trouble                    temporary
timeout, no connection                                                     temporary
====================  ===================================================  ==============

Sources: the list of API error codes 8–62 and the delivery statuses at
https://www.smsapi.com/resp (searched 2026-12-06); the ``sms.do`` parameters, the Bearer
authentication and ERROR:105 for the IP filter at https://docs.smsapi.com/ (sections 1.2–1.3,
2). The codes 101–203 were not in the stored excerpts of those pages: their meanings above are
SMSAPI's as we know them and are an assumption to check against the live documentation. An
unknown code is treated as a refusal of this one message.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from cic.sms.errors import SmsError, SmsGatewayError, SmsRecipientError, SmsTemporaryError
from cic.sms.parts import count_parts
from cic.sms.provider import SentSms

DEFAULT_URL = "https://api.smsapi.pl"
RECIPIENT = frozenset({8, 11, 12, 13, 17, 18, 57})
GATEWAY = frozenset({14, 101, 102, 103, 105, 110})
TEMPORARY = frozenset({52, 200, 201, 202, 203})
ALREADY_SENT = 53
#: What the supervisor reads for the codes that stop the gateway.
GATEWAY_TEXT = {
    14: "nazwa nadawcy SMS nie jest zweryfikowana w SMSAPI",
    101: "SMSAPI odrzuciło token (brak lub błędne dane autoryzacji)",
    102: "SMSAPI odrzuciło login lub hasło",
    103: "brak środków (punktów) na koncie SMSAPI",
    105: "adres IP serwera nie jest na liście dozwolonych w SMSAPI",
    110: "konto SMSAPI nie ma uprawnień do wysyłki",
}


class SmsApi:
    """One account at SMSAPI.pl; ``sender`` empty: the account's default name."""

    name = "smsapi"

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_URL,
        sender: str = "",
        normalize: bool = False,
        timeout: float = 10.0,
        max_parts: int = 6,
    ) -> None:
        """``timeout`` in seconds for one request; longer texts than ``max_parts`` parts are
        refused before they cost anything."""
        self.token, self.base_url = token, base_url.rstrip("/")
        self.sender, self.normalize, self.max_parts = sender, normalize, max_parts
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, number: str, text: str, key: str) -> SentSms:
        """See ``cic.sms.provider.Provider.send``."""
        if not (len(number) == 9 and number.isascii() and number.isdigit()):
            raise SmsRecipientError(f"Niepoprawny numer telefonu: {number[:20]!r}.")
        parts = count_parts(text)
        if not text.strip() or parts.count > self.max_parts:
            raise SmsRecipientError(
                f"Treść SMS: od 1 znaku do {self.max_parts} części (ta ma {parts.count})."
            )
        form = {
            "to": f"48{number}", "message": text, "format": "json", "encoding": "utf-8",
            "idx": key[:255], "check_idx": "1",
        }  # fmt: skip
        if self.sender:
            form["from"] = self.sender
        if self.normalize:
            form["normalize"] = "1"
        status, body = await self._post("/sms.do", form)
        return _answer(status, body, parts.count)

    async def close(self) -> None:
        """See ``cic.sms.provider.Provider.close``."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _post(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        try:
            async with self._session.post(
                self.base_url + path, data=form, headers=headers
            ) as response:
                body = await response.text()
                if response.status == 429 or response.status >= 500:
                    raise SmsTemporaryError(
                        f"Bramka SMS odpowiedziała HTTP {response.status}.",
                        code=response.status if response.status == 429 else 0,
                        retry_after=_retry_after(response.headers.get("Retry-After", "")),
                    )
                return response.status, body
        except TimeoutError as exc:
            raise SmsTemporaryError("Bramka SMS nie odpowiedziała w czasie.") from exc
        except aiohttp.ClientError as exc:
            raise SmsTemporaryError(f"Brak połączenia z bramką SMS ({exc}).") from exc


def _retry_after(value: str) -> float:
    try:
        return max(0.0, min(float(value), 3600.0))
    except ValueError:
        return 0.0


def _answer(status: int, body: str, parts: int) -> SentSms:
    """What an answer means: the sent message, or the error of its kind."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        if status in (401, 403):
            raise SmsGatewayError(f"SMSAPI odrzuciło autoryzację (HTTP {status}).", code=101)
        raise SmsTemporaryError(f"Bramka SMS dała odpowiedź, której nie rozumiemy (HTTP {status}).")
    if "error" in data and data["error"] not in (None, 0):
        if str(data["error"]) == str(ALREADY_SENT):
            return SentSms("", parts, duplicate=True)
        raise _error(data)
    listed = data.get("list")
    if not isinstance(listed, list) or not listed or not isinstance(listed[0], dict):
        raise SmsTemporaryError("Bramka SMS nie potwierdziła przyjęcia wiadomości.")
    first = listed[0]
    try:
        points = float(first.get("points") or 0)
        parts = int(first.get("parts") or parts)
    except (TypeError, ValueError):
        points = 0.0
    return SentSms(str(first.get("id", ""))[:64], parts, points)


def _error(data: dict[str, Any]) -> SmsError:
    try:
        code = int(data["error"])
    except (TypeError, ValueError):
        code = -1
    said = str(data.get("message", ""))[:200]
    if code in GATEWAY:
        return SmsGatewayError(f"{GATEWAY_TEXT[code]} (błąd {code}).", code=code)
    if code in TEMPORARY:
        return SmsTemporaryError(f"Bramka SMS chwilowo odmawia (błąd {code}: {said}).", code=code)
    if code in (13, 57):
        return SmsRecipientError(f"Numer odrzucony przez bramkę SMS (błąd {code}).", code=code)
    return SmsRecipientError(f"Bramka SMS odrzuciła wiadomość (błąd {code}: {said}).", code=code)
