"""Mail that must never be answered automatically (bounces, automatic replies, list mail, our
own mail coming back) and whether the sender's address was checked by the office's own server.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cic.mail.headers import Headers

_NO_REPLY = re.compile(
    r"(no[-_.]?reply|do[-_.]?not[-_.]?reply|nie[-_.]?odpowiadaj|mailer[-_.]?daemon|postmaster"
    r"|bounces?)([-+_.=].*)?"
)
_DAEMON = re.compile(r"mailer[-_.]?daemon|postmaster")
_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"\s*([\w.-]+)\s*(?:/\s*\d+\s*)?=\s*([\w-]+)(.*)", re.DOTALL)
_PROPERTY = re.compile(r"([\w-]+)\.([\w.-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)")


def is_no_reply_address(address: str) -> bool:
    """Whether ``address`` is one nobody reads answers at (``noreply@``, ``no-reply@``,
    ``nie-odpowiadaj@``, ``mailer-daemon@``, ``postmaster@``, ``bounce+...@``); also true for
    an empty or malformed address, which cannot be answered either."""
    local, at, domain = address.strip().lower().rpartition("@")
    if not at or not local or not domain:
        return True
    return _NO_REPLY.fullmatch(local.strip('"')) is not None


def classify(
    headers: Headers,
    *,
    content_type: str,
    report_type: str,
    from_address: str,
    own_addresses: Iterable[str],
    loop_marker: str,
) -> str:
    """``""`` for mail a person wrote, else why it must not be answered: ``"loop"``,
    ``"bounce"``, ``"auto-reply"`` or ``"list"``.

    The subject is never looked at: "Nieobecność", "Urlop" or "Automatyczna odpowiedź" are
    also words residents write, and a false positive would leave their mail unanswered. Every
    mainstream autoresponder marks itself with the headers below (RFC 3834 and older ones).
    """
    own = {a.strip().lower() for a in own_addresses if a.strip()}
    if headers.has(loop_marker.strip().lower()) or (from_address and from_address in own):
        return "loop"
    return_path = headers.first("return-path").strip()
    # A null reverse path (RFC 5321 4.5.5) means "send nothing back" whoever wrote the mail.
    null_sender = headers.has("return-path") and re.fullmatch(r"<?\s*>?", return_path) is not None
    daemon = _DAEMON.fullmatch(from_address.partition("@")[0]) is not None
    if (content_type == "multipart/report" and report_type == "delivery-status") or (
        headers.has("x-failed-recipients") or (null_sender and daemon)
    ):
        return "bounce"
    if _auto_header(headers) or content_type == "multipart/report" or null_sender:
        return "auto-reply"
    precedence = headers.first("precedence").strip().lower()
    if precedence in {"bulk", "list", "junk"} or any(
        headers.has(name) for name in ("list-id", "list-unsubscribe")
    ):
        return "list"
    return ""


def _auto_header(headers: Headers) -> bool:
    submitted = headers.first("auto-submitted").split(";")[0].strip().lower()
    if headers.has("auto-submitted") and submitted != "no":
        return True
    for name in ("x-autoreply", "x-autorespond"):
        if headers.has(name) and headers.first(name).strip().lower() not in {"no", "false"}:
            return True
    return headers.first("precedence").strip().lower() == "auto_reply"


def sender_check(headers: Headers, trusted_authserv_ids: Iterable[str], from_address: str) -> str:
    """``"pass"``, ``"fail"`` or ``"unknown"``: what the office's own server found about the
    sender, read from its Authentication-Results field (RFC 8601).

    Only a field with one of ``trusted_authserv_ids`` counts, and only the topmost such field
    (the one the receiving server prepended): anybody can write an Authentication-Results
    field into the mail they send. Name only servers that remove forged fields with their id.
    """
    trusted = {t.strip().lower() for t in trusted_authserv_ids if t.strip()}
    for value in headers.all("authentication-results"):
        authserv, results = _parse_results(value)
        if authserv in trusted:
            return _verdict(results, from_address.rpartition("@")[2])
    return "unknown"


Result = tuple[str, str, dict[str, str]]


def _parse_results(value: str) -> tuple[str, list[Result]]:
    for _ in range(8):
        value, found = _COMMENT.subn(" ", value)
        if not found:
            break
    first, *rest = value.split(";")
    words = first.split()
    results: list[Result] = []
    for item in rest:
        match = _RESULT.match(item)
        if match:
            method, outcome, tail = match.groups()
            props = {
                f"{p}.{n}".lower(): v.strip('"').lower() for p, n, v in _PROPERTY.findall(tail)
            }
            results.append((method.lower(), outcome.lower(), props))
    return (words[0].lower() if words else ""), results


def _verdict(results: list[Result], from_domain: str) -> str:
    outcomes = {(method, outcome) for method, outcome, _ in results}
    if ("dmarc", "fail") in outcomes:
        return "fail"
    if ("dmarc", "pass") in outcomes:
        return "pass"
    if ("spf", "fail") in outcomes and ("dkim", "pass") not in outcomes:
        return "fail"
    for method, outcome, props in results:
        if outcome != "pass":
            continue
        if method == "dkim":
            domain = props.get("header.d") or props.get("header.i", "").rpartition("@")[2]
        elif method == "spf":
            domain = props.get("smtp.mailfrom", "").rpartition("@")[2]
        else:
            continue
        if _aligned(domain, from_domain):
            return "pass"
    return "unknown"


def _aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment (as DMARC's, without the public suffix list): the same domain, or the
    From domain is below the checked one."""
    domain, from_domain = domain.strip(".").lower(), from_domain.strip(".").lower()
    if not domain or not from_domain or "." not in domain:
        return False
    return from_domain == domain or from_domain.endswith("." + domain)
