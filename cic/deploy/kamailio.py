"""Kamailio in front of several Asterisk nodes: ``kamailio.cfg`` and the dispatcher list.

Active/standby: every request that starts something (INVITE from the trunk or a phone,
REGISTER of an agent's phone, OPTIONS, SUBSCRIBE...) goes to the first node of ``ha.nodes``
that is alive (dispatcher algorithm 8, by priority), so calls, queue members and the phones'
registrations are all on one node. Nodes are probed with OPTIONS every ``ha.probe_seconds``;
``ha.probe_threshold`` failures put a node out until it answers again. An INVITE the node
does not answer within ``ha.invite_timeout_ms``, or answers with 5xx, is sent to the next
node at once (failure_route) and the failed node is marked out. Dialogs are record-routed, so
a BYE or re-INVITE follows the call to the node that took it. Requests that come from a
node without a dialog are refused (no loops).

Every value is checked by its grammar before anything is rendered
(:class:`KamailioConfigError` names the setting).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from string import Template

from cic.config import Settings
from cic.pbx_values import has_control, is_hostname, is_ipv4

DISPATCHER_SET = 1
LIST_FILE = "dispatcher.list"
CFG_FILE = "kamailio.cfg"


class KamailioConfigError(ValueError):
    """A setting cannot go into Kamailio's files; the message names it and says what fits."""


@dataclass(frozen=True)
class SipAddress:
    """A validated ``host:port`` (UDP)."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: object, setting: str, *, ip_only: bool = False) -> SipAddress:
        """``host:port`` with an IPv4 host (or a host name unless ``ip_only``), port 1-65535."""
        what = "adres IPv4:port" if ip_only else "adres IPv4 albo nazwa hosta:port"
        if not isinstance(text, str) or has_control(text) or text.count(":") != 1:
            raise KamailioConfigError(f"{setting}: {text!r} — oczekiwano: {what}")
        host, _, port = text.partition(":")
        host_ok = is_ipv4(host) if ip_only else is_hostname(host)
        if not host_ok or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
            raise KamailioConfigError(f"{setting}: {text!r} — oczekiwano: {what}")
        return cls(host, int(port))

    @property
    def uri(self) -> str:
        """The node as a SIP URI for the dispatcher list."""
        return f"sip:{self.host}:{self.port}"


@dataclass(frozen=True)
class KamailioConfig:
    """The validated values Kamailio's files are made of."""

    listen: SipAddress
    nodes: tuple[SipAddress, ...]
    probe_seconds: int
    probe_threshold: int
    invite_timeout_ms: int
    children: int
    list_file: Path

    @classmethod
    def from_settings(cls, settings: Settings, directory: Path) -> KamailioConfig:
        """Check ``ha.*``; the dispatcher list is to live in ``directory``."""
        ha = settings.ha
        listen = SipAddress.parse(ha.listen, "ha.listen", ip_only=True)
        if not isinstance(ha.nodes, list) or not 1 <= len(ha.nodes) <= 16:
            raise KamailioConfigError("ha.nodes: od 1 do 16 adresów węzłów (host:port)")
        nodes = tuple(SipAddress.parse(n, f"ha.nodes[{i}]") for i, n in enumerate(ha.nodes))
        if len(set(nodes)) != len(nodes) or listen in nodes:
            raise KamailioConfigError("ha.nodes: adres węzła powtarza się albo jest ha.listen")
        list_file = directory.resolve() / LIST_FILE
        if not _plain_path(str(list_file)):
            raise KamailioConfigError(
                f"katalog {directory}: ścieżka tylko z liter, cyfr i znaków / . _ -"
            )
        return cls(
            listen, nodes, _bounded(ha.probe_seconds, "ha.probe_seconds", 1, 300),
            _bounded(ha.probe_threshold, "ha.probe_threshold", 1, 10),
            _bounded(ha.invite_timeout_ms, "ha.invite_timeout_ms", 500, 30_000),
            _bounded(ha.kamailio_children, "ha.kamailio_children", 1, 64), list_file,
        )  # fmt: skip


