"""The incident register on a real database (SQLite and PostgreSQL): the service's rules and
the API and portal form served by aiohttp, with bad input refused in Polish and nothing lost."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import FormData, web
from PIL import Image
from sqlalchemy.orm import Session

from cic.cases.models import ContactReport
from cic.channels.formtoken import FormTokens
from cic.channels.intake import IntakePolicy
from cic.channels.ratelimit import HourlyLimit
from cic.channels.webform import WebForm
from cic.config import SafetySettings, Settings
from cic.db import Store
from cic.incidents import plugin
from cic.incidents.errors import (
    AddressNotFound,
    BadMerge,
    BadTransition,
    CategoryForbidden,
    IncidentHidden,
    OutsideArea,
)
from cic.incidents.geocoder import Point
from cic.incidents.service import Actor, CategoryDraft, Filters, IncidentService, NewIncident
from cic.portal.plugin import Portal
from tests.component.portal_world import PortalWorld, portal_client

pytestmark = pytest.mark.asyncio
AREA = [[50.0, 19.8], [50.2, 20.1]]
AGENT = Actor("agnieszka", "agent")
API = {"Authorization": "Bearer token-api-testowy"}
PATH = "/e-urzad/zgloszenie-zagrozenia"


class Register:
    """A made-up address register: one street."""

    async def locate(self, text: str) -> Point | None:
        if "leśna 5" in text.lower():
            return Point(50.1, 20.0, "Leśna 5, Przykładowo", "Przykładowo")
        return None


@pytest.fixture
def store(db_url: str) -> Store:
    made = Store(db_url)
    made.migrate()
    return made


@pytest.fixture
def service(store: Store, tmp_path: Path) -> IncidentService:
    from cic.channels.files import ChannelFiles

    return IncidentService(store, AREA, ChannelFiles(tmp_path / "zdjecia"), Register())


def tree(**extra: Any) -> NewIncident:
    values: dict[str, Any] = {"category": "drzewo", "title": "Drzewo na Leśnej",
                              "source": "telefon", "lat": 50.1, "lon": 20.0}  # fmt: skip
    return NewIncident(**{**values, **extra})


async def test_catalogue_is_seeded_and_edited_by_supervisors(service: IncidentService) -> None:
    found = await service.categories()
    slugs = [c.slug for c in found]
    assert {"drzewo", "podtopienie", "barierka", "wysypisko", "psy", "inne"} <= set(slugs)
    tree_category = found[slugs.index("drzewo")]
    assert tree_category.priority == "wysoki" and "osp" in tree_category.notify
    draft = CategoryDraft("gradobicie", "Gradobicie", "Zapisz szkody.", ("soltys",), "sredni")
    with pytest.raises(CategoryForbidden):
        await service.save_category(AGENT, draft)
    saved = await service.save_category(Actor("kierownik", "supervisor"), draft)
    assert saved.slug == "gradobicie" and saved.notify == ("soltys",)


async def test_create_history_links_and_duplicates(service: IncidentService) -> None:
    first = await service.create(AGENT, tree(call_id="1733500000.42"))
    assert first.duplicates == ()
    item = await service.get(AGENT, first.incident.id)
    assert item.priority == "wysoki"  # from the category
    assert [link.ref for link in item.links] == ["1733500000.42"]
    assert [e.kind for e in item.events] == ["utworzone", "powiazanie"]
    second = await service.create(AGENT, tree(lat=50.1008, report_id=17))  # ~90 m away
    assert [d.id for d, _ in second.duplicates] == [first.incident.id]
    far = await service.create(AGENT, tree(lat=50.11))  # ~1.1 km
    assert far.duplicates == ()
    other = await service.create(AGENT, tree(category="psy"))
    assert other.duplicates == ()


async def test_workflow_and_merge(service: IncidentService) -> None:
    main = (await service.create(AGENT, tree(call_id="c-1"))).incident
    dup = (await service.create(AGENT, tree(call_id="c-2", reporter_phone="500100201"))).incident
    with pytest.raises(BadTransition):
        await service.change(AGENT, main.id, status="polaczone")
    changed = await service.change(AGENT, main.id, status="przyjete", note="Jedzie OSP")
    assert changed.status == "przyjete"
    assert [e.kind for e in changed.events][-2:] == ["stan", "notatka"]
    merged = await service.merge(AGENT, dup.id, main.id)
    assert {link.ref for link in merged.links} == {"c-1", "c-2"}
    assert merged.reporter_phone == "500100201"
    assert any("[z nr" in e.detail for e in merged.events)
    gone = await service.get(AGENT, dup.id)
    assert gone.status == "polaczone" and gone.merged_into == main.id and gone.links == ()
    with pytest.raises(BadMerge):
        await service.merge(AGENT, dup.id, main.id)
    with pytest.raises(BadTransition):
        await service.change(AGENT, dup.id, status="przyjete")
    assert [i.id for i in await service.for_call(AGENT, "c-2")] == [main.id]
    done = await service.change(AGENT, main.id, status="usuniete")
    with pytest.raises(BadTransition):
        await service.change(AGENT, done.id, status="w_realizacji")
    listed = await service.listing(AGENT, Filters(statuses=("usuniete",)))
    assert [i.id for i in listed] == [main.id]


async def test_location_rules(service: IncidentService) -> None:
    with pytest.raises(OutsideArea, match="poza obszarem gminy"):
        await service.create(AGENT, tree(lat=52.23, lon=21.01))  # Warsaw
    with pytest.raises(AddressNotFound, match="Nie znaleziono adresu"):
        await service.create(AGENT, tree(lat=None, lon=None, address="Nieistniejąca 1"))
    found = await service.create(AGENT, tree(lat=None, lon=None, address="Leśna 5"))
    assert (found.incident.lat, found.incident.solectwo) == (50.1, "Przykładowo")
    with pytest.raises(IncidentHidden):
        await service.get(Actor("redaktor", "editor"), found.incident.id)
    assert await service.listing(AGENT, Filters()) != []


def _settings() -> Settings:
    settings = Settings()
    settings.safety = SafetySettings(area=AREA, photo_max_mb=1, reports_per_hour=50)
    return settings


@pytest_asyncio.fixture
async def world(store: Store, tmp_path: Path) -> AsyncIterator[PortalWorld]:
    settings = _settings()

    def add(app: web.Application, portal: Portal) -> None:
        # The photo's size limit, before the auth middleware as create_app has it.
        app.middlewares.insert(0, plugin.upload_limit_middleware(settings.safety.photo_max_mb))
        service = plugin.install(app, plugin.IncidentsDeps(
            store, settings.safety, "Europe/Warsaw", tmp_path / "zdjecia",
        ))  # fmt: skip
        policy = IntakePolicy(reply_days={"www": 3}, zone="Europe/Warsaw", domain="gmina.example")
        tokens = FormTokens(b"klucz-formularza", min_seconds=3, max_hours=24)
        form = WebForm(store, tokens, HourlyLimit(3, 50), policy, consent="Zgoda.", min_seconds=3)
        plugin.install_portal(app, plugin.PortalReportDeps(
            service, settings.safety, portal.lookups, form,
        ))  # fmt: skip

    async with portal_client(store, settings, add) as made:
        yield made


async def _api(world: PortalWorld, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    answer = await world.client.request(method, path, json=body, headers=API)
    return answer.status, await answer.json()


async def test_api_create_list_change_merge(world: PortalWorld) -> None:
    body = {"category": "drzewo", "title": "Drzewo na drodze", "lat": 50.1, "lon": 20.0,
            "source": "telefon", "call_id": "1733500000.7",
            "reporter_phone": "500 100 202"}  # fmt: skip
    status, first = await _api(world, "POST", "/api/zagrozenia", body)
    assert status == 201, first
    status, second = await _api(world, "POST", "/api/zagrozenia", {**body, "call_id": "x.8"})
    assert [d["incident"]["id"] for d in second["duplicates"]] == [first["incident"]["id"]]
    status, listed = await _api(world, "GET", "/api/zagrozenia?stan=otwarte&kategoria=drzewo")
    assert status == 200 and len(listed) == 2 and listed[0]["lat"] == 50.1
    one = first["incident"]["id"]
    status, changed = await _api(world, "PATCH", f"/api/zagrozenia/{one}", {"status": "przyjete"})
    assert status == 200 and changed["status"] == "przyjete"
    status, refused = await _api(world, "PATCH", f"/api/zagrozenia/{one}",
                                 {"status": "zgloszone"})  # fmt: skip
    assert status == 409 and refused["error"] == "incident_bad_transition"
    two = second["incident"]["id"]
    status, merged = await _api(world, "POST", f"/api/zagrozenia/{two}/polacz", {"into": one})
    assert status == 200 and {x["ref"] for x in merged["links"]} == {"1733500000.7", "x.8"}
    status, linked = await _api(world, "POST", f"/api/zagrozenia/{one}/powiazania",
                                {"kind": "report", "ref": "12"})  # fmt: skip
    assert status == 200 and any(x["kind"] == "report" for x in linked["links"])
    status, layers = await _api(world, "GET", "/api/mapa/warstwy")
    assert layers[0]["url"] == "/api/zagrozenia"
    status, categories = await _api(world, "GET", "/api/zagrozenia/kategorie")
    assert status == 200 and categories[0]["slug"] == "drzewo"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"lat": 52.23, "lon": 21.01}, "poza obszarem gminy"),
        ({"lat": None, "lon": None, "address": "Nieznana 7"}, "Nie znaleziono adresu"),
        ({"lat": 50.1, "lon": None}, "obie współrzędne"),
        ({"lat": 91.0}, "Szerokość geograficzna"),
        ({"lat": "50.1"}, "Szerokość geograficzna"),
        ({"category": "../../etc/passwd"}, "Kategoria"),
        ({"category": "nieznana"}, "Nie ma takiej kategorii"),
        ({"title": "x" * 300}, "najwyżej 200"),
        ({"title": "a'; DROP TABLE incidents; --\n"}, "Tytuł"),
        ({"source": "portal"}, "Źródło"),
    ],
)
async def test_api_refuses_bad_input_in_polish(
    world: PortalWorld, change: dict[str, Any], error: str
) -> None:
    body = {"category": "drzewo", "title": "Drzewo", "lat": 50.1, "lon": 20.0, **change}
    status, answer = await _api(world, "POST", "/api/zagrozenia", body)
    assert status in (400, 404) and error in answer["message"], answer
    status, listed = await _api(world, "GET", "/api/zagrozenia")
    assert listed == []


async def test_odd_strings_are_kept_verbatim(world: PortalWorld) -> None:
    odd = 'Zażółć "gęślą" <b>jaźń</b> & $(rm -rf /) `id` \' OR 1=1 --'
    status, made = await _api(world, "POST", "/api/zagrozenia", {
        "category": "inne", "title": odd, "description": odd + "\n" + "z" * 300,
        "lat": 50.1, "lon": 20.0,
    })  # fmt: skip
    assert status == 201
    status, back = await _api(world, "GET", f"/api/zagrozenia/{made['incident']['id']}")
    assert back["title"] == odd and back["description"].startswith(odd + "\n")
    page = await world.client.get(made["incident"]["path"], allow_redirects=False)
    assert page.status in (302, 303)  # the staff page is for signed-in staff only


def _jpeg(size: tuple[int, int] = (60, 40)) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Aparat Testowy"
    Image.new("RGB", size, (10, 120, 10)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


async def _portal_post(world: PortalWorld, fields: dict[str, str], photo: bytes | None = None,
                       name: str = "zdjecie.jpg") -> tuple[int, str, str]:  # fmt: skip
    form = FormData()
    form.add_field("form_token", await world.token(PATH))
    for key, value in fields.items():
        form.add_field(key, value)
    if photo is not None:
        form.add_field("photo", photo, filename=name, content_type="image/jpeg")
    answer = await world.client.post(
        PATH, data=form, headers={**world.origin, "X-Forwarded-For": "203.0.113.9"},
        allow_redirects=False,
    )  # fmt: skip
    return answer.status, answer.headers.get("Location", ""), await answer.text()


async def test_portal_report_with_photo(world: PortalWorld) -> None:
    status, body = await world.get(PATH)
    assert status == 200 and "Zgłoś zagrożenie" in body and "Powalone drzewo" in body
    fields = {"category": "drzewo", "description": "Drzewo leży na jezdni przy szkole.",
              "address": "Leśna 5", "lat": "50,1", "lon": "20.0",
              "phone": "500 100 203"}  # fmt: skip
    status, location, _ = await _portal_post(world, fields, _jpeg())
    assert status == 303 and location.startswith(f"{PATH}/wyslano?nr=")
    number = location.rsplit("=", 1)[1]
    status, made = await _api(world, "GET", f"/api/zagrozenia/{number}")
    assert made["source"] == "portal" and made["photo"] and made["reporter_phone"] == "500 100 203"
    picture = await world.client.get(made["photo"], headers=API)
    content = await picture.read()
    assert picture.content_type == "image/jpeg" and b"Aparat Testowy" not in content
    assert (await world.client.get(made["photo"])).status in (401, 403)  # not for residents
    # ... and the report is in the agents' message queue as a contact report of channel www.
    [link] = [x for x in made["links"] if x["kind"] == "report"]

    def report(session: Session) -> tuple[str, str, str]:
        row = session.get(ContactReport, int(link["ref"]))
        assert row is not None
        return row.channel, row.topic, row.contact

    channel, topic, _ = await world.store.run(report)
    assert (
        channel == "www"
        and topic == f"Zgłoszenie zagrożenia nr {number}: Powalone drzewo na drodze"
    )


@pytest.mark.parametrize(
    ("fields", "photo", "status", "message"),
    [
        ({"lat": "52.23", "lon": "21.01"}, None, 400, "poza obszarem gminy"),
        ({"lat": "", "lon": "", "address": "Nieznana 7"}, None, 400, "Nie znaleziono adresu"),
        ({"lat": "abc"}, None, 400, "wpisz liczbę"),
        ({}, b"%PDF-1.4 to nie jest zdjecie", 400, "JPEG, PNG albo WebP"),
        ({"category": ""}, None, 400, "Wybierz rodzaj zagrożenia"),
        ({"phone": "'; rm -rf /"}, None, 400, "Telefon"),
    ],
)
async def test_portal_refuses_bad_input_and_keeps_what_was_typed(
    world: PortalWorld, fields: dict[str, str], photo: bytes | None, status: int, message: str
) -> None:
    base = {"category": "drzewo", "description": "Opis „zagrożenia” & <cokolwiek>",
            "lat": "50.1", "lon": "20.0"}  # fmt: skip
    got, _, body = await _portal_post(world, {**base, **fields}, photo)
    assert got == status and message in body
    assert "Opis „zagrożenia” &amp; &lt;cokolwiek&gt;" in body  # shown again, escaped
    _, listed = await _api(world, "GET", "/api/zagrozenia")
    assert listed == []


async def test_portal_huge_photo_is_a_polish_413(world: PortalWorld) -> None:
    fields = {"category": "drzewo", "description": "Duże zdjęcie", "lat": "50.1", "lon": "20"}
    status, _, body = await _portal_post(world, fields, b"\xff\xd8" + b"0" * (2 * 1024 * 1024))
    assert status == 413 and "za duże" in body
    _, listed = await _api(world, "GET", "/api/zagrozenia")
    assert listed == []


async def test_catalogue_api_refuses_odd_categories(world: PortalWorld) -> None:
    for body, message in (
        ({"slug": "grad", "name": "G" * 121}, "najwyżej 120"),
        ({"slug": "../../etc/passwd", "name": "Grad"}, "Adres kategorii"),
        ({"slug": "grad", "name": "Grad", "notify": ["osp; rm -rf /"]}, "Kogo powiadomić"),
        ({"slug": "grad", "name": "Grad", "priority": "pilny"}, "Domyślny priorytet"),
        ({"slug": "drzewo", "name": "Drugie drzewo"}, "już istnieje"),
    ):
        status, answer = await _api(world, "POST", "/api/zagrozenia/kategorie", body)
        assert status == 400 and message in answer["message"], (body, answer)
    body = {"slug": "grad", "name": "Gradobicie", "notify": ["soltys"]}
    status, made = await _api(world, "POST", "/api/zagrozenia/kategorie", body)
    assert status == 201 and made["priority"] == "sredni"
    status, changed = await _api(world, "PUT", f"/api/zagrozenia/kategorie/{made['id']}",
                                 {"slug": "grad", "name": "Grad", "active": False})  # fmt: skip
    assert status == 200 and changed["active"] is False
    _, active = await _api(world, "GET", "/api/zagrozenia/kategorie")
    assert "grad" not in [c["slug"] for c in active]


async def test_time_filters_are_in_the_office_time(world: PortalWorld) -> None:
    body = {"category": "oblodzenie", "title": "Ślisko", "lat": 50.1, "lon": 20.0}
    status, made = await _api(world, "POST", "/api/zagrozenia", body)
    assert status == 201
    today = made["incident"]["created_at"][:10]
    status, found = await _api(world, "GET", f"/api/zagrozenia?od={today}T00:00:00&do=2999-01-01")
    assert status == 200 and [i["id"] for i in found] == [made["incident"]["id"]]
    status, none = await _api(world, "GET", "/api/zagrozenia?do=2000-01-01T00:00:00%2B01:00")
    assert status == 200 and none == []
    status, refused = await _api(world, "GET", "/api/zagrozenia?od=wczoraj")
    assert status == 400 and "ISO 8601" in refused["message"]
    status, refused = await _api(world, "GET", "/api/zagrozenia?stan=zgubione")
    assert status == 400 and "Stan" in refused["message"]
