"""The day folders Asterisk records into (``YYYY/MM/DD``, UTC), made ahead by the controller.

MixMonitor would make a missing folder itself, as Asterisk's user with mode 0750: the
controller could read the recordings in it but, not owning the folder, never delete them
when their retention ends. So the controller makes today's and the next days' folders
first, owned by itself with mode 2770 (group ``cic`` writes, the group is inherited); see
:mod:`cic.asterisk.ownership`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)
FOLDER_MODE = 0o2770
HOUR = 3600.0


def make_day_folders(root: Path, now: datetime, days: int = 3) -> list[Path]:
    """Make ``root/YYYY/MM/DD`` for the UTC day of ``now`` and the ``days - 1`` after it;
    returns the day folders (existing ones are left as they are; none without ``root``)."""
    out: list[Path] = []
    if not root.is_dir():
        return out
    day = now.astimezone(UTC).date()
    for offset in range(days):
        when = day + timedelta(days=offset)
        parts = (f"{when:%Y}", f"{when:%m}", f"{when:%d}")
        folder = root
        for part in parts:
            folder = folder / part
            if not folder.exists():
                folder.mkdir(exist_ok=True)
                os.chmod(folder, FOLDER_MODE)  # mkdir's mode is cut by the umask
        out.append(folder)
    return out


async def keep_day_folders(root: Path, every: float = HOUR) -> None:
    """Make the coming day folders now and then every ``every`` seconds (until cancelled)."""
    while True:
        try:
            await asyncio.to_thread(make_day_folders, root, datetime.now(UTC))
        except OSError as exc:
            log.warning("recordings: cannot make the day folders in %s: %s", root, exc)
        await asyncio.sleep(every)
