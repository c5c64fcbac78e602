"""An in-memory full-text index in Polish: lemmas, typo tolerance, BM25F ranking, highlights.

Every word is indexed by its lemma (simplemma) folded to ASCII, so "podatku", "podatek" and
"podatkow" meet. A query word is matched through (1) its own lemma, (2) the folded surface forms
seen in the articles (so "nieruchomosci" typed without diacritics finds "nieruchomości"), and
only when neither is known (3) prefixes and close spellings (rapidfuzz) of known forms, at a
lower weight. Fields are weighted (title > keywords > topics > body) in one BM25F score.

Synonyms (``cic.kb.synonyms``: how residents say things → the articles' wording) expand a query:
a query word or run of words that matches a synonym phrase (word by word on folded lemmas or
folded forms, or sharing a long prefix, so "kopciucha" and "szambiarki" still match) adds the
synonym's words to the query at a lower weight than typed words (``SYNONYM_WEIGHT``, spread
over a synonym's words so that a long one does not drown the typed words). Such added words
count toward the share of query words an article matched as the typed words they stand for.
The index is rebuilt from scratch when an article changes; it is a pure object without I/O.
"""

from __future__ import annotations

import bisect
import heapq
import html
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
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
FIRST_DEPTH = 32  # documents read per query term before the first stopping test
SYNONYM_WEIGHT = 0.8  # an added word of a one-word synonym, against 1.0 for a typed word
SYNONYM_SPREAD = 0.5  # a synonym adding n words weighs each SYNONYM_WEIGHT / n ** SPREAD
STEM_MIN = 5  # a synonym word and a query word sharing this long a prefix (and ...)
STEM_SLACK = 1  # ... all but this many of the synonym word's characters) are the same word
SYNONYM_FUZZY_CUTOFF = 80.0
SYNONYM_COMMON_SHARE = 0.2  # a synonym adds no term found in more than this share of articles
SYNONYM_COMMON_MIN = 5  # (and in more than this many: in a handful of articles nothing is common)


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


def _field_terms(doc: Document, tokens: list[Token]) -> dict[str, list[tuple[str, str]]]:
    """(folded surface form, lemma) of the meaningful words of each weighted field of ``doc``."""
    return {
        "title": _terms(doc.title),
        "keywords": _terms(" ; ".join(doc.keywords)),
        "topics": _terms(" ".join(t.replace("-", " ") for t in doc.topics)),
        "body": [(form, lem) for _, _, form, lem in tokens if form not in STOPWORDS],
    }


def _impact(idf: float, tf: float) -> float:
    """A term's BM25 contribution to a document (before the query word's weight)."""
    return idf * tf * (K1 + 1) / (tf + K1)


def _fuzzy_lengths(length: int) -> range:
    """The key lengths that can reach ``FUZZY_CUTOFF`` against a word of ``length`` characters.

    ``fuzz.ratio`` is at most ``200 * min(a, b) / (a + b)`` (every extra character is an edit),
    so keys much shorter or longer than the word are skipped without changing any result.
    """
    low = math.floor(length * FUZZY_CUTOFF / (200 - FUZZY_CUTOFF))
    high = math.ceil(length * (200 - FUZZY_CUTOFF) / FUZZY_CUTOFF)
    return range(max(1, low), high + 1)


@dataclass(frozen=True)
class _Synonym:
    """A compiled synonym: the phrase's words as (folded form, lemma), and what they add."""

    words: tuple[tuple[str, str], ...]
    adds: tuple[dict[str, float], ...]  # per added word: index term → weight


@dataclass
class _Query:
    """A query's slots (a typed or an added word: index term → weight), and for each slot the
    bit mask of the typed words it stands for."""

    slots: list[dict[str, float]]
    masks: list[int]
    typed: int


def _stems_match(word: str, key: str) -> bool:
    """True when a query word and a synonym word share a long enough prefix to be one word."""
    size = min(len(word), len(key))
    if size < STEM_MIN or abs(len(word) - len(key)) > 4:
        return False
    shared = 0
    while shared < size and word[shared] == key[shared]:
        shared += 1
    return shared >= max(STEM_MIN, len(key) - STEM_SLACK)


