"""Case status by phone under parallel calls: guesses keyed at the same moment on several lines
still get no more than nine wrong answers in a row; the tenth is refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cic.cases.phone import PhoneStatus
from cic.cases.service import Actor, CaseService
from cic.cases.status import StatusChecks
from cic.db import Store
from cic.departments.models import Department

OFFICIAL = Actor("ewa.urzednik", "specialist")


async def test_parallel_wrong_pins_are_counted_before_they_are_checked(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    store.run_sync(lambda s: s.add(Department(code="FN", name="Referat Finansowy")))
    try:
        body = {"unit": "FN", "jrwa": "3110", "title": "Podatek — Jan Testowy"}
        case = await CaseService(store).register(body, OFFICIAL)
        code, pin = case["phone_code"], case["pin"]
        wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
        phone = PhoneStatus(StatusChecks(store))
        # Twelve lines, each its own number, all on one case: the case is locked after nine.
        answers = await asyncio.gather(
            *(phone.check(f"4850010080{n:02d}", code, wrong) for n in range(12))
        )
        assert sorted(a.result for a in answers) == ["locked"] * 3 + ["wrong"] * 9
        # One number on twelve lines at once, across cases it does not know: locked after nine.
        answers = await asyncio.gather(*(phone.check("48500100899", str(900 + n), wrong)
                                         for n in range(12)))  # fmt: skip
        assert sorted(a.result for a in answers) == ["locked"] * 3 + ["wrong"] * 9
        assert (await phone.check("48500100898", code, pin)).result == "locked"
    finally:
        await store.close()
