"""Warnings on SQLite and PostgreSQL: sending to an area queues exactly the right recipients
per channel (sołectwa against the whole gmina, pending and unsubscribed left out, the
newsletter's warnings subscribers merged without duplicates), the supervisor's summary and
CSV, who may do what, the banner, the portal's SMS and voice code flows, unsubscribing, and
bad input."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator

import pytest

from cic.auth import users
from cic.auth.service import AuthService
from cic.db import Store, utcnow
from cic.warnings.errors import InvalidWarning, WarningForbidden
from cic.warnings.service import Draft
from tests.component.warnings_world import (
    AGENT,
    EDITOR,
    SUPERVISOR,
    WarningsWorld,
    warnings_client,
)

PAGE = "/e-urzad/ostrzezenia/subskrypcja"


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[WarningsWorld]:
    store = Store(db_url)
    store.migrate()
    async with warnings_client(store) as found:
        yield found
    await store.close()


async def people(world: WarningsWorld) -> None:
    """Subscribers of every kind: active per sołectwo and for the whole gmina, pending,
    unsubscribed, and newsletter subscribers (one of them also a warnings subscriber)."""
    desk = world.subs.at_desk
    await desk(AGENT, "voice", "500 100 201", ["Lipki"])
    await desk(AGENT, "sms", "500100202", ["Dąbrowa"])
    await desk(AGENT, "voice", "+48 22 100 20 03", [])  # a landline, the whole gmina
    await desk(AGENT, "sms", "500100204", ["Lipki", "Żabno"])
    await desk(AGENT, "email", "Ala@Example.pl", ["Lipki"])
    await desk(AGENT, "email", "zabno@example.pl", ["Żabno"])
    gone = await desk(AGENT, "sms", "500100205", ["Lipki"])
    await world.subs.end_at_desk(AGENT, gone.id)
    await world.subs.request("sms", "500100206", ["Lipki"])  # never confirmed
    await world.news.subscribe("ala@example.pl", ("ostrzezenia",), ("Lipki",))
    await world.news.subscribe("newsy@example.pl", ("ostrzezenia",), ())
    await world.news.subscribe("odpady@example.pl", ("odpady",), ())
    await world.news.subscribe("wszystko@example.pl", (), ("Żabno",))
    await world.claim("sms")  # the pending request's code is not a warning


async def queued(world: WarningsWorld, warning_id: int) -> dict[str, set[str]]:
    rows = await world.built.notify.deliveries(f"warning:{warning_id}")
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["channel"], set()).add(row["address"])
    return found


async def test_a_warning_to_a_solectwo_reaches_exactly_its_subscribers(
    world: WarningsWorld,
) -> None:
    await people(world)
    warning = await world.warn("Podtopienia w Lipkach", solectwa=("Lipki",))
    result = await world.service.send(warning, SUPERVISOR)
    assert await queued(world, warning) == {
        "voice": {"500100201", "221002003"},
        "sms": {"500100204"},
        "email": {"ala@example.pl", "newsy@example.pl"},
    }
    assert result["queued"] == 5 and result["skipped"] == []
    rows = await world.built.notify.deliveries(f"warning:{warning}", "email")
    assert sorted(r["recipient"].split(":")[0] for r in rows) == ["newsletter", "subscription"]

    whole = await world.warn("Alarm przeciwpowodziowy", severity="alarm")
    await world.service.send(whole, SUPERVISOR)
    assert await queued(world, whole) == {
        "voice": {"500100201", "221002003"},
        "sms": {"500100202", "500100204"},
        "email": {"ala@example.pl", "zabno@example.pl", "newsy@example.pl",
                  "wszystko@example.pl"},
    }  # fmt: skip

    only_sms = await world.warn("Awaria wodociągu w Żabnie", solectwa=("Żabno",),
                                channels=("sms",))  # fmt: skip
    await world.service.send(only_sms, SUPERVISOR)
    assert await queued(world, only_sms) == {"sms": {"500100204"}}


async def test_the_supervisor_sees_the_results_and_a_summary(world: WarningsWorld) -> None:
    await people(world)
    warning = await world.warn("Burza", severity="alarm")
    await world.service.send(warning, SUPERVISOR)
    calls = {c.address: c for c in await world.claim("voice")}
    assert all(c.message.confirm for c in calls.values())
    await world.built.notify.finish(calls["500100201"].id, "confirmed")
    await world.built.notify.finish(calls["221002003"].id, "hung_up", "rozłączono po 3 s")
    for item in await world.claim("sms"):
        await world.built.notify.finish(item.id, "delivered")
    summary, every = await world.service.results(warning, SUPERVISOR)
    assert len(every) == 8 and summary["total"] == 8 and summary["reached"] == 3
    assert summary["reached_percent"] == 37.5 and not summary["finished"]
    assert summary["channels"]["voice"] == {"confirmed": 1, "hung_up": 1}
    assert summary["channels"]["email"] == {"queued": 4}
    _, hung = await world.service.results(warning, SUPERVISOR, "hung_up")
    assert [r["address"] for r in hung] == ["221002003"]

    text = await world.service.results_csv(warning, SUPERVISOR)
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][:4] == ["kanał", "adres", "odbiorca", "stan"] and len(table) == 9
    landline = next(r for r in table if r[1] == "221002003")
    assert landline[0] == "połączenie głosowe" and landline[3] == "rozłączone w trakcie komunikatu"

    status, body = await world.web.get(f"/e-urzad/ostrzezenia/{warning}")
    assert status == 200 and "Burza" in body and "221002003" not in body
    with pytest.raises(WarningForbidden):
        await world.service.results(warning, EDITOR)


async def test_editors_send_only_banners_and_agents_nothing(world: WarningsWorld) -> None:
    with pytest.raises(WarningForbidden):
        await world.warn("SMS od redakcji", channels=("portal", "sms"), actor=EDITOR)
    with pytest.raises(WarningForbidden):
        await world.warn("Od konsultanta", channels=("portal",), actor=AGENT)
    banner = await world.warn("Utrudnienia na drodze", channels=("portal",), actor=EDITOR)
    await world.service.send(banner, EDITOR)
    wider = await world.warn("Ostrzeżenie dla wszystkich")
    with pytest.raises(WarningForbidden):
        await world.service.send(wider, EDITOR)
    with pytest.raises(WarningForbidden):
        await world.service.cancel(wider, EDITOR)
    assert (await world.service.get(wider)).state == "szkic"


async def test_the_banner_shows_while_in_force_and_goes_when_cancelled(
    world: WarningsWorld,
) -> None:
    info = await world.warn("Przerwa w dostawie prądu", severity="informacja", hours=2)
    alarm = await world.warn("Alarm powodziowy", severity="alarm", solectwa=("Dąbrowa",))
    draft = await world.warn("Szkic, nie pokazywać")
    _, before = await world.web.get("/e-urzad/")
    assert "warning-banner" not in before
    await world.service.send(info, SUPERVISOR)
    await world.service.send(alarm, SUPERVISOR)
    for path in ("/e-urzad/", "/e-urzad/ostrzezenia", PAGE):
        status, body = await world.web.get(path)
        assert status == 200 and body.index("Alarm powodziowy") < body.index("Przerwa w dostawie")
        assert body.count('role="alert"') == 1 and "Dotyczy: Dąbrowa" in body
        assert "Szkic, nie pokazywać" not in body
    status, _ = await world.web.get(f"/e-urzad/ostrzezenia/{draft}")
    assert status == 404

    world.clock.move(hours=3)  # the information ended, on the next refresh too
    _, body = await world.web.get("/e-urzad/")
    assert "Przerwa w dostawie" not in body and "Alarm powodziowy" in body
    await world.service.cancel(alarm, SUPERVISOR)
    _, body = await world.web.get("/e-urzad/")
    assert "warning-banner" not in body
    _, listing = await world.web.get("/e-urzad/ostrzezenia")
    assert "odwołane" in listing and "wygasłe" in listing


async def subscribe_form(world: WarningsWorld, **fields: str) -> tuple[int, str]:
    token = await world.web.token(PAGE)
    answer = await world.web.post(PAGE, {"form_token": token, **fields})
    return answer.status, await answer.text()


async def send_code(world: WarningsWorld, channel: str, number: str, code: str,
                    action: str = "zapisz") -> tuple[int, str]:  # fmt: skip
    token = re.search(r'name="form_token" value="([^"]+)"', (await world.web.get(PAGE))[1])
    assert token
    answer = await world.web.post(f"{PAGE}/kod", {
        "form_token": token.group(1), "kanal": channel, "adres": number, "kod": code,
        "akcja": action,
    })  # fmt: skip
    return answer.status, await answer.text()


async def test_sms_and_voice_subscriptions_with_a_code(world: WarningsWorld) -> None:
    status, body = await subscribe_form(world, kanal="sms", adres="+48 500 100 211",
                                        solectwo="Lipki", zgoda="tak")  # fmt: skip
    assert status == 200 and "Wpisz kod" in body and 'value="500100211"' in body
    code = await world.code_for("sms", "500100211")
    wrong = "000000" if code != "000000" else "111111"
    status, body = await send_code(world, "sms", "500100211", wrong)
    assert status == 400 and "nieprawidłowy" in body
    status, body = await send_code(world, "sms", "500100211", code)
    assert status == 200 and "Zapis potwierdzony" in body
    found = await world.subs.listing(AGENT, "500100211")
    assert [(s.channel, s.state, s.solectwa, s.consent_how) for s in found] == [
        ("sms", "active", ("Lipki",), "portal")]  # fmt: skip
    assert found[0].consent_version == "1"

    await subscribe_form(world, kanal="voice", adres="22 100 20 12", zgoda="tak")
    code = await world.code_for("voice", "221002012")
    status, _ = await send_code(world, "voice", "221002012", code)
    assert status == 200
    status, _ = await send_code(world, "voice", "221002012", code)  # used once only
    assert status == 400

    # unsubscribe with a code; an address that is not subscribed gets the same page, no code
    status, body = await subscribe_form(world, kanal="sms", adres="500100211", akcja="wypisz")
    assert status == 200 and "Wpisz kod" in body
    code = await world.code_for("sms", "500100211")
    status, body = await send_code(world, "sms", "500100211", code, "wypisz")
    assert status == 200 and "Wypisano" in body
    assert (await world.subs.listing(AGENT, "500100211"))[0].state == "unsubscribed"
    status, body = await subscribe_form(world, kanal="sms", adres="500100219", akcja="wypisz")
    assert status == 200 and "Wpisz kod" in body and await world.claim("sms") == []


async def test_too_many_wrong_codes_void_the_code(world: WarningsWorld) -> None:
    await subscribe_form(world, kanal="sms", adres="500100221", zgoda="tak")
    code = await world.code_for("sms", "500100221")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        status, _ = await send_code(world, "sms", "500100221", wrong)
        assert status == 400
    status, _ = await send_code(world, "sms", "500100221", code)
    assert status == 400
    assert (await world.subs.listing(AGENT, "500100221"))[0].state == "pending"


async def test_requests_nobody_confirms_are_deleted_once_their_code_expires(
    world: WarningsWorld,
) -> None:
    await subscribe_form(world, kanal="sms", adres="500100281", zgoda="tak")
    await world.subs.at_desk(AGENT, "voice", "500100282", [])
    await world.subs.request("voice", "500100282", ["Lipki"])  # active: kept, code pending
    assert await world.subs.purge() == 0
    world.clock.move(minutes=31)
    assert await world.subs.purge() == 1
    found = await world.subs.listing(AGENT)
    assert [(s.address, s.state, s.solectwa) for s in found] == [("500100282", "active", ())]


ODD = ["", " ", "x" * 300, "'; DROP TABLE warning_subscriptions; --", "../../etc/passwd",
       '"><script>alert(1)</script>', "$(rm -rf /)", "0700 100 200", "500 100 2O1"]  # fmt: skip


@pytest.mark.parametrize("odd", ODD)
async def test_odd_input_on_the_portal_gets_a_polish_error(world: WarningsWorld, odd: str) -> None:
    for channel in ("sms", "voice", "email"):
        status, body = await subscribe_form(world, kanal=channel, adres=odd, zgoda="tak")
        assert status == 400 and "Popraw formularz" in body and "<script>alert" not in body
    status, body = await subscribe_form(world, kanal=odd, adres="500100231", zgoda="tak")
    assert status == 400 and "Wybierz sposób" in body
    status, body = await subscribe_form(world, kanal="sms", adres="500100231", zgoda="tak",
                                        solectwo=odd or "Nieznane")  # fmt: skip
    assert status == 400 and "sołectwa z listy" in body
    status, _ = await send_code(world, "sms", "500100231", odd)
    assert status == 400
    assert await world.subs.listing(AGENT) == []


async def test_a_landline_gets_no_sms_and_consent_is_needed(world: WarningsWorld) -> None:
    status, body = await subscribe_form(world, kanal="sms", adres="22 100 20 41", zgoda="tak")
    assert status == 400 and "komórkowe" in body
    status, body = await subscribe_form(world, kanal="sms", adres="500100241")
    assert status == 400 and "Zaznacz zgodę" in body and 'value="500100241"' in body
    answer = await world.web.post(PAGE, {"kanal": "sms", "adres": "500100241", "zgoda": "tak"})
    assert answer.status == 400  # no form token
    assert await world.subs.listing(AGENT) == []


async def test_bad_warnings_are_refused_with_every_field_named(world: WarningsWorld) -> None:
    now = world.clock.now
    bad = Draft("", "x" * 400, "huragan", ("fax",), now, now, ("Atlantyda",), "", -1,
                "../../etc/passwd")  # fmt: skip
    with pytest.raises(InvalidWarning) as refused:
        await world.service.save(bad, SUPERVISOR)
    assert set(refused.value.fields) == {"title", "text", "severity", "channels", "solectwa",
                                         "valid_until", "incident_id", "audio"}  # fmt: skip
    sent = await world.warn("Raz wysłane")
    await world.service.send(sent, SUPERVISOR)
    with pytest.raises(InvalidWarning):
        await world.service.send(sent, SUPERVISOR)
    with pytest.raises(InvalidWarning):
        await world.service.save(
            bad.__class__("Zmiana", "Tekst", "alarm", ("portal",), now, now.replace(year=2030)),
            SUPERVISOR,
            sent,
        )


async def test_the_api_takes_a_warning_and_refuses_bad_json(world: WarningsWorld) -> None:
    api = {"Authorization": "Bearer token-api-testowy", **world.web.origin}
    client = world.web.client
    body = {"title": "Gołoledź", "text": "Uwaga na drogach.", "severity": "ostrzezenie",
            "channels": ["portal", "sms"], "solectwa": ["Żabno"],
            "valid_until": world.clock.now.replace(year=2030).isoformat()}  # fmt: skip
    made = await client.post("/api/ostrzezenia", json=body, headers=api)
    assert made.status == 201, await made.text()
    warning = (await made.json())["id"]
    sent = await client.post(f"/api/ostrzezenia/{warning}/czynnosc", json={"action": "send"},
                             headers=api)  # fmt: skip
    assert sent.status == 200 and (await sent.json())["state"] == "wyslane"
    results = await client.get(f"/api/ostrzezenia/{warning}/wyniki", headers=api)
    assert results.status == 200 and (await results.json())["summary"]["total"] == 0
    for wrong in ({**body, "severity": "huragan"}, {**body, "channels": []},
                  {**body, "incident_id": "7"}, {**body, "extra": 1}, [1, 2]):  # fmt: skip
        answer = await client.post("/api/ostrzezenia", json=wrong, headers=api)
        assert answer.status == 400 and "message" in await answer.json()
    answer = await client.post("/api/ostrzezenia", data=b"\xff" * 10, headers={
        **api, "Content-Type": "application/json"})  # fmt: skip
    assert answer.status == 400
    desk = await client.post("/api/ostrzezenia/subskrypcje", json={
        "channel": "voice", "address": "500 100 251", "solectwa": []}, headers=api)  # fmt: skip
    assert desk.status == 201 and (await desk.json())["consent_how"] == "desk"


async def test_by_phone_a_mobile_gets_calls_and_sms_a_landline_calls(
    world: WarningsWorld,
) -> None:
    mobile = await world.subs.by_phone("+48500100261", "1733.12", "2")
    assert (mobile.result, mobile.channels) == ("subscribed", ("voice", "sms"))
    landline = await world.subs.by_phone("221002062", "1733.13", "0")
    assert (landline.result, landline.channels) == ("subscribed", ("voice",))
    assert (await world.subs.by_phone("anonymous", "1733.14", "1")).result == "bad_number"
    assert (await world.subs.by_phone("", "1733.15", "1")).result == "bad_number"
    found = {(s.channel, s.address): s for s in await world.subs.listing(AGENT)}
    assert found["voice", "500100261"].solectwa == ("Lipki",)  # key 2: the second sołectwo
    assert found["sms", "500100261"].consent_call_id == "1733.12"
    assert found["voice", "221002062"].solectwa == ()
    assert found["voice", "221002062"].consent_how == "phone"
    ended = await world.subs.end_by_phone("500100261")
    assert (ended.result, sorted(ended.channels)) == ("unsubscribed", ["sms", "voice"])
    assert (await world.subs.end_by_phone("500100261")).result == "not_subscribed"


async def signed_in(world: WarningsWorld, username: str, role: str) -> str:
    """Sign ``username`` in (made with ``role``) on the world's client; returns the CSRF
    token of the session."""
    world.web.store.run_sync(lambda db: users.add(db, username, username.title(), role,
                                                  "haslo-testowe-123", now=utcnow()))  # fmt: skip
    auth = AuthService(world.web.store)
    signed = await auth.sign_in(username, "haslo-testowe-123", "127.0.0.1")
    world.web.client.session.cookie_jar.update_cookies({auth.settings.cookie_name: signed.token})
    return signed.csrf_token


async def test_the_supervisors_pages_send_and_show_results_and_csv(world: WarningsWorld) -> None:
    csrf = await signed_in(world, "szefowa", "supervisor")
    await world.subs.at_desk(AGENT, "sms", "500100252", ["Żabno"])
    form = {"csrf_token": csrf, "title": "Gołoledź", "text": "Uwaga na drogach.",
            "severity": "ostrzezenie", "channels": "sms", "solectwa": "Żabno",
            "valid_until": "2030-01-01T08:00", "akcja": "wyslij"}  # fmt: skip
    sent = await world.web.post("/bezpieczenstwo/ostrzezenia", form)
    assert sent.status == 303, await sent.text()
    path = sent.headers["Location"].split("?")[0]
    (item,) = await world.claim("sms")
    await world.built.notify.finish(item.id, "failed", '=HYPERLINK("x")')
    _, text = await world.web.get(f"{path}?stan_dostarczenia=failed")
    assert "500100252" in text and "Podsumowanie wysyłki" in text and "(0.0%)" in text
    table = await world.web.client.get(f"{path}/wyniki.csv")
    assert table.status == 200 and table.content_type == "text/csv"
    assert ";\"'=HYPERLINK" in await table.text()  # no formula for a spreadsheet to run
    bad = await world.web.post("/bezpieczenstwo/ostrzezenia", {**form, "valid_until": "jutro",
                                                               "title": "x" * 300})  # fmt: skip
    text = await bad.text()
    assert bad.status == 400 and "Termin końca" in text and "Tytuł" in text
    _, desk = await world.web.get("/bezpieczenstwo/subskrypcje?adres=500100252")
    assert "w urzędzie" in desk and "500100252" in desk


async def test_an_editor_sends_no_sms_through_the_page(world: WarningsWorld) -> None:
    csrf = await signed_in(world, "redaktorka", "editor")
    form = {"csrf_token": csrf, "title": "Gołoledź", "text": "Uwaga.", "severity": "alarm",
            "channels": "sms", "valid_until": "2030-01-01T08:00", "akcja": "wyslij"}  # fmt: skip
    refused = await world.web.post("/bezpieczenstwo/ostrzezenia", form)
    assert refused.status == 403 and await world.service.listing() == []
    desk = await world.web.client.get("/bezpieczenstwo/subskrypcje", allow_redirects=False)
    assert desk.status == 403
