"""The files cic ships beside its code: web templates and static files, the seed knowledge
base, and the Asterisk configuration and dialplan templates.

In the source tree they sit at the top (``web/``, ``kb/``, ``dialplan/``, ``asterisk-conf/``:
the layout the project documents); in a built wheel they are package data under
``cic/assets/`` (``setup.py`` maps the folders there). Code reaches them only through
:func:`folder`, which asks ``importlib.resources`` for the packaged copy and falls back to the
source tree's folder when cic runs from a checkout (an editable install or ``PYTHONPATH``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

Asset = Literal["web", "kb", "dialplan", "asterisk-conf"]

# Package names cannot hold a hyphen: the folder's name inside the wheel.
PACKAGED_NAME: dict[Asset, str] = {
    "web": "web",
    "kb": "kb",
    "dialplan": "dialplan",
    "asterisk-conf": "asterisk_conf",
}


class AssetMissing(RuntimeError):
    """A shipped folder is neither packaged nor in a source tree: a broken installation."""


def folder(name: Asset) -> Path:
    """The folder ``name`` as a real directory on disk (templates are read by path)."""
    packaged = files(__name__) / PACKAGED_NAME[name]
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(str(files("cic"))).parent / name
    if checkout.is_dir():
        return checkout
    raise AssetMissing(f"pliki {name}/ nie są zainstalowane z pakietem cic ani obok niego")
