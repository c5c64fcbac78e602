"""What the knowledge-base API takes and gives, as typed schemas (checks and OpenAPI)."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from pydantic import Field, StringConstraints
from typing_extensions import TypedDict

from cic.http.schemas import Body, Digits, Query

MAX_QUERY = 200
Limit = Annotated[Digits, Field(ge=1, le=50, title="limit")]


class SearchQuery(Query):
    """Words as an agent types them (typos and missing diacritics are fine)."""

    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_QUERY)] = Field(
        "", title="q"
    )
    limit: Limit = 10


class SuggestQuery(Query):
    """Articles for the console by the call's topics and department."""

    topics: str = Field("", description="slugi tematów po przecinku")
    department: str = Field("", description="kod komórki")
    limit: Limit = 5

    def topic_list(self) -> list[str]:
        """The topics' slugs."""
        return [topic for topic in self.topics.split(",") if topic]


class ForCallQuery(Query):
    """What the agent has typed about the call so far."""

    note: str = Field("", max_length=2000, title="Notatka (note)")


class UseIn(Body):
    """The call the article was used in (none: counted once per user and day)."""

    call_id: str | None = Field(None, min_length=1, max_length=128, title="call_id")


class ArticleEdit(Body):
    """A new version from the console: the Markdown body and the front matter to change."""

    body: str = Field(title="Treść (body)", description="Markdown")
    title: str | None = None
    department: str | None = None
    topics: list[str] | None = None
    keywords: list[str] | None = None
    needs_local_check: bool | None = None
    local_check: str | None = None
    card: dict[str, Any] | None = Field(
        None, description="karta usługi na portalu (pola w kb/README.md); bez karty: niepubliczny"
    )
    active: bool | None = Field(None, description="false ukrywa artykuł w wyszukiwaniu")
    base_version: int | None = Field(
        None, description="wersja, od której zaczęła się edycja (inna zmiana w międzyczasie: 409)"
    )


class SnippetPart(TypedDict):
    """A piece of a snippet; ``mark``: a matched word."""

    text: str
    mark: bool


class KbHit(TypedDict):
    """A search result."""

    slug: str
    title: str
    department: str
    department_name: str
    topics: list[str]
    score: float
    title_html: Annotated[str, Field(description="escaped, matches in <mark>")]
    snippet: Annotated[str, Field(description="escaped, matches in <mark>")]
    snippet_parts: list[SnippetPart]
    needs_local_check: bool


class SearchOut(TypedDict):
    """Search results, best first; ``ready`` is false while the index is being built."""

    query: str
    ready: bool
    results: list[KbHit]


class KbArticle(TypedDict):
    """The current version of an article."""

    slug: str
    title: str
    department: str
    department_name: str
    topics: list[str]
    keywords: list[str]
    updated: str
    needs_local_check: bool
    local_check: str
    version: int
    usage_count: int
    active: bool
    body: Annotated[str, Field(description="Markdown")]
    html: Annotated[str, Field(description="rendered, raw HTML escaped")]
    source: NotRequired[str]
    author: NotRequired[str]
    changed_at: NotRequired[str]


class VersionOut(TypedDict):
    """One version of an article (``current``: the one shown now)."""

    version: int
    title: str
    source: Annotated[str, Field(description="file albo console")]
    author: str
    created_at: str
    current: bool
    front_matter: dict[str, Any]
    body: Annotated[str, Field(description="Markdown")]


class UseOut(TypedDict):
    """Whether this use was counted (once per user and call) and the article's count."""

    slug: str
    call_id: str | None
    counted: bool
    usage_count: int


class Suggestion(TypedDict):
    """An article for the call in hand and why it is suggested (in Polish)."""

    slug: str
    title: str | None
    department: str | None
    snippet: str | None
    why: Annotated[str, Field(description="np. „Poprzednia rozmowa: podatek od nieruchomości”")]


class ForCallOut(TypedDict):
    """Articles for a call; ``ready`` is false while the index is being built."""

    call_id: str
    ready: bool
    articles: list[Suggestion]
