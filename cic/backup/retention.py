"""Which archives to keep: the newest of each of the last ``daily`` days, ``weekly`` ISO
weeks and ``monthly`` months (or, with ``--keep N``, the newest N). Only files named as cic
names its archives are ever considered, so nothing else in the folder is touched."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime
from pathlib import Path

NAME = re.compile(r"^cic-backup-(\d{8})-(\d{6})\.tar$")


def archive_name(at: datetime) -> str:
    """``cic-backup-RRRRMMDD-GGMMSS.tar`` for the UTC time ``at``."""
    return f"cic-backup-{at.astimezone(UTC):%Y%m%d-%H%M%S}.tar"


def made_at(name: str) -> datetime | None:
    """When cic made the archive named ``name``; None for any other file."""
    found = NAME.match(name)
    if found is None:
        return None
    try:
        return datetime.strptime(found[1] + found[2], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _newest_per(
    dated: list[tuple[datetime, str]], count: int, period: Callable[[datetime], Hashable]
) -> set[str]:
    kept: dict[Hashable, str] = {}
    for when, name in dated:  # newest first: the first of a period is its newest
        key = period(when)
        if key not in kept:
            if len(kept) == count:
                break
            kept[key] = name
    return set(kept.values())


def to_delete(
    names: Iterable[str], *, daily: int, weekly: int, monthly: int, keep: int | None = None
) -> list[str]:
    """The archives among ``names`` to delete (cic's own only), oldest first."""
    dated = sorted(((t, n) for n in names if (t := made_at(n)) is not None), reverse=True)
    if keep is not None:
        kept = {n for _, n in dated[: max(keep, 1)]}
    else:
        kept = _newest_per(dated, daily, lambda t: t.date())
        kept |= _newest_per(dated, weekly, lambda t: t.isocalendar()[:2])
        kept |= _newest_per(dated, monthly, lambda t: (t.year, t.month))
    return [n for _, n in reversed(dated) if n not in kept]


def prune(
    folder: Path, *, daily: int, weekly: int, monthly: int, keep: int | None = None
) -> list[Path]:
    """Delete the archives ``to_delete`` names in ``folder``; the paths deleted."""
    names = [p.name for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    gone = []
    for name in to_delete(names, daily=daily, weekly=weekly, monthly=monthly, keep=keep):
        (folder / name).unlink(missing_ok=True)
        gone.append(folder / name)
    return gone
