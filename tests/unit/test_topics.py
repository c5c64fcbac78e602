"""Topic tagging: the taxonomy file, the rule tagger on lemmatised Polish and the model learned
from supervisors' corrections. Utterances are made up."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cic.topics.learned import Correction, eligible_topics, train_model
from cic.topics.lemmas import Lemmatizer, make_lemmatizer, words
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import TaxonomyError, load_taxonomy, parse_taxonomy


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return make_lemmatizer()  # Morfeusz's dictionary comes in its wheel: no network


@pytest.fixture(scope="module")
def tagger(lemmatizer: Lemmatizer) -> Tagger:
    return Tagger(load_taxonomy(), lemmatizer)


def tagged(tagger: Tagger, text: str) -> list[str]:
    return [score.topic_id for score in tagger.tag(text)]


# --- lemmatiser ---------------------------------------------------------------------------------


def test_lemmas_with_and_without_diacritics(tagger: Tagger) -> None:
    lemmatizer = tagger.lemmatizer
    assert lemmatizer.lemmas("Podatku od nieruchomości") == ["podatek", "od", "nieruchomosc"]
    # no Polish letters: reached through the index of the taxonomy's words
    assert lemmatizer.lemmas("podatku od nieruchomosci") == ["podatek", "od", "nieruchomosc"]
    assert lemmatizer.lemma("smieci") == lemmatizer.lemma("śmieci")
    assert words("800+ dla dzieci") == ["800", "plus", "dla", "dzieci"]


# --- the packaged taxonomy ---------------------------------------------------------------------


def test_packaged_taxonomy_has_enough_valid_topics() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy.topics) >= 20
    ids = [topic.id for topic in taxonomy.topics]
    assert len(ids) == len(set(ids))
    assert {topic.department for topic in taxonomy.topics} <= set(taxonomy.departments)
    assert taxonomy.topic("wycinka-drzew").department == "OS"
    assert all(topic.description for topic in taxonomy.topics)


# --- tagging ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("chcialem zapytac o podatek od nieruchomosci za garaz", "podatek-od-nieruchomosci"),
        ("kiedy odbiorą śmieci z mojej ulicy", "harmonogram-odpadow"),
        ("sąsiad wycina drzewa bez zezwolenia", "wycinka-drzew"),
        ("sasiad wycial drzewo w nocy", "wycinka-drzew"),
        ("ile wynosi opłata za śmieci dla czterech osób", "oplata-za-odpady"),
        ("musze zlozyc nowa deklaracje smieciowa", "oplata-za-odpady"),
        ("chciałabym się zameldować u córki", "meldunek"),
        ("zgubiłem dowód osobisty co teraz", "dowod-osobisty"),
        ("potrzebuję odpisu aktu urodzenia syna", "akt-stanu-cywilnego"),
        ("chcemy wziąć ślub w sierpniu jakie dokumenty", "slub"),
        ("czy na tej działce są warunki zabudowy", "warunki-zabudowy"),
        ("na ulicy lipowej jest ogromna dziura w jezdni", "drogi"),
        ("od tygodnia nie świeci latarnia przed blokiem", "oswietlenie-uliczne"),
        ("od rana nie ma wody w kranie", "woda-kanalizacja"),
        ("potrzebuję pomocy z ośrodka pomocy społecznej", "pomoc-spoleczna"),
        ("kiedy przyjdzie 800+ na dzieci", "swiadczenia-rodzinne"),
        ("jak złożyć wniosek o dodatek mieszkaniowy", "dodatek-mieszkaniowy"),
        ("chce zalozyc firme jednoosobowa", "dzialalnosc-gospodarcza"),
        ("chcę złożyć wniosek o udostępnienie informacji publicznej", "informacja-publiczna"),
        ("chciałem złożyć skargę na pracownika", "skarga"),
        ("po wsi biega bezpański pies", "zwierzeta"),
        ("jak zapisać dziecko do przedszkola", "szkoly-przedszkola"),
        ("ile wynosi podatek rolny za hektar", "podatek-rolny-lesny"),
        ("potrzebuję zgody na zajęcie pasa drogowego pod rusztowanie", "zajecie-pasa-drogowego"),
    ],
)
def test_utterance_gets_its_topic_first(tagger: Tagger, text: str, topic: str) -> None:
    assert tagged(tagger, text)[:1] == [topic]


def test_multi_topic_utterance(tagger: Tagger) -> None:
    text = "chciałam się wymeldować i przy okazji zapytać o harmonogram wywozu śmieci"
    assert set(tagged(tagger, text)) == {"meldunek", "harmonogram-odpadow"}


def test_scores_carry_confidence_department_and_matched_phrases(tagger: Tagger) -> None:
    (score,) = tagger.tag("sąsiad wycina drzewa bez zezwolenia")
    assert 0.5 <= score.confidence <= 1.0
    assert score.department == "OS" and score.name == "Wycinka drzew"
    assert "wycinać drzewo" in score.matched


def test_utterance_without_topic(tagger: Tagger) -> None:
    assert tagger.tag("dzień dobry, chciałem tylko podziękować za miłą rozmowę") == []
    assert tagger.tag("") == []


def test_weak_hint_alone_stays_below_threshold(tagger: Tagger) -> None:
    scores = {s.topic_id: s.confidence for s in tagger.scores("mam psa")}
    assert 0 < scores["zwierzeta"] < tagger.threshold
    assert tagged(tagger, "mam psa") == []


def test_negative_phrase_lowers_a_topic(tagger: Tagger) -> None:
    assert "dowod-osobisty" in tagged(tagger, "mam nowy dowód")
    assert "dowod-osobisty" not in tagged(tagger, "wysłałem dowód wpłaty za wodę")


# --- an office's own taxonomy file --------------------------------------------------------------

VALID = {
    "departments": {"GK": "Gospodarka komunalna"},
    "topics": [
        {
            "id": "lodowisko",
            "name": "Lodowisko miejskie",
            "department": "GK",
            "phrases": ["lodowisko", {"text": "łyżwy", "weight": 0.8}],
        }
    ],
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "tematy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def test_own_taxonomy_file_is_used(tmp_path: Path, lemmatizer: Lemmatizer) -> None:
    own = Tagger(load_taxonomy(write(tmp_path, VALID)), lemmatizer)
    assert [s.topic_id for s in own.tag("czy lodowisko jest czynne w niedzielę")] == ["lodowisko"]


def test_description_is_optional_and_parsed(tmp_path: Path) -> None:
    assert load_taxonomy(write(tmp_path, VALID)).topic("lodowisko").description == ""
    described = broken(description="  Ślizgawka miejska: godziny, bilety, wypożyczalnia łyżew ")
    topic = load_taxonomy(write(tmp_path, described)).topic("lodowisko")
    assert topic.description == "Ślizgawka miejska: godziny, bilety, wypożyczalnia łyżew"


def broken(**changes: object) -> dict[str, object]:
    topic = {**VALID["topics"][0], **changes}  # type: ignore[index]
    return {**VALID, "topics": [topic]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (broken(id="Lodowisko Miejskie"), r"topic #1 \(Lodowisko Miejskie\): field 'id'"),
        (broken(name=""), r"topic #1 \(lodowisko\): field 'name'"),
        (broken(department="XX"), r"\(lodowisko\): field 'department': 'XX' is not in"),
        (broken(phrases=[]), r"\(lodowisko\): field 'phrases' needs at least one"),
        (broken(phrases="lodowisko"), r"\(lodowisko\): field 'phrases' must be a list"),
        (
            broken(phrases=[{"text": "lód", "weight": -1}]),
            r"\(lodowisko\): field 'phrases' item 1: 'weight' must be a positive",
        ),
        (broken(phrase=["typo"]), r"\(lodowisko\): unknown field\(s\) phrase"),
        (broken(description=""), r"\(lodowisko\): field 'description' must be a non-empty"),
        (broken(description="dwie\nlinie"), r"\(lodowisko\): field 'description' must be one"),
        ({"topics": [VALID["topics"][0], VALID["topics"][0]]}, r"topic #2 \(lodowisko\): dup"),  # type: ignore[index]
        ({"topics": []}, r"'topics' must be a non-empty list"),
        (["not", "a", "mapping"], r"must be a mapping"),
    ],
)
def test_invalid_taxonomy_names_topic_and_field(tmp_path: Path, data: object, message: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(TaxonomyError, match=message) as error:
        load_taxonomy(path)
    assert str(path) in str(error.value)


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("topics: [\n", "utf-8")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy(bad)
    with pytest.raises(TaxonomyError, match="departments"):
        parse_taxonomy({"departments": ["FN"], "topics": VALID["topics"]})


# --- learned from corrections -------------------------------------------------------------------

SENIOR_VOUCHER = [
    "chciałbym zapisać mamę na bon senioralny",
    "czy przysługuje mi bon senioralny dla taty",
    "jak dostać opiekunkę z bonu senioralnego",
    "bon senioralny dla babci ile się czeka",
    "mama ma osiemdziesiąt lat czy dostanie bon senioralny",
    "kto przyznaje bon senioralny w gminie",
]
OTHER = [
    ("kiedy odbiorą śmieci z mojej ulicy", {"harmonogram-odpadow"}),
    ("sąsiad wycina drzewa bez zezwolenia", {"wycinka-drzew"}),
    ("chciałabym się zameldować u córki", {"meldunek"}),
    ("zgubiłem dowód osobisty", {"dowod-osobisty"}),
    ("od tygodnia nie świeci latarnia", {"oswietlenie-uliczne"}),
    ("ile wynosi podatek od nieruchomości", {"podatek-od-nieruchomosci"}),
]


def test_learned_model_changes_a_decision(tagger: Tagger) -> None:
    question = "dzień dobry, pytam o bon senioralny dla sąsiadki"
    assert "pomoc-spoleczna" not in tagged(tagger, question)
    corrections = [(text, {"pomoc-spoleczna"}) for text in SENIOR_VOUCHER] + OTHER
    model = train_model(corrections, tagger.lemmatizer.lemmas, min_examples=5)
    assert model is not None and model.topics == ("pomoc-spoleczna",)
    learned = tagger.with_model(model)
    assert "pomoc-spoleczna" in tagged(learned, question)
    # topics the model does not cover are still decided by the rules
    assert tagged(learned, "sąsiad wycina drzewa bez zezwolenia") == ["wycinka-drzew"]
    assert "pomoc-spoleczna" not in tagged(learned, "kiedy odbiorą śmieci z mojej ulicy")


def test_learned_model_can_drop_a_topic_the_rules_find(tagger: Tagger) -> None:
    # this office files holes in the ice rink under "lodowisko", not under roads
    rink = [
        f"na lodowisku jest dziura w lodzie {detail}"
        for detail in ("przy bandzie", "koło wejścia", "na środku", "od rana", "po meczu")
    ]
    roads = [
        "dziura w jezdni na ulicy lipowej",
        "na drodze gminnej jest wielka dziura",
        "ogromna dziura przed przystankiem",
        "dziura na skrzyżowaniu przy szkole",
        "w asfalcie zrobiła się dziura",
    ]
    corrections = (
        [(text, {"lodowisko"}) for text in rink] + [(text, {"drogi"}) for text in roads] + OTHER
    )
    question = "na lodowisku jest dziura w lodzie przy ławkach"
    assert "drogi" in tagged(tagger, question)
    model = train_model(corrections, tagger.lemmatizer.lemmas, min_examples=5)
    assert model is not None and set(model.topics) == {"drogi", "lodowisko"}
    learned = tagger.with_model(model)
    assert "drogi" not in tagged(learned, question)
    assert "drogi" in tagged(learned, "na ulicy lipowej jest dziura w jezdni")


def test_too_few_corrections_give_no_model(tagger: Tagger) -> None:
    few = [(text, {"pomoc-spoleczna"}) for text in SENIOR_VOUCHER[:4]] + OTHER
    assert train_model(few, tagger.lemmatizer.lemmas, min_examples=5) is None
    items = [Correction(t, frozenset(s)) for t, s in few]
    assert eligible_topics(items, 4) == ("pomoc-spoleczna",)
    assert eligible_topics(items, 5) == ()
