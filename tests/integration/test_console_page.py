"""The console page through the real app: credentials only for the agent's own phone."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from cic.auth import users
from cic.credentials import Credentials
from cic.web.app import SERVICES
from tests.integration import test_access
from tests.integration.test_access import Client, app, sign_in  # noqa: F401 - fixture
from tests.unit.test_auth_support import T0, FakeClock

AppFixture = tuple[web.Application, Client, FakeClock]


async def test_console_hands_the_agent_their_own_phone(app: AppFixture) -> None:  # noqa: F811
    application, client, _ = app
    services = application[SERVICES]
    await services.agents.ensure_queue("pierwsza-linia", "Pierwsza linia")
    await services.agents.create_agent("ela", "Ela </script> Testowa", queues=["pierwsza-linia"])
    await services.agents.create_agent("olek", "Olek Testowy", queues=["pierwsza-linia"])

    def link(db: Any) -> None:
        users.add(db, "ela", "Ela Testowa", "agent", "haslo-eli-12345", agent_username="ela",
                  now=T0)  # fmt: skip

    await services.store.run(link)
    test_access.PASSWORDS["ela"] = "haslo-eli-12345"
    await sign_in(client, "ela")
    page = await client.get("/konsola")
    text = await page.text()
    assert page.status == 200 and page.headers["Cache-Control"].startswith("no-store")
    elements = ("presence-state", "btn-available", "pause-reason", "btn-answer", "btn-hangup")
    elements += ("btn-hold", "wrapup-form", "wrapup-outcome", "history")
    for element in elements:
        assert f'id="{element}"' in text, element
    config_text = re.search(r'id="phone-config"[^>]*>(.*?)</script>', text, re.S)
    assert config_text is not None
    config = json.loads(config_text.group(1))
    creds = Credentials(services.settings.secrets_path)
    assert config["password"] == creds.sip_password("agent-ela")
    assert creds.sip_password("agent-olek") not in text
    assert config["sipUri"].startswith("sip:agent-ela@")
    assert "</script> Testowa" not in config_text.group(1)  # cannot close the script element

    await client.post("/wylogowanie", headers=test_access.origin(client))
    client.session.cookie_jar.clear()
    await sign_in(client, "agentka")  # an agent user without a linked phone
    unlinked = await (await client.get("/konsola")).text()
    assert "nie jest powiązane" in unlinked and "phone-config" not in unlinked
