"""Markdown to safe HTML with markdown-it-py: raw HTML in the source is escaped, not passed on."""

from __future__ import annotations

from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)


def to_html(markdown: str) -> str:
    """Render an article body; ``<script>`` and other tags come out as visible text.

    ``html: False`` escapes every raw tag, and markdown-it's link validation refuses
    ``javascript:``, ``vbscript:`` and ``data:`` (except images) URLs.
    """
    return str(_md.render(markdown))
