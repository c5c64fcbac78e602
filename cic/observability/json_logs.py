"""``logging.format: json``: one JSON object per log line, for log collectors.

Each line holds ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message`` (the same text the
plain format writes), ``exception`` when there is one, and the extra fields named in
:data:`EXTRA_FIELDS` when a call gives them (``log.info(..., extra={"call_id": ...})``).
Nothing else of the record is written: the rules on personal data in logs (route patterns, no
numbers, no search words) hold for the message, and a field a library adds to its records
(which the plain format never shows) does not slip into the JSON.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

#: Extra record fields written when present: identifiers of calls, jobs and staff, not residents.
EXTRA_FIELDS = ("call_id", "job_id", "queue", "agent", "script", "result", "duration_seconds")


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON (see the module doc)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object on one line."""
        at = datetime.fromtimestamp(record.created, UTC)
        out: dict[str, Any] = {
            "time": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        for name in EXTRA_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                out[name] = value if isinstance(value, int | float | bool) else str(value)
        return json.dumps(out, ensure_ascii=False)


def use_json_logs(root: logging.Logger | None = None) -> None:
    """Make every handler of the root logger (as ``logging.basicConfig`` made it) write JSON."""
    for handler in (root or logging.getLogger()).handlers:
        handler.setFormatter(JsonFormatter())
