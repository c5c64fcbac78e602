"""Errors of the supervisor's review and transcript search; each carries its HTTP status and
a stable ``error_id``."""

from __future__ import annotations

from typing import ClassVar

from cic.errors import CicError


class ReviewError(CicError):
    """Base class of the review's errors."""

    status: ClassVar[int] = 500
    error_id: ClassVar[str] = "review_error"


class InvalidInput(ReviewError):
    """A filter, period, page or search query the review cannot use."""

    status = 400
    error_id = "invalid_input"
    default_message = "Nieprawidłowe dane."
