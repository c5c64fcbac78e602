"""Article files (Markdown with YAML front matter) parsed, validated and imported into the store.

The rule for files and console edits (start-up import, idempotent):

* a new file creates the article (version 1, source ``file``);
* a file whose bytes have not changed since the last import does nothing;
* a changed file adds a version only when its content (front matter + body) differs from the
  current version;
* when the current version was written in the console (source ``console``), a changed file does
  NOT overwrite it: the import reports a conflict (logged as a warning at every start-up until
  someone resolves it) and the console version stays current. Resolve it by editing the file
  to match the console text, or by importing with ``force=True`` (the file wins, as a new version;
  the console version stays in the history).
* articles whose file has disappeared are left as they are (deactivating is a console decision).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.db import utcnow
from cic.kb.cards import FORMS_DIR, card_of
from cic.kb.departments import DEPARTMENTS
from cic.kb.errors import InvalidArticle
from cic.kb.models import KbArticle, KbArticleVersion

log = logging.getLogger(__name__)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n?(.*)\Z", re.DOTALL)
REQUIRED = ("id", "title", "department", "topics", "keywords", "updated")
IMPORT_AUTHOR = "import-plikow"


@dataclass(frozen=True)
class ParsedArticle:
    """One article as read from a file or an edit: front matter (JSON-safe) and Markdown body."""

    slug: str
    front_matter: dict[str, Any]
    body: str

    @property
    def content_hash(self) -> str:
        """SHA-256 of the canonical content (what decides whether a new version is needed)."""
        return content_hash(self.front_matter, self.body)


@dataclass
class ImportReport:
    """What one import did, slug by slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def content_hash(front_matter: dict[str, Any], body: str) -> str:
    """SHA-256 of front matter and body in a canonical JSON form."""
    canonical = json.dumps([front_matter, body], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _string_list(front: dict[str, Any], key: str) -> None:
    value = front.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InvalidArticle(f"„{key}” musi być listą niepustych tekstów.")


def validate(front: dict[str, Any], body: str) -> ParsedArticle:
    """Check the front matter and body; return the article or raise ``InvalidArticle``."""
    missing = [k for k in REQUIRED if k not in front]
    if missing:
        raise InvalidArticle(f"Brak pól w nagłówku: {', '.join(missing)}.")
    slug, title = front["id"], front["title"]
    if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > 200:
        raise InvalidArticle("„id” to małe litery, cyfry i myślniki, np. podatek-od-nieruchomosci.")
    if not isinstance(title, str) or not title.strip() or len(title) > 300:
        raise InvalidArticle("„title” musi być niepustym tekstem (do 300 znaków).")
    if front["department"] not in DEPARTMENTS:
        raise InvalidArticle(f"Nieznany kod komórki: {front['department']!r}.")
    _string_list(front, "topics")
    _string_list(front, "keywords")
    if not all(SLUG.match(t) for t in front["topics"]):
        raise InvalidArticle("Tematy („topics”) to slugi: małe litery, cyfry i myślniki.")
    try:
        dt.date.fromisoformat(str(front["updated"]))
    except ValueError as exc:
        raise InvalidArticle("„updated” to data RRRR-MM-DD.") from exc
    needs = front.get("needs_local_check", False)
    if not isinstance(needs, bool):
        raise InvalidArticle("„needs_local_check” to true albo false.")
    if needs and not (isinstance(front.get("local_check"), str) and front["local_check"].strip()):
        raise InvalidArticle("Przy needs_local_check: true opisz w „local_check”, co sprawdzić.")
    if not isinstance(body, str) or not body.strip():
        raise InvalidArticle("Treść artykułu jest pusta.")
    card_of(front)  # a card (optional) is checked field by field
    return ParsedArticle(slug, front, body.strip() + "\n")


def parse(text: str) -> ParsedArticle:
    """Parse ``---`` YAML front matter ``---`` followed by the Markdown body."""
    match = FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        raise InvalidArticle("Plik musi zaczynać się nagłówkiem YAML między liniami ---.")
    try:
        front = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise InvalidArticle(f"Błędny nagłówek YAML: {exc}") from exc
    if not isinstance(front, dict):
        raise InvalidArticle("Nagłówek YAML musi być słownikiem.")
    return validate(_json_safe(front), match.group(2))


def read_dir(directory: Path) -> tuple[list[tuple[ParsedArticle, str]], list[str]]:
    """Every ``*.md`` under ``directory`` parsed, with its file hash; and the files that failed."""
    found: list[tuple[ParsedArticle, str]] = []
    errors: list[str] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        raw = path.read_bytes()
        try:
            article = parse(raw.decode("utf-8"))
        except (InvalidArticle, UnicodeDecodeError) as exc:
            errors.append(f"{path}: {exc}")
            continue
        missing = missing_forms(article, directory)
        if missing:
            errors.append(f"{path}: karta usługi: brak pliku formularza {', '.join(missing)}"
                          f" w {directory / FORMS_DIR}")  # fmt: skip
            continue
        if article.slug in seen:
            errors.append(f"{path}: id „{article.slug}” jest już w {seen[article.slug]}")
            continue
        seen[article.slug] = path
        found.append((article, hashlib.sha256(raw).hexdigest()))
    return found, errors


def missing_forms(article: ParsedArticle, directory: Path) -> list[str]:
    """The form files the article's card names that are not in ``<directory>/formularze``."""
    card = card_of(article.front_matter)
    if card is None:
        return []
    return [f.file for f in card.forms if not (directory / FORMS_DIR / f.file).is_file()]


def add_version(
    session: Session, row: KbArticle, article: ParsedArticle, source: str, author: str
) -> KbArticleVersion:
    """Append a version to ``row`` and make it current (the caller checks content changed)."""
    version = KbArticleVersion(
        article_id=row.id,
        version=row.current_version + 1,
        front_matter=article.front_matter,
        body=article.body,
        content_hash=article.content_hash,
        source=source,
        author=author,
        created_at=utcnow(),
    )
    session.add(version)
    row.current_version = version.version
    row.title = str(article.front_matter["title"])
    row.department = str(article.front_matter["department"])
    row.updated_at = version.created_at
    return version


def current(session: Session, row: KbArticle) -> KbArticleVersion:
    """The current version of an article."""
    return session.execute(
        select(KbArticleVersion).where(
            KbArticleVersion.article_id == row.id, KbArticleVersion.version == row.current_version
        )
    ).scalar_one()


def import_articles(
    session: Session, files: list[tuple[ParsedArticle, str]], *, force: bool = False
) -> ImportReport:
    """Apply the import rule (module docstring) to parsed files in one transaction."""
    report = ImportReport()
    for article, file_hash in files:
        row = session.execute(
            select(KbArticle).where(KbArticle.slug == article.slug)
        ).scalar_one_or_none()
        if row is None:
            row = KbArticle(slug=article.slug, title="", department="", current_version=0)
            session.add(row)
            session.flush()
            add_version(session, row, article, "file", IMPORT_AUTHOR)
            row.file_hash = file_hash
            report.created.append(article.slug)
            continue
        if row.file_hash == file_hash and not force:
            report.unchanged.append(article.slug)
            continue
        now = current(session, row)
        if now.content_hash == article.content_hash:
            row.file_hash = file_hash
            report.unchanged.append(article.slug)
        elif now.source == "console" and not force:
            report.conflicts.append(article.slug)
            log.warning(
                "kb: the file of %s changed, but version %d was edited in the console and"
                " stays current (edit the file to match, or import with force)",
                article.slug,
                now.version,
            )
        else:
            add_version(session, row, article, "file", IMPORT_AUTHOR)
            row.file_hash = file_hash
            report.updated.append(article.slug)
    return report
