"""Errors of the post-call job system; each carries its HTTP status and a stable ``error_id``."""

from __future__ import annotations

from typing import ClassVar

from cic.errors import CicError


class PostCallError(CicError):
    """Base class of the post-call job system's errors."""

    status: ClassVar[int] = 500
    error_id: ClassVar[str] = "post_call_error"


class JobNotFound(PostCallError):
    """No post-call job with this id."""

    status = 404
    error_id = "job_not_found"
    default_message = "Nie znaleziono zadania przetwarzania nagrania."


class JobNotRetryable(PostCallError):
    """Only failed jobs can be retried by hand."""

    status = 409
    error_id = "job_not_retryable"
    default_message = "Ponowić można tylko zadanie zakończone błędem."


class InvalidInput(PostCallError):
    """A request parameter the job system cannot use (a job state, a job id)."""

    status = 400
    error_id = "invalid_input"
    default_message = "Nieprawidłowe dane."
