"""Topic tagging quality on the project's evaluation set, every tagger variant side by side.

    PYTHONPATH=. python bench/topics_quality.py [--eval tests/fixtures/quality/topics_eval.yaml]
                                                [--variants rules-simplemma,...] [--per-topic]

The evaluation set (see tests/fixtures/quality/README.md) was written by hand independently of
the taxonomy's phrases and of the training corpus, and is never trained or tuned on. Variants:

- ``rules-simplemma``: the phrase rules over simplemma's lemmas (the tagger before issue 16);
- ``rules-morfeusz``: the same rules over Morfeusz 2's lemmas (every reading of a word);
- ``rules+slips``: Morfeusz, and phrases also found through speech-recognition slips;
- ``model``: the model trained on the shipped corpus alone, thresholds calibrated on its
  development split;
- ``combined``: rules, slips and the model with calibrated thresholds: what the worker runs.

Prints micro precision/recall/F1, macro-F1, the share of calls left without a topic, micro-F1
per kind of call (one matter, two matters, traps, heavy recognition errors) and, with
``--per-topic``, F1 per topic. Targets (issue 16): macro-F1 >= 0.90, untagged <= 5 %.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from cic.topics.lemmas import Lemmatizer, make_lemmatizer
from cic.topics.quality import Figures, measure
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import Taxonomy, load_taxonomy
from cic.topics.trained import trained_tagger

EVAL = Path(__file__).resolve().parents[1] / "tests/fixtures/quality/topics_eval.yaml"
VARIANTS = ("rules-simplemma", "rules-morfeusz", "rules+slips", "model", "combined")
KINDS = ("one", "two", "trap", "noisy")


def load_eval(path: Path = EVAL) -> list[dict[str, object]]:
    """The evaluation set: a list of {id, topics, kind, text}."""
    items = yaml.safe_load(path.read_text("utf-8"))
    if not isinstance(items, list):
        raise SystemExit(f"{path}: expected a YAML list")
    return items


def default_cache() -> Path:
    """The trained model's folder: CIC_SPEECH__TOPIC_CACHE, else the user's cache."""
    found = os.environ.get("CIC_SPEECH__TOPIC_CACHE")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return Path(found) if found else base / "cic" / "topics"


def build(
    variant: str, taxonomy: Taxonomy, lemmatizers: dict[str, Lemmatizer], cache: Path
) -> Tagger:
    """The tagger of one variant."""
    if variant == "rules-simplemma":
        return Tagger(taxonomy, lemmatizers["simplemma"], slips=False)
    morfeusz = lemmatizers["morfeusz"]
    if variant == "rules-morfeusz":
        return Tagger(taxonomy, morfeusz, slips=False)
    if variant == "rules+slips":
        return Tagger(taxonomy, morfeusz)
    combined = trained_tagger(taxonomy, morfeusz, cache_dir=cache)
    if variant == "combined":
        return combined
    if variant == "model":
        return combined.replace(corpus_weight=1.0, slips=False)
    raise SystemExit(f"unknown variant {variant}; known: {', '.join(VARIANTS)}")


def labelled(
    items: list[dict[str, object]], kind: str | None = None
) -> list[tuple[str, list[str]]]:
    """(text, topics) of the items, of one kind if given."""
    return [
        (str(item["text"]), [str(t) for t in item["topics"]])  # type: ignore[attr-defined]
        for item in items
        if kind is None or item.get("kind") == kind
    ]


def evaluate(tagger: Tagger, items: list[dict[str, object]]) -> dict[str, Figures]:
    """Figures over all items ("all") and per kind."""

    def tag(text: str) -> list[str]:
        return [score.topic_id for score in tagger.tag(text)]

    out = {"all": measure(tag, labelled(items))}
    for kind in KINDS:
        chosen = labelled(items, kind)
        if chosen:
            out[kind] = measure(tag, chosen)
    return out


def _kind_f1(kind: str) -> Callable[[dict[str, Figures]], float]:
    def value(result: dict[str, Figures]) -> float:
        return result[kind].micro.f1 if kind in result else 0.0

    return value


def main() -> None:
    """Measure the chosen variants and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=EVAL)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--per-topic", action="store_true")
    parser.add_argument("--cache", type=Path, default=default_cache())
    args = parser.parse_args()
    items = load_eval(args.eval)
    taxonomy = load_taxonomy()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    lemmatizers: dict[str, Lemmatizer] = {"morfeusz": make_lemmatizer("morfeusz")}
    if "rules-simplemma" in variants:
        lemmatizers["simplemma"] = make_lemmatizer("simplemma")
    results: dict[str, dict[str, Figures]] = {}
    for variant in variants:
        started = time.perf_counter()
        tagger = build(variant, taxonomy, lemmatizers, args.cache)
        built = time.perf_counter() - started
        started = time.perf_counter()
        results[variant] = evaluate(tagger, items)
        per_call = (time.perf_counter() - started) / max(len(items), 1) * 1000
        print(f"# {variant}: built in {built:.1f} s, {per_call:.1f} ms per call", file=sys.stderr)
    kinds = {kind: sum(1 for i in items if i.get("kind") == kind) for kind in KINDS}
    print(f"evaluation set: {len(items)} calls ({args.eval.name}); per kind {kinds}")
    width = max(len(v) for v in variants) + 2
    print(f"{'figure':<22}" + "".join(f"{v:>{width}}" for v in variants))
    rows: list[tuple[str, Callable[[dict[str, Figures]], float]]] = [
        ("micro precision", lambda r: r["all"].micro.precision),
        ("micro recall", lambda r: r["all"].micro.recall),
        ("micro F1", lambda r: r["all"].micro.f1),
        ("macro F1", lambda r: r["all"].macro_f1),
        ("untagged share", lambda r: r["all"].untagged_share),
    ]
    for kind in KINDS:
        rows.append((f"micro F1 [{kind}]", _kind_f1(kind)))
    for name, value in rows:
        print(f"{name:<22}" + "".join(f"{value(results[v]):>{width}.3f}" for v in variants))
    if args.per_topic:
        topics = sorted({t for r in results.values() for t in r["all"].per_topic})
        print(f"\n{'F1 per topic':<34}{'n':>4}" + "".join(f"{v:>{width}}" for v in variants))
        for topic in topics:
            actual = max(
                r["all"].per_topic[topic].actual
                for r in results.values()
                if topic in r["all"].per_topic
            )
            cells = "".join(
                f"{results[v]['all'].per_topic[topic].f1:>{width}.2f}"
                if topic in results[v]["all"].per_topic
                else f"{'-':>{width}}"
                for v in variants
            )
            print(f"{topic:<34}{actual:>4}{cells}")


if __name__ == "__main__":
    main()
