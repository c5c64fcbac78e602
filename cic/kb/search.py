"""An in-memory full-text index in Polish: lemmas, typo tolerance, BM25F ranking, highlights.

Every word is indexed by its lemma (simplemma) folded to ASCII, so "podatku", "podatek" and
"podatkow" meet. A query word is matched through (1) its own lemma, (2) the folded surface forms
seen in the articles (so "nieruchomosci" typed without diacritics finds "nieruchomości"), and
only when neither is known (3) prefixes and close spellings (rapidfuzz) of known forms, at a
lower weight. Fields are weighted (title > keywords > topics > body) in one BM25F score.
The index is rebuilt from scratch when an article changes; it is a pure object without I/O.
"""

from __future__ import annotations

import bisect
import html
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from cic.kb.text import STOPWORDS, fold, is_stopword, lemma, plain, words

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.5, "topics": 1.5, "body": 1.0}
K1 = 1.2
B = 0.75
FUZZY_CUTOFF = 78.0
FUZZY_WEIGHT = 0.85
PREFIX_WEIGHT = 0.8
SNIPPET_WORDS = 30


@dataclass(frozen=True)
class Document:
    """What the index knows of one article."""

    slug: str
    title: str
    department: str
    topics: tuple[str, ...]
    keywords: tuple[str, ...]
    body: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Part:
    """A piece of highlighted text: ``mark`` says whether it matched the query."""

    text: str
    mark: bool


def parts_html(parts: Sequence[Part]) -> str:
    """Highlighted text as HTML: every piece escaped first, then matches wrapped in <mark>."""
    out = []
    for part in parts:
        text = html.escape(part.text, quote=True)
        out.append(f"<mark>{text}</mark>" if part.mark else text)
    return "".join(out)


def _terms(text: str) -> list[tuple[str, str]]:
    """(folded surface form, lemma) of every meaningful word of ``text``."""
    return [(fold(m.group()), lemma(m.group())) for m in words(text) if not is_stopword(m.group())]


