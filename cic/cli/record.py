"""``cic ami record``: record live AMI events into a tracker fixture."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from cic.asterisk.recorder import record
from cic.config import Settings
from cic.credentials import Credentials


def ami_record(settings: Settings, output: str, seconds: float, scenario: str) -> dict[str, object]:
    """Record for ``seconds`` and write ``{"scenario", "events"}`` JSON to ``output``."""
    a = settings.asterisk
    secret = Credentials(settings.secrets_path).ami_password
    events = asyncio.run(record(a.ami_host, a.ami_port, a.ami_user, secret, seconds))
    data = {"scenario": scenario or Path(output).stem, "events": events}
    Path(output).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"output": output, "events": len(events)}
