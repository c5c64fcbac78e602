"""Typed settings: defaults in code < ``cic.yaml`` < ``CIC_*`` environment variables.

Nested fields are addressed in the environment with a double underscore, for example
``CIC_ASTERISK__AMI_PORT=5039`` or ``CIC_OFFICE__RECORDING_POLICY=always``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import os
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin
from urllib.parse import urlsplit

import yaml

from cic import pbx_values as values
from cic.pbx_values import UnsafeValue

RecordingPolicy = Literal["always", "opt-out", "opt-in", "never"]
RECORDING_POLICIES: tuple[str, ...] = get_args(RecordingPolicy)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(ValueError):
    """A setting has a value cic cannot use; the message names the setting."""


def _default_hours() -> dict[str, list[str]]:
    hours = {day: ["07:30-15:30"] for day in WEEKDAYS[:5]}
    hours["mon"] = ["08:00-16:00"]
    hours.update(sat=[], sun=[])
    return hours


@dataclass
class OfficeSettings:
    """The office: its public number, hours, recording policy and first-line queue."""

    name: str = "Urząd Gminy"
    number: str = "+48820000000"
    extension: str = "1000"
    recording_policy: RecordingPolicy = "opt-out"
    timezone: str = "Europe/Warsaw"
    hours: dict[str, list[str]] = field(default_factory=_default_hours)
    holidays_country: str = "PL"
    closed_days: list[str] = field(default_factory=list)
    first_line_queue: str = "pierwsza-linia"
    last_agent_wait: int = 15
    last_agent_lookback_days: int = 30
    wrapup_seconds: int = 30
    pause_reasons: list[str] = field(
        default_factory=lambda: ["przerwa", "szkolenie", "praca administracyjna", "spotkanie"]
    )
    service_level_seconds: int = 20
    wrapup_outcomes: list[str] = field(
        default_factory=lambda: [
            "sprawa załatwiona",
            "udzielono informacji",
            "przekazano do wydziału",
            "oddzwonić",
            "inne",
        ]
    )
    after_hours_message_seconds: int = 120
    prompts_dir: str = ""
    # The department menu (off when empty): [{"key": "1", "department": "FN", "label": "..."}]
    department_menu: list[dict[str, str]] = field(default_factory=list)
    menu_timeout: int = 5
    # The menu key for "case status by phone" (off when empty), e.g. "8".
    case_status_key: str = ""
    # The menu key for subscribing to (and unsubscribing from) warnings by phone (off when
    # empty), e.g. "7".
    warnings_key: str = ""
    # The office's own knowledge-base synonyms (a YAML file like kb/synonimy.yaml), added to
    # the packaged ones; empty: only the packaged file.
    kb_synonyms: str = ""


@dataclass
class OverflowSettings:
    """When the first line is swamped, reserve specialists join it with a penalty.

    Specialists are added one at a time, ``step_seconds`` apart, while calls waiting reach
    ``add_when_waiting`` or the longest wait reaches ``add_when_longest_wait``; they leave one
    at a time once it has been calm (waiting and longest wait at or below the ``remove_when``
    values) for ``calm_seconds``. The gap between the two thresholds keeps it from flapping.
    """

    enabled: bool = True
    add_when_waiting: int = 3
    add_when_longest_wait: int = 60
    remove_when_waiting: int = 0
    remove_when_longest_wait: int = 10
    calm_seconds: int = 120
    step_seconds: int = 20
    penalty: int = 10


@dataclass
class CallbackSettings:
    """Callback instead of waiting: a key pressed in the queue, the number confirmed or keyed.

    The request keeps the resident's place in line; when an agent takes it, Asterisk calls the
    resident over the trunk (``dial``, where ``{number}`` is the national number with
    ``number_prefix`` in front). Unanswered callbacks are tried ``attempts`` times,
    ``retry_seconds`` apart, then shown to the supervisor.
    """

    enabled: bool = True
    key: str = "5"
    queues: list[str] = field(default_factory=list)
    attempts: int = 3
    retry_seconds: int = 300
    ring_seconds: int = 30
    dial: str = "PJSIP/{number}@residents"
    number_prefix: str = "0"
    announce_every: int = 45


@dataclass
class VoiceCallSettings:
    """Warnings by phone call (``voice_calls.*``): Asterisk calls each voice recipient over the
    trunk (``dial``, ``{number}`` the national number with ``number_prefix`` in front), speaks
    the message and asks them to press 1.

    At most ``channels`` calls are up at once, and never more than ``trunk_channels`` minus
    ``inbound_reserve`` (the share of the trunk kept free for residents calling in); call starts
    are paced to ``calls_per_second``. A number rings ``ring_seconds``; the person has
    ``confirm_seconds`` to press 1 after the question. Busy and unanswered numbers are tried
    ``notify.voice_attempts`` times, ``notify.retry_seconds`` apart. A call whose result never
    comes back (Asterisk restarted) is recorded as failed after ``report_timeout_seconds``.
    """

    enabled: bool = True
    channels: int = 20
    trunk_channels: int = 30
    inbound_reserve: int = 10
    calls_per_second: float = 2.0
    ring_seconds: int = 30
    confirm_seconds: int = 6
    report_timeout_seconds: int = 600
    dial: str = "PJSIP/{number}@residents"
    number_prefix: str = "0"

    @property
    def limit(self) -> int:
        """How many calls may be up at once: ``channels``, and within the trunk's share."""
        return max(0, min(self.channels, self.trunk_channels - self.inbound_reserve))


QueueBackend = Literal["store", "redis"]


