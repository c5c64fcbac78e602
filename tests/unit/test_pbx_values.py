"""The grammars of values that reach Asterisk's files: what passes and what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cic import pbx_values as values
from cic.asterisk.rendering import unsafe_reason
from cic.pbx_values import UnsafeValue

# Payloads that would add a section, a comment, an expression or end a C string.
INJECTIONS = [
    "x\n[evil]\ntype=endpoint",
    "x\r\n[evil]",
    "[evil]",
    "x;comment",
    "${SHELL(id)}",
    "$[1+1]",
    "x\x00y",
    "x\u2028y",
    "x,evil",
    "x&PJSIP/evil",
    "x\\",
]

SIP_VALID = [
    "sip:10.0.0.5",
    "sip:agent-anna@127.0.0.1:5071",
    "sips:agent-anna@pbx.gmina.example.pl",
    "sip:pbx.gmina.example.pl.",
    "sip:48221234567@10.0.0.1:5060;transport=udp",
    "sip:user@host;transport=tcp",
    "sip:[2001:db8::1]:5060",
    "sip:agent@[::1]",
    "sip:+48.22_x!~*&=@h-1.example",
    "sip:a@1.2.3.4:65535",
]
SIP_INVALID = [
    "",
    "sip:",
    "http://10.0.0.5",
    "SIP:10.0.0.5",
    "sip:10.0.0.5:0",
    "sip:10.0.0.5:65536",
    "sip:10.0.0.5:05060",
    "sip:1.2.3.999",
    "sip:-bad.example",
    "sip:bad-.example",
    "sip:a..b",
    "sip:[::g]",
    "sip:[1.2.3.4]",
    "sip:user:password@host",
    "sip:user@host;lr",
    "sip:user@host;transport=sctp",
    "sip:user@host?Subject=x",
    "sip:us%0Aer@host",
    "sip:a b@host",
    "sip:" + "a" * 65 + "@host",
    "sip:10.0.0.5\n",
    *(f"sip:agent@10.0.0.5{p}" for p in INJECTIONS),
    *(f"sip:{p}@10.0.0.5" for p in INJECTIONS),
]


@pytest.mark.parametrize("uri", SIP_VALID)
def test_sip_uris_an_office_needs_are_accepted(uri: str) -> None:
    assert values.SipUri.parse(uri, "f") == uri


@pytest.mark.parametrize("uri", SIP_INVALID)
def test_other_sip_uris_are_refused_with_the_field_named(uri: str) -> None:
    with pytest.raises(UnsafeValue) as err:
        values.SipUri.parse(uri, "Stały adres telefonu")
    assert err.value.status == 400 and err.value.error_id == "invalid_value"
    assert err.value.message.startswith("Stały adres telefonu: adres SIP")


def test_non_strings_are_refused() -> None:
    for value in (None, 5, ["sip:x"], {"a": 1}, b"sip:x"):
        with pytest.raises(UnsafeValue):
            values.SipUri.parse(value, "f")


def test_sip_uri_for_a_config_file_escapes_the_parameter() -> None:
    uri = values.SipUri.parse("sip:a@10.0.0.1;transport=tcp", "f")
    conf = uri.for_conf()
    assert conf == "sip:a@10.0.0.1\\;transport=tcp"
    assert values.ConfSipUri.valid(conf) and unsafe_reason(conf) is None
    assert not values.ConfSipUri.valid("sip:a@10.0.0.1;transport=tcp")  # a bare ";" comments
    assert not values.ConfSipUri.valid("sip:a@10.0.0.1\\;transport=tcp\\")


TABLES: list[tuple[type[values.AsteriskValue], list[str], list[str]]] = [
    (values.ObjectName, ["cic", "agent-anna", "test-123-1", "A_b"], ["", "-x", "_x", "a.b",
     "a" * 81, "ż", "a b"]),
    (values.QueueName, ["pierwsza-linia", "FN_1"], ["", "-q", "q,t", "q" * 65, "kolejka ż"]),
    (values.QueueStrategy, ["rrmemory", "ringall"], ["", "RINGALL", "rrmemory\n"]),
    (values.RecordingPolicyName, ["opt-out", "never"], ["sometimes", "never;"]),
    (values.Digits, ["0", "48820000000"], ["", "+48", "1 2", "²", "٣", "1" * 33]),
    (values.Extension, ["1000", "+48820000000"], ["", "++1", "1+", "1-2"]),
    (values.PhoneNumber, ["+48 82 000 00 00", "820000000", "123"], ["", "12", "+48  82",
     "48-82", " 48", "48 "]),
    (values.DtmfKey, ["5", "*", "#"], ["", "55", "a", "\n"]),
    (values.DialTemplate, ["PJSIP/{number}@residents", "PJSIP/trunk/sip:{number}@10.0.0.1",
     "Local/{number}@cic-out"], ["", "PJSIP/residents", "PJSIP/{number}{number}",
     "PJSIP/{number}@residents,10,U(x)", "PJSIP/{number}&PJSIP/x", "PJSIP/${X}{number}",
     "PJSIP/{number} @x", "{number}", "1PJSIP/{number}", "PJSIP/{other}{number}"]),
    (values.HostName, ["127.0.0.1", "0.0.0.0", "localhost", "pbx.example.pl"], ["", "1.2.3",
     "1.2.3.4.5", "256.1.1.1", "a_b", "::1", "a b", "-a"]),
    (values.TrunkMatch, ["127.0.0.1", "10.0.0.0/24", "10.0.0.1/32", "2001:db8::/32", "::1",
     "sbc.operator.pl"], ["", "10.0.0.0/33", "10.0.0.0/x", "10.0.0.0/", "a/24", "::g"]),
    (values.DisplayName, ["Anna Kowalska", "Ewa Żółkiewska 🙂", "<b>\"O'Brien\" & syn</b>"],
     ["", " Anna", "Anna ", "a" * 201, "Anna\nKowalska"]),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "good", "bad"), TABLES, ids=[t[0].__name__ for t in TABLES])
def test_grammar_tables(kind: type[values.AsteriskValue], good: list[str], bad: list[str]) -> None:
    for text in good:
        assert kind.parse(text, "pole") == text, text
        assert unsafe_reason(kind(text)) is None, text
    # a person's name may hold "," and "&" (it reaches pjsip.conf filtered, see below)
    harmless = {"x,evil", "x&PJSIP/evil"} if kind is values.DisplayName else set()
    for text in [*bad, *(p for p in INJECTIONS if p not in harmless)]:
        with pytest.raises(UnsafeValue, match=r"^pole: "):
            kind.parse(text, "pole")
        assert unsafe_reason(kind(text)) is not None, text  # the renderer re-checks a forgery


def test_phone_number_digits() -> None:
    assert values.PhoneNumber.parse("+48 82 000 00 00", "f").digits == "48820000000"


def test_sip_display_name_keeps_letters_only() -> None:
    assert values.sip_display_name('Anna "Kowalska" <x>\n[evil];${X}') == "Anna Kowalska xevilX"
    assert values.sip_display_name("ż" * 100) == "ż" * 60


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_nothing_accepted_carries_injection_syntax(text: str) -> None:
    """Whatever the input, an accepted value has no line break, NUL, ';', '$', brackets
    (IPv6 literals aside) or backslash."""
    for kind in (values.SipUri, values.ObjectName, values.QueueName, values.DialTemplate,
                 values.HostName, values.TrunkMatch, values.PhoneNumber):  # fmt: skip
        for candidate in (text, "sip:" + text, "sip:a@" + text, "PJSIP/{number}" + text):
            if not kind.valid(candidate):
                continue
            assert not values.has_control(candidate)
            assert not set(candidate) & set("$\\,&\"'(){}" if kind is not values.DialTemplate
                                            else "$\\,&\"'()")  # fmt: skip
            assert ";" not in candidate or candidate.endswith(
                ("transport=udp", "transport=tcp", "transport=tls", "transport=ws", "transport=wss")
            )
            if "[" in candidate or "]" in candidate:  # only an IPv6 literal in a SIP URI
                assert kind is values.SipUri
                assert candidate.count("[") == candidate.count("]") == 1
