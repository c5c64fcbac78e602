"""What the auth domain's API gives: audit entries."""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict


class AuditOut(TypedDict):
    """One audit entry: when, who, what, on which object, from where, and the details."""

    at: str
    actor: str
    action: str
    target: str
    ip: str
    detail: dict[str, Any]