class SearchIndex:
    """BM25F over the articles' fields with lemma, diacritic and typo tolerant matching."""

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        """Build the index for ``documents`` (replaces nothing: a new index per change)."""
        self.docs: list[Document] = list(documents)
        self._plain = [plain(d.body) for d in self.docs]
        self._tokens = [tokenize(text) for text in self._plain]
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        self._forms: dict[str, set[str]] = defaultdict(set)
        fields_per_doc = [self._fields(i, d) for i, d in enumerate(self.docs)]
        lengths = {name: [max(1, len(f[name])) for f in fields_per_doc] for name in FIELD_WEIGHTS}
        average = {n: (sum(v) / len(v) if v else 1.0) for n, v in lengths.items()}
        for i, doc_fields in enumerate(fields_per_doc):
            weighted: dict[str, float] = defaultdict(float)
            for name, terms in doc_fields.items():
                norm = 1 - B + B * lengths[name][i] / average[name]
                for surface, term in terms:
                    weighted[term] += FIELD_WEIGHTS[name] / norm
                    self._forms[surface].add(term)
                    self._forms[term].add(term)
            for term, tf in weighted.items():
                self._postings[term][i] = tf
        count = len(self.docs)
        self._idf = {
            t: math.log(1 + (count - len(p) + 0.5) / (len(p) + 0.5))
            for t, p in self._postings.items()
        }
        self._form_keys = sorted(self._forms)

    def _fields(self, i: int, doc: Document) -> dict[str, list[tuple[str, str]]]:
        return {
            "title": _terms(doc.title),
            "keywords": _terms(" ; ".join(doc.keywords)),
            "topics": _terms(" ".join(t.replace("-", " ") for t in doc.topics)),
            "body": [(form, lem) for _, _, form, lem in self._tokens[i] if form not in STOPWORDS],
        }

    def __len__(self) -> int:
        """The number of indexed articles."""
        return len(self.docs)

    def expand(self, word: str) -> dict[str, float]:
        """The index terms a query word stands for, with a weight in (0, 1]."""
        surface, own = fold(word), lemma(word)
        found: dict[str, float] = {}
        for term in (own, surface):
            if term in self._postings:
                found[term] = 1.0
        for term in self._forms.get(surface, ()):
            found[term] = 1.0
        if found or len(surface) < 4:
            return found
        start = bisect.bisect_left(self._form_keys, surface)
        for key in self._form_keys[start : start + 20]:
            if not key.startswith(surface):
                break
            for term in self._forms[key]:
                found[term] = max(found.get(term, 0.0), PREFIX_WEIGHT)
        matches = process.extract(
            surface, self._form_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
        )
        for key, score, _ in matches:
            for term in self._forms[key]:
                found[term] = max(found.get(term, 0.0), FUZZY_WEIGHT * score / 100)
        return found

    def _query(self, query: str) -> list[dict[str, float]]:
        tokens = [m.group() for m in words(query)]
        meaningful = [t for t in tokens if not is_stopword(t)] or tokens
        return [e for e in (self.expand(t) for t in meaningful)] if meaningful else []

    def search(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """The best articles for ``query``, best first, each with a highlighted snippet."""
        expansions = self._query(query)
        if not expansions:
            return []
        scores: dict[int, float] = defaultdict(float)
        covered: dict[int, int] = defaultdict(int)
        for expansion in expansions:
            best: dict[int, float] = {}
            for term, weight in expansion.items():
                idf = self._idf[term]
                for doc, tf in self._postings[term].items():
                    value = weight * idf * tf * (K1 + 1) / (tf + K1)
                    if value > best.get(doc, 0.0):
                        best[doc] = value
            for doc, value in best.items():
                scores[doc] += value
                covered[doc] += 1
        for doc in scores:
            scores[doc] *= 0.5 + 0.5 * covered[doc] / len(expansions)
        ranked = sorted(scores, key=lambda d: (-scores[d], self.docs[d].slug))[:limit]
        terms = {t for e in expansions for t in e}
        return [self._hit(d, scores[d], terms) for d in ranked]

    def _hit(self, i: int, score: float, terms: set[str]) -> dict[str, Any]:
        doc = self.docs[i]
        title = highlight(doc.title, terms)
        snippet = snippet_parts(self._plain[i], terms, tokens=self._tokens[i])
        return {
            "slug": doc.slug,
            "title": doc.title,
            "department": doc.department,
            "topics": list(doc.topics),
            "score": round(score, 4),
            "title_html": parts_html(title),
            "snippet": parts_html(snippet),
            "snippet_parts": [{"text": p.text, "mark": p.mark} for p in snippet],
            **doc.meta,
        }

    def note_usage(self, slug: str, count: int) -> None:
        """Keep an article's usage count (it orders suggestions) without a rebuild."""
        for doc in self.docs:
            if doc.slug == slug:
                doc.meta["usage"] = count

    def suggest(
        self, topics: Sequence[str] = (), department: str | None = None, limit: int = 5
    ) -> list[dict[str, Any]]:
        """Articles for the console by topic slugs (most shared topics first) and department."""
        wanted = set(topics)
        ranked = []
        for doc in self.docs:
            shared = len(wanted & set(doc.topics))
            in_department = department is not None and doc.department == department
            if shared or (in_department and not wanted):
                ranked.append((-shared, not in_department, -int(doc.meta.get("usage", 0)), doc))
        ranked.sort(key=lambda r: (r[0], r[1], r[2], r[3].slug))
        return [
            {"slug": d.slug, "title": d.title, "department": d.department, "topics": list(d.topics)}
            for *_, d in ranked[:limit]
        ]


def highlight(text: str, terms: set[str]) -> list[Part]:
    """``text`` cut into pieces, the words whose lemma or folded form is in ``terms`` marked."""
    out: list[Part] = []
    last = 0
    for m in words(text):
        word = m.group()
        if fold(word) in terms or lemma(word) in terms:
            if m.start() > last:
                out.append(Part(text[last : m.start()], False))
            out.append(Part(word, True))
            last = m.end()
    if last < len(text):
        out.append(Part(text[last:], False))
    return out


Token = tuple[int, int, str, str]


def tokenize(text: str) -> list[Token]:
    """(start, end, folded form, lemma) of every word of ``text``."""
    return [(m.start(), m.end(), fold(m.group()), lemma(m.group())) for m in words(text)]


def snippet_parts(
    text: str, terms: set[str], size: int = SNIPPET_WORDS, tokens: list[Token] | None = None
) -> list[Part]:
    """The window of ``size`` words of ``text`` with the most distinct matches, highlighted.

    ``tokens`` are ``tokenize(text)``, kept by the index so a search does not redo them.
    """
    spans = tokenize(text) if tokens is None else tokens
    if not spans:
        return []
    hits = [form in terms or lem in terms for _, _, form, lem in spans]
    counts: Counter[str] = Counter()
    best, best_start = 0, 0
    for index, hit in enumerate(hits):
        if hit:
            counts[spans[index][3]] += 1
        if index >= size and hits[index - size]:
            old = spans[index - size][3]
            counts[old] -= 1
            if not counts[old]:
                del counts[old]
        if len(counts) > best:
            best, best_start = len(counts), max(0, index - size + 1)
    first = next((i for i in range(best_start, len(spans)) if hits[i]), best_start) if best else 0
    first = max(0, first - 3)
    last = min(len(spans), first + size) - 1
    begin = 0 if first == 0 else spans[first][0]
    end = len(text) if last == len(spans) - 1 else spans[last][1]
    parts = highlight(text[begin:end].replace("\n", " "), terms)
    if begin > 0:
        parts.insert(0, Part("… ", False))
    if end < len(text):
        parts.append(Part(" …", False))
    return parts
