"""Adds the voice sender to the application: ``install_voice(app, deps)`` in ``create_app``.

The sender runs as one supervised loop when ``voice_calls.enabled`` and the trunk has a
contact to call out through (``asterisk.trunk_contact``); its FastAGI script ``notify-result``
and its status API are there either way (a report of nothing awaited is only logged).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web

from cic.asterisk.agi import AgiServer
from cic.asterisk.ami import AmiSession
from cic.asterisk.provision import Layout
from cic.config import Settings
from cic.notify import voice_views
from cic.notify.service import NotifyService
from cic.notify.voice import AmiOriginator, SpokenMessages, VoiceSender, add_agi_script
from cic.pbx_values import PhoneNumber
from cic.supervisor import Supervisor

log = logging.getLogger(__name__)
VOICE_SENDER = web.AppKey("notify_voice_sender", VoiceSender)


@dataclass(frozen=True)
class VoiceDeps:
    """The settings, the notification store, AMI and FastAGI, where prompts live, and the
    supervisor of the sender's loop."""

    settings: Settings
    service: NotifyService
    ami: AmiSession
    agi: AgiServer
    layout: Layout
    supervisor: Supervisor


def install_voice(app: web.Application, deps: VoiceDeps) -> VoiceSender:
    """Build the sender, keep it under ``app[VOICE_SENDER]``, add its FastAGI script, API
    and (when it can call out) its loop."""
    settings = deps.settings
    number = PhoneNumber.parse(settings.office.number, "office.number").digits
    prompts_dir = f"{deps.layout.prompts}/notify"
    sender = VoiceSender(
        deps.service, AmiOriginator(deps.ami, number),
        SpokenMessages(deps.layout.host(prompts_dir), prompts_dir), settings.voice_calls,
    )  # fmt: skip
    app[VOICE_SENDER] = sender
    add_agi_script(deps.agi, sender)
    runs = settings.voice_calls.enabled and bool(settings.asterisk.trunk_contact)
    app.add_routes(voice_views.routes(sender, runs))
    if settings.voice_calls.enabled and not runs:
        log.warning("voice_calls: no asterisk.trunk_contact, warning calls wait in the queue")
    if runs:
        app.cleanup_ctx.append(deps.supervisor.context({"cic-notify-voice": sender.run}))
    return sender
