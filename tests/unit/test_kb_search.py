"""Search quality over the real articles in kb/: Polish inflections, no diacritics, typos.

``REQUIRED`` are the queries from the issue and must each find their article in the top 3.
``MORE`` is a wider set (inflections, missing diacritics, typos, synonyms); its top-3 hit rate
is printed and must stay at or above ``FLOOR``. Measured on 2026-11-28 with 55 articles: 1.00;
without lemmas 0.99, without the fuzzy step 0.99 (prefix matching and the articles' keywords
carry much of it), without lemmas, folding and fuzzy matching together 0.85. The floor of 0.9
leaves room for a few ambiguous queries as articles are added, and fails when the matching
pipeline breaks; the typo and inflection tests below check each step on its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cic.kb.importer import read_dir
from cic.kb.search import Document, Part, SearchIndex, parts_html, snippet_parts
from cic.kb.text import plain

KB = Path(__file__).resolve().parents[2] / "kb"
FLOOR = 0.9

REQUIRED = [
    ("podatku od nieruchomosci", "podatek-od-nieruchomosci"),
    ("wycinke drzewa", "wycinka-drzew"),
    ("zameldowanie na pobyt staly", "zameldowanie-na-pobyt-staly"),
    ("odpis aktu urodzenia", "odpis-aktu-urodzenia"),
    ("dowod osobisty zgubiony", "utrata-dowodu-osobistego"),
    ("kiedy wywoz smieci", "harmonogram-odbioru-odpadow"),
    ("800 plus", "rodzina-800-plus"),
    ("warunki zabudowy", "warunki-zabudowy"),
    ("latarnia nie świeci", "awaria-oswietlenia-ulicznego"),
    ("skarga na urzędnika", "skargi-i-wnioski"),
]
MORE = [
    ("ile kosztuje odpis aktu malzenstwa", "odpis-aktu-malzenstwa"),
    ("akt zgonu do ZUS", "odpis-aktu-zgonu"),
    ("zgłosić zgon ojca", "zgloszenie-zgonu"),
    ("rejestracja noworodka", "zgloszenie-urodzenia"),
    ("kiedy płacić podatek rolny", "podatek-rolny"),
    ("raty podatku 15 marca", "terminy-platnosci-podatkow"),
    ("podatek lesny", "podatek-lesny"),
    ("podatek od ciężarówki", "podatek-od-srodkow-transportowych"),
    ("umorzenie zaległości podatkowej", "ulgi-w-splacie-podatkow"),
    ("zaswiadczenie o niezaleganiu", "zaswiadczenie-o-niezaleganiu"),
    ("deklaracja smieciowa zmiana liczby osob", "deklaracja-oplaty-za-odpady"),
    ("nie odebrali smieci", "reklamacja-nieodebranych-odpadow"),
    ("gdzie oddać stare meble", "pszok"),
    ("zameldowanie czasowe studenta", "zameldowanie-na-pobyt-czasowy"),
    ("jak wymeldowac bylego meza", "wymeldowanie"),
    ("wniosek o dowód dla dziecka", "dowod-osobisty-wniosek"),
    ("zastrzezenie numeru pesel", "zastrzezenie-pesel"),
    ("slub w plenerze", "slub-cywilny"),
    ("zmiana nazwiska po rozwodzie", "zmiana-imienia-nazwiska"),
    ("szambo wywóz rachunki", "szambo-i-przydomowa-oczyszczalnia"),
    ("deklaracja CEEB piec", "ceeb-deklaracja-zrodla-ciepla"),
    ("błąkający się pies", "bezdomne-zwierzeta"),
    ("usuniecie eternitu z dachu", "usuwanie-azbestu"),
    ("wypis z planu miejscowego", "wypis-i-wyrys"),
    ("nadanie numeru domu", "numeracja-porzadkowa"),
    ("dziura w drodze gminnej", "uszkodzenia-drog"),
    ("zajecie pasa drogowego", "zajecie-pasa-drogowego"),
    ("zjazd na działkę", "zjazd-z-drogi"),
    ("brak wody w kranie", "awaria-wodociagu"),
    ("przylacze wodociagowe", "przylaczenie-do-sieci-wod-kan"),
    ("zasilek celowy z gopsu", "pomoc-spoleczna-gops"),
    ("dodatek mieszkaniowy", "dodatek-mieszkaniowy"),
    ("karta duzej rodziny", "karta-duzej-rodziny"),
    ("becikowe", "swiadczenia-rodzinne"),
    ("założenie firmy", "rejestracja-dzialalnosci-ceidg"),
    ("zawieszenie dzialalnosci gospodarczej", "rejestracja-dzialalnosci-ceidg"),
    ("koncesja na alkohol", "zezwolenie-na-alkohol"),
    ("wniosek o informacje publiczna", "dostep-do-informacji-publicznej"),
    ("odwołanie od decyzji", "odwolanie-od-decyzji"),
    ("oplata skarbowa za zaswiadczenie", "oplata-skarbowa"),
    ("pełnomocnictwo dla syna", "pelnomocnictwo"),
    ("profil zaufany", "profil-zaufany-epuap"),
    ("zwrot akcyzy za paliwo", "zwrot-akcyzy-paliwo-rolnicze"),
    ("podatek od nieruchomośći", "podatek-od-nieruchomosci"),
    ("wycinka drzwa", "wycinka-drzew"),
    ("zameldowanei", "zameldowanie-na-pobyt-staly"),
    ("latarnai nie swieci", "awaria-oswietlenia-ulicznego"),
    ("harmonogran wywozu", "harmonogram-odbioru-odpadow"),
    ("dowód osobisty skradziony", "utrata-dowodu-osobistego"),
    ("500 plus", "rodzina-800-plus"),
    ("podatkiem rolnym", "podatek-rolny"),
    ("o wycinaniu drzew na działce", "wycinka-drzew"),
    ("zgubionego dowodu", "utrata-dowodu-osobistego"),
    ("ze ślubem cywilnym", "slub-cywilny"),
    ("z bezdomnymi psami", "bezdomne-zwierzeta"),
    ("opróżnianiu szamb", "szambo-i-przydomowa-oczyszczalnia"),
    ("latarni przy ulicy", "awaria-oswietlenia-ulicznego"),
    ("odpisów aktów zgonu", "odpis-aktu-zgonu"),
    ("zasiłkach rodzinnych", "swiadczenia-rodzinne"),
    ("dziurach w drogach", "uszkodzenia-drog"),
    ("wymeldowaniem lokatora", "wymeldowanie"),
    ("przyłączeniem do wodociągu", "przylaczenie-do-sieci-wod-kan"),
    ("decyzji o warunkach zabudowy", "warunki-zabudowy"),
    ("podatk lesny", "podatek-lesny"),
    ("zwrot akcyzi paliwo", "zwrot-akcyzy-paliwo-rolnicze"),
    ("profil zaufny", "profil-zaufany-epuap"),
    ("pełnomocnitwo", "pelnomocnictwo"),
    ("odwolanie od decyzij", "odwolanie-od-decyzji"),
    ("dodatek mieszkaniowyy", "dodatek-mieszkaniowy"),
    ("karta duzj rodziny", "karta-duzej-rodziny"),
    ("becikowego", "swiadczenia-rodzinne"),
    ("harmonogramu odbioru odpadow", "harmonogram-odbioru-odpadow"),
    ("zezwoleniem na sprzedaż alkoholu", "zezwolenie-na-alkohol"),
    ("wypisu i wyrysu", "wypis-i-wyrys"),
    ("zajęciem pasa drogi", "zajecie-pasa-drogowego"),
    ("stypendium dla ucznia", "stypendium-szkolne"),
    ("mieszkanie socjalne z gminy", "lokal-komunalny"),
    ("adres dłużnika z rejestru", "udostepnienie-danych-z-rejestru"),
]


def _doc(slug: str, title: str, body: str, **extra: object) -> Document:
    return Document(slug, title, "FN", ("podatki",), ("podatek",), body, dict(extra))


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    found, errors = read_dir(KB)
    assert errors == []
    return SearchIndex(
        Document(
            a.slug,
            a.front_matter["title"],
            a.front_matter["department"],
            tuple(a.front_matter["topics"]),
            tuple(a.front_matter["keywords"]),
            a.body,
        )
        for a, _ in found
    )


def _top(index: SearchIndex, query: str, n: int = 3) -> list[str]:
    return [hit["slug"] for hit in index.search(query, n)]


@pytest.mark.parametrize(("query", "slug"), REQUIRED)
def test_required_queries_find_their_article_in_top_3(
    index: SearchIndex, query: str, slug: str
) -> None:
    assert slug in _top(index, query)


def test_wider_query_set_hit_rate(index: SearchIndex) -> None:
    misses = [(q, s, _top(index, q)) for q, s in MORE if s not in _top(index, q)]
    rate = 1 - len(misses) / len(MORE)
    print(
        f"\nkb search: {len(MORE) + len(REQUIRED)} queries, top-3 hit rate (wider set) {rate:.3f}"
    )
    assert len(MORE) + len(REQUIRED) >= 50
    assert rate >= FLOOR, misses


def test_the_same_word_without_diacritics_and_inflected(index: SearchIndex) -> None:
    a = _top(index, "podatek od nieruchomości", 1)
    assert (
        a
        == _top(index, "podatku od nieruchomosci", 1)
        == _top(index, "podatkow od nieruchomosci", 1)
    )


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("nieruchomsci podatek", "podatek-od-nieruchomosci"),
        ("wycinak drzew", "wycinka-drzew"),
        ("zameldowanei", "zameldowanie-na-pobyt-staly"),
        ("oswietlenei uliczne", "awaria-oswietlenia-ulicznego"),
    ],
)
def test_typos_are_tolerated(index: SearchIndex, query: str, slug: str) -> None:
    assert slug in _top(index, query)


def test_prefixes_match_while_typing(index: SearchIndex) -> None:
    assert "zastrzezenie-pesel" in _top(index, "zastrzeż")


def test_nonsense_and_empty_queries_find_nothing(index: SearchIndex) -> None:
    assert index.search("") == []
    assert index.search("qxzvw") == []
    assert index.search("   ,,, ") == []


def test_results_carry_highlights(index: SearchIndex) -> None:
    hit = index.search("odpis aktu urodzenia", 1)[0]
    assert "<mark>urodzenia</mark>" in hit["title_html"]
    assert "<mark>" in hit["snippet"]
    assert any(part["mark"] for part in hit["snippet_parts"])


def test_highlights_are_escaped_before_marking() -> None:
    evil = '<script>alert("podatek")</script> & <b>podatku</b> nie płacę'
    index = SearchIndex([_doc("zly", "Podatek <img src=x onerror=alert(1)>", evil)])
    hit = index.search("podatek")[0]
    for html in (hit["snippet"], hit["title_html"]):
        assert "<script" not in html and "<img" not in html and "<b>" not in html
        assert html.count("<mark>") == html.count("</mark>") >= 1
    assert "&lt;script&gt;alert(&quot;<mark>podatek</mark>&quot;)" in hit["snippet"]
    assert "&amp; &lt;b&gt;<mark>podatku</mark>&lt;/b&gt;" in hit["snippet"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in hit["title_html"]


def test_parts_html_escapes_marked_text_too() -> None:
    assert parts_html([Part("<a>", True), Part('"', False)]) == "<mark>&lt;a&gt;</mark>&quot;"


def test_snippet_is_the_window_with_the_matches() -> None:
    text = " ".join(["słowo"] * 80 + ["wycinka", "drzewa"] + ["inne"] * 80)
    parts = snippet_parts(text, {"wycinka", "drzewo"})
    marked = [p.text for p in parts if p.mark]
    assert marked == ["wycinka", "drzewa"]
    assert parts[0].text == "… " and parts[-1].text == " …"


def test_title_outranks_body() -> None:
    index = SearchIndex(
        [
            _doc("w-tresci", "Inna sprawa", "Tu wspomniano o szambie raz. " + "tekst " * 30),
            _doc("w-tytule", "Szambo", "Opis. " + "tekst " * 30),
        ]
    )
    assert _top(index, "szambo", 2) == ["w-tytule", "w-tresci"]


def test_suggest_by_topics_and_department(index: SearchIndex) -> None:
    by_topic = [a["slug"] for a in index.suggest(["odpady"], limit=10)]
    assert "harmonogram-odbioru-odpadow" in by_topic and "pszok" in by_topic
    assert all("odpady" in a["topics"] for a in index.suggest(["odpady"], limit=10))
    both = index.suggest(["swiadczenia", "rodzina"], limit=3)
    assert {"swiadczenia", "rodzina"} <= set(both[0]["topics"])
    gk_first = index.suggest(["drogi"], department="GK", limit=20)
    assert gk_first[0]["department"] == "GK"
    assert {a["department"] for a in index.suggest(department="USC", limit=20)} == {"USC"}
    assert index.suggest() == []


def test_each_matching_step_on_its_own() -> None:
    index = SearchIndex([_doc("a", "Zgłoszenie psa", "Podatek od nieruchomości i lasów.")])
    assert index.expand("pies") == {"pies": 1.0}  # lemma: "psa" was indexed as "pies"
    assert index.expand("nieruchomosci") == {"nieruchomosc": 1.0}  # folded surface form
    fuzzy = index.expand("nieruchomsci")  # typo
    assert set(fuzzy) == {"nieruchomosc"} and 0.6 < fuzzy["nieruchomosc"] < 1.0
    assert index.expand("nieruch") == {"nieruchomosc": 0.8}  # prefix while typing
    assert index.expand("las") == {"las": 1.0}
    assert index.expand("xyzxyz") == {}


def test_markdown_is_reduced_to_plain_text_for_snippets() -> None:
    text = "## Ważne\n\n- **Okres** lęgowy, [wniosek](https://example.invalid/x)\n1. `raz`\n> cytat"
    assert plain(text) == "Ważne:\nOkres lęgowy, wniosek\nraz\ncytat"
