"""Adds the front desk (walk-in visits) and the public web form to the application:
``install(app, deps)`` and ``install_form(app, deps)`` in ``create_app`` (the form after the
channels' plugin, whose intake policy it shares with e-mail)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.auth.actor import AgentInterface
from cic.channels import visit_views, webform_views
from cic.channels.formtoken import FormTokens
from cic.channels.intake import IntakePolicy
from cic.channels.ratelimit import HourlyLimit
from cic.channels.visits import VisitService
from cic.channels.webform import OnReport, WebForm
from cic.config import ChannelSettings
from cic.db import Store
from cic.topics.taxonomy import load_taxonomy


@dataclass(frozen=True)
class DeskDeps:
    """The store, the reply targets per channel and the office's time zone, the taxonomy
    file of the office's common matters (empty: the packaged one), the key of the PESEL
    digests and the device of a user's agent."""

    store: Store
    reply_days: dict[str, int]
    zone: str
    taxonomy: str
    pesel_key: bytes
    interface_of: AgentInterface


def install(app: web.Application, deps: DeskDeps) -> VisitService:
    """Add the desk page and its API; returns the visit service."""
    service = VisitService(
        deps.store, reply_days=deps.reply_days, zone=deps.zone,
        taxonomy=load_taxonomy(deps.taxonomy or None), pesel_key=deps.pesel_key,
    )  # fmt: skip
    app.add_routes(visit_views.routes(service, deps.interface_of))
    return service


@dataclass(frozen=True)
class FormDeps:
    """The store, the channel settings (the form's guards and consent text), the key that
    signs the form's tokens, the intake policy shared with e-mail, and who is told of each
    message taken (the outbox and the message queue's board)."""

    store: Store
    channels: ChannelSettings
    key: bytes
    policy: IntakePolicy
    on_report: OnReport


def install_form(app: web.Application, deps: FormDeps) -> WebForm:
    """Add the public web form's API; returns the form service."""
    settings = deps.channels
    tokens = FormTokens(
        deps.key, min_seconds=settings.form_min_seconds, max_hours=settings.form_max_hours
    )
    form = WebForm(
        deps.store, tokens, HourlyLimit(settings.form_per_hour, settings.form_per_hour_all),
        deps.policy, consent=settings.form_consent, min_seconds=settings.form_min_seconds,
        on_report=deps.on_report,
    )  # fmt: skip
    app.add_routes(webform_views.routes(form))
    return form
