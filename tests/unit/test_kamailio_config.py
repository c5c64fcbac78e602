"""Kamailio's files from ``ha.*``: the dispatcher list in order of preference, the
probing and failover values, and every value checked by its grammar first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cic.config import load_settings
from cic.deploy.kamailio import KamailioConfig, KamailioConfigError, render_cfg, render_list

NODES = "['10.0.0.11:5060', 'pbx-b.gmina.local:5070']"


def config(tmp_path: Path, **env: str) -> KamailioConfig:
    values = {"CIC_HA__LISTEN": "10.0.0.10:5060", "CIC_HA__NODES": NODES, **env}
    return KamailioConfig.from_settings(load_settings(environ=values), tmp_path)


def test_the_first_node_is_preferred_and_probed(tmp_path: Path) -> None:
    cfg = config(tmp_path, CIC_HA__PROBE_SECONDS="3", CIC_HA__INVITE_TIMEOUT_MS="1500")
    rows = [line.split() for line in render_list(cfg).splitlines() if not line.startswith("#")]
    assert rows == [
        ["1", "sip:10.0.0.11:5060", "0", "20"],
        ["1", "sip:pbx-b.gmina.local:5070", "0", "10"],
    ]
    text = render_cfg(cfg)
    assert "listen=udp:10.0.0.10:5060" in text
    assert f'modparam("dispatcher", "list_file", "{tmp_path.resolve()}/dispatcher.list")' in text
    assert 'modparam("dispatcher", "ds_ping_interval", 3)' in text
    assert 'modparam("dispatcher", "ds_probing_threshold", 2)' in text
    assert 'modparam("tm", "fr_timer", 1500)' in text
    assert 'ds_select_dst("1", "8")' in text  # by priority: one active node at a time
    assert "failure_route[NEXT_NODE]" in text and "ds_next_dst()" in text
    assert re.search(r"is_method\(\"INVITE\|SUBSCRIBE\"\)\) \{\s*record_route\(\);", text)
    # Kamailio's own variables survive the template ($$ in it)
    assert "$si" in text and "$du" in text and "$$" not in text


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CIC_HA__LISTEN": "10.0.0.10"}, "ha.listen"),
        ({"CIC_HA__LISTEN": "kamailio.local:5060"}, "ha.listen"),  # Kamailio binds an address
        ({"CIC_HA__LISTEN": "10.0.0.10:70000"}, "ha.listen"),
        ({"CIC_HA__NODES": "['10.0.0.11:5060\"; exit; #']"}, "ha.nodes[0]"),
        ({"CIC_HA__NODES": "['10.0.0.11:5060', 'a b:5060']"}, "ha.nodes[1]"),
        ({"CIC_HA__NODES": "['10.0.0.11:5060\\nloadmodule']"}, "ha.nodes[0]"),
        ({"CIC_HA__NODES": "[]"}, "ha.nodes"),
        ({"CIC_HA__NODES": "['10.0.0.11:5060', '10.0.0.11:5060']"}, "ha.nodes"),
        ({"CIC_HA__NODES": "['10.0.0.10:5060']"}, "ha.nodes"),
    ],
)
def test_values_outside_their_grammar_are_refused(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    with pytest.raises(KamailioConfigError, match=re.escape(named)):
        config(tmp_path, **env)


def test_a_directory_kamailio_could_misread_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KamailioConfigError, match="ścieżka"):
        config(tmp_path / 'bad"dir')