@dataclass
class SpeechSettings:
    """Post-call processing of recordings: transcription jobs, access and retention.

    ``stt`` holds the engine settings read by ``cic.speech.stt.SttSettings.from_mapping``
    (``engine``, ``model_dir``, ``language``, ...). Jobs are tried ``max_attempts`` times,
    ``backoff_seconds`` doubling after each failure (at most ``backoff_max_seconds``); a worker
    holds a job for ``lease_seconds`` (renewed while it works). ``queue`` is ``store`` (jobs
    polled from the database, one process) or ``redis`` (a stream with a consumer group).
    ``unredacted_role`` empty: the unredacted transcript is not kept at all.
    ``vocabulary``: the office's place names (streets, villages) and its own terms, given to
    Whisper as hotwords so they come back spelled right (at most 300 entries of 60 characters).
    Redaction: a run of at least ``redact_min_digits`` digits without a valid checksum (and a
    spoken ID-card series before six digits whose check digit fails) is hidden as personal
    data unless ``redact_unverified_numbers`` is false; numbers with a valid checksum (PESEL,
    NIP, account, ID card) and phone-shaped ones are always hidden.
    ``worker_process``: the controller's ``workers`` run in a child process it keeps running
    (``cic.postcall.child``), so transcription never slows routing; false runs them inside
    the controller (small test setups). The backlog (jobs waiting, the oldest wait) is on the
    status page and the wallboard, alerting from ``backlog_alert_jobs`` waiting jobs or an
    oldest wait of ``backlog_alert_minutes``.
    Topics: ``taxonomy`` is the path of the office's own copy of the topic taxonomy (empty:
    the packaged ``cic/topics/taxonomy.yaml``); ``topic_model`` false tags with the taxonomy's
    phrase rules alone, without the model trained on the shipped corpus; the trained model is
    kept in ``topic_cache`` (empty: ``<state_dir>/cache``), see ``cic topics train``.
    """

    enabled: bool = True
    stt: dict[str, Any] = field(default_factory=dict)
    workers: int = 1
    worker_process: bool = True
    backlog_alert_jobs: int = 200
    backlog_alert_minutes: int = 120
    queue: QueueBackend = "store"
    max_attempts: int = 4
    backoff_seconds: int = 30
    backoff_max_seconds: int = 3600
    lease_seconds: int = 600
    poll_seconds: int = 5
    retention_days: int = 180
    recordings_root: str = ""
    playback_roles: list[str] = field(default_factory=lambda: ["supervisor"])
    hold_roles: list[str] = field(default_factory=lambda: ["supervisor"])
    unredacted_role: str = ""
    redact_min_digits: int = 9
    redact_unverified_numbers: bool = True
    taxonomy: str = ""
    topic_model: bool = True
    topic_cache: str = ""
    vocabulary: list[str] = field(default_factory=list)


@dataclass
class PrivacySettings:
    """The office as controller of personal data (RODO) and the residents' rights requests.

    ``controller`` names the controller with its address (default: ``office.name``);
    ``dpo_contact`` is how to reach the data protection officer (inspektor ochrony danych);
    both go into the register of processing and every export's README. An export archive
    larger than ``export_max_mb`` is not served over HTTP (``cic privacy export`` writes it).
    """

    controller: str = ""
    dpo_contact: str = ""
    export_max_mb: int = 2048


@dataclass
class AsteriskSettings:
    """Where Asterisk lives and the loopback ports the controller talks to it on.

    Capacity: every channel holds an RTP/RTCP port pair, so ``rtp_start..rtp_end`` spans four
    ports per concurrent call with an agent leg (2000 ports: 500 such calls); a recorded call
    keeps about ten file descriptors open in Asterisk, which raises its own limit to
    ``max_files`` at start (``maxfiles`` in ``asterisk.conf``).
    """

    root: str = ""
    cache_dir: str = "/var/cache/cic"
    instance: str = "default"
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_user: str = "cic"
    agi_host: str = "127.0.0.1"
    agi_port: int = 4573
    sip_host: str = "127.0.0.1"
    sip_port: int = 5060
    http_port: int = 8088
    rtp_start: int = 10000
    rtp_end: int = 11999
    max_files: int = 16384
    trunk_match: list[str] = field(default_factory=lambda: ["127.0.0.1"])
    trunk_contact: str = ""


@dataclass
class AuthSettings:
    """Sessions, the session cookie and sign-in protection (``auth.*``, ``CIC_AUTH__*``).

    Sign-in failures slow down the address they come from: from the ``backoff_after``-th
    failure in a row that address waits ``backoff_base_seconds``, doubling per further failure
    up to ``backoff_max_seconds``, and never longer (no lock per address); an address quiet for
    ``backoff_forget_seconds`` starts afresh. ``lock_after`` failures in a row of ONE user from
    ONE address lock only that pair, for ``lockout_seconds``. A user who signed in from an
    address in the last ``remember_days`` is not slowed there by other people's failures.

    ``trusted_proxies``: addresses or networks (``10.0.0.0/8``) of reverse proxies whose
    ``X-Forwarded-For`` is believed (none by default: the peer address counts).
    ``cookie_secure``: unset follows ``public_url`` (on for https).
    """

    idle_timeout_seconds: int = 30 * 60
    absolute_timeout_seconds: int = 12 * 60 * 60
    cookie_name: str = "cic_session"
    cookie_secure: bool | None = None
    trusted_proxies: list[str] = field(default_factory=list)
    backoff_after: int = 5
    backoff_base_seconds: int = 2
    backoff_max_seconds: int = 30
    backoff_forget_seconds: int = 15 * 60
    lock_after: int = 10
    lockout_seconds: int = 15 * 60
    remember_days: int = 30


MailTls = Literal["ssl", "starttls", "none"]


@dataclass
class MailSettings:
    """The office's mailbox as a contact channel (off until ``enabled``).

    IMAP is read (``folders``, IDLE unless ``idle`` is false, else every ``poll_seconds``);
    replies and acknowledgements go out through SMTP submission. ``tls: none`` is accepted
    only for a server on loopback. Passwords are best given in the environment
    (``CIC_MAIL__IMAP_PASSWORD``). ``authserv_ids`` names the office's own mail servers whose
    ``Authentication-Results`` are believed (a failed check: the sender is not matched to a
    resident and gets no acknowledgement). ``ack_template`` is a file with the office's own
    acknowledgement (``{numer}``, ``{data}``, ``{dni}``, ``{urzad}``); ``signature`` is added
    under every reply.
    """

    enabled: bool = False
    address: str = ""
    display_name: str = ""
    imap_host: str = ""
    imap_port: int = 993
    imap_tls: MailTls = "ssl"
    imap_user: str = ""
    imap_password: str = ""
    folders: list[str] = field(default_factory=lambda: ["INBOX"])
    idle: bool = True
    poll_seconds: int = 60
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: MailTls = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    ca_file: str = ""
    authserv_ids: list[str] = field(default_factory=list)
    signature: str = ""
    acknowledge: bool = True
    ack_subject: str = ""
    ack_template: str = ""
    acks_per_sender_per_day: int = 3
    max_attachment_mb: int = 25
    max_attachments_mb: int = 50
    send_attempts: int = 8
    retry_seconds: int = 60
    retry_max_seconds: int = 3600


@dataclass
class ChannelSettings:
    """Contact channels beside the phone: reply-time targets in working days (Polish calendar)
    per channel, and the public web form's spam guards (per address: at most ``form_per_hour``
    messages, and ``form_per_hour_all`` from everyone together; a form sent sooner than
    ``form_min_seconds`` after it was shown, or later than ``form_max_hours``, is refused;
    ``form_consent`` is the consent text the resident accepts)."""

    reply_days: dict[str, int] = field(
        default_factory=lambda: {"email": 3, "www": 3, "osobiscie": 7, "telefon": 3, "epuap": 14}
    )
    form_per_hour: int = 5
    form_per_hour_all: int = 200
    form_min_seconds: int = 3
    form_max_hours: int = 24
    form_consent: str = (
        "Wyrażam zgodę na przetwarzanie moich danych osobowych podanych w formularzu w celu"
        " obsługi zgłoszenia przez urząd gminy."
    )


