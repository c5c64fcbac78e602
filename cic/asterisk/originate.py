"""AMI Originate of a Local channel, and asking whether a channel still exists.

Kept apart from :mod:`cic.asterisk.actions` because an originated call lives on its own: the
action returns once Asterisk has queued it, and what happens next arrives as events.
"""

from __future__ import annotations

from typing import Any

from cic.asterisk.actions import PbxError
from cic.asterisk.ami import AmiSession


async def originate_local(
    session: AmiSession,
    *,
    local: str,
    context: str,
    exten: str,
    channel_id: str,
    caller_id: str,
    variables: dict[str, str],
    timeout_seconds: int,
) -> None:
    """Start ``Local/<local>`` (its ;2 half runs the dialplan at ``local``); when that half
    answers, the ;1 half continues at ``context``/``exten``.

    ``channel_id`` becomes the ;1 half's unique id (``<channel_id>-2`` the ;2 half's), so the
    caller can later ask whether it is still up. Variables are set on ;1 before the call, and
    Asterisk's Local channel copies them to ;2. Raises :class:`PbxError`.
    """
    for name, value in variables.items():
        if not name.isidentifier() or any(c in value for c in "\r\n,"):
            raise PbxError("Originate", f"unsafe variable {name!r}")
    fields: dict[str, Any] = {
        "Action": "Originate",
        "Channel": f"Local/{local}",
        "Context": context,
        "Exten": exten,
        "Priority": "1",
        "Async": "true",
        "Timeout": str(timeout_seconds * 1000),
        "CallerID": caller_id,
        "ChannelId": channel_id,
        "OtherChannelId": f"{channel_id}-2",
        "Variable": [f"{k}={v}" for k, v in variables.items()],
    }
    if any("\r" in str(v) or "\n" in str(v) for v in fields.values() if isinstance(v, str)):
        raise PbxError("Originate", "niedozwolony koniec wiersza")
    try:
        reply = await session.action(fields, as_list=False)
    except ConnectionError as exc:
        raise PbxError("Originate", str(exc)) from exc
    if reply is None or str(reply.get("Response", "")).lower() != "success":
        message = reply.get("Message", "no reply") if reply is not None else "no reply"
        raise PbxError("Originate", str(message))


async def channel_exists(session: AmiSession, channel: str) -> bool:
    """True when Asterisk has a channel with this name or unique id now.

    Raises :class:`PbxError` when AMI is not connected (the answer would be a guess).
    """
    try:
        reply = await session.action(
            {"Action": "Getvar", "Channel": channel, "Variable": "CHANNEL(state)"}, as_list=False
        )
    except ConnectionError as exc:
        raise PbxError("Getvar", str(exc)) from exc
    return reply is not None and str(reply.get("Response", "")).lower() == "success"


async def hangup(session: AmiSession, channel: str) -> bool:
    """Hang up the channel with this name or unique id; False when there was none."""
    try:
        reply = await session.action({"Action": "Hangup", "Channel": channel}, as_list=False)
    except ConnectionError as exc:
        raise PbxError("Hangup", str(exc)) from exc
    return reply is not None and str(reply.get("Response", "")).lower() == "success"
