"""Made-up rows for the migration chain test: for every Alembic revision, the SQL that fills
the tables it adds or changes (valid for the schema AT that revision) and the rows expected
after the upgrade to head, including values a later migration cleared, defaulted or built.

Times are written without a zone: the test runs PostgreSQL sessions in UTC, and SQLite keeps
naive UTC. ``Check.rows`` compare after :func:`normal` (times as ``YYYY-MM-DD HH:MM:SS`` UTC,
dates ISO, booleans as 0/1, JSON re-serialised with sorted keys).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cic.db import as_utc

CALL = "1764666900.101"  # answered, recorded, transcribed, linked to the case
LOST = "1764667500.117"  # abandoned, then a callback request
CALLBACK = "1764671100.204"  # outcome 'callback' (allowed from 0010)
SHA_CALL = "869e56d4a5ae34378db8a277b19fb7269afd8724c0af66b009bf22f7a1d08282"
SHA_AGENT = "d4f0bc5a29de06b510f9aa428f1eedba926012b591fef7a518e776a7c9bd1824"
SHA_CALLER = "cbfda0b7ba2c5c1383702bcfaf0ec82ee4cee2fbd69bda593c75e8e953940fcf"
SHA_FILE = "534a53e8ebf78b9f54f1e66f2a5b401da08e4b89ef15e5afe44fc40bc8b62811"
PESEL_DIGEST = "3153e09817e92aa4b54fa66bc0c2688def177d163a952cbd4d3bb6b2e2b18f3a"
PASSWORD = "$argon2id$v=19$m=65536,t=3,p=4$c29sbmFzb2w$Zm9vYmFyYmF6cXV4cXV1eHh5encxMjM0NTY3OA"
BAD_CONTACT = "sip:marek@10.0.0.5\n[evil]\ntype=endpoint"
TRANSCRIPT = "Dzień dobry, dzwonię w sprawie podatku od nieruchomości i terminu drugiej raty."
SEGMENTS = (
    '[{"end": 3.1, "speaker": "klient", "start": 0.4, "text": "Dzie\\u0144 dobry,",'
    ' "words": [{"start": 0.4, "text": "Dzie\\u0144"}, {"start": 1.0, "text": "dobry,"}]}]'
)


@dataclass(frozen=True)
class Check:
    """A query run at head and the rows it must return (after :func:`normal`)."""

    sql: str
    rows: list[tuple[Any, ...]]
    dialect: str = ""  # "" for both, else only on this dialect


@dataclass(frozen=True)
class Step:
    """What happens right after the upgrade to one revision: ``inserts`` (plain SQL for the
    schema at that revision) and the ``checks`` of those rows (or of earlier rows the
    revision transformed) made at head."""

    inserts: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    note: str = ""


def normal(value: Any) -> Any:
    """One column value in a form both databases give alike."""
    if isinstance(value, datetime):
        return as_utc(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


STEPS: dict[str, Step] = {
    "0001": Step(
        inserts=[
            "INSERT INTO departments (id, code, name) VALUES"
            " (1, 'FN', 'Wydział Finansowy'), (2, 'GK', 'Referat Gospodarki Komunalnej')",
            "INSERT INTO agents (id, username, display_name, endpoint, department_id,"
            " static_contact, created_at, active) VALUES"
            " (1, 'anna.nowak', 'Anna Nowak', 'agent-anna', NULL, NULL,"
            " '2026-10-01 08:00:00', TRUE),"
            " (2, 'piotr.kowalski', 'Piotr Kowalski', 'agent-piotr', 1,"
            " 'sip:piotr@192.168.10.21:5060', '2026-10-01 08:05:00', TRUE),"
            f" (3, 'marek.zielinski', 'Marek Zieliński', 'agent-marek', 2, '{BAD_CONTACT}',"
            " '2026-10-01 08:10:00', FALSE)",
            "INSERT INTO agent_statuses (agent_id, logged_in, paused, pause_reason, changed_at)"
            " VALUES (1, TRUE, FALSE, '', '2026-11-02 07:55:00'),"
            " (2, TRUE, TRUE, 'przerwa', '2026-11-02 10:00:00')",
            "INSERT INTO queues (id, name, title, department_id, strategy) VALUES"
            " (1, 'pierwsza-linia', 'Pierwsza linia', NULL, 'rrmemory'),"
            " (2, 'podatki', 'Podatki i opłaty lokalne', 1, 'leastrecent')",
            "INSERT INTO queue_memberships (queue_id, agent_id, penalty) VALUES"
            " (1, 1, 0), (1, 2, 5), (2, 2, 0)",
            "INSERT INTO calls (id, call_id, caller_number, caller_name, dialled, entered_at,"
            " queued_at, answered_at, ended_at, queue, agent, outcome, wait_seconds,"
            " talk_seconds, routing_action, routing_target, routing_reason, fallback,"
            " recording_consent, end_cause) VALUES"
            f" (1, '{CALL}', '+48601234567', 'Jan Wiśniewski', '48221234567',"
            " '2026-11-02 09:15:00', '2026-11-02 09:15:20', '2026-11-02 09:15:42',"
            " '2026-11-02 09:21:10', 'pierwsza-linia', 'PJSIP/agent-anna', 'answered', 22.0,"
            " 328.0, 'queue', 'pierwsza-linia', 'godziny pracy urzędu', FALSE, 'given',"
            " 'normal'),"
            f" (2, '{LOST}', '+48512345678', '', '48221234567', '2026-11-02 09:25:00',"
            " '2026-11-02 09:25:15', NULL, '2026-11-02 09:27:05', 'podatki', NULL, 'abandoned',"
            " 110.0, NULL, 'queue', 'podatki', 'wybór w menu: 2', FALSE, 'declined',"
            " 'caller hung up')",
            "INSERT INTO call_events (call_id, at, type, data) VALUES"
            f" ('{CALL}', '2026-11-02 09:15:00', 'CallEntered',"
            ' \'{"caller_number": "+48601234567"}\'),'
            f" ('{CALL}', '2026-11-02 09:15:20', 'CallQueued',"
            ' \'{"queue": "pierwsza-linia"}\'),'
            f" ('{CALL}', '2026-11-02 09:15:42', 'CallAnswered',"
            ' \'{"agent": "PJSIP/agent-anna", "queue": "pierwsza-linia", "wait_seconds": 22.0}\'),'
            f" ('{CALL}', '2026-11-02 09:21:10', 'CallEnded', '{{\"cause\": \"normal\"}}')",
            "INSERT INTO recordings (call_id, path, bytes, duration_seconds, sha256, kind,"
            f" created_at) VALUES ('{CALL}', '2026/11/02/{CALL}.wav', 5248044, 328.0,"
            f" '{SHA_CALL}', 'call', '2026-11-02 09:21:12')",
        ],
        checks=[
            Check(
                "SELECT username, department_id, active FROM agents ORDER BY id",
                [("anna.nowak", None, 1), ("piotr.kowalski", 1, 1), ("marek.zielinski", 2, 0)],
            ),
            Check(
                "SELECT agent_id, logged_in, paused, pause_reason, changed_at"
                " FROM agent_statuses ORDER BY agent_id",
                [(1, 1, 0, "", "2026-11-02 07:55:00"), (2, 1, 1, "przerwa", "2026-11-02 10:00:00")],
            ),
            Check(
                "SELECT q.name, q.strategy, m.agent_id, m.penalty FROM queue_memberships m"
                " JOIN queues q ON q.id = m.queue_id ORDER BY m.id",
                [
                    ("pierwsza-linia", "rrmemory", 1, 0),
                    ("pierwsza-linia", "rrmemory", 2, 5),
                    ("podatki", "leastrecent", 2, 0),
                ],
            ),
            Check(
                "SELECT call_id, outcome, wait_seconds, talk_seconds, recording_consent,"
                " answered_at FROM calls ORDER BY id",
                [
                    (CALL, "answered", 22.0, 328.0, "given", "2026-11-02 09:15:42"),
                    (LOST, "abandoned", 110.0, None, "declined", None),
                    (CALLBACK, "callback", 300.0, None, "not_asked", None),
                ],
            ),
            Check("SELECT count(*) FROM call_events", [(4,)]),
            Check(
                "SELECT call_id, bytes, duration_seconds, sha256, kind FROM recordings",
                [(CALL, 5248044, 328.0, SHA_CALL, "call")],
            ),
        ],
    ),
    "0002": Step(
        inserts=[
            "INSERT INTO office_mode (id, mode, changed_by, changed_at) VALUES"
            " (1, 'closed', 'admin', '2026-11-11 07:00:00')"
        ],
        checks=[
            Check(
                "SELECT mode, changed_by, changed_at FROM office_mode",
                [("closed", "admin", "2026-11-11 07:00:00")],
            )
        ],
    ),
    "0003": Step(
        inserts=[
            "INSERT INTO users (id, username, display_name, role, agent_id, active,"
            " password_hash, created_at, password_changed_at) VALUES"
            f" (1, 'admin', 'Administrator systemu', 'admin', NULL, TRUE, '{PASSWORD}',"
            " '2026-10-01 07:50:00', NULL),"
            f" (2, 'anna.nowak', 'Anna Nowak', 'agent', 1, TRUE, '{PASSWORD}',"
            " '2026-10-01 08:00:00', '2026-10-15 12:00:00'),"
            f" (3, 'ewa.urzednik', 'Ewa Urzędnik', 'specialist', 2, TRUE, '{PASSWORD}',"
            " '2026-10-01 08:05:00', NULL)",
            "INSERT INTO auth_sessions (id, user_id, csrf_token, created_at, last_seen_at, ip)"
            " VALUES ('Zq3v0sYtq9mW1c8bTn4LkP2aXe7RdJ6h', 2, 'c5rf0e1f2a3b4c5d6e7f8091a2b3c4d5',"
            " '2026-11-02 07:58:00', '2026-11-02 09:30:00', '192.168.10.15')",
            "INSERT INTO audit_log (at, actor, action, target, ip, detail) VALUES"
            " ('2026-10-01 08:00:00', 'admin', 'user.create', 'anna.nowak', '192.168.10.2',"
            ' \'{"role": "agent"}\')',
        ],
        checks=[
            Check(
                "SELECT username, role, agent_id, password_changed_at FROM users ORDER BY id",
                [
                    ("admin", "admin", None, None),
                    ("anna.nowak", "agent", 1, "2026-10-15 12:00:00"),
                    ("ewa.urzednik", "specialist", 2, None),
                ],
            ),
            Check("SELECT user_id, ip FROM auth_sessions", [(2, "192.168.10.15")]),
            Check(
                "SELECT action, target, detail FROM audit_log",
                [
                    ("user.create", "anna.nowak", '{"role": "agent"}'),
                ],
            ),
        ],
    ),
    "0004": Step(
        inserts=[
            "INSERT INTO call_wrapups (call_id, agent, outcome, topic, note, saved_by, saved_at)"
            f" VALUES ('{CALL}', 'PJSIP/agent-anna', 'przekazana', 'podatek-od-nieruchomosci',"
            " 'Pyta o termin drugiej raty; przekazana do Wydziału Finansowego.', 'anna.nowak',"
            " '2026-11-02 09:22:00')"
        ],
        checks=[
            Check(
                "SELECT call_id, outcome, topic, saved_at FROM call_wrapups",
                [(CALL, "przekazana", "podatek-od-nieruchomosci", "2026-11-02 09:22:00")],
            )
        ],
    ),
    "0005": Step(
        inserts=[
            "INSERT INTO office_settings (key, value, updated_at, updated_by) VALUES"
            " ('greeting', 'Urząd Gminy Przykładowo, dzień dobry.', '2026-11-03 08:00:00',"
            " 'admin')",
            "INSERT INTO departments (id, code, name, hours, active) VALUES"
            " (3, 'OS', 'Referat Ochrony Środowiska', 'pn-pt 7:30-15:30', FALSE)",
        ],
        checks=[
            Check(
                "SELECT code, hours, active FROM departments ORDER BY id",
                [("FN", None, 1), ("GK", None, 1), ("OS", "pn-pt 7:30-15:30", 0)],
            ),
            Check("SELECT key, updated_by FROM office_settings", [("greeting", "admin")]),
        ],
        note="existing departments get hours NULL and active TRUE",
    ),
    "0006": Step(
        inserts=[
            "INSERT INTO kb_articles (id, slug, title, department, current_version, usage_count,"
            " active, file_hash, created_at, updated_at) VALUES"
            " (1, 'podatek-od-nieruchomosci', 'Podatek od nieruchomości: terminy rat', 'FN', 2,"
            " 7, TRUE, NULL, '2026-10-05 10:00:00', '2026-10-20 11:00:00')",
            "INSERT INTO kb_article_versions (article_id, version, front_matter, body,"
            " content_hash, source, author, created_at) VALUES"
            " (1, 1, '{\"tags\": [\"podatki\"]}', 'Raty: 15 marca, 15 maja.', "
            f" '{SHA_AGENT}', 'file', 'import', '2026-10-05 10:00:00'),"
            ' (1, 2, \'{"tags": ["podatki"]}\','
            " 'Raty: 15 marca, 15 maja, 15 września, 15 listopada.',"
            f" '{SHA_CALLER}', 'editor', 'ewa.urzednik', '2026-10-20 11:00:00')",
            "INSERT INTO kb_article_uses (article_id, call_id, username, at) VALUES"
            f" (1, '{CALL}', 'anna.nowak', '2026-11-02 09:17:00')",
        ],
        checks=[
            Check(
                "SELECT a.slug, a.current_version, v.version, v.author, v.front_matter"
                " FROM kb_article_versions v JOIN kb_articles a ON a.id = v.article_id"
                " ORDER BY v.version",
                [
                    ("podatek-od-nieruchomosci", 2, 1, "import", '{"tags": ["podatki"]}'),
                    ("podatek-od-nieruchomosci", 2, 2, "ewa.urzednik", '{"tags": ["podatki"]}'),
                ],
            ),
            Check("SELECT call_id, username FROM kb_article_uses", [(CALL, "anna.nowak")]),
        ],
    ),
    "0007": Step(
        inserts=[
            "INSERT INTO transfers (id, call_id, active_call_id, kind, state, version,"
            " from_agent, from_channel, target_kind, target, target_interface, note,"
            " caller_number, caller_name, matter, reason, requested_by, created_at, updated_at,"
            f" ended_at) VALUES (1, '{CALL}', NULL, 'consult', 'completed', 3,"
            " 'PJSIP/agent-anna', 'PJSIP/agent-anna-00000012', 'agent', 'piotr.kowalski',"
            " 'PJSIP/agent-piotr', 'Pyta o zaległość za 2025.', '+48601234567',"
            " 'Jan Wiśniewski', 'podatki', '', 'anna.nowak', '2026-11-02 09:18:00',"
            " '2026-11-02 09:19:30', '2026-11-02 09:19:30')",
            "INSERT INTO transfer_legs (transfer_id, at, step, party, detail) VALUES"
            " (1, '2026-11-02 09:18:00', 'ringing', 'PJSIP/agent-piotr', ''),"
            " (1, '2026-11-02 09:18:12', 'answered', 'PJSIP/agent-piotr', ''),"
            " (1, '2026-11-02 09:19:30', 'completed', 'PJSIP/agent-piotr', 'połączono')",
        ],
        checks=[
            Check(
                "SELECT t.kind, t.state, t.target, count(l.id) FROM transfers t"
                " JOIN transfer_legs l ON l.transfer_id = t.id"
                " GROUP BY t.id, t.kind, t.state, t.target",
                [("consult", "completed", "piotr.kowalski", 3)],
            )
        ],
    ),
    "0008": Step(
        inserts=[
            "INSERT INTO first_line_reserve (agent_id, reserve, penalty, in_first_line,"
            " added_by, changed_at) VALUES (2, TRUE, 5, TRUE, 'admin', '2026-11-02 08:00:00')"
        ],
        checks=[
            Check(
                "SELECT agent_id, reserve, penalty, in_first_line FROM first_line_reserve",
                [(2, 1, 5, 1)],
            )
        ],
    ),
    "0009": Step(
        inserts=[
            "INSERT INTO callback_requests (call_id, number, queue, position, status, attempts,"
            " agent, last_result, next_attempt_at, requested_at, updated_at, closed_by,"
            f" shown_number) VALUES ('{LOST}', '+48512345678', 'podatki', 1, 'retry', 1,"
            " 'PJSIP/agent-piotr', 'NOANSWER', '2026-11-02 10:00:00', '2026-11-02 09:26:30',"
            " '2026-11-02 09:45:00', '', '+48221234567')"
        ],
        checks=[
            Check(
                "SELECT call_id, status, attempts, last_result, next_attempt_at"
                " FROM callback_requests",
                [(LOST, "retry", 1, "NOANSWER", "2026-11-02 10:00:00")],
            )
        ],
    ),
    "0010": Step(
        inserts=[
            "INSERT INTO calls (id, call_id, caller_number, dialled, entered_at, queued_at,"
            " ended_at, queue, outcome, wait_seconds, recording_consent) VALUES"
            f" (3, '{CALLBACK}', '+48789012345', '48221234567', '2026-11-02 10:25:00',"
            " '2026-11-02 10:25:10', '2026-11-02 10:30:10', 'pierwsza-linia', 'callback',"
            " 300.0, 'not_asked')"
        ],
        note="outcome 'callback' allowed from here (checked with the calls of 0001)",
    ),
    "0011": Step(
        inserts=[
            "INSERT INTO jrwa_classes (symbol, name, category, loaded_at) VALUES"
            " ('3110', 'Podatek od nieruchomości', 'BE5', '2026-10-01 07:00:00')",
            "INSERT INTO case_counters (unit, jrwa, year, last_number) VALUES"
            " ('FN', '3110', 2026, 1)",
            "INSERT INTO cases (id, signature, unit, jrwa, year, number, title, status,"
            " assigned_to, started_on, closed_on, suspended_on, deadline_kind, deadline,"
            " pin_hash, registered_by, created_at, updated_at) VALUES"
            " (1, 'FN.3110.1.2026', 'FN', '3110', 2026, 1,"
            " 'Rozłożenie podatku od nieruchomości na raty', 'w_toku', 'ewa.urzednik',"
            " '2026-11-02', NULL, NULL, 'miesiac', '2026-12-02',"
            f" '{PASSWORD}', 'ewa.urzednik', '2026-11-02 09:40:00', '2026-11-03 12:00:00')",
            "INSERT INTO case_parties (case_id, name, role, contact) VALUES"
            " (1, 'Jan Wiśniewski', 'wnioskodawca', 'tel. 601 234 567')",
            "INSERT INTO case_actions (case_id, at, actor, action, description, document_id)"
            " VALUES (1, '2026-11-02 09:40:00', 'ewa.urzednik', 'wszczecie',"
            " 'Wszczęcie sprawy na wniosek z dnia 2 listopada.', ''),"
            " (1, '2026-11-03 12:00:00', 'ewa.urzednik', 'dokument',"
            " 'Wezwanie do uzupełnienia wniosku.', 'FN-2026-0042')",
            "INSERT INTO case_calls (case_id, call_id, linked_by, linked_at) VALUES"
            f" (1, '{CALL}', 'ewa.urzednik', '2026-11-02 09:41:00')",
            "INSERT INTO contact_reports (id, topic, note, department, status, owner,"
            " created_by, case_id, created_at, updated_at) VALUES"
            " (1, 'Raty podatku', 'Mieszkaniec prosi o rozłożenie podatku na raty.', 'FN',"
            " 'przekazane', 'ewa.urzednik', 'anna.nowak', 1, '2026-11-02 09:20:00',"
            " '2026-11-02 09:41:00')",
            "INSERT INTO contact_report_calls (report_id, call_id, linked_by, linked_at) VALUES"
            f" (1, '{CALL}', 'anna.nowak', '2026-11-02 09:20:00')",
        ],
        checks=[
            Check("SELECT last_number FROM case_counters", [(1,)]),
            Check(
                "SELECT signature, status, started_on, deadline, created_at FROM cases",
                [("FN.3110.1.2026", "w_toku", "2026-11-02", "2026-12-02", "2026-11-02 09:40:00")],
            ),
            Check("SELECT name, role FROM case_parties", [("Jan Wiśniewski", "wnioskodawca")]),
            Check("SELECT case_id, call_id FROM case_calls", [(1, CALL)]),
            Check("SELECT symbol, category FROM jrwa_classes", [("3110", "BE5")]),
            Check(
                "SELECT action, document_id FROM case_actions ORDER BY at",
                [("wszczecie", ""), ("dokument", "FN-2026-0042")],
            ),
            Check("SELECT report_id, call_id FROM contact_report_calls", [(1, CALL)]),
        ],
    ),
    "0012": Step(
        inserts=[
            "INSERT INTO post_call_jobs (call_id, recording_path, status, step, attempts,"
            " max_attempts, next_at, lease_owner, lease_until, last_error, created_at,"
            f" finished_at) VALUES ('{CALL}', '2026/11/02/{CALL}.wav', 'done', 'tag', 1, 4,"
            " '2026-11-02 09:21:15', '', NULL, '', '2026-11-02 09:21:15',"
            " '2026-11-02 09:23:40')",
            "INSERT INTO recording_channels (call_id, speaker, path, bytes, duration_seconds,"
            f" sha256) VALUES ('{CALL}', 'agent', '2026/11/02/{CALL}-agent.wav', 2624022,"
            f" 328.0, '{SHA_AGENT}'), ('{CALL}', 'klient', '2026/11/02/{CALL}-klient.wav',"
            f" 2624022, 328.0, '{SHA_CALLER}')",
            "INSERT INTO call_transcripts (call_id, job_id, engine, model, language,"
            " split_by_speaker, duration_seconds, segments, text, findings, unredacted,"
            f" created_at, updated_at) VALUES ('{CALL}', 1, 'whisper', 'small', 'pl', TRUE,"
            f" 328.0, '{SEGMENTS}', '{TRANSCRIPT}', '[]', NULL, '2026-11-02 09:23:00',"
            " '2026-11-02 09:23:00')",
            "INSERT INTO call_topics (call_id, topic_id, confidence, source, matched,"
            f" created_by, created_at) VALUES ('{CALL}', 'podatki/nieruchomosci', 0.92, 'auto',"
            " '[\"podatek\", \"nieruchomość\"]', '', '2026-11-02 09:23:40'),"
            f" ('{CALL}', 'podatki/raty', 1.0, 'supervisor', '[]', 'kierownik',"
            " '2026-11-04 10:00:00')",
            "INSERT INTO topic_corrections (call_id, before, after, corrected_by, at) VALUES"
            f" ('{CALL}', '[\"podatki/nieruchomosci\"]',"
            " '[\"podatki/nieruchomosci\", \"podatki/raty\"]', 'kierownik',"
            " '2026-11-04 10:00:00')",
            "INSERT INTO legal_holds (call_id, reason, set_by, set_at) VALUES"
            f" ('{CALL}', 'Skarga mieszkańca, sygn. OR.1510.3.2026', 'admin',"
            " '2026-11-05 09:00:00')",
        ],
        checks=[
            Check(
                "SELECT status, step, finished_at FROM post_call_jobs",
                [("done", "tag", "2026-11-02 09:23:40")],
            ),
            Check(
                "SELECT speaker, sha256 FROM recording_channels ORDER BY speaker",
                [("agent", SHA_AGENT), ("klient", SHA_CALLER)],
            ),
            Check(
                "SELECT topic_id, source, confidence FROM call_topics ORDER BY topic_id",
                [("podatki/nieruchomosci", "auto", 0.92), ("podatki/raty", "supervisor", 1.0)],
            ),
            Check(
                "SELECT call_id, engine, language, split_by_speaker, text FROM call_transcripts",
                [(CALL, "whisper", "pl", 1, TRANSCRIPT)],
            ),
            Check("SELECT corrected_by FROM topic_corrections", [("kierownik",)]),
            Check("SELECT call_id, set_by FROM legal_holds", [(CALL, "admin")]),
        ],
    ),
    "0013": Step(
        inserts=[
            "INSERT INTO residents (id, name, note, created_at, updated_at, merged_into) VALUES"
            " (1, 'Jan Wiśniewski', 'Preferuje kontakt telefoniczny.', '2026-11-02 09:20:00',"
            " NULL, NULL),"
            " (2, 'Jan Wiśniewski (duplikat)', '', '2026-11-02 09:21:00',"
            " '2026-11-03 08:00:00', 1)",
            "INSERT INTO resident_numbers (resident_id, number, label, created_at) VALUES"
            " (1, '+48601234567', 'komórka', '2026-11-02 09:20:00'),"
            " (1, '+48221112233', 'dom', '2026-11-02 09:20:00')",
        ],
        checks=[
            Check("SELECT id, article FROM transfers", [(1, "")]),
            Check("SELECT id, merged_into FROM residents ORDER BY id", [(1, None), (2, 1)]),
            Check(
                "SELECT resident_id, number, label FROM resident_numbers ORDER BY number",
                [(1, "+48221112233", "dom"), (1, "+48601234567", "komórka")],
            ),
        ],
        note="the transfer of 0007 gets article ''",
    ),
    "0014": Step(
        checks=[Check("SELECT call_id FROM transcript_terms", [(CALL,)])],
        note="transcript_terms built from the transcript of 0012 (read back by the search)",
    ),
    "0015": Step(note="PostgreSQL storage only; the rows of 0014 are rewritten in place"),
    "0016": Step(note="PostgreSQL: topic_lexemes built from the call_topics of 0012"),
    "0018": Step(
        checks=[
            Check(
                "SELECT username, static_contact FROM agents ORDER BY id",
                [
                    ("anna.nowak", None),
                    ("piotr.kowalski", "sip:piotr@192.168.10.21:5060"),
                    ("marek.zielinski", None),
                ],
            )
        ],
        note="the unsafe static_contact of 0001 is cleared, the valid one kept",
    ),
    "0019": Step(
        inserts=[
            "INSERT INTO mail_cursors (mailbox, uidvalidity, last_uid, updated_at) VALUES"
            " ('sekretariat@ug-przykladowo.pl/INBOX', 1764000000, 42, '2026-11-06 08:00:00')",
            "INSERT INTO resident_emails (resident_id, address, created_at) VALUES"
            " (1, 'jan.wisniewski@example.pl', '2026-11-06 08:00:00')",
            "UPDATE residents SET pesel_digest = '" + PESEL_DIGEST + "' WHERE id = 1",
            "INSERT INTO contact_reports (id, topic, note, department, status, owner,"
            " created_by, case_id, created_at, updated_at, channel, resident_id, contact,"
            " waiting_since, reply_due, answered_at) VALUES"
            " (2, 'Odbiór odpadów wielkogabarytowych', '', 'GK', 'nowe', '', 'system', NULL,"
            " '2026-11-06 08:00:00', '2026-11-06 08:00:00', 'email', 1,"
            " 'jan.wisniewski@example.pl', '2026-11-06 08:00:00', '2026-11-20', NULL)",
            "INSERT INTO channel_messages (id, report_id, channel, direction, purpose,"
            ' message_id, in_reply_to, "references", from_address, from_name, to_addresses,'
            " subject, body_text, body_html, auto, sender_check, defects, consent, unparseable,"
            " raw_sha256, size, author, sent_at, received_at, send_state, attempts,"
            " next_attempt_at, last_error) VALUES"
            " (1, 2, 'email', 'in', '', '<20261106.1@example.pl>', '', '',"
            " 'jan.wisniewski@example.pl', 'Jan Wiśniewski', 'sekretariat@ug-przykladowo.pl',"
            " 'Odbiór gabarytów', 'Kiedy jest odbiór gabarytów na ul. Lipowej?', '', '', 'pass',"
            f" '', '', FALSE, '{SHA_FILE}', 2048, '', '2026-11-06 07:59:00',"
            " '2026-11-06 08:00:00', '', 0, NULL, '')",
            "INSERT INTO channel_attachments (message_id, filename, content_type, detected_type,"
            " size, sha256, rejected) VALUES (1, 'zdjecie.jpg', 'image/jpeg', 'image/jpeg',"
            f" 183411, '{SHA_FILE}', '')",
        ],
        checks=[
            Check(
                "SELECT id, channel, resident_id, contact, reply_due FROM contact_reports"
                " ORDER BY id",
                [
                    (1, "telefon", None, "", None),
                    (2, "email", 1, "jan.wisniewski@example.pl", "2026-11-20"),
                ],
            ),
            Check(
                "SELECT id, pesel_digest FROM residents ORDER BY id",
                [(1, PESEL_DIGEST), (2, None)],
            ),
            Check(
                "SELECT resident_id, address FROM resident_emails",
                [(1, "jan.wisniewski@example.pl")],
            ),
            Check(
                "SELECT mailbox, last_uid FROM mail_cursors",
                [
                    ("sekretariat@ug-przykladowo.pl/INBOX", 42),
                ],
            ),
            Check(
                "SELECT m.message_id, m.sender_check, a.filename, a.size FROM channel_messages m"
                " JOIN channel_attachments a ON a.message_id = m.id",
                [("<20261106.1@example.pl>", "pass", "zdjecie.jpg", 183411)],
            ),
        ],
        note="the phone report of 0011 gets channel 'telefon' and contact ''",
    ),
    "0020": Step(
        inserts=[
            "INSERT INTO portal_page_views (day, path, views) VALUES"
            " ('2026-11-06', '/', 148), ('2026-11-06', '/sprawy', 31)"
        ],
        checks=[
            Check(
                "SELECT day, path, views FROM portal_page_views ORDER BY path",
                [
                    ("2026-11-06", "/", 148),
                    ("2026-11-06", "/sprawy", 31),
                ],
            ),
        ],
    ),
    "0021": Step(
        inserts=[
            "INSERT INTO dues_payers (number, pin_hash, initials, updated_at) VALUES"
            f" ('NR/2026/0173', '{PASSWORD}', 'J.W.', '2026-11-01 06:00:00')",
            "INSERT INTO dues_items (item_id, payer, title, amount, paid, due, account,"
            " transfer_title, updated_at) VALUES"
            " ('PN-2026-0173-3', 'NR/2026/0173', 'Podatek od nieruchomości, rata III', 41200,"
            " 0, '2026-09-15', '12102010260000042270201111', 'PN/0173/III',"
            " '2026-11-01 06:00:00'),"
            " ('OK-2026-0173-11', 'NR/2026/0173', 'Opłata za odpady, listopad', 3600, 3600,"
            " '2026-11-15', '12102010260000042270201111', 'OK/0173/11', '2026-11-01 06:00:00')",
        ],
        checks=[
            Check(
                "SELECT p.number, p.initials, count(*) FROM dues_payers p"
                " JOIN dues_items i ON i.payer = p.number GROUP BY p.number, p.initials",
                [("NR/2026/0173", "J.W.", 2)],
            ),
            Check(
                "SELECT item_id, amount, paid, due FROM dues_items ORDER BY due",
                [
                    ("PN-2026-0173-3", 41200, 0, "2026-09-15"),
                    ("OK-2026-0173-11", 3600, 3600, "2026-11-15"),
                ],
            ),
        ],
    ),
    "0022": Step(
        inserts=[
            "INSERT INTO announcements (id, title, slug, summary, body, category_id, solectwa,"
            " state, publish_at, expires_at, author, created_at, updated_at, mailed_at) VALUES"
            " (1, 'Zbiórka odpadów wielkogabarytowych', 'zbiorka-gabarytow',"
            " 'Odbiór 20 listopada.', 'Wystaw odpady do 6:00.',"
            " (SELECT id FROM news_categories WHERE slug = 'odpady'), '[\"Lipowa\"]',"
            " 'published', '2026-11-07 08:00:00', NULL, 'ewa.urzednik', '2026-11-06 14:00:00',"
            " '2026-11-06 14:00:00', '2026-11-07 08:05:00')",
            "INSERT INTO news_subscribers (id, email, state, categories, solectwa,"
            " confirm_hash, generation, consent, requested_at, confirmed_at) VALUES"
            " (1, 'jan.wisniewski@example.pl', 'active', '[\"odpady\"]', '[]', '', 1,"
            " 'Zgoda na powiadomienia, wersja 1', '2026-11-01 18:00:00', '2026-11-01 18:05:00')",
            "INSERT INTO news_deliveries (announcement_id, subscriber_id, state, attempts,"
            " message_id, sent_at) VALUES (1, 1, 'wyslane', 1, '<news.1.1@ug-przykladowo.pl>',"
            " '2026-11-07 08:05:00')",
        ],
        checks=[
            Check("SELECT count(*) FROM news_categories", [(10,)]),
            Check(
                "SELECT a.slug, c.slug, d.state FROM announcements a"
                " JOIN news_categories c ON c.id = a.category_id"
                " JOIN news_deliveries d ON d.announcement_id = a.id",
                [("zbiorka-gabarytow", "odpady", "wyslane")],
            ),
            Check(
                "SELECT email, state, pending_categories FROM news_subscribers",
                [
                    ("jan.wisniewski@example.pl", "active", "[]"),
                ],
            ),
        ],
        note="the seeded categories stay; the announcement points at one of them",
    ),
    "0023": Step(
        inserts=[
            "INSERT INTO consultations (id, slug, title, summary, description, starts_on,"
            " ends_on, names, ask_solectwo, report_intro, report_published_at, created_by,"
            " created_at, updated_at) VALUES (1, 'plan-ogolny-2027',"
            " 'Projekt planu ogólnego gminy', 'Uwagi do projektu.', 'Opis projektu planu.',"
            " '2026-11-01', '2026-11-30', 'optional', TRUE, '', NULL, 'ewa.urzednik',"
            " '2026-10-28 10:00:00', '2026-10-28 10:00:00')",
            "INSERT INTO consultation_documents (id, consultation_id, title, filename,"
            " media_type, size, sha256, created_at) VALUES (1, 1, 'Projekt planu',"
            f" 'projekt-planu.pdf', 'application/pdf', 1048576, '{SHA_FILE}',"
            " '2026-10-28 10:05:00')",
            "INSERT INTO consultation_comments (consultation_id, number, text, name,"
            " name_consent, solectwo, document_id, section, nonce, created_at, hidden,"
            " hidden_reason, moderated_by, moderated_at, response) VALUES"
            " (1, 1, 'Proszę o ścieżkę rowerową wzdłuż Lipowej.', 'Jan W.',"
            " 'Zgoda na publikację imienia', 'Lipowa', 1, '§ 4', 'n0nce00000000000000000000000001',"
            " '2026-11-05 19:00:00', FALSE, '', '', NULL, '')",
        ],
        checks=[
            Check(
                "SELECT c.slug, d.filename, k.number, k.solectwo FROM consultation_comments k"
                " JOIN consultations c ON c.id = k.consultation_id"
                " JOIN consultation_documents d ON d.id = k.document_id",
                [("plan-ogolny-2027", "projekt-planu.pdf", 1, "Lipowa")],
            )
        ],
    ),
    "0024": Step(
        inserts=[
            "INSERT INTO notify_messages (batch, subject, text, audio, confirm, created_at)"
            " VALUES ('ostrzezenie-1', 'Ostrzeżenie: silny wiatr',"
            " 'Silny wiatr do 90 km/h od 18:00.', '', TRUE, '2026-11-08 15:00:00')",
            "INSERT INTO notify_deliveries (batch, channel, address, recipient, status,"
            " attempts, max_attempts, next_at, updated_at, confirmed_at, detail) VALUES"
            " ('ostrzezenie-1', 'sms', '+48601234567', 'sub:1', 'confirmed', 1, 3,"
            " '2026-11-08 15:00:00', '2026-11-08 15:02:00', '2026-11-08 15:02:00', ''),"
            " ('ostrzezenie-1', 'email', 'jan.wisniewski@example.pl', 'sub:1', 'sent', 1, 1,"
            " '2026-11-08 15:00:00', '2026-11-08 15:00:30', NULL, '')",
        ],
        checks=[
            Check(
                "SELECT m.subject, m.confirm, count(*) FROM notify_messages m"
                " JOIN notify_deliveries d ON d.batch = m.batch GROUP BY m.subject, m.confirm",
                [("Ostrzeżenie: silny wiatr", 1, 2)],
            ),
            Check(
                "SELECT channel, status, confirmed_at FROM notify_deliveries ORDER BY channel",
                [("email", "sent", None), ("sms", "confirmed", "2026-11-08 15:02:00")],
            ),
        ],
    ),
    "0025": Step(
        inserts=[
            "INSERT INTO incidents (id, category_id, title, description, lat, lon, address,"
            " solectwo, priority, status, source, reporter_name, reporter_phone, photo_sha256,"
            " photo_type, merged_into, created_by, created_at, updated_at) VALUES"
            " (1, (SELECT id FROM threat_categories WHERE slug = 'drzewo'),"
            " 'Drzewo na ul. Lipowej', 'Blokuje oba pasy.', 52.2297, 21.0122, 'Lipowa 12',"
            " 'Lipowa', 'wysoki', 'w_realizacji', 'telefon', 'Jan Wiśniewski', '+48601234567',"
            " '', '', NULL, 'anna.nowak', '2026-11-08 18:40:00', '2026-11-08 19:00:00')",
            "INSERT INTO incident_events (incident_id, at, actor, kind, detail) VALUES"
            " (1, '2026-11-08 18:40:00', 'anna.nowak', 'utworzone', ''),"
            " (1, '2026-11-08 19:00:00', 'dyzurny', 'status', 'w_realizacji')",
            "INSERT INTO incident_links (incident_id, kind, ref, added_by, added_at) VALUES"
            f" (1, 'call', '{CALL}', 'anna.nowak', '2026-11-08 18:41:00')",
        ],
        checks=[
            Check("SELECT count(*) FROM threat_categories", [(11,)]),
            Check(
                "SELECT i.title, c.slug, i.status, i.lat FROM incidents i"
                " JOIN threat_categories c ON c.id = i.category_id",
                [("Drzewo na ul. Lipowej", "drzewo", "w_realizacji", 52.2297)],
            ),
            Check("SELECT kind, ref FROM incident_links", [("call", CALL)]),
            Check("SELECT count(*) FROM incident_events", [(2,)]),
        ],
    ),
    "0026": Step(
        inserts=[
            "INSERT INTO address_points (key, place, street, number, postcode, solectwo, lat,"
            " lon, place_key, street_key, number_key, search, updated_at) VALUES"
            " ('przykladowo|lipowa|12', 'Przykładowo', 'Lipowa', '12', '05-123', 'Lipowa',"
            " 52.2297, 21.0122, 'przykladowo', 'lipowa', '12', 'przykladowo lipowa 12',"
            " '2026-11-01 06:00:00')",
            "INSERT INTO responders (id, kind, name, lat, lon, address, phone, email, channels,"
            " always_on, weekly, exceptions, availability, active, updated_at) VALUES"
            " (1, 'osp', 'OSP Przykładowo', 52.23, 21.01, 'Strażacka 1', '+48600100200',"
            " 'osp@example.pl', 'sms,voice', TRUE, '{}', '[]', 'dostepny', TRUE,"
            " '2026-11-01 06:00:00')",
            "INSERT INTO dispatches (id, incident_id, responder_id, sent_by, sent_at, status,"
            " answered_at, note, text) VALUES (1, 1, 1, 'anna.nowak', '2026-11-08 18:45:00',"
            " 'potwierdzone', '2026-11-08 18:47:00', '', 'Drzewo na ul. Lipowej 12.')",
            'INSERT INTO dispatch_events (dispatch_id, at, status, "by", detail) VALUES'
            " (1, '2026-11-08 18:47:00', 'potwierdzone', 'sms', 'TAK')",
        ],
        checks=[
            Check(
                "SELECT key, postcode FROM address_points",
                [
                    ("przykladowo|lipowa|12", "05-123"),
                ],
            ),
            Check(
                "SELECT r.name, d.status, e.detail FROM dispatches d"
                " JOIN responders r ON r.id = d.responder_id"
                " JOIN dispatch_events e ON e.dispatch_id = d.id",
                [("OSP Przykładowo", "potwierdzone", "TAK")],
            ),
        ],
    ),
    "0027": Step(
        inserts=[
            "INSERT INTO warnings (title, text, details, severity, solectwa, channels,"
            " valid_from, valid_until, incident_id, audio, state, created_by, sent_by,"
            " cancelled_by, created_at, sent_at, cancelled_at) VALUES"
            " ('Silny wiatr', 'Silny wiatr do 90 km/h.', '', 'ostrzezenie', '[]',"
            " '[\"portal\", \"sms\"]', '2026-11-08 15:00:00', '2026-11-09 06:00:00', 1, '',"
            " 'wyslane', 'dyzurny', 'dyzurny', '', '2026-11-08 14:50:00',"
            " '2026-11-08 15:00:00', NULL)",
            "INSERT INTO warning_subscriptions (channel, address, solectwa, state, consent_how,"
            " consent_at, consent_call_id, consent_official, consent_text, consent_version,"
            " created_at) VALUES ('sms', '+48601234567', '[\"Lipowa\"]', 'active', 'telefon',"
            f" '2026-11-02 09:20:00', '{CALL}', 'anna.nowak', 'Zgoda ustna na ostrzeżenia SMS.',"
            " '1', '2026-11-02 09:20:00')",
        ],
        checks=[
            Check(
                "SELECT title, state, incident_id, channels FROM warnings",
                [
                    ("Silny wiatr", "wyslane", 1, '["portal", "sms"]'),
                ],
            ),
            Check(
                "SELECT address, state, consent_call_id, code_tries FROM warning_subscriptions",
                [("+48601234567", "active", CALL, 0)],
            ),
        ],
    ),
    "0028": Step(
        inserts=[
            "INSERT INTO agent_presence_log (agent_id, at, logged_in) VALUES"
            " (1, '2026-11-02 07:55:00', TRUE), (1, '2026-11-02 15:30:00', FALSE)"
        ],
        checks=[
            Check(
                "SELECT agent_id, at, logged_in FROM agent_presence_log ORDER BY at",
                [
                    (1, "2026-11-02 07:55:00", 1),
                    (1, "2026-11-02 15:30:00", 0),
                ],
            ),
        ],
    ),
}
