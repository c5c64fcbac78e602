"""The editors' pages of consultations through a real aiohttp server (SQLite and PostgreSQL):
only editors (and admins) get in; uploads are checked by content and size and stored under a
safe name; moderation and responses feed the public report, which counts hidden comments
without publishing them."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient, TestServer

from cic.auth import users
from cic.auth.middleware import auth_middleware
from cic.auth.service import AuthService
from cic.consultations import editor_views, plugin
from cic.db import utcnow
from cic.web.errors import error_middleware
from tests.component.consultation_world import (
    ConsultationWorld,
    consultation_client,
    consultation_settings,
)
from tests.component.test_kb_views import as_, fake_auth

Client = TestClient[Any, Any]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PUBLIC = "/e-urzad/konsultacje/plan-dabrowa"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
async def site(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[Client, ConsultationWorld]]:
    settings = consultation_settings(document_max_mb=1)
    async with consultation_client(db_url, tmp_path / "files", settings) as world:
        app = web.Application(middlewares=[
            error_middleware(), plugin.upload_limit_middleware(1), fake_auth,
        ])  # fmt: skip
        app.add_routes(editor_views.routes(world.service))
        async with TestClient(TestServer(app)) as client:
            yield client, world


def upload(name: str, data: bytes, title: str = "Projekt uchwały") -> FormData:
    form = FormData()
    form.add_field("title", title)
    form.add_field("plik", data, filename=name, content_type="application/octet-stream")
    return form


async def test_only_editors_and_admins_get_in(
    site: tuple[Client, ConsultationWorld],
) -> None:
    client, world = site
    consultation = await world.consultation()
    for role in (None, "agent", "supervisor", "iod"):
        headers = {**(as_(role) if role else {}), "Accept": "application/json"}
        for method, path in (
            ("GET", "/redakcja/konsultacje"),
            ("POST", f"/redakcja/konsultacje/{consultation}/raport"),
        ):
            answer = await client.request(method, path, headers=headers)
            assert answer.status == (403 if role else 401), (role, path)
    for role in ("editor", "admin"):
        page = await client.get("/redakcja/konsultacje", headers=as_(role))
        assert page.status == 200 and "Plan dla wsi Dąbrowa" in await page.text()


async def test_an_editor_creates_a_consultation_with_a_slug_from_the_title(
    site: tuple[Client, ConsultationWorld],
) -> None:
    client, world = site
    form = {
        "title": "Budżet obywatelski Łąki 2027",
        "slug": "",
        "starts_on": "2027-01-04",
        "ends_on": "2027-01-31",
        "names": "required",
        "summary": "",
        "description": "",
    }
    answer = await client.post("/redakcja/konsultacje", data=form, headers=as_("editor"),
                               allow_redirects=False)  # fmt: skip
    assert answer.status == 303
    found = await world.service.by_slug("budzet-obywatelski-laki-2027")
    assert found.names == "required" and found.state == "zapowiedziana"
    assert answer.headers["Location"] == f"/redakcja/konsultacje/{found.id}?zrobione=zapisano"
    bad = await client.post("/redakcja/konsultacje", headers=as_("editor"), data={
        **form, "slug": "budzet-obywatelski-laki-2027", "ends_on": "2026-12-01",
    })  # fmt: skip
    text = await bad.text()
    assert bad.status == 400 and "Ostatni dzień nie może być wcześniejszy" in text
    taken = await client.post("/redakcja/konsultacje", data=form, headers=as_("editor"))
    assert taken.status == 400 and "Ten adres ma już inna konsultacja" in await taken.text()


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\cmd.exe", "cmd.pdf"),
        ("/etc/shadow%00.pdf", "shadow-00.pdf"),  # the client sends %2500
        ("Uchwała nr 12 (projekt).PDF", "Uchwala-nr-12-projekt.pdf"),
        ("..", "dokument.pdf"),
    ],
)
async def test_an_upload_gets_a_safe_name_and_downloads_as_an_attachment(
    site: tuple[Client, ConsultationWorld], name: str, stored: str
) -> None:
    client, world = site
    consultation = await world.consultation()
    answer = await client.post(f"/redakcja/konsultacje/{consultation}/dokumenty",
                               data=upload(name, PDF), headers=as_("editor"),
                               allow_redirects=False)  # fmt: skip
    assert answer.status == 303, await answer.text()
    found = await world.service.by_id(consultation)
    assert [(d.filename, d.media_type) for d in found.documents] == [(stored, "application/pdf")]
    files = [p for p in (world.service.files.root).rglob("*") if p.is_file()]
    assert [p.name for p in files] == [world.service.files.put(PDF)]  # by digest, nowhere else
    assert not (Path("/tmp") / stored).exists() or stored == "dokument.pdf"
    download = await world.web.client.get(f"{PUBLIC}/dokumenty/{found.documents[0].id}")
    assert download.status == 200 and await download.read() == PDF
    assert download.headers["Content-Disposition"] == f'attachment; filename="{stored}"'
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("wirus.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        ("skrypt.docx", b"#!/bin/sh\nrm -rf /\n"),
        ("strona.pdf", b"<html><script>alert(1)</script></html>"),
        ("archiwum.odt", b"PK\x03\x04" + b"\x00" * 40),
        ("pusty.pdf", b""),
    ],
)
async def test_a_file_of_another_kind_is_refused_by_its_content(
    site: tuple[Client, ConsultationWorld], name: str, data: bytes
) -> None:
    client, world = site
    consultation = await world.consultation()
    answer = await client.post(f"/redakcja/konsultacje/{consultation}/dokumenty",
                               data=upload(name, data), headers=as_("editor"))  # fmt: skip
    text = await answer.text()
    assert answer.status == 400 and ("Dozwolone: PDF, ODT" in text or "pusty" in text), text
    assert (await world.service.by_id(consultation)).documents == ()


async def test_a_docx_is_taken_and_a_too_big_file_refused_in_polish(
    site: tuple[Client, ConsultationWorld],
) -> None:
    client, world = site
    consultation = await world.consultation()
    path = f"/redakcja/konsultacje/{consultation}/dokumenty"
    ok = await client.post(path, data=upload("zalacznik.docx", docx()), headers=as_("editor"),
                           allow_redirects=False)  # fmt: skip
    assert ok.status == 303
    big = await client.post(path, data=upload("duzy.pdf", PDF + b"0" * (1024 * 1024 + 1)),
                            headers=as_("editor"))  # fmt: skip
    assert big.status == 413 and "Plik jest za duży: najwyżej 1 MB." in await big.text()
    huge = await client.post(path, data=upload("ogromny.pdf", PDF + b"0" * (3 * 1024 * 1024)),
                             headers=as_("editor"))  # fmt: skip
    assert huge.status == 413 and "najwyżej 1 MB" in await huge.text()
    found = await world.service.by_id(consultation)
    assert [d.filename for d in found.documents] == ["zalacznik.docx"]


async def test_a_document_of_another_consultation_is_not_served(
    site: tuple[Client, ConsultationWorld],
) -> None:
    _, world = site
    await world.consultation()
    other = await world.consultation("inna", title="Inna konsultacja")
    document = await world.service.add_document(other, "Tajny?", "a.pdf", PDF, "ewa")
    status, _ = await world.web.get(f"{PUBLIC}/dokumenty/{document}")
    assert status == 404
    status, _ = await world.web.get(f"{PUBLIC}/dokumenty/..%2F..%2Fetc%2Fpasswd")
    assert status == 404


async def test_the_report_counts_hidden_comments_without_their_text(
    site: tuple[Client, ConsultationWorld],
) -> None:
    client, world = site
    consultation = await world.consultation()
    document = await world.service.add_document(consultation, "Projekt planu", "p.pdf", PDF, "e")
    sent = [
        {"text": "Więcej ławek.", "solectwo": "Dąbrowa", "document": str(document),
         "section": "§ 3 ust. 2"},
        {"text": "Więcej drzew.", "solectwo": "Dąbrowa", "name": "Jan Przykładowy",
         "consent": "1"},
        {"text": "Ty idioto, Kowalski z ul. Polnej 5 kradnie!", "solectwo": "Zalesie Górne"},
        {"text": "=1+2 jako formuła", "solectwo": ""},
    ]  # fmt: skip
    for fields in sent:
        assert (await world.send("plan-dabrowa", **fields)).status == 303
    ids = {c.number: c.id for c in world.comments()}
    editor = as_("editor")
    base = f"/redakcja/konsultacje/{consultation}"
    early = await client.post(f"{base}/raport", data={"intro": "x"}, headers=editor)
    assert early.status == 409 and "dopiero po zakończeniu" in await early.text()
    no_reason = await client.post(
        f"{base}/uwagi/{ids[3]}/moderacja", data={"action": "ukryj", "reason": ""}, headers=editor
    )
    assert no_reason.status == 400 and "Podaj powód" in await no_reason.text()
    hidden = await client.post(f"{base}/uwagi/{ids[3]}/moderacja", headers=editor,
                               data={"action": "ukryj", "reason": "obelgi i dane osobowe"},
                               allow_redirects=False)  # fmt: skip
    assert hidden.status == 303
    group = FormData([("comment", str(ids[1])), ("comment", str(ids[2])),
                      ("response", "Uwzględniono w planie na 2027 r.")])  # fmt: skip
    grouped = await client.post(f"{base}/odpowiedzi", data=group, headers=editor,
                                allow_redirects=False)  # fmt: skip
    assert grouped.status == 303
    await world.close(consultation)
    published = await client.post(f"{base}/raport", data={"intro": "## Podsumowanie"},
                                  headers=editor, allow_redirects=False)  # fmt: skip
    assert published.status == 303
    status, report = await world.web.get(f"{PUBLIC}/raport")
    assert status == 200 and "<h2>Podsumowanie</h2>" in report
    assert "odrzucone: 1" in report and "obelgi i dane osobowe: 1" in report
    assert "idioto" not in report and "Kowalski" not in report
    assert report.count("Uwzględniono w planie na 2027 r.") == 2
    assert "Jan Przykładowy" in report and "§ 3 ust. 2" in report
    assert "<td>Dąbrowa</td><td>2</td>" in report and "<td>nie podano</td><td>1</td>" in report
    assert "Zalesie Górne" not in report.split("wg-dokumentow")[0].split("wg-solectw")[1]
    assert "<td>Projekt planu</td><td>1</td>" in report
    assert "<td>bez wskazania dokumentu</td><td>2</td>" in report
    page = (await world.web.get(PUBLIC))[1]
    assert f'href="{PUBLIC}/raport"' in page
    answer = await world.web.client.get(f"{PUBLIC}/raport.csv")
    assert answer.status == 200 and "attachment" in answer.headers["Content-Disposition"]
    raw = await answer.read()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Nr" and [r[0] for r in rows[1:4]] == ["1", "2", "4"]
    assert rows[3][6] == "'=1+2 jako formuła"  # no formula for a spreadsheet to run
    assert rows[2][2] == "Jan Przykładowy" and rows[1][4] == "Projekt planu"
    assert ["Odrzucone", "1"] in rows and "idioto" not in raw.decode("utf-8")


async def test_uploads_pass_the_real_auth_middleware_with_the_sessions_csrf_token(
    db_url: str, tmp_path: Path
) -> None:
    """The auth middleware reads the multipart body for the CSRF field before the view: the
    upload route's own size limit applies there too, and a wrong token changes nothing."""
    settings = consultation_settings(document_max_mb=1)
    async with consultation_client(db_url, tmp_path / "files", settings) as world:
        store = world.web.store
        store.run_sync(lambda db: users.add(db, "ewa", "Ewa Redaktorka", "editor",
                                            "haslo-redaktora-123", now=utcnow()))  # fmt: skip
        auth = AuthService(store)
        signed = await auth.sign_in("ewa", "haslo-redaktora-123", "127.0.0.1")
        app = web.Application(middlewares=[
            error_middleware(), plugin.upload_limit_middleware(1),
            auth_middleware(auth, "token-api-testowy"),
        ])  # fmt: skip
        app.add_routes(editor_views.routes(world.service))
        consultation = await world.consultation()
        path = f"/redakcja/konsultacje/{consultation}/dokumenty"
        async with TestClient(TestServer(app)) as client:
            origin = str(client.make_url("")).rstrip("/")
            client.session.cookie_jar.update_cookies({auth.settings.cookie_name: signed.token})

            async def send(data: bytes, csrf: str) -> Any:
                form = upload("plan.pdf", data)
                form.add_field("csrf_token", csrf)
                return await client.post(path, data=form, headers={"Origin": origin},
                                         allow_redirects=False)  # fmt: skip

            forged = await send(PDF, "zly-token")
            assert forged.status == 403
            big = await send(PDF + b"0" * (2 * 1024 * 1024), signed.csrf_token)
            assert big.status == 413 and "najwyżej 1 MB" in await big.text()
            bigger_than_default = PDF + b"0" * (1024 * 1024 - 1000)  # over aiohttp's 1 MiB body
            ok = await send(bigger_than_default, signed.csrf_token)
            assert ok.status == 303, await ok.text()
        found = await world.service.by_id(consultation)
        assert [(d.filename, d.size) for d in found.documents] == [
            ("plan.pdf", len(bigger_than_default))
        ]