@dataclass
class PortalSettings:
    """The resident portal (``/e-urzad/``): the office's contact details shown on every page
    (``phone`` and ``email`` fall back to ``office.number`` and ``mail.address``), its ePUAP
    box address (``/skrot/SkrytkaESP``), the sołectwa residents can choose for newsletters,
    how many lookups (case status, dues) one address may make per hour, and how often the
    page-view counts are written to the database. The announcements' newsletter: requests
    per client address and per e-mail address per hour, how long a confirmation link is
    good for (hours) and the consent text a subscriber accepts."""

    enabled: bool = True
    address: list[str] = field(default_factory=lambda: ["ul. Przykładowa 1", "00-000 Gmina"])
    phone: str = ""
    email: str = ""
    epuap_box: str = ""
    solectwa: list[str] = field(default_factory=list)
    lookups_per_hour: int = 30
    visits_flush_seconds: int = 30
    newsletter_per_hour: int = 5
    newsletter_per_address_per_hour: int = 3
    newsletter_confirm_hours: int = 48
    newsletter_consent: str = (
        "Chcę otrzymywać e-mailem ogłoszenia urzędu gminy z wybranych kategorii. Mogę się"
        " wypisać w każdej chwili linkiem z każdej wiadomości."
    )


NameRule = Literal["required", "optional", "none"]
NAME_RULES: tuple[str, ...] = get_args(NameRule)


@dataclass
class ConsultationSettings:
    """Public consultations (``/e-urzad/konsultacje``): the default rule for commenters' names
    of a new consultation (``required``, ``optional``, ``none``: each consultation may set
    its own), whether comments a moderator has reviewed are shown while it runs (default
    no: as in most gminas' rules, comments are published in the report after it closes),
    comments per client address per hour (and from everyone together), the longest comment,
    the largest document an editor may upload, and the consent to publishing a given name."""

    names: NameRule = "optional"
    show_comments_during: bool = False
    comments_per_hour: int = 10
    comments_per_hour_all: int = 500
    comment_max_chars: int = 5000
    document_max_mb: int = 20
    name_consent: str = (
        "Zgadzam się na przetwarzanie mojego imienia i nazwiska przez urząd gminy w celu"
        " przeprowadzenia konsultacji i na ich opublikowanie w raporcie z konsultacji."
    )


@dataclass
class DuesSettings:
    """Dues ("sprawdź należności") on the portal: the payee a transfer goes to (``payee_name``,
    empty: ``office.name``; ``payee_nip``, the office's NIP, 10 digits, may stay empty) as the
    payment QR code and the transfer details show it, and how big an import file may be."""

    payee_name: str = ""
    payee_nip: str = ""
    max_file_mb: int = 10
    max_rows: int = 50_000


SmsProvider = Literal["smsapi"]


@dataclass
class SmsSettings:
    """The SMS gateway warnings and call-outs go through (off until ``enabled``).

    ``provider`` names the operator's API (``smsapi``: SMSAPI.pl) at ``base_url``; ``token`` is
    the account's API token, best given in the environment (``CIC_SMS__TOKEN``) or kept as
    ``sms_token`` in the secrets file. ``sender`` is the verified sender name (empty: the
    account's default). At most ``per_second`` messages a second (the contract's limit);
    ``normalize`` sends Polish letters as plain ones (160 characters a part instead of 70);
    longer texts than ``max_parts`` parts are refused.
    """

    enabled: bool = False
    provider: SmsProvider = "smsapi"
    base_url: str = "https://api.smsapi.pl"
    token: str = ""
    sender: str = ""
    per_second: int = 10
    normalize: bool = False
    max_parts: int = 6
    timeout_seconds: int = 15


@dataclass
class NotifySettings:
    """The senders of warnings and call-outs: attempts per delivery on each channel (busy and
    unanswered calls, temporary SMTP or gateway failures are tried again ``retry_seconds``
    apart), how many deliveries one round claims per channel, how often an idle sender looks
    for work, and how long a stopped SMS gateway (refused token, no credit) waits before it is
    tried again."""

    voice_attempts: int = 3
    sms_attempts: int = 3
    email_attempts: int = 3
    retry_seconds: int = 300
    sms_batch: int = 50
    email_batch: int = 20
    poll_seconds: int = 5
    gateway_check_seconds: int = 300


@dataclass
class SafetySettings:
    """The municipal safety system's incident register and map: the gmina's ``area`` as
    ``[lat, lon]`` points (two: a box's corners; three or more: a polygon; a report outside
    it is refused; the default is Poland's extent until the office sets its own), duplicate
    reports (open incidents of the same category within ``duplicate_metres`` and
    ``duplicate_hours``), the largest photo a resident may attach, portal reports per client
    address per hour (and from everyone together), the map's tile source
    (``tiles_url`` with ``{z}/{x}/{y}``, ``tiles_attribution`` shown on the map), and the
    address register's limits: how big an address file may be (MB, rows) and how many address
    suggestions one client address may ask the portal for per hour."""

    area: list[list[float]] = field(default_factory=lambda: [[49.0, 14.1], [54.9, 24.2]])
    duplicate_metres: int = 150
    duplicate_hours: int = 48
    photo_max_mb: int = 8
    reports_per_hour: int = 5
    reports_per_hour_all: int = 200
    tiles_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tiles_attribution: str = "© autorzy OpenStreetMap"
    address_file_max_mb: int = 50
    address_max_rows: int = 300_000
    address_lookups_per_hour: int = 300


@dataclass
class WarningSettings:
    """Warnings to residents (``/bezpieczenstwo/ostrzezenia``) and their subscriptions: the
    consent text a subscriber accepts (shown on the portal and at the desk, spoken by phone)
    and its version (kept with every consent), how long a confirmation code (SMS, voice) or
    an e-mail link is good for (minutes), wrong codes allowed per request, subscription
    requests per client address and per phone number or e-mail address per hour, and the
    most characters of a warning's short text (what an SMS carries)."""

    consent_text: str = (
        "Zgadzam się na otrzymywanie od urzędu gminy ostrzeżeń o zagrożeniach na podany numer"
        " telefonu lub adres e-mail. Mogę zrezygnować w każdej chwili na portalu, telefonicznie"
        " albo w urzędzie."
    )
    consent_version: str = "1"
    code_minutes: int = 30
    code_attempts: int = 5
    per_hour: int = 5
    per_address_per_hour: int = 3
    sms_max_chars: int = 320


