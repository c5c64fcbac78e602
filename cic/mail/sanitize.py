"""HTML from a message made safe to show in the console, and made into plain text.

The sanitiser is nh3 (ammonia, a maintained HTML5 parser-based cleaner) with a conservative
allow-list: text formatting, lists, tables, links and inline (``cid:``) images only. No scripts,
styles, frames, objects or forms; no event attributes; no ``javascript:``/``data:`` or relative
URLs (a relative URL would point at the console itself); no remote images, which tell the
sender when and where the message was read.
"""

from __future__ import annotations

import html
import re

import nh3

#: Longest HTML part sanitised; the rest is dropped (and said by the caller).
MAX_HTML_CHARS = 2_000_000

_TAGS = frozenset(
    "a abbr b blockquote br caption code col colgroup dd del div dl dt em h1 h2 h3 h4 h5 h6 hr"
    " i img ins li ol p pre q s small span strike strong sub sup table tbody td tfoot th thead"
    " tr u ul".split()
)
_DROPPED_WITH_CONTENT = frozenset(
    "script style title noscript template iframe object embed applet svg math select textarea"
    " button".split()
)
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "ol": {"start"},
}
_URL_SCHEMES = frozenset({"http", "https", "mailto", "cid"})
_LINK_REL = "noopener noreferrer nofollow"

_PRE = re.compile(r"(</?pre\b[^>]*>)", re.IGNORECASE)
_BREAK = re.compile(r"<br\b[^>]*>", re.IGNORECASE)
_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_PARAGRAPH = re.compile(
    r"</?(?:p|h[1-6]|blockquote|table|ul|ol|dl|pre|hr|section|article|header|footer|address)"
    r"\b[^>]*>",
    re.IGNORECASE,
)
_LINE = re.compile(r"</?(?:div|tr|dt|dd|center)\b[^>]*>", re.IGNORECASE)
# Marks where blocks start and end, turned into line breaks once the tags are gone: a run of
# them is one break, so Gmail's one-<div>-per-line mail does not come out double spaced.
_SOFT, _PARA = "\ue000", "\ue001"
_BREAKS = re.compile(f"[ \t\n]*[{_SOFT}{_PARA}][ \t\n{_SOFT}{_PARA}]*")
_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_CELL = re.compile(r"</t[dh]\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\f\v\r\n]+")
_INLINE_SPACES = re.compile(r"[ \t]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not value.strip().lower().startswith("cid:"):
        return None
    return value


def sanitize_html(markup: str) -> str:
    """``markup`` cleaned to the allow-list; links get ``rel="noopener noreferrer nofollow"``."""
    cleaned = nh3.clean(
        markup[:MAX_HTML_CHARS],
        tags=set(_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes=set(_URL_SCHEMES),
        link_rel=_LINK_REL,
        url_relative="deny",
        strip_comments=True,
    )
    # What is left of a remote image (its source taken out) goes too; the markup is nh3's
    # own output here, so its attributes are quoted and a simple pattern reads it right.
    return _IMAGE_WITHOUT_SOURCE.sub("", cleaned).strip()


def html_to_text(markup: str) -> str:
    """The text a reader sees in ``markup``: tags and scripts gone, entities decoded, a line
    break where the HTML breaks lines (``<br>``, paragraphs, list items, table rows)."""
    marked = _collapse_spaces(markup[:MAX_HTML_CHARS].replace(_SOFT, "").replace(_PARA, ""))
    marked = _ITEM.sub(_SOFT + "- ", _BREAK.sub("\n", marked))
    marked = _LINE.sub(_SOFT, _PARAGRAPH.sub(_PARA, marked))
    marked = _CELL.sub(" ", marked)
    text = nh3.clean(marked, tags=set(), clean_content_tags=set(_DROPPED_WITH_CONTENT))
    text = _BREAKS.sub(_line_breaks, html.unescape(text).replace("\xa0", " "))
    lines = (_INLINE_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def _line_breaks(match: re.Match[str]) -> str:
    """One run of block marks and breaks: a blank line between paragraphs or where ``<br>``
    made an empty line, else one line break."""
    run = match.group(0)
    return "\n\n" if _PARA in run or "\n" in run else "\n"


def _collapse_spaces(markup: str) -> str:
    """White space as a browser renders it: runs become one space, except inside ``<pre>``
    where line breaks stay (as ``<br>``, so the tag-stripping below keeps them)."""
    out: list[str] = []
    depth = 0
    for piece in _PRE.split(markup):
        if _PRE.fullmatch(piece):
            depth = max(depth + (-1 if piece.startswith("</") else 1), 0)
            out.append(piece)
        elif depth:
            out.append(piece.replace("\r\n", "\n").replace("\n", "<br>"))
        else:
            out.append(_SPACES.sub(" ", piece))
    return "".join(out)
