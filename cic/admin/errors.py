"""Errors of the admin domain; each carries its HTTP status and a stable error id."""

from __future__ import annotations

from cic.errors import CicError


class AdminError(CicError):
    """Base class of admin errors."""

    status = 400
    error_id = "admin_error"


class InvalidValue(AdminError):
    """A value an administrator entered breaks a rule; the message says which, in Polish."""

    status = 400
    error_id = "invalid_value"


class NotFound(AdminError):
    """No department, queue or agent of that name."""

    status = 404
    error_id = "not_found"


class Conflict(AdminError):
    """The name is taken already."""

    status = 409
    error_id = "already_exists"
