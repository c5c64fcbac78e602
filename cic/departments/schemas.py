"""What the office's departments look like in the API."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict


class DepartmentOut(TypedDict):
    """A department (``hours`` null: the office's hours apply)."""

    id: int
    code: str
    name: str
    hours: Annotated[
        dict[str, list[str]] | None,
        Field(description='przedziały godzin w dniach tygodnia, np. {"mon": ["08:00-16:00"]}'),
    ]
    active: bool