@dataclass
class DashboardSettings:
    """The dashboard's measures (``/wskazniki``): the share of calls the first line should
    answer within ``office.service_level_seconds`` (percent, the staffing forecast's target),
    how many days without a repeat contact on the same topic make a matter resolved at the
    first contact, the agent's hours of an hour spent on calls the forecast may plan
    (occupancy, percent), and the JRWA classes and topic ids counted as complaints (skargi i
    wnioski)."""

    service_level_target: int = 80
    fcr_days: int = 7
    max_occupancy: int = 85
    complaint_jrwa: list[str] = field(default_factory=lambda: ["1510", "1511"])
    complaint_topics: list[str] = field(default_factory=lambda: ["skarga"])


@dataclass
class MetricsSettings:
    """Who may read ``/metrics`` and ``/readyz`` without a session: clients whose address is
    in ``allow_from`` (addresses or networks; default the loopback only) and anyone sending
    ``Authorization: Bearer <token>`` with the token kept in ``token_file`` (empty: no token).
    """

    allow_from: list[str] = field(default_factory=lambda: ["127.0.0.1", "::1"])
    token_file: str = ""


@dataclass
class LoggingSettings:
    """How the processes write their log: ``text`` lines or ``json``, one object per line."""

    format: Literal["text", "json"] = "text"


@dataclass
class BackupSettings:
    """Backups (``cic backup``, ``cic restore``): where archives go (``dir``, empty:
    ``<state_dir>/kopie``), how many are kept (the newest of each of the last ``keep_daily``
    days, ``keep_weekly`` ISO weeks and ``keep_monthly`` months; only archives cic made are
    pruned), the controller's daily run (``schedule`` as ``GG:MM`` in ``office.timezone``,
    empty: off, e.g. when a systemd timer runs ``cic backup`` instead) and further files or
    folders to include (``include``: an environment file, TLS keys), restored beside the
    settings for the administrator to put back."""

    dir: str = ""
    keep_daily: int = 7
    keep_weekly: int = 4
    keep_monthly: int = 6
    schedule: str = ""
    include: list[str] = field(default_factory=list)


@dataclass
class TlsSettings:
    """TLS in production (``tls.*``): the reverse proxy (Caddy) in front of the console and
    SIP over TLS with SRTP for agents' remote phones.

    The proxy serves ``public_url`` (``https://sok.gmina.pl``): with ``cert_file`` and
    ``key_file`` it uses those PEM files, otherwise Caddy gets a certificate by ACME (Let's
    Encrypt) for ``acme_email``. Plain HTTP on ``http_port`` redirects to HTTPS; request bodies
    above ``max_body_mb`` are refused; ``proxy_admin`` is Caddy's admin address (``off``: none).

    ``sip_port`` > 0 opens a PJSIP TLS transport on ``sip_bind:sip_port`` with
    ``sip_cert_file``/``sip_key_file`` (empty: the proxy's files); the agents named in
    ``remote_agents`` register over it and their calls use SRTP (SDES) only.
    """

    acme_email: str = ""
    cert_file: str = ""
    key_file: str = ""
    http_port: int = 80
    max_body_mb: int = 50
    proxy_admin: str = "localhost:2019"
    sip_port: int = 0
    sip_bind: str = "0.0.0.0"  # noqa: S104 - remote phones come from outside
    sip_cert_file: str = ""
    sip_key_file: str = ""
    remote_agents: list[str] = field(default_factory=list)

    @property
    def sip_files(self) -> tuple[str, str]:
        """The SIP transport's certificate and key (the proxy's when not set apart)."""
        return (self.sip_cert_file or self.cert_file, self.sip_key_file or self.key_file)


@dataclass
class HaSettings:
    """High availability (``ha.*``): several Asterisk nodes behind Kamailio's dispatcher.

    ``node`` names this node (empty: a single node, nothing changes); it becomes Asterisk's
    ``systemname``, so every call id of this node starts with ``<node>-`` and ids of two
    nodes never collide in the shared database, and this node's controller closes only its
    own calls. ``node_lost_seconds``: when this node's Asterisk has been unreachable that
    long, its calls still open are closed as ended at the moment the link was lost.
    Kamailio (``cic ha kamailio-config``): ``listen`` is its ``address:port`` (UDP),
    ``nodes`` the nodes' SIP ``address:port`` in order of preference (the first one alive
    takes every call and registration), probed with OPTIONS every ``probe_seconds``; after
    ``probe_threshold`` failed probes a node is out until it answers again. An INVITE a
    node does not answer within ``invite_timeout_ms`` (or answers with 5xx) goes to the next
    node. ``kamailio_children``: UDP worker processes.
    """

    node: str = ""
    node_lost_seconds: int = 30
    listen: str = "127.0.0.1:5065"
    nodes: list[str] = field(default_factory=list)
    probe_seconds: int = 2
    probe_threshold: int = 2
    invite_timeout_ms: int = 2000
    kamailio_children: int = 4


