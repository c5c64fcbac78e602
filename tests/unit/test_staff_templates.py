"""The staff pages' one design system, checked in the template files: every staff template
extends base.html (which links ``/static/css/cic.css`` and no other stylesheet of ours) or is
a part another template includes; none links the five stylesheets cic.css replaced; cic.css
defines the shared class names other pages are written against; no template carries inline
style or inline script (the Content-Security-Policy refuses both).

The residents' portal (``web/templates/portal/``) has its own stylesheet and is not checked.
"""

from __future__ import annotations

import re

import pytest

from cic.auth.sessions import CurrentUser
from cic.auth.templates import STATIC, TEMPLATES, env

STYLESHEET = "/static/css/cic.css"
#: The dashboard's own sheet (charts, heat map, the council report's print layout), which
#: the PDF of the report also inlines; no other page may add one.
PAGE_SHEETS = {"wskaznik.html", "wskazniki.html", "wskazniki_raport.html"}
DASHBOARD_SHEET = "/static/css/dashboard.css"
REMOVED = ("console.css", "admin.css", "kb.css", "safety.css", "wallboard.css")
#: The class names pages use without CSS of their own (the design system's contract).
SHARED = (
    ".btn", ".btn-primary", ".btn-danger", ".btn-link", ".btn-secondary", "table.data",
    ".table-wrap", "td.num", "form.filters", ".empty", ".error", ".notice", ".badge",
    ".badge-ok", ".badge-warn", ".badge-bad", ".badge-info", ".cards", ".card", ".figure",
    ".panel", ".tabs", ".muted", "fieldset", "dialog", ".loading", ".required",
)  # fmt: skip
EXTENDS = re.compile(r'{%-?\s*extends\s+"([^"]+)"')
INCLUDES = re.compile(r'{%-?\s*include\s+"([^"]+)"')
STYLESHEET_LINK = re.compile(r'<link\s[^>]*rel="stylesheet"[^>]*href="([^"]+)"')


def _staff() -> dict[str, str]:
    """The staff templates (the ``*_pdf.html`` sources of PDF files are not pages)."""
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(TEMPLATES.glob("*.html"))
        if not p.name.endswith("_pdf.html")
    }


def _included() -> set[str]:
    return {name for text in _staff().values() for name in INCLUDES.findall(text)}


def _root(name: str, templates: dict[str, str]) -> str:
    """The template at the top of ``name``'s ``extends`` chain."""
    seen = [name]
    while (parent := EXTENDS.search(templates[seen[-1]])) and parent.group(1) in templates:
        assert parent.group(1) not in seen, f"extends loop: {seen}"
        seen.append(parent.group(1))
    return seen[-1]


def test_there_are_staff_templates_and_parts() -> None:
    names = set(_staff())
    assert {"base.html", "console.html", "admin.html", "login.html"} <= names
    assert {"admin_hours.html", "redakcja_konsultacje_pola.html"} <= _included()


@pytest.mark.parametrize("name", sorted(_staff()))
def test_every_staff_page_gets_the_one_stylesheet(name: str) -> None:
    templates = _staff()
    text = templates[name]
    if name in _included():
        assert not EXTENDS.search(text) and "<html" not in text, f"{name}: a part, not a page"
        return
    root = _root(name, templates)
    links = STYLESHEET_LINK.findall(text)
    assert root == "base.html" or STYLESHEET in links, f"{name} ends at {root}, no {STYLESHEET}"
    ours = [href for href in links if href.startswith("/static/css/")]
    allowed = [DASHBOARD_SHEET] if name in PAGE_SHEETS else []
    assert ours == ([STYLESHEET] if name == "base.html" else allowed), f"{name} links {ours}"


def test_no_template_links_a_removed_stylesheet() -> None:
    every = sorted(TEMPLATES.rglob("*.html"))
    assert len(every) > len(_staff())  # the portal's templates are searched too
    for path in every:
        text = path.read_text(encoding="utf-8")
        assert not [css for css in REMOVED if css in text], path
    assert not [css for css in REMOVED if (STATIC / "css" / css).exists()]


def test_the_stylesheet_defines_the_shared_class_names() -> None:
    css = (STATIC / "css" / "cic.css").read_text(encoding="utf-8")
    selectors = " ".join(re.findall(r"([^{}]+)\{", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))
    missing = [
        name for name in SHARED
        if not re.search(re.escape(name) + r"(?![\w-])", selectors)
    ]  # fmt: skip
    assert missing == []


@pytest.mark.parametrize("name", sorted(_staff()))
def test_no_inline_style_or_script(name: str) -> None:
    text = _staff()[name]
    assert not re.search(r"\sstyle=|<style[\s>]", text), f"{name}: inline style"
    scripts = re.findall(r"<script([^>]*)>", text)
    inline = [s for s in scripts if "src=" not in s and 'type="application/json"' not in s]
    assert inline == [], f"{name}: inline script"


@pytest.mark.parametrize("name", sorted(_staff()))
def test_tables_have_their_sections(name: str) -> None:
    text = _staff()[name]
    for part in ("table", "thead", "tbody"):
        opened = len(re.findall(rf"<{part}[\s>]", text))
        assert opened == text.count(f"</{part}>"), f"{name}: <{part}> not closed"
    wraps = len(re.findall(r'<div class="table-wrap[ "]', text))
    assert wraps == len(re.findall(r"<table[\s>]", text)), name


def test_the_menu_marks_one_page_and_hides_no_page_variable() -> None:
    """base.html's own names stay in their scope (ostrzezenie.html's ``labels`` once showed
    the role names as delivery states), and of /bezpieczenstwo and
    /bezpieczenstwo/ostrzezenia only the nearer one is the current page."""
    page = env.from_string(
        '{% extends "base.html" %}{% block content %}<p id="own">{{ labels }}</p>{% endblock %}'
    )
    html = page.render(
        user=CurrentUser(1, "kierownik", "Kierownik Zmiany", "supervisor", None),
        csrf_token="t", page_path="/bezpieczenstwo/ostrzezenia/7", labels="stany doręczeń",
    )  # fmt: skip
    assert '<p id="own">stany doręczeń</p>' in html
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', html)
    assert current == ["/bezpieczenstwo/ostrzezenia"]
    assert html.count('href="/static/css/cic.css"') == 1
