"""Errors of the Asterisk side that reach an HTTP client or the ``cic`` command."""

from __future__ import annotations

from cic.errors import CicError


class UnsafeValue(CicError):
    """A value bound for an Asterisk configuration file or the dialplan breaks its grammar.

    ``field`` names the setting or form field (in Polish where an official sees it); the
    message says what is allowed. Nothing was written when this is raised.
    """

    status = 400
    error_id = "invalid_value"

    def __init__(self, field: str, rule: str) -> None:
        """``rule`` is the Polish description of what the field accepts."""
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")
