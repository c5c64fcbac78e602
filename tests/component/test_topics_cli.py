"""``cic topics train``: trains the model into the given cache and prints its figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cic.cli.main import main
from cic.postcall import topics_cli
from tests.unit.test_topics_tagger import CORPUS

pytest.importorskip("sklearn")


def test_train_keeps_the_model_and_prints_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(topics_cli, "shipped_corpus", lambda: (CORPUS, CORPUS))
    monkeypatch.setenv("CIC_STATE_DIR", str(tmp_path / "state"))
    cache = tmp_path / "cache"
    assert main(["topics", "train", "--cache", str(cache)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["cache"] == str(cache)
    assert printed["learned_topics"] == 3  # the three topics of the small corpus
    assert printed["development_calls"] == len(CORPUS)
    assert 0.0 <= printed["macro_f1"] <= 1.0
    assert len(list(cache.glob("topics-*.pickle"))) == 1


def test_an_office_taxonomy_that_does_not_load_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "tematy.yaml"
    bad.write_text("topics: [\n", "utf-8")
    monkeypatch.setenv("CIC_SPEECH__TAXONOMY", str(bad))
    monkeypatch.setenv("CIC_STATE_DIR", str(tmp_path / "state"))
    assert main(["topics", "train", "--cache", str(tmp_path / "cache")]) == 1
    assert "tematy.yaml" in capsys.readouterr().err
