"""Rendering of ``asterisk-conf/`` and ``dialplan/`` that refuses unsafe values.

Two guards, so that a value that skipped its validator still cannot add a section, an
endpoint or a dialplan expression:

* :func:`check_context` walks the template context before anything is rendered and names
  the offending field (``agents[agent-anna].static_contact``);
* the environment's ``finalize`` hook checks every ``{{ ... }}`` as it is written.

A value passes when it is a :class:`~cic.pbx_values.AsteriskValue` that still matches
its grammar, a number, or a plain string of letters, digits, space and ``_ . : / @ + -``
only (paths, generated passwords, module names). Control characters, ``${`` and ``$[`` are
refused whatever the type. Every template is rendered before any file is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from cic.pbx_values import AsteriskValue, UnsafeValue, has_control

PLAIN = re.compile(r"[\w .:/@+-]*")
PLAIN_RULE = "dozwolone są tylko litery, cyfry, spacja i znaki _ . : / @ + -"
FIELD_NAMES = {
    "static_contact": "Stały adres telefonu",
    "display_name_sip": "Imię i nazwisko",
    "endpoint": "Login konsultanta",
    "name": "Nazwa kolejki",
    "strategy": "Strategia kolejki",
    "recording_policy": "Zasada nagrywania",
}


def unsafe_reason(value: object) -> str | None:
    """Why ``value`` may not be written into an Asterisk file, or ``None`` if it may."""
    if value is None or isinstance(value, bool | int | float):
        return None
    if not isinstance(value, str):
        return f"wartość typu {type(value).__name__} nie może trafić do pliku Asteriska"
    if has_control(value):
        return "znaki sterujące i końce wiersza są niedozwolone"
    if "${" in value or "$[" in value:
        return "wyrażenia planu wybierania (${…}, $[…]) są niedozwolone"
    if isinstance(value, AsteriskValue):
        return None if type(value).valid(value) else type(value).rule
    return None if PLAIN.fullmatch(value) else PLAIN_RULE


def check_context(context: Mapping[str, Any], path: str = "") -> None:
    """Raise :class:`UnsafeValue` for the first value in ``context`` that may not be written."""
    for key, value in context.items():
        here = f"{path}.{key}" if path else str(key)
        _check(value, here)


def _check(value: object, path: str) -> None:
    if isinstance(value, Mapping):
        check_context(value, path)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            label = item.get("endpoint") or item.get("name") if isinstance(item, Mapping) else None
            plain = isinstance(label, str) and PLAIN.fullmatch(label) is not None
            _check(item, f"{path}[{label if plain else index}]")
        return
    reason = unsafe_reason(value)
    if reason is not None:
        leaf = path.rsplit(".", 1)[-1]
        name = FIELD_NAMES.get(leaf)
        raise UnsafeValue(f"{name} ({path})" if name else path, reason)


@jinja2.pass_context
def _finalize(ctx: jinja2.runtime.Context, value: object) -> object:
    reason = unsafe_reason(value)
    if reason is not None:
        raise UnsafeValue(f"szablon {ctx.name}", f"{reason} (wartość odrzucona)")
    return "" if value is None else value


def environment(template_dirs: tuple[Path, ...]) -> jinja2.Environment:
    """The Jinja2 environment for Asterisk's files, with the ``finalize`` guard."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - Asterisk config, not HTML
        finalize=_finalize,
    )


def render_all(template_dirs: tuple[Path, ...], context: Mapping[str, Any]) -> dict[str, str]:
    """Every ``*.j2`` template rendered with ``context``: ``{file name: text}``.

    Raises :class:`UnsafeValue` (nothing rendered is returned) when a value is refused.
    """
    check_context(context)
    env = environment(template_dirs)
    out: dict[str, str] = {}
    for template in env.list_templates(filter_func=lambda n: n.endswith(".j2")):
        out[template[: -len(".j2")]] = env.get_template(template).render(**context)
    return out