def _bounded(value: object, setting: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise KamailioConfigError(f"{setting}: liczba całkowita od {low} do {high}")
    return value


def _plain_path(text: str) -> bool:
    return text.startswith("/") and all(c.isascii() and (c.isalnum() or c in "/._-") for c in text)


def render_list(config: KamailioConfig) -> str:
    """The dispatcher list: one set, the first node with the highest priority."""
    lines = ["# set destination flags priority  (rendered by `cic ha kamailio-config`)"]
    count = len(config.nodes)
    for index, node in enumerate(config.nodes):
        lines.append(f"{DISPATCHER_SET} {node.uri} 0 {(count - index) * 10}")
    return "\n".join(lines) + "\n"


def render_cfg(config: KamailioConfig) -> str:
    """``kamailio.cfg`` for these values."""
    return CFG_TEMPLATE.substitute(
        listen_host=config.listen.host,
        listen_port=config.listen.port,
        children=config.children,
        list_file=str(config.list_file),
        probe_seconds=config.probe_seconds,
        threshold=config.probe_threshold,
        timeout_ms=config.invite_timeout_ms,
        set=DISPATCHER_SET,
    )


def write(config: KamailioConfig) -> list[Path]:
    """Write both files (atomically, 0644) into the list file's directory; their paths."""
    directory = config.list_file.parent
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in ((CFG_FILE, render_cfg(config)), (LIST_FILE, render_list(config))):
        path = directory / name
        tmp = path.with_name(name + ".tmp")
        tmp.write_text(text, encoding="ascii")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        written.append(path)
    return written


def check(cfg_path: Path) -> str:
    """Kamailio's own syntax check of ``cfg_path`` (``kamailio -c``); its output, or raise."""
    binary = shutil.which("kamailio") or "/usr/sbin/kamailio"
    if not Path(binary).exists():
        raise KamailioConfigError("brak programu kamailio: apt-get install -y kamailio")
    result = subprocess.run(
        [binary, "-c", "-f", str(cfg_path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise KamailioConfigError(f"kamailio -c odrzucił {cfg_path}:\n{result.stderr[-3000:]}")
    return result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "ok"


CFG_TEMPLATE = Template(
    r"""#!KAMAILIO
# Rendered by `cic ha kamailio-config` from cic's settings (ha.*). Do not edit here.
# Active/standby in front of the Asterisk nodes of $list_file.

debug=2
log_stderror=no
log_facility=LOG_LOCAL0
children=$children
disable_tcp=yes
auto_aliases=no
listen=udp:$listen_host:$listen_port
# limits: hops, message size, no DNS lookups of senders
max_while_loops=100
dns=no
rev_dns=no
udp_mtu=1400

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "dispatcher.so"

# no final answer from a node within this time: the next node gets the INVITE
modparam("tm", "fr_timer", $timeout_ms)
# once a node answered provisionally, the call may ring (queue) for this long
modparam("tm", "fr_inv_timer", 120000)
modparam("rr", "enable_full_lr", 1)
modparam("rr", "append_fromtag", 1)

modparam("dispatcher", "list_file", "$list_file")
modparam("dispatcher", "flags", 2)
modparam("dispatcher", "ds_ping_method", "OPTIONS")
modparam("dispatcher", "ds_ping_from", "sip:kamailio@$listen_host")
modparam("dispatcher", "ds_ping_interval", $probe_seconds)
modparam("dispatcher", "ds_probing_threshold", $threshold)
modparam("dispatcher", "ds_inactive_threshold", 1)
modparam("dispatcher", "ds_probing_mode", 1)
modparam("dispatcher", "ds_ping_reply_codes", "class=2;code=401;code=404;code=405")

request_route {
    if (!mf_process_maxfwd_header("10")) {
        sl_send_reply("483", "Too Many Hops");
        exit;
    }
    if ($$ml > 8192) {
        sl_send_reply("513", "Message Too Large");
        exit;
    }
    if (!sanity_check("17895", "7")) {
        xlog("L_WARN", "malformed request from $$si:$$sp\n");
        exit;
    }
    if (has_totag()) {
        # within a dialog: follow the Record-Route to the node (or the phone) that has it
        if (loose_route()) {
            route(RELAY);
        }
        if (is_method("ACK") && t_check_trans()) {
            route(RELAY);
        }
        if (!is_method("ACK")) {
            sl_send_reply("404", "Not here");
        }
        exit;
    }
    if (is_method("CANCEL")) {
        if (t_check_trans()) {
            route(RELAY);
        }
        exit;
    }
    if (t_precheck_trans()) {
        t_check_trans();
        exit;
    }
    t_check_trans();
    if (ds_is_from_list("$set")) {
        # a node starts nothing through Kamailio (it calls phones and the trunk directly)
        sl_send_reply("403", "Not from a node");
        exit;
    }
    if (!is_method("INVITE|REGISTER|OPTIONS|SUBSCRIBE|NOTIFY|MESSAGE|PUBLISH|INFO|UPDATE")) {
        sl_send_reply("405", "Method Not Allowed");
        exit;
    }
    remove_hf("Route");
    if (is_method("INVITE|SUBSCRIBE")) {
        record_route();
    }
    # the first node alive, by priority (the dispatcher list's order)
    if (!ds_select_dst("$set", "8")) {
        xlog("L_ERR", "no Asterisk node alive for $$rm from $$si\n");
        sl_send_reply("503", "No node available");
        exit;
    }
    t_on_failure("NEXT_NODE");
    route(RELAY);
}

route[RELAY] {
    if (!t_relay()) {
        sl_reply_error();
    }
    exit;
}

failure_route[NEXT_NODE] {
    if (t_is_canceled()) {
        exit;
    }
    if (t_check_status("5[0-9][0-9]") || (t_branch_timeout() && !t_branch_replied())) {
        xlog("L_WARN", "node $$du failed for $$rm ($$T_reply_code): trying the next one\n");
        ds_mark_dst("ip");
        if (ds_next_dst()) {
            t_on_failure("NEXT_NODE");
            route(RELAY);
        }
        t_reply("503", "No node available");
    }
}
"""
)
