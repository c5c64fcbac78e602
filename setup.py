"""Packaging is declared in setup.cfg; this file says which files the package carries, with
what setup.cfg cannot say: the folders at the top of the source tree that the code needs at
run time (web templates and static files, the seed knowledge base and its synonyms, the
Asterisk templates) become package data under ``cic/assets/``, so a wheel installed anywhere
carries them (``cic.assets.folder`` finds them). ``tests/component/test_wheel.py`` checks the
result.
"""

from setuptools import find_packages, setup

ASSETS = {
    "cic.assets.web": "web",
    "cic.assets.kb": "kb",
    "cic.assets.dialplan": "dialplan",
    "cic.assets.asterisk_conf": "asterisk-conf",
}
FILES = {
    "cic": [
        "migrations/*.py",
        "migrations/*.mako",
        "migrations/versions/*.py",
        "migrations/*.ini",
        "topics/*.yaml",
        "topics/corpus/*.yaml",
        "cases/*.yaml",
        "privacy/*.yaml",
        "privacy/*.txt",
        "dues/*.md",
        "deploy/systemd_units/*.j2",
    ],
    # templates and static files only: not node_modules/ or the bundle's build script
    "cic.assets.web": ["templates/*", "templates/**/*", "static/*/*", "static/**/*"],
    "cic.assets.kb": ["*.md", "**/*.md", "synonimy.yaml", "formularze/*"],
    "cic.assets.dialplan": ["*.j2"],
    "cic.assets.asterisk_conf": ["*.j2"],
}

setup(
    packages=[*find_packages(include=["cic", "cic.*"]), *ASSETS],
    package_dir=ASSETS,
    package_data=FILES,
)