@dataclass
class Settings:
    """All of cic's settings.

    ``public_url`` is the address staff open (``https://sok.gmina.pl``), as the TLS reverse
    proxy serves it; empty means "not known" (plain HTTP on ``web_host:web_port``).
    """

    state_dir: str = "/var/lib/cic"
    database_url: str = ""
    redis_url: str = ""
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    public_url: str = ""
    office: OfficeSettings = field(default_factory=OfficeSettings)
    overflow: OverflowSettings = field(default_factory=OverflowSettings)
    callback: CallbackSettings = field(default_factory=CallbackSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    asterisk: AsteriskSettings = field(default_factory=AsteriskSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    channels: ChannelSettings = field(default_factory=ChannelSettings)
    portal: PortalSettings = field(default_factory=PortalSettings)
    dues: DuesSettings = field(default_factory=DuesSettings)
    warnings: WarningSettings = field(default_factory=WarningSettings)
    consultations: ConsultationSettings = field(default_factory=ConsultationSettings)
    safety: SafetySettings = field(default_factory=SafetySettings)
    voice_calls: VoiceCallSettings = field(default_factory=VoiceCallSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    dashboard: DashboardSettings = field(default_factory=DashboardSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)
    tls: TlsSettings = field(default_factory=TlsSettings)
    ha: HaSettings = field(default_factory=HaSettings)

    @property
    def secure_cookies(self) -> bool:
        """``auth.cookie_secure`` when set, else whether ``public_url`` is https."""
        if self.auth.cookie_secure is not None:
            return self.auth.cookie_secure
        return self.public_url.lower().startswith("https://")

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL; SQLite in the state directory unless one is set."""
        return self.database_url or f"sqlite:///{Path(self.state_dir) / 'cic.db'}"

    @property
    def secrets_path(self) -> Path:
        """The 0600 file holding generated secrets."""
        return Path(self.state_dir) / "secrets.json"


def _convert(value: Any, hint: Any, name: str) -> Any:
    origin = get_origin(hint)
    args = get_args(hint)
    if origin is types.UnionType and len(args) == 2 and type(None) in args:
        unset = value is None or str(value).strip().lower() in ("", "auto", "null", "none")
        return None if unset else _convert(value, next(a for a in args if a is not None), name)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"{name}: expected a mapping")
        return _build(hint, value, name + ".")  # type: ignore[arg-type]
    if origin is Literal:
        if value not in get_args(hint):
            allowed = ", ".join(map(str, get_args(hint)))
            raise ConfigError(f"{name}: {value!r} is not one of {allowed}")
        return value
    if hint is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on", "tak"):
            return True
        if text in ("0", "false", "no", "off", "nie"):
            return False
        raise ConfigError(f"{name}: {value!r} is not true or false")
    if hint is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: {value!r} is not a whole number") from None
    if hint is float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: {value!r} is not a number") from None
        if not math.isfinite(number):
            raise ConfigError(f"{name}: {value!r} is not a finite number")
        return number
    if hint is str:
        return "" if value is None else str(value)
    if origin in (list, dict) or origin is types.UnionType:
        if isinstance(value, str):
            value = _parse_text(value, name, as_list=origin is list)
        if origin is list and not isinstance(value, list):
            raise ConfigError(f"{name}: expected a list")
        if origin is dict and not isinstance(value, dict):
            raise ConfigError(f"{name}: expected a mapping")
        return value
    return value


def _parse_text(text: str, name: str, as_list: bool) -> Any:
    """A list or mapping given as text (an environment variable): YAML, or for a list also
    plain comma-separated words (``10.0.0.1, 10.0.0.0/8``)."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        if not as_list:
            raise ConfigError(f"{name}: not valid YAML") from None
        value = text
    if as_list and isinstance(value, str):
        return [part.strip() for part in text.split(",") if part.strip()]
    if as_list and value is None:
        return []
    return value


MAX_VOCABULARY = 300
MAX_PHRASE_CHARS = 60


def check_vocabulary(items: typing.Sequence[object]) -> list[str]:
    """The office's vocabulary (``speech.vocabulary``) cleaned; ValueError says what is wrong."""
    if len(items) > MAX_VOCABULARY:
        raise ValueError(f"at most {MAX_VOCABULARY} entries (got {len(items)})")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"entries are text, not {type(item).__name__}: {item!r}")
        phrase = " ".join(item.split())
        if not phrase:
            raise ValueError("an entry is empty")
        if len(phrase) > MAX_PHRASE_CHARS:
            raise ValueError(f"{phrase[:20]!r}…: at most {MAX_PHRASE_CHARS} characters")
        if any(unicodedata.category(ch).startswith("C") for ch in phrase):
            raise ValueError(f"{phrase!r} has control characters")
        if not any(ch.isalpha() for ch in phrase):
            raise ValueError(f"{phrase!r} has no letters")
        out.append(phrase)
    return out


def _build(cls: type[Any], data: dict[str, Any], prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(prefix + k for k in unknown))}")
    kwargs = {k: _convert(v, hints[k], prefix + k) for k, v in data.items()}
    return cls(**kwargs)


SKIPPED_ENV = ("CIC_TEST_", "CIC_COMPOSE_")


def _env_overrides(environ: typing.Mapping[str, str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in environ.items():
        # CIC_TEST_* belong to the test suite (which database and Redis it uses), CIC_COMPOSE_*
        # to docker/compose.yaml (ports and paths of the composed system), not to cic.
        if not key.startswith("CIC_") or key == "CIC_CONFIG" or key.startswith(SKIPPED_ENV):
            continue
        path = key[4:].lower().split("__")
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return tree


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def settings_file(
    path: str | Path | None = None, environ: typing.Mapping[str, str] | None = None
) -> Path | None:
    """The settings file ``load_settings`` reads: ``path``, else ``$CIC_CONFIG``, else
    ``cic.yaml`` in the current directory when there is one; None: defaults only."""
    environ = os.environ if environ is None else environ
    chosen = (
        path or environ.get("CIC_CONFIG") or ("cic.yaml" if Path("cic.yaml").exists() else None)
    )
    return Path(chosen) if chosen else None


def load_settings(
    path: str | Path | None = None, environ: typing.Mapping[str, str] | None = None
) -> Settings:
    """Read settings from defaults, then the YAML file, then ``CIC_*`` variables."""
    environ = os.environ if environ is None else environ
    path = settings_file(path, environ)
    data: dict[str, Any] = {}
    if path:
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read settings file {path}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
        data = loaded
    data = _merge(data, _env_overrides(environ))
    settings: Settings = _build(Settings, data, "")
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    """Reject settings that would break the dialplan or routing."""
    office = settings.office
    for day in office.hours:
        if day not in WEEKDAYS:
            raise ConfigError(f"office.hours: {day!r} is not one of {', '.join(WEEKDAYS)}")
    ov = settings.overflow
    if ov.add_when_waiting < 1 or ov.add_when_longest_wait < 1:
        raise ConfigError("overflow.add_when_*: at least 1")
    if ov.remove_when_waiting >= ov.add_when_waiting:
        raise ConfigError("overflow.remove_when_waiting: must be below add_when_waiting")
    if ov.remove_when_longest_wait >= ov.add_when_longest_wait:
        raise ConfigError("overflow.remove_when_longest_wait: must be below add_when_longest_wait")
    if min(ov.calm_seconds, ov.step_seconds, ov.penalty, ov.remove_when_waiting) < 0:
        raise ConfigError("overflow: times, penalty and thresholds cannot be negative")
    cb = settings.callback
    if cb.attempts < 1 or cb.retry_seconds < 0 or cb.ring_seconds < 5:
        raise ConfigError("callback: attempts at least 1, ring_seconds at least 5")
    sp = settings.speech
    if sp.workers < 0 or sp.max_attempts < 1 or sp.retention_days < 1 or sp.lease_seconds < 10:
        raise ConfigError("speech: workers >= 0, max_attempts and retention_days >= 1, lease >= 10")
    if sp.queue == "redis" and not settings.redis_url:
        raise ConfigError("speech.queue: redis needs redis_url")
    try:
        sp.vocabulary = check_vocabulary(sp.vocabulary)
    except ValueError as exc:
        raise ConfigError(f"speech.vocabulary: {exc}") from None
    if settings.privacy.export_max_mb < 1:
        raise ConfigError("privacy.export_max_mb: at least 1")
    try:
        _validate_asterisk_values(settings)
    except UnsafeValue as exc:
        raise ConfigError(str(exc)) from None
    _validate_public_url(settings.public_url)
    _validate_auth(settings.auth)
    _validate_mail(settings.mail)
    _validate_channels(settings.channels)
    _validate_portal(settings.portal)
    _validate_dues(settings.dues)
    _validate_warnings(settings.warnings)
    _validate_consultations(settings.consultations)
    _validate_safety(settings.safety)
    _validate_voice_calls(settings.voice_calls)
    _validate_sms(settings.sms)
    _validate_notify(settings.notify)
    _validate_dashboard(settings.dashboard)
    _validate_metrics(settings.metrics)
    _validate_backup(settings.backup)
    _validate_tls(settings.tls)
    _validate_ha(settings.ha)


def _validate_voice_calls(voice: VoiceCallSettings) -> None:
    """Channel counts that leave room for inbound calls, sane pacing and timeouts."""
    if not 1 <= voice.channels <= 1000 or not 1 <= voice.trunk_channels <= 10_000:
        raise ConfigError("voice_calls: channels from 1 to 1000, trunk_channels from 1 to 10000")
    if not 0 <= voice.inbound_reserve < voice.trunk_channels:
        raise ConfigError("voice_calls.inbound_reserve: from 0 to below trunk_channels")
    if not 0.05 <= voice.calls_per_second <= 100:
        raise ConfigError("voice_calls.calls_per_second: from 0.05 to 100")
    if not 3 <= voice.ring_seconds <= 120 or not 1 <= voice.confirm_seconds <= 30:
        raise ConfigError("voice_calls: ring_seconds from 3 to 120, confirm_seconds from 1 to 30")
    if voice.report_timeout_seconds < voice.ring_seconds + 10:
        raise ConfigError("voice_calls.report_timeout_seconds: at least ring_seconds + 10")
    try:
        values.DialTemplate.parse(voice.dial, "voice_calls.dial")
        if voice.number_prefix:
            values.Digits.parse(voice.number_prefix, "voice_calls.number_prefix")
    except UnsafeValue as exc:
        raise ConfigError(str(exc)) from None


def _validate_mail(mail: MailSettings) -> None:
    """An enabled mailbox needs its address and both servers; sizes and retries be sane."""
    if mail.enabled:
        missing = [n for n in ("address", "imap_host", "smtp_host") if not getattr(mail, n)]
        if missing:
            raise ConfigError(f"mail: enabled needs {', '.join('mail.' + n for n in missing)}")
    if mail.address and (mail.address.count("@") != 1 or not mail.address.isprintable()):
        raise ConfigError("mail.address: an e-mail address such as kontakt@gmina.pl")
    for name in ("imap_port", "smtp_port"):
        if not 1 <= getattr(mail, name) <= 65535:
            raise ConfigError(f"mail.{name}: a port from 1 to 65535")
    if not mail.folders or not all(isinstance(f, str) and f.strip() for f in mail.folders):
        raise ConfigError("mail.folders: a list of folder names (INBOX)")
    if min(mail.poll_seconds, mail.max_attachment_mb, mail.max_attachments_mb) < 1:
        raise ConfigError("mail: poll_seconds and the attachment limits at least 1")
    if mail.send_attempts < 1 or mail.retry_seconds < 1 or mail.acks_per_sender_per_day < 0:
        raise ConfigError("mail: send_attempts and retry_seconds at least 1")


def _validate_channels(channels: ChannelSettings) -> None:
    known = ("telefon", "email", "www", "osobiscie", "epuap")
    for name, days in channels.reply_days.items():
        if name not in known or not isinstance(days, int) or not 0 < days <= 365:
            raise ConfigError(
                f"channels.reply_days: {name!r}: one of {', '.join(known)} with 1-365 days"
            )
    if (
        min(channels.form_per_hour, channels.form_per_hour_all, channels.form_max_hours) < 1
        or channels.form_min_seconds < 0
    ):
        raise ConfigError("channels.form_*: per hour (both) and max hours at least 1")
    if not channels.form_consent.strip():
        raise ConfigError("channels.form_consent: the consent text cannot be empty")


def _validate_asterisk_values(settings: Settings) -> None:
    """Everything that reaches a rendered Asterisk file or the dialplan, by its grammar."""
    office, cb, a = settings.office, settings.callback, settings.asterisk
    values.PhoneNumber.parse(office.number, "office.number")
    values.Digits.parse(office.extension, "office.extension")
    values.QueueName.parse(office.first_line_queue, "office.first_line_queue")
    values.DtmfKey.parse(cb.key, "callback.key")
    values.DialTemplate.parse(cb.dial, "callback.dial")
    if cb.number_prefix:
        values.Digits.parse(cb.number_prefix, "callback.number_prefix")
    for queue in _strings(cb.queues, "callback.queues"):
        values.QueueName.parse(queue, "callback.queues")
    values.ObjectName.parse(a.instance, "asterisk.instance")
    values.ObjectName.parse(a.ami_user, "asterisk.ami_user")
    for name in ("ami_host", "agi_host", "sip_host"):
        values.HostName.parse(getattr(a, name), f"asterisk.{name}")
    for match in _strings(a.trunk_match, "asterisk.trunk_match"):
        values.TrunkMatch.parse(match, "asterisk.trunk_match")
    if a.trunk_contact:
        values.SipUri.parse(a.trunk_contact, "asterisk.trunk_contact")
    for name in ("ami_port", "agi_port", "sip_port", "http_port", "rtp_start", "rtp_end"):
        if not 1 <= getattr(a, name) <= 65535:
            raise UnsafeValue(f"asterisk.{name}", "port od 1 do 65535.")
    if a.rtp_start >= a.rtp_end:
        raise UnsafeValue("asterisk.rtp_end", "musi być większy niż asterisk.rtp_start.")
    if not 1024 <= a.max_files <= 1_048_576:
        raise UnsafeValue("asterisk.max_files", "liczba od 1024 do 1048576.")


def _strings(items: object, name: str) -> list[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise UnsafeValue(name, "lista napisów.")
    return items


def _validate_public_url(url: str) -> None:
    if not url:
        return
    parts = urlsplit(url)
    clean = url.isprintable() and not any(c.isspace() for c in url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not clean:
        raise ConfigError("public_url: an http(s) address such as https://sok.gmina.pl")


def _check_networks(entries: list[str], name: str) -> None:
    """Every entry an address or a network, else a ConfigError naming the setting."""
    for entry in entries:
        try:
            ipaddress.ip_network(str(entry).strip(), strict=False)
        except ValueError:
            raise ConfigError(
                f"{name}: {entry!r} is not an address or network (10.0.0.0/8)"
            ) from None


def _validate_auth(auth: AuthSettings) -> None:
    _check_networks(auth.trusted_proxies, "auth.trusted_proxies")
    if not auth.cookie_name.isascii() or not auth.cookie_name.replace("_", "").isalnum():
        raise ConfigError("auth.cookie_name: ASCII letters, digits and _ only")
    positive = {
        "idle_timeout_seconds": auth.idle_timeout_seconds,
        "absolute_timeout_seconds": auth.absolute_timeout_seconds,
        "backoff_after": auth.backoff_after,
        "lock_after": auth.lock_after,
        "backoff_max_seconds": auth.backoff_max_seconds,
        "lockout_seconds": auth.lockout_seconds,
    }
    for key, value in positive.items():
        if value < 1:
            raise ConfigError(f"auth.{key}: at least 1")
    if min(auth.backoff_base_seconds, auth.backoff_forget_seconds, auth.remember_days) < 0:
        raise ConfigError("auth: times cannot be negative")


def _validate_portal(portal: PortalSettings) -> None:
    """Printable contact details and sołectwa names; limits at least 1."""
    texts = [*portal.address, portal.phone, portal.email, portal.epuap_box, *portal.solectwa]
    if not all(isinstance(t, str) and t.isprintable() and len(t) <= 200 for t in texts):
        raise ConfigError("portal: address, phone, email, epuap_box and solectwa are short texts")
    if len(set(portal.solectwa)) != len(portal.solectwa):
        raise ConfigError("portal.solectwa: each sołectwo once")
    if min(portal.lookups_per_hour, portal.visits_flush_seconds) < 1:
        raise ConfigError("portal: lookups_per_hour and visits_flush_seconds at least 1")
    newsletter = (portal.newsletter_per_hour, portal.newsletter_per_address_per_hour,
                  portal.newsletter_confirm_hours)  # fmt: skip
    if min(newsletter) < 1:
        raise ConfigError("portal: the newsletter's limits and confirm hours at least 1")
    if not portal.newsletter_consent.strip() or len(portal.newsletter_consent) > 2000:
        raise ConfigError("portal.newsletter_consent: a text of at most 2000 characters")


NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)


def nip_ok(nip: str) -> bool:
    """True for a 10-digit NIP whose last digit is its check digit (weights 6,5,7,2,3,4,5,6,7
    modulo 11)."""
    if len(nip) != 10 or not (nip.isascii() and nip.isdigit()):
        return False
    check = sum(int(d) * w for d, w in zip(nip, NIP_WEIGHTS, strict=False)) % 11
    return check != 10 and check == int(nip[9])


def _validate_dues(dues: DuesSettings) -> None:
    """A printable payee name; the NIP (without dashes) a valid one or empty; sane limits."""
    dues.payee_nip = dues.payee_nip.replace("-", "").replace(" ", "")
    if dues.payee_nip and not nip_ok(dues.payee_nip):
        raise ConfigError("dues.payee_nip: 10 digits of a valid NIP (or empty)")
    name = dues.payee_name
    if not name.isprintable() or len(name) > 140 or "|" in name:
        raise ConfigError("dues.payee_name: printable text up to 140 characters, no '|'")
    if not 1 <= dues.max_file_mb <= 200 or not 1 <= dues.max_rows <= 1_000_000:
        raise ConfigError("dues: max_file_mb from 1 to 200, max_rows from 1 to 1000000")


def _validate_warnings(warnings: WarningSettings) -> None:
    """Refuse warning settings that cannot work."""
    if not warnings.consent_text.strip() or len(warnings.consent_text) > 2000:
        raise ConfigError("warnings.consent_text: a text of at most 2000 characters")
    version = warnings.consent_version
    if not version or len(version) > 16 or not version.isprintable():
        raise ConfigError("warnings.consent_version: a short label of up to 16 characters")
    if not 1 <= warnings.code_minutes <= 24 * 60 or not 1 <= warnings.code_attempts <= 20:
        raise ConfigError("warnings: code_minutes from 1 to 1440, code_attempts from 1 to 20")
    if warnings.per_hour < 1 or warnings.per_address_per_hour < 1:
        raise ConfigError("warnings: per_hour and per_address_per_hour at least 1")
    if not 70 <= warnings.sms_max_chars <= 1000:
        raise ConfigError("warnings.sms_max_chars from 70 to 1000")


def _validate_consultations(consultations: ConsultationSettings) -> None:
    """Limits at least 1 (a comment at least 100 characters), a consent text."""
    c = consultations
    if min(c.comments_per_hour, c.comments_per_hour_all, c.document_max_mb) < 1:
        raise ConfigError("consultations: comments_per_hour(_all) and document_max_mb at least 1")
    if not 100 <= c.comment_max_chars <= 50000:
        raise ConfigError("consultations.comment_max_chars: from 100 to 50000")
    if not c.name_consent.strip():
        raise ConfigError("consultations.name_consent: the consent text cannot be empty")


def _validate_safety(safety: SafetySettings) -> None:
    """The area two or more points on Earth; sane limits; an http(s) tile address with
    ``{z}``, ``{x}`` and ``{y}``."""
    area = safety.area
    if not isinstance(area, list) or len(area) < 2:
        raise ConfigError("safety.area: two [lat, lon] corners (a box) or three points or more")
    for point in area:
        numbers = (
            isinstance(point, list)
            and len(point) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in point)
        )
        if not numbers or not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
            raise ConfigError(f"safety.area: {point!r} is not a [lat, lon] point on Earth")
    if len(area) == 2 and (area[0][0] == area[1][0] or area[0][1] == area[1][1]):
        raise ConfigError("safety.area: the box's corners must differ in latitude and longitude")
    safety.area = [[float(lat), float(lon)] for lat, lon in safety.area]
    if not 1 <= safety.duplicate_metres <= 100_000 or not 1 <= safety.duplicate_hours <= 8760:
        raise ConfigError("safety: duplicate_metres 1..100000, duplicate_hours 1..8760")
    if not 1 <= safety.photo_max_mb <= 50:
        raise ConfigError("safety.photo_max_mb: from 1 to 50")
    if min(safety.reports_per_hour, safety.reports_per_hour_all) < 1:
        raise ConfigError("safety: reports_per_hour and reports_per_hour_all at least 1")
    limits = (safety.address_file_max_mb, safety.address_max_rows, safety.address_lookups_per_hour)
    if min(limits) < 1 or safety.address_file_max_mb > 500:
        raise ConfigError("safety: address_file_max_mb 1-500, the other address limits at least 1")
    url = safety.tiles_url
    if (
        not url.startswith(("https://", "http://"))
        or not all(part in url for part in ("{z}", "{x}", "{y}"))
        or not url.isprintable()
        or any(c in url for c in " '\"<>;")
    ):
        raise ConfigError("safety.tiles_url: an http(s) address with {z}, {x} and {y}")
    if not safety.tiles_attribution.isprintable() or len(safety.tiles_attribution) > 300:
        raise ConfigError("safety.tiles_attribution: printable text up to 300 characters")


def _validate_sms(sms: SmsSettings) -> None:
    """An http(s) base URL, a sender name SMSAPI accepts, sane limits."""
    parts = urlsplit(sms.base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ConfigError("sms.base_url: an http(s) address such as https://api.smsapi.pl")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ConfigError("sms.base_url: https (plain http only for a gateway on loopback)")
    if sms.sender and not (len(sms.sender) <= 11 and sms.sender.isascii()
                           and sms.sender.replace(" ", "").replace(".", "").replace("-", "")
                           .isalnum()):  # fmt: skip
        raise ConfigError("sms.sender: up to 11 letters, digits, spaces, dots or dashes")
    if not sms.token.isprintable() or len(sms.token) > 500:
        raise ConfigError("sms.token: the API token as SMSAPI shows it")
    if not 1 <= sms.per_second <= 1000 or not 1 <= sms.max_parts <= 10:
        raise ConfigError("sms: per_second from 1 to 1000, max_parts from 1 to 10")
    if not 1 <= sms.timeout_seconds <= 300:
        raise ConfigError("sms.timeout_seconds: from 1 to 300")


def _validate_notify(notify: NotifySettings) -> None:
    """Attempts from 1 to 10, batches from 1 to 1000, times at least a second."""
    attempts = (notify.voice_attempts, notify.sms_attempts, notify.email_attempts)
    if not all(1 <= n <= 10 for n in attempts):
        raise ConfigError("notify: voice_attempts, sms_attempts and email_attempts from 1 to 10")
    if not all(1 <= n <= 1000 for n in (notify.sms_batch, notify.email_batch)):
        raise ConfigError("notify: sms_batch and email_batch from 1 to 1000")
    times = (notify.retry_seconds, notify.poll_seconds, notify.gateway_check_seconds)
    if min(times) < 1:
        raise ConfigError("notify: retry_seconds, poll_seconds, gateway_check_seconds at least 1")


def _validate_dashboard(dashboard: DashboardSettings) -> None:
    """Shares from 1 to 100 percent, a repeat window of 1 to 90 days, JRWA symbols of digits."""
    if not 1 <= dashboard.service_level_target <= 100 or not 1 <= dashboard.max_occupancy <= 100:
        raise ConfigError("dashboard: service_level_target and max_occupancy from 1 to 100")
    if not 1 <= dashboard.fcr_days <= 90:
        raise ConfigError("dashboard.fcr_days: from 1 to 90")
    if not all(s.isdigit() and 1 <= len(s) <= 4 for s in dashboard.complaint_jrwa):
        raise ConfigError("dashboard.complaint_jrwa: JRWA symbols of 1 to 4 digits")


def _validate_metrics(metrics: MetricsSettings) -> None:
    """Every ``allow_from`` entry an address or a network."""
    _check_networks(metrics.allow_from, "metrics.allow_from")


def _validate_backup(backup: BackupSettings) -> None:
    """Counts of kept archives from 0 (``keep_daily`` at least 1), a ``GG:MM`` schedule or
    empty, printable paths."""
    if backup.keep_daily < 1 or min(backup.keep_weekly, backup.keep_monthly) < 0:
        raise ConfigError("backup: keep_daily at least 1, keep_weekly and keep_monthly from 0")
    if backup.schedule and schedule_time(backup.schedule) is None:
        raise ConfigError(f"backup.schedule: {backup.schedule!r} is not a time GG:MM (02:30)")
    paths = [backup.dir, *backup.include] if isinstance(backup.include, list) else [None]
    if not all(isinstance(p, str) and p.isprintable() for p in paths):
        raise ConfigError("backup: dir and include are printable paths (include a list)")


def schedule_time(text: str) -> tuple[int, int] | None:
    """``"02:30"`` as ``(2, 30)``; None when it is not a time of day ``GG:MM``."""
    hours, sep, minutes = text.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        return None
    hour, minute = int(hours), int(minutes)
    return (hour, minute) if hour < 24 and minute < 60 else None


def _validate_tls(tls: TlsSettings) -> None:
    """Ports in range, both files or neither, a SIP transport with its files, agents' logins.

    What reaches the Caddyfile or pjsip.conf is checked again by its grammar when rendered."""
    ports = {"tls.http_port": tls.http_port, "tls.sip_port": tls.sip_port}
    for name, port in ports.items():
        if not 0 <= port <= 65535 or (name == "tls.http_port" and port == 0):
            raise ConfigError(
                f"{name}: a port from 1 to 65535" + (" (0: off)" if "sip" in name else "")
            )
    if bool(tls.cert_file) != bool(tls.key_file):
        raise ConfigError("tls.cert_file and tls.key_file: both or neither")
    if not 1 <= tls.max_body_mb <= 10_000:
        raise ConfigError("tls.max_body_mb: from 1 to 10000")
    cert, key = tls.sip_files
    if tls.sip_port and not (cert and key):
        raise ConfigError(
            "tls.sip_port: needs tls.sip_cert_file and tls.sip_key_file (or tls.cert_file)"
        )
    if not values.HostName.valid(tls.sip_bind):
        raise ConfigError(f"tls.sip_bind: {values.HostName.rule}")
    if tls.remote_agents and not tls.sip_port:
        raise ConfigError("tls.remote_agents: needs tls.sip_port (SIP over TLS)")
    for login in tls.remote_agents:
        if not isinstance(login, str) or not values.ObjectName.valid(f"agent-{login}"):
            raise ConfigError(f"tls.remote_agents: {login!r} is not an agent's login")


def _validate_ha(ha: HaSettings) -> None:
    """The node's name (a prefix of its call ids) and Kamailio's limits; the addresses are
    checked by their grammar when Kamailio's files are rendered."""
    if ha.node and not values.NodeName.valid(ha.node):
        raise ConfigError(f"ha.node: {values.NodeName.rule}")
    if not 5 <= ha.node_lost_seconds <= 3600:
        raise ConfigError("ha.node_lost_seconds: from 5 to 3600")
    if not 1 <= ha.probe_seconds <= 300 or not 1 <= ha.probe_threshold <= 10:
        raise ConfigError("ha: probe_seconds from 1 to 300, probe_threshold from 1 to 10")
    if not 500 <= ha.invite_timeout_ms <= 30_000 or not 1 <= ha.kamailio_children <= 64:
        raise ConfigError("ha: invite_timeout_ms from 500 to 30000, kamailio_children 1 to 64")