class SearchIndex:
    """BM25F over the articles' fields with lemma, diacritic and typo tolerant matching.

    Each term's contribution to each document (idf and saturated tf) is computed once at build
    time; long posting lists are also kept sorted by contribution, so a query reads only the
    best documents of each term (see ``_ranked_docs``) instead of every document that mentions
    a common word.
    """

    def __init__(
        self,
        documents: Iterable[Document] = (),
        synonyms: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Build the index for ``documents`` (replaces nothing: a new index per change).

        ``synonyms`` maps how people say things to the articles' wording (``cic.kb.synonyms``).
        """
        self.docs: list[Document] = list(documents)
        self._slugs = [d.slug for d in self.docs]
        self._plain = [plain(d.body) for d in self.docs]
        self._tokens = [tokenize(text) for text in self._plain]
        self._forms: dict[str, set[str]] = defaultdict(set)
        self._impacts = self._build_impacts(self._weighted_tfs())
        self._by_impact = {
            term: sorted(docs, key=docs.__getitem__, reverse=True)
            for term, docs in self._impacts.items()
            if len(docs) > FIRST_DEPTH
        }
        self._form_keys = sorted(self._forms)
        self._keys_by_length: dict[tuple[int, bool], list[str]] = defaultdict(list)
        for key in self._form_keys:
            self._keys_by_length[len(key), key.isdigit()].append(key)
        self._synonyms: dict[str, list[_Synonym]] = defaultdict(list)
        self._synonym_stems: dict[str, set[str]] = defaultdict(set)
        self._synonym_vocabulary: set[str] = set()
        self.synonym_gaps: list[tuple[str, str]] = []  # (phrase, word no article contains)
        for phrase, meaning in (synonyms or {}).items():
            self._add_synonym(phrase, meaning)
        self._synonym_words = sorted(self._synonym_vocabulary)  # fuzzy matching in a fixed order

    def _add_synonym(self, phrase: str, meaning: Sequence[str]) -> None:
        """Compile one synonym: its phrase's words, and the known index terms it adds."""
        phrase_words = [(fold(m.group()), lemma(m.group())) for m in words(phrase)]
        phrase_words = [w for w in phrase_words if w[0] not in STOPWORDS] or phrase_words
        adds: dict[str, dict[str, float]] = {}
        for text in meaning:
            for match in words(text):
                word = match.group()
                if not is_stopword(word) and fold(word) not in adds:
                    terms = self._exact(word)
                    if not terms:
                        self.synonym_gaps.append((phrase, word))
                    # a word most articles have ("gmina") would only lift every article
                    common = max(SYNONYM_COMMON_MIN, SYNONYM_COMMON_SHARE * len(self.docs))
                    terms = {t for t in terms if len(self._impacts.get(t, ())) <= common}
                    if terms:
                        adds[fold(word)] = dict.fromkeys(terms, 1.0)
        if not phrase_words or not adds:
            return
        weight = SYNONYM_WEIGHT / len(adds) ** SYNONYM_SPREAD
        synonym = _Synonym(
            tuple(phrase_words), tuple({t: weight for t in terms} for terms in adds.values())
        )
        first_form, first_lemma = phrase_words[0]
        for key in {first_form, first_lemma}:
            self._synonyms[key].append(synonym)
        for form, lem in phrase_words:
            for key in (form, lem):
                self._synonym_vocabulary.add(key)
                if len(key) >= STEM_MIN:
                    self._synonym_stems[key[:STEM_MIN]].add(key)

    def _exact(self, word: str) -> set[str]:
        """The index terms ``word`` stands for without guessing (lemma or folded form)."""
        surface, own = fold(word), lemma(word)
        found = {t for t in (own, surface) if t in self._impacts}
        return found | self._forms.get(surface, set())

    def _weighted_tfs(self) -> dict[str, dict[int, float]]:
        """Term → document → field-weighted, length-normalised term frequency (BM25F).

        Also records in ``_forms`` which lemmas each folded surface form stands for.
        """
        fields_per_doc = [_field_terms(d, t) for d, t in zip(self.docs, self._tokens, strict=True)]
        lengths = {name: [max(1, len(f[name])) for f in fields_per_doc] for name in FIELD_WEIGHTS}
        average = {n: (sum(v) / len(v) if v else 1.0) for n, v in lengths.items()}
        tfs: dict[str, dict[int, float]] = defaultdict(dict)
        for i, doc_fields in enumerate(fields_per_doc):
            weighted: dict[str, float] = defaultdict(float)
            for name, terms in doc_fields.items():
                norm = 1 - B + B * lengths[name][i] / average[name]
                for surface, term in terms:
                    weighted[term] += FIELD_WEIGHTS[name] / norm
                    self._forms[surface].add(term)
                    self._forms[term].add(term)
            for term, tf in weighted.items():
                tfs[term][i] = tf
        return tfs

    def _build_impacts(self, tfs: dict[str, dict[int, float]]) -> dict[str, dict[int, float]]:
        """Term → document → BM25 contribution (idf times saturated tf)."""
        count = len(self.docs)
        impacts = {}
        for term, docs in tfs.items():
            idf = math.log(1 + (count - len(docs) + 0.5) / (len(docs) + 0.5))
            impacts[term] = {doc: _impact(idf, tf) for doc, tf in docs.items()}
        return impacts

    def __len__(self) -> int:
        """The number of indexed articles."""
        return len(self.docs)

    def expand(self, word: str) -> dict[str, float]:
        """The index terms a query word stands for, with a weight in (0, 1]."""
        surface, own = fold(word), lemma(word)
        found: dict[str, float] = {}
        for term in (own, surface):
            if term in self._impacts:
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
        for key, score in self._close_keys(surface):
            for term in self._forms[key]:
                found[term] = max(found.get(term, 0.0), FUZZY_WEIGHT * score / 100)
        return found

    def _close_keys(self, surface: str) -> list[tuple[str, float]]:
        """The 5 known forms closest to ``surface`` (``fuzz.ratio`` >= cutoff), best first.

        Only keys of a length that can reach the cutoff are compared, and number keys only
        for a word with digits (a word without digits shares no character with them).
        """
        with_digits = any(c.isdigit() for c in surface)
        candidates = [
            key
            for length in _fuzzy_lengths(len(surface))
            for digits in ((False, True) if with_digits else (False,))
            for key in self._keys_by_length.get((length, digits), ())
        ]
        matches = process.extract(
            surface, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
        )
        # the same order as ``extract`` over all sorted keys: score, then key
        ranked = sorted(((key, score) for key, score, _ in matches), key=lambda m: (-m[1], m[0]))
        return ranked[:5]

    def _query(self, query: str) -> _Query:
        """The query's typed words expanded, plus the words its synonyms add."""
        tokens = [m.group() for m in words(query)]
        meaningful = [t for t in tokens if not is_stopword(t)] or tokens
        slots = [self.expand(t) for t in meaningful]
        masks = [1 << i for i in range(len(slots))]
        typed_terms = {t for slot in slots for t in slot}
        added: dict[tuple[str, ...], int] = {}
        for start, synonym in self._synonym_matches(meaningful):
            mask = ((1 << len(synonym.words)) - 1) << start
            for terms in synonym.adds:
                if typed_terms.isdisjoint(terms):
                    key = tuple(sorted(terms))
                    if key in added:
                        masks[added[key]] |= mask
                    else:
                        added[key] = len(slots)
                        slots.append(terms)
                        masks.append(mask)
        return _Query(slots, masks, len(meaningful))

    def _synonym_matches(self, tokens: Sequence[str]) -> list[tuple[int, _Synonym]]:
        """(position, synonym) of every synonym phrase found in the query words ``tokens``."""
        if not self._synonyms:
            return []
        keys = [self._synonym_keys(t) for t in tokens]
        found = []
        for start, first in enumerate(keys):
            seen: set[int] = set()
            for key in first:
                for synonym in self._synonyms.get(key, ()):
                    if id(synonym) in seen or start + len(synonym.words) > len(keys):
                        continue
                    seen.add(id(synonym))
                    if all(
                        form in keys[start + i] or lem in keys[start + i]
                        for i, (form, lem) in enumerate(synonym.words)
                    ):
                        found.append((start, synonym))
        return found

    def _synonym_keys(self, token: str) -> set[str]:
        """The synonym words a query word can be: its folded form, lemma and long-prefix kin;
        for a word that is neither a synonym word nor an article's, also the synonym words
        closest to it (a typo in a colloquial word: "szambiarak")."""
        own = {fold(token), lemma(token)}
        keys = set(own)
        for key in own:
            for known in self._synonym_stems.get(key[:STEM_MIN], ()):
                if _stems_match(key, known):
                    keys.add(known)
        if (
            len(min(own, key=len)) >= STEM_MIN
            and own.isdisjoint(self._synonym_vocabulary)
            and not self._exact(token)
        ):
            matches = process.extract(
                fold(token),
                self._synonym_words,
                scorer=fuzz.ratio,
                score_cutoff=SYNONYM_FUZZY_CUTOFF,
                limit=3,
            )
            keys.update(key for key, _, _ in matches)
        return keys

    def search(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """The best articles for ``query``, best first, each with a highlighted snippet.

        A document scores, for each query word, the best contribution among the terms the word
        expands to (times the expansion weight); the sum is scaled by the share of query words
        it matched (0.5 + 0.5 * matched / words). Ties go by slug. ``limit`` < 1 finds nothing.
        """
        parsed = self._query(query)
        if not parsed.slots or limit < 1:
            return []
        scores = self._top_scores(parsed, limit)
        ranked = heapq.nsmallest(limit, scores, key=lambda d: (-scores[d], self._slugs[d]))
        terms = {t for e in parsed.slots for t in e}
        return [self._hit(d, scores[d], terms) for d in ranked]

    def _top_scores(self, query: _Query, limit: int) -> dict[int, float]:
        """Exact scores of a set of documents that surely holds the ``limit`` best.

        The threshold algorithm (Fagin): read every query term's documents best first, down to
        ``depth``, and score each document met exactly. A document not met yet scores at most
        ``_unseen_bound``; once the ``limit``-th best score met is above it, reading stops.
        Otherwise the depth grows (x4) until every list is read. The result equals scoring
        every document, but a common word (in most articles) costs ``depth`` reads, not 10,000.
        """
        weighted = [
            ([(self._impacts[t], w) for t, w in e.items()], mask)
            for e, mask in zip(query.slots, query.masks, strict=True)
        ]
        scores: dict[int, float] = {}
        seen, depth = 0, FIRST_DEPTH
        while True:
            for term in {t for e in query.slots for t in e}:
                for doc in self._ranked_docs(term, seen, depth):
                    if doc not in scores:
                        scores[doc] = _score(doc, weighted, query.typed)
            bound = self._unseen_bound(query, depth)
            if not bound or (
                len(scores) >= limit and heapq.nlargest(limit, scores.values())[-1] > bound
            ):
                return scores
            seen, depth = depth, depth * 4

    def _ranked_docs(self, term: str, start: int, stop: int) -> Iterable[int]:
        """The documents from ``start`` to ``stop`` in ``term``'s list, best contribution first.

        A list of at most ``FIRST_DEPTH`` documents is read whole at once, in any order.
        """
        ranked = self._by_impact.get(term)
        if ranked is not None:
            return ranked[start:stop]
        return self._impacts[term] if start == 0 else ()

    def _unseen_bound(self, query: _Query, depth: int) -> float:
        """The highest score a document outside the first ``depth`` of every list can have."""
        total, open_words = 0.0, 0
        for expansion, mask in zip(query.slots, query.masks, strict=True):
            best = 0.0
            for term, weight in expansion.items():
                ranked = self._by_impact.get(term)
                if ranked is not None and len(ranked) > depth:
                    best = max(best, weight * self._impacts[term][ranked[depth]])
            if best:
                total += best
                open_words |= mask
        return total * (0.5 + 0.5 * open_words.bit_count() / query.typed)

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


def _score(
    doc: int, slots: list[tuple[list[tuple[dict[int, float], float]], int]], typed: int
) -> float:
    """``doc``'s score: per query slot its best weighted term, summed, scaled by the share of
    the ``typed`` words matched (directly or through a synonym standing for them)."""
    total, matched = 0.0, 0
    for terms, mask in slots:
        best = 0.0
        for impacts, weight in terms:
            value = weight * impacts.get(doc, 0.0)
            if value > best:
                best = value
        if best:
            total += best
            matched |= mask
    return total * (0.5 + 0.5 * matched.bit_count() / typed)


def highlight(text: str, terms: set[str]) -> list[Part]:
    """``text`` cut into pieces, the words whose lemma or folded form is in ``terms`` marked."""
    marked = [
        m.span() for m in words(text) if fold(m.group()) in terms or lemma(m.group()) in terms
    ]
    return _cut(text, marked)


def _cut(text: str, marked: Sequence[tuple[int, int]]) -> list[Part]:
    """``text`` cut into pieces at the ``marked`` (start, end) spans, in order; those marked."""
    out: list[Part] = []
    last = 0
    for start, end in marked:
        if start > last:
            out.append(Part(text[last:start], False))
        out.append(Part(text[start:end], True))
        last = end
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
    hits = [i for i, (_, _, form, lem) in enumerate(spans) if form in terms or lem in terms]
    first = max(0, _best_window(spans, hits, size) - 3)
    last = min(len(spans), first + size) - 1
    begin = 0 if first == 0 else spans[first][0]
    end = len(text) if last == len(spans) - 1 else spans[last][1]
    marked = [(spans[i][0] - begin, spans[i][1] - begin) for i in hits if first <= i <= last]
    parts = _cut(text[begin:end].replace("\n", " "), marked)
    if begin > 0:
        parts.insert(0, Part("… ", False))
    if end < len(text):
        parts.append(Part(" …", False))
    return parts


def _best_window(spans: list[Token], hits: list[int], size: int) -> int:
    """The first hit of the earliest window of ``size`` words with the most distinct lemmas hit.

    ``hits`` are the indexes of the matching words in ``spans``; 0 when there are none. Only
    the hits are visited: a window gains a lemma only where a hit enters it.
    """
    counts: Counter[str] = Counter()
    best, best_first, oldest = 0, 0, 0
    for hit in hits:
        counts[spans[hit][3]] += 1
        while oldest < len(hits) and hits[oldest] <= hit - size:
            old = spans[hits[oldest]][3]
            counts[old] -= 1
            if not counts[old]:
                del counts[old]
            oldest += 1
        if len(counts) > best:
            best, best_first = len(counts), hits[oldest]
    return best_first
