"""Topic tagging on the project's independent evaluation set (tests/fixtures/quality), with the
tagger the worker runs: rules, slips and the model trained on the shipped corpus. Prints the
figures (``pytest -s``) and fails when one drops under the floor.

Floors: a little under what was measured when they were set (see bench/topics_quality.py for
the side-by-side figures), so that a change of the taxonomy, the corpus or the tagger that
loses several calls fails, and the issue's targets (macro-F1 >= 0.90, untagged <= 5 %).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from cic.topics.lemmas import make_lemmatizer
from cic.topics.quality import Figures, measure
from cic.topics.taxonomy import load_taxonomy
from cic.topics.trained import trained_tagger

EVAL = Path(__file__).resolve().parents[1] / "fixtures/quality/topics_eval.yaml"
MACRO_F1_FLOOR = 0.90
MICRO_F1_FLOOR = 0.88
UNTAGGED_CEILING = 0.05
RULES_MACRO_F1_FLOOR = 0.82


@pytest.fixture(scope="module")
def labelled() -> list[tuple[str, list[str]]]:
    items = yaml.safe_load(EVAL.read_text("utf-8"))
    return [(item["text"], list(item["topics"])) for item in items]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared = os.environ.get("CIC_SPEECH__TOPIC_CACHE")  # bin/test trains it once for all
    return Path(shared) if shared else tmp_path_factory.mktemp("topics")


def show(name: str, result: Figures) -> None:
    micro = result.micro
    print(
        f"\n{name}: micro P {micro.precision:.3f} R {micro.recall:.3f} F1 {micro.f1:.3f}, "
        f"macro F1 {result.macro_f1:.3f}, untagged {result.untagged_share:.3f} "
        f"({result.texts} calls)"
    )


def test_the_worker_tagger_meets_the_targets(
    labelled: list[tuple[str, list[str]]], cache: Path
) -> None:
    tagger = trained_tagger(load_taxonomy(), make_lemmatizer(), cache_dir=cache)
    assert tagger.corpus is not None, "the corpus model was not trained"
    result = measure(lambda text: [s.topic_id for s in tagger.tag(text)], labelled)
    show("combined", result)
    weakest = sorted(result.per_topic.items(), key=lambda item: item[1].f1)[:5]
    print("weakest topics:", ", ".join(f"{t} {f.f1:.2f}" for t, f in weakest))
    assert len(labelled) >= 400
    assert result.macro_f1 >= MACRO_F1_FLOOR
    assert result.micro.f1 >= MICRO_F1_FLOOR
    assert result.untagged_share <= UNTAGGED_CEILING


def test_the_rules_alone_do_not_regress(labelled: list[tuple[str, list[str]]]) -> None:
    from cic.topics.tagger import Tagger

    rules = Tagger(load_taxonomy(), make_lemmatizer())
    result = measure(lambda text: [s.topic_id for s in rules.tag(text)], labelled)
    show("rules", result)
    assert result.macro_f1 >= RULES_MACRO_F1_FLOOR
