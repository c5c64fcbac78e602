"""The resident's SIPp scenario: the pauses between keys."""

from __future__ import annotations

import re

from cic.demo.scenarios import ResidentCall, resident_xml


def _pauses(call: ResidentCall) -> list[int]:
    return [int(ms) for ms in re.findall(r'<pause milliseconds="(\d+)"/>', resident_xml(call))]


def test_each_key_is_followed_by_the_same_gap_by_default() -> None:
    call = ResidentCall(dtmf_pcaps=("a.pcap", "b.pcap", "c.pcap"), dtmf_after_ms=900)
    assert _pauses(call) == [900, 400, 400, 400]
    assert resident_xml(call).count("play_pcap_audio") == 3


def test_pauses_given_per_key_come_first_and_the_gap_after_them() -> None:
    keys = ("a.pcap", "b.pcap", "c.pcap", "d.pcap")
    call = ResidentCall(dtmf_pcaps=keys, dtmf_gap_ms=300, dtmf_pauses_ms=(1_000, 6_000))
    assert _pauses(call) == [800, 1_000, 6_000, 300, 300]


def test_without_keys_there_is_no_pause() -> None:
    assert _pauses(ResidentCall(dtmf_pauses_ms=(5_000,))) == []


def test_a_repeating_resident_speaks_until_answered_and_hung_up_or_the_limit() -> None:
    call = ResidentCall(audio_pcap="mowa.pcap", repeat_audio_ms=5_000, hangup_after_ms=16_000)
    xml = resident_xml(call)
    assert xml.count('play_pcap_audio="mowa.pcap"') == 3  # 16 s / 5 s: said three times
    waits = re.findall(r'<recv request="BYE" timeout="(\d+)" ontimeout="(\w+)"/>', xml)
    assert waits == [("5000", "say1"), ("5000", "say2"), ("5000", "hangup")]
    assert xml.count('<send next="done">') == 3  # a BYE in any pause is answered
    assert xml.count('<label id="hangup"/>') == 1 and xml.count("CSeq: 2 BYE") == 1


def test_without_repeat_the_audio_is_played_once() -> None:
    xml = resident_xml(ResidentCall(audio_pcap="mowa.pcap", hangup_after_ms=9_000))
    assert xml.count("play_pcap_audio") == 1
    assert '<recv request="BYE" timeout="9000" ontimeout="hangup"/>' in xml
