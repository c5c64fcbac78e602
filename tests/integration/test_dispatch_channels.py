"""Send the nearest available responder, through the product end to end: in ``create_app``
with the address register loaded, an incident reported at a typed address becomes a point,
the proposal ranks the responders on duty and available by distance (the nearer one is busy,
another is off duty today), the dispatch's call-out leaves as an SMS through the SMSAPI
adapter to the local gateway of tests/smsgateway.py (the supervised sender, nobody running
rounds), and the responder's click on the SMS's confirmation link (the page, then its button)
makes the dispatch ``potwierdzone`` (no Asterisk needed: the voice channel has its own test)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from cic.addresses import importer, prg
from cic.config import load_settings
from cic.credentials import Credentials
from cic.db import Store
from cic.web.app import SERVICES, create_app
from tests.integration.harness import free_port
from tests.integration.test_notify_app import gateway, until  # noqa: F401 (fixture)
from tests.smsgateway import TOKEN, SmsGateway

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "addresses" / "gmina_debowka.csv"
AREA = "[[52.2, 20.6], [52.6, 21.2]]"
ALL_WEEK = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def responder(name: str, kind: str, address: str, phone: str, **more: Any) -> dict[str, Any]:
    return {"kind": kind, "name": name, "address": address, "phone": phone,
            "channels": ["sms"], **more}  # fmt: skip


async def test_the_nearest_available_responder_is_sent_and_confirms_by_sms(
    tmp_path: Path,
    gateway: SmsGateway,  # noqa: F811
) -> None:
    Credentials(tmp_path / "secrets.json").set_secret("sms_token", TOKEN)
    settings = load_settings(environ={
        "CIC_STATE_DIR": str(tmp_path), "CIC_ASTERISK__AMI_PORT": str(free_port()),
        "CIC_ASTERISK__AGI_PORT": str(free_port()), "CIC_ASTERISK__INSTANCE": "dispatch-test",
        "CIC_SMS__ENABLED": "true", "CIC_SMS__BASE_URL": gateway.url,
        "CIC_NOTIFY__POLL_SECONDS": "1", "CIC_SAFETY__AREA": AREA,
    })  # fmt: skip
    store = Store(settings.db_url)
    store.migrate()
    importer.load(store, prg.parse(SAMPLE.read_bytes(), max_bytes=10**7, max_rows=1000))
    await store.close()

    app = create_app(settings)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        auth = {"Authorization": f"Bearer {app[SERVICES].credentials.api_token}"}

        async def api(method: str, path: str, body: Any = None, status: int = 200) -> Any:
            answer = await client.request(method, path, json=body, headers=auth)
            assert answer.status == status, (path, await answer.text())
            return await answer.json()

        created = await api("POST", "/api/zagrozenia", {
            "category": "podtopienie", "title": "Zalana piwnica", "address": "Lipowa 5, Dębówka",
            "description": "Woda po kostki.", "reporter_phone": "500 100 299",
        }, 201)  # fmt: skip
        incident = created["incident"]
        assert incident["lat"] and incident["lon"]  # the address became a point
        made = {}
        for name, kind, address, phone, more in (
            (
                "Sołtys Dębówki",
                "soltys",
                "Lipowa 9, Dębówka",
                "500100291",
                {"weekly": ALL_WEEK, "availability": "zajety"},
            ),  # nearest, but busy
            ("OSP Dębówka", "osp", "Polna 12, Dębówka", "500100292", {"always_on": True}),
            ("Dyżurny gminy", "dyzurny", "Kościelna 1, Dębówka", "500100293", {"always_on": True}),
            (
                "Brygada drogowa",
                "drogowcy",
                "Lipowa 1, Dębówka",
                "500100294",
                {"weekly": {}},
            ),  # never on duty
        ):
            made[name] = await api("POST", "/api/ratownicy",
                                   responder(name, kind, address, phone, **more), 201)  # fmt: skip
        proposed = await api("POST", "/api/wyjazdy/propozycje", {
            "lat": incident["lat"], "lon": incident["lon"], "kinds": [],
        })  # fmt: skip
        names = [p["name"] for p in proposed["items"]]
        assert "Sołtys Dębówki" not in names and "Brygada drogowa" not in names
        kms = [p["km"] for p in proposed["items"]]
        assert kms == sorted(kms) and len(names) == 2
        chosen = proposed["items"][0]
        sent = await api("POST", "/api/wyjazdy", {
            "incident_id": incident["id"], "responder_id": chosen["id"], "note": "",
        }, 201)  # fmt: skip
        assert sent["status"] == "wyslane"

        async def texted() -> bool:
            return bool(gateway.numbers())

        await until(texted)
        phone = next(r["phone"] for r in made.values() if r["id"] == chosen["id"])
        assert gateway.numbers() == ["48" + phone]
        sms = gateway.sent[0]["message"]
        assert "Zalana piwnica" in sms and "Lipowa 5" in sms
        found = re.search(r"https?://[^/\s]+(/e-urzad/potwierdz/[A-Za-z0-9_-]+)", sms)
        assert found, sms
        link = found.group(1)
        page = await client.get(link)
        assert page.status == 200
        token = re.search(r'name="form_token" value="([^"]+)"', await page.text())
        assert token is not None
        origin = {"Origin": str(client.make_url("")).rstrip("/")}
        done = await client.post(link, data={"form_token": token.group(1)}, headers=origin)
        assert done.status == 200 and "Odbiór potwierdzony" in await done.text()

        async def confirmed() -> bool:
            found = await api("GET", f"/api/wyjazdy/{sent['id']}")
            return found["status"] == "potwierdzone"

        await until(confirmed)
        listed = await api("GET", f"/api/wyjazdy?incident_id={incident['id']}")
        assert [d["responder_id"] for d in listed["items"]] == [chosen["id"]]
