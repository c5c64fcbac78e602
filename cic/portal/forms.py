"""Tokens of the portal's anonymous forms: CSRF protection without a session or a cookie.

Every portal form carries a hidden ``form_token`` signed with the office's key (the same
scheme as the web form of the contact channels, ``cic.channels.formtoken``). A POST without a
good token is refused with a Polish message and the page is shown again with what was typed.
The Origin check every state-changing request gets is done by ``cic.auth.middleware``.

Two kinds: lookups (case status, dues) need no delay; messages (comments, subscriptions,
contact) must not be sent sooner than ``min_seconds`` after the form was shown (a bot's
speed), which keeps automated spam out without a CAPTCHA.
"""

from __future__ import annotations

from collections.abc import Mapping

from cic.channels.formtoken import FormToken, FormTokens, TokenRefused
from cic.portal.errors import PortalFormExpired

FORM_FIELD = "form_token"


class PortalForms:
    """Issues and checks the hidden token of one kind of portal form."""

    def __init__(self, key: bytes, *, min_seconds: int = 0, max_hours: int = 24) -> None:
        """``key`` signs the tokens; see the module docstring for ``min_seconds``."""
        self.tokens = FormTokens(key, min_seconds=min_seconds, max_hours=max_hours)

    def token(self) -> str:
        """A token for a form shown now (put it in the hidden ``form_token`` field)."""
        return self.tokens.issue()

    def check(self, data: Mapping[str, str]) -> FormToken:
        """The checked token of submitted form ``data``, or ``PortalFormExpired``."""
        try:
            return self.tokens.check(str(data.get(FORM_FIELD, "")))
        except TokenRefused as exc:
            if exc.reason == "too_fast":
                raise PortalFormExpired(
                    "Formularz wysłano zbyt szybko po otwarciu strony. Sprawdź dane i wyślij"
                    " ponownie."
                ) from exc
            raise PortalFormExpired() from exc
