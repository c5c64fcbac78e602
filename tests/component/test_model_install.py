"""``cic speech install-model``: verified, unpacked safely, switched atomically; on every
failure (wrong checksum, a copy or download cut short, a damaged or hostile archive, a
directory without a model) the old model stays ``current`` and nothing half-done is left."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cic import cli
from cic.speech.model_store import (
    InstallError,
    directory_sha256,
    install_model,
    installed_name,
)
from cic.speech.stt import model_label

WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.json")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def whisper_dir(path: Path, marker: str, big: bool = False) -> Path:
    """A directory the Whisper check accepts (a stand-in: tokenizer and weights are fake)."""
    path.mkdir(parents=True)
    for name in WHISPER_FILES:
        (path / name).write_text(f"{marker} {name}")
    if big:  # more than one copy chunk (1 MiB), so a copy can be cut in the middle
        (path / "model.bin").write_bytes(os.urandom(3 << 20))
    return path


def tar_gz(source: Path, out: Path, top: str = "whisper-test") -> Path:
    with tarfile.open(out, "w:gz") as tf:
        tf.add(source, arcname=top)
    return out


def add_bytes(tf: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tf.addfile(info, io.BytesIO(data))


@pytest.fixture
def models(tmp_path: Path) -> Path:
    return tmp_path / "models" / "whisper"


@pytest.fixture
def old(tmp_path: Path, models: Path) -> Path:
    """A first model installed and current: what must keep working after a failure."""
    archive = tar_gz(whisper_dir(tmp_path / "src-old", "old"), tmp_path / "old.tar.gz")
    done = install_model(str(archive), sha(archive), models, engine="whisper", name="stary")
    assert done.current.resolve() == done.directory
    return done.directory


def assert_old_is_current(models: Path, old: Path) -> None:
    current = models / "current"
    assert current.resolve() == old.resolve()
    assert (current / "config.json").read_text() == "old config.json"
    assert model_label(current) == old.name
    assert [p.name for p in models.iterdir() if p.name.startswith(".")] == []


def test_a_local_archive_installs_and_switches(tmp_path: Path, models: Path, old: Path) -> None:
    archive = tar_gz(whisper_dir(tmp_path / "src-new", "new"), tmp_path / "new.tgz")
    seen: list[tuple[int, int | None]] = []
    done = install_model(
        str(archive), sha(archive).upper(), models, name="nowy",
        progress=lambda d, t: seen.append((d, t)),
    )  # fmt: skip
    assert done.engine == "whisper" and done.directory.name == f"nowy-{sha(archive)[:8]}"
    assert (models / "current").resolve() == done.directory
    assert os.readlink(models / "current") == done.directory.name  # relative: movable
    assert (models / "current" / "config.json").read_text() == "new config.json"
    assert (models / "previous").resolve() == old and (old / "model.bin").is_file()
    assert seen[-1] == (archive.stat().st_size, archive.stat().st_size)
    assert installed_name(models / "current") == done.directory.name
    assert model_label(models / "current") == done.directory.name
    manifest = json.loads((done.directory / "cic-model.json").read_text())
    assert manifest["sha256"] == sha(archive) and manifest["engine"] == "whisper"


def test_a_zip_and_a_directory_install_too(tmp_path: Path, models: Path) -> None:
    source = whisper_dir(tmp_path / "dir-model", "dir")
    done = install_model(str(source), directory_sha256(source), models, name="z-katalogu")
    assert (done.directory / "config.json").read_text() == "dir config.json"
    archive = tmp_path / "m.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in WHISPER_FILES:
            zf.writestr(f"m/{name}", f"zip {name}")
    done = install_model(str(archive), sha(archive), models)
    assert done.name == "m" and (models / "current" / "model.bin").read_text() == "zip model.bin"


def test_a_wrong_checksum_changes_nothing(tmp_path: Path, models: Path, old: Path) -> None:
    archive = tar_gz(whisper_dir(tmp_path / "src-new", "new"), tmp_path / "new.tar.gz")
    with pytest.raises(InstallError, match="Suma kontrolna SHA-256 się nie zgadza") as caught:
        install_model(str(archive), "0" * 64, models)
    assert sha(archive) in caught.value.message and "Obecny model działa dalej" in str(caught.value)
    with pytest.raises(InstallError, match="64 znaki"):
        install_model(str(archive), "abc", models)
    assert_old_is_current(models, old)
    assert len([p for p in models.iterdir() if not p.is_symlink()]) == 1


def test_an_interrupted_copy_leaves_no_partial_file(
    tmp_path: Path, models: Path, old: Path
) -> None:
    archive = tar_gz(whisper_dir(tmp_path / "src-new", "new", big=True), tmp_path / "new.tar.gz")

    def interrupt(done: int, total: int | None) -> None:
        if done < (total or 0):
            raise KeyboardInterrupt  # Ctrl-C (or the process dying) in mid-copy

    with pytest.raises(KeyboardInterrupt):
        install_model(str(archive), sha(archive), models, progress=interrupt)
    assert_old_is_current(models, old)


def test_a_truncated_archive_is_refused(tmp_path: Path, models: Path, old: Path) -> None:
    archive = tar_gz(whisper_dir(tmp_path / "src-new", "new", big=True), tmp_path / "new.tar.gz")
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(InstallError, match="Suma kontrolna"):  # the full file's checksum
        install_model(str(cut), sha(archive), models)
    with pytest.raises(InstallError, match="uszkodzone"):  # even with its own checksum
        install_model(str(cut), sha(cut), models)
    assert_old_is_current(models, old)


def test_a_damaged_archive_is_refused(tmp_path: Path, models: Path, old: Path) -> None:
    junk = tmp_path / "model.tar.gz"
    junk.write_bytes(b"\x1f\x8b" + os.urandom(4000))
    with pytest.raises(InstallError, match="Archiwum modelu jest uszkodzone") as caught:
        install_model(str(junk), sha(junk), models)
    assert "cannot unpack" in caught.value.detail
    assert_old_is_current(models, old)


@pytest.mark.parametrize(
    ("member", "why"),
    [("../../evil.txt", "niebezpieczną ścieżkę"), ("/tmp/evil.txt", "niebezpieczną ścieżkę")],
)
def test_a_path_traversal_member_is_refused(
    tmp_path: Path, models: Path, old: Path, member: str, why: str
) -> None:
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        for name in WHISPER_FILES:
            add_bytes(tf, f"m/{name}", b"x")
        add_bytes(tf, member, b"owned")
    with pytest.raises(InstallError, match=why):
        install_model(str(archive), sha(archive), models)
    assert not (tmp_path / "evil.txt").exists() and not (models.parent / "evil.txt").exists()
    assert_old_is_current(models, old)
    zipped = tmp_path / "evil.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("m/model.bin", "x")
        zf.writestr("../evil.txt", "owned")
    with pytest.raises(InstallError, match="niebezpieczną ścieżkę"):
        install_model(str(zipped), sha(zipped), models)
    assert_old_is_current(models, old)


def test_links_in_an_archive_are_refused(tmp_path: Path, models: Path, old: Path) -> None:
    archive = tmp_path / "link.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        for name in WHISPER_FILES[1:]:
            add_bytes(tf, f"m/{name}", b"x")
        link = tarfile.TarInfo("m/model.bin")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tf.addfile(link)
    with pytest.raises(InstallError, match="dowiązanie"):
        install_model(str(archive), sha(archive), models)
    assert_old_is_current(models, old)


def test_an_archive_too_big_unpacked_is_refused(tmp_path: Path, models: Path, old: Path) -> None:
    archive = tar_gz(whisper_dir(tmp_path / "src-new", "new", big=True), tmp_path / "new.tar.gz")
    with pytest.raises(InstallError, match="za duże"):
        install_model(str(archive), sha(archive), models, max_unpacked_bytes=1 << 20)
    assert_old_is_current(models, old)


def test_a_directory_that_is_not_a_model_is_refused(
    tmp_path: Path, models: Path, old: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "README.txt").write_text("to nie model")
    with pytest.raises(InstallError, match="To nie jest model rozpoznawania mowy"):
        install_model(str(notes), directory_sha256(notes), models)
    with pytest.raises(InstallError, match="To nie jest model vosk"):
        install_model(str(notes), directory_sha256(notes), models, engine="vosk")
    vosk_like = tar_gz(whisper_dir(tmp_path / "w", "w"), tmp_path / "w.tar.gz")
    with pytest.raises(InstallError, match="To nie jest model vosk"):
        install_model(str(vosk_like), sha(vosk_like), models, engine="vosk")
    assert_old_is_current(models, old)


class _Truncating(BaseHTTPRequestHandler):
    body = b""
    cut = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        # With ``cut`` the connection drops mid-way.
        self.wfile.write(self.body[: len(self.body) // 2] if self.cut else self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Truncating)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_a_download_cut_short_is_refused_and_a_whole_one_installs(
    tmp_path: Path, models: Path, old: Path, server: ThreadingHTTPServer
) -> None:
    archive = tar_gz(whisper_dir(tmp_path / "src-new", "new", big=True), tmp_path / "new.tar.gz")
    _Truncating.body, _Truncating.cut = archive.read_bytes(), True
    url = f"http://127.0.0.1:{server.server_address[1]}/whisper-medium.tar.gz"
    with pytest.raises(InstallError, match="Pobieranie modelu"):
        install_model(url, sha(archive), models)
    assert_old_is_current(models, old)
    _Truncating.cut = False  # the same download, whole this time
    seen: list[tuple[int, int | None]] = []
    done = install_model(url, sha(archive), models, progress=lambda d, t: seen.append((d, t)))
    assert done.name == "whisper-medium" and (models / "current").resolve() == done.directory
    assert len(seen) > 1 and seen[-1] == (len(_Truncating.body), len(_Truncating.body))


def test_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIC_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("CIC_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    archive = tar_gz(whisper_dir(tmp_path / "src", "cli"), tmp_path / "whisper-small-pl.tar.gz")
    argv = ["speech", "install-model", str(archive), "--engine", "whisper", "--sha256"]
    assert cli.main([*argv, "f" * 64]) == 1
    out = capsys.readouterr()
    assert "Suma kontrolna SHA-256 się nie zgadza" in out.err
    assert not (tmp_path / "models" / "whisper" / "current").exists()
    assert cli.main([*argv, sha(archive)]) == 0
    out = capsys.readouterr()
    result = json.loads(out.out)
    current = tmp_path / "models" / "whisper" / "current"
    assert result["current"] == str(current) and current.resolve().is_dir()
    assert result["name"] == f"whisper-small-pl-{sha(archive)[:8]}"
    assert "speech.stt.model_dir" in result["uwaga"]
    assert "Kopiowanie [" in out.err and "100%" in out.err
