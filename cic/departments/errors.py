"""Errors of the departments domain; each carries its HTTP status and a stable error id (the
same ids the admin API has always answered with)."""

from __future__ import annotations

from cic.errors import CicError


class DepartmentError(CicError):
    """Base class of department errors."""

    status = 400
    error_id = "department_error"


class DepartmentNotFound(DepartmentError):
    """No department has this code."""

    status = 404
    error_id = "not_found"

    def __init__(self, code: object) -> None:
        """The message names the code asked for."""
        super().__init__(f"Nie ma wydziału o symbolu {code!r}.")


class DepartmentExists(DepartmentError):
    """A department with this code exists already."""

    status = 409
    error_id = "already_exists"

    def __init__(self, code: str) -> None:
        """The message names the code."""
        super().__init__(f"Wydział {code} już istnieje.")
