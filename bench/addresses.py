"""The address register and "send the nearest available" at a gmina's size: how long an
import of the register's CSV takes (first load and the same file again), and how many typed
addresses, suggestions and responder proposals are answered per second.

    PYTHONPATH=. python bench/addresses.py [--points 20000] [--responders 300] [--db URL]

A made-up gmina (villages with streets, hamlets without) is written as PRG CSV in EPSG:2180;
the store is SQLite in a temporary folder unless ``--db`` names another (PostgreSQL). Figures
only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from pyproj import Transformer

from cic.addresses import importer, prg
from cic.addresses.service import AddressBook
from cic.auth.actor import Actor
from cic.db import Store
from cic.responders.service import Area, ResponderInput, ResponderService

STREETS = ("Lipowa", "Polna", "Kościelna", "Szkolna", "Leśna", "Ogrodowa", "Łąkowa", "Długa")


def gmina_csv(points: int, seed: int = 7) -> tuple[bytes, list[str]]:
    """A PRG CSV of about ``points`` address points and a sample of typed addresses."""
    rng = random.Random(seed)
    to_grid = Transformer.from_crs(4326, 2180, always_xy=True)
    lines = ["idIIP;miejscowosc;ulica;numerPorzadkowy;kodPocztowy;status;x;y"]
    typed: list[str] = []
    village = 0
    while len(lines) <= points:
        village += 1
        name = "".join(chr(97 + (village // 26**k) % 26) for k in range(3))
        place, lat0, lon0 = f"Wola {name.title()}", rng.uniform(52.3, 52.5), rng.uniform(20.7, 21.1)
        streets = STREETS[: rng.randint(0, len(STREETS))]
        for street in streets or ("",):
            for number in range(1, rng.randint(20, 120)):
                east, north = to_grid.transform(lon0 + number * 2e-4, lat0 + number * 1e-4)
                lines.append(f"PA.{len(lines)};{place};{street};{number};05-100;istniejacy;"
                             f"{north:.2f};{east:.2f}")  # fmt: skip
                if rng.random() < 0.01:
                    typed.append(
                        f"ul. {street} {number}, {place}" if street else f"{place} {number}"
                    )
    return "\n".join(lines).encode(), typed


async def per_second(work: list[object], call: object) -> float:
    """Sequential calls of ``call(item)`` per second over ``work``."""
    started = time.perf_counter()
    for item in work:
        await call(item)  # type: ignore[operator]
    return len(work) / (time.perf_counter() - started)


async def main() -> None:
    """Build, import twice, then time the lookups."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--responders", type=int, default=300)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    data, typed = gmina_csv(args.points)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(args.db or f"sqlite:///{Path(folder) / 'cic.db'}")
        store.migrate()
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            report = importer.load(store, prg.parse(data, max_bytes=10**9, max_rows=10**7))
            timings.append(time.perf_counter() - started)
        print(f"{store.engine.url.get_backend_name()}: {report.unchanged} points, "
              f"{len(data) / 1e6:.1f} MB CSV")  # fmt: skip
        print(f"import: first {timings[0]:.2f} s ({report.unchanged / timings[0]:,.0f} points/s), "
              f"the same file again {timings[1]:.2f} s")  # fmt: skip
        book = AddressBook(store)
        found = sum([await book.locate(t) is not None for t in typed])
        print(f"locate: {await per_second(typed, book.locate):,.0f}/s over {len(typed)} typed "
              f"addresses ({found} found)")  # fmt: skip
        prefixes = [t.split(",")[0][:9] for t in typed]
        print(f"suggest: {await per_second(prefixes, book.suggest):,.0f}/s")
        rng = random.Random(3)
        service = ResponderService(store, book, Area(((52.2, 20.6), (52.6, 21.2))))
        boss = Actor("bench", "supervisor")
        for i in range(args.responders):
            await service.save(boss, ResponderInput(
                rng.choice(("soltys", "osp", "drogowcy")), f"R{i}", rng.uniform(52.3, 52.5),
                rng.uniform(20.7, 21.1), phone="500100200",
                weekly={"mon": ["07:00-15:00", "20:00-06:00"], "sat": ["00:00-24:00"]},
                always_on=rng.random() < 0.3,
            ))  # fmt: skip
        points = [(rng.uniform(52.3, 52.5), rng.uniform(20.7, 21.1)) for _ in range(200)]

        async def propose(point: object) -> None:
            lat, lon = point  # type: ignore[misc]
            await service.propose(boss, lat, lon, [])

        print(f"propose: {await per_second(points, propose):,.0f}/s with "
              f"{args.responders} responders")  # fmt: skip
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
