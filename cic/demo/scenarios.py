"""SIPp scenario XML for a resident calling in and for an agent's phone.

Scenarios are generated rather than kept as fixed files because the caller ID under test (quotes,
shell and SQL metacharacters, 300 characters, empty) must be placed in the From header exactly,
and SIPp's ``-key`` values cannot express an absent display name or an absent user part.
"""

from __future__ import annotations

from dataclasses import dataclass

SDP = """v=0
o=cic 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 0 101
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
"""


def from_header(number: str, name: str) -> str:
    """A From header value carrying ``name`` and ``number`` (either may be empty)."""
    if "]]>" in name or "[" in name or "]" in name or "\n" in name or "\r" in name:
        raise ValueError("caller name cannot be sent by SIPp: brackets or line breaks")
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    display = f'"{quoted}" ' if name else ""
    user = f"{number}@" if number else ""
    return f"{display}<sip:{user}[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]"


@dataclass(frozen=True)
class ResidentCall:
    """What the resident does: who they claim to be, what they play, keys, when they hang up."""

    number: str = "48500100200"
    name: str = "Jan Testowy"
    audio_pcap: str = ""
    dtmf_pcaps: tuple[str, ...] = ()
    dtmf_after_ms: int = 800
    audio_after_ms: int = 0
    hangup_after_ms: int = 10_000
    dtmf_gap_ms: int = 400
    #: The pause after each key, in order, where given (a longer one lets a prompt play out
    #: between groups of keys); keys past its end pause ``dtmf_gap_ms``.
    dtmf_pauses_ms: tuple[int, ...] = ()
    #: When set, ``audio_pcap`` is played again every so many milliseconds until the other
    #: side hangs up or ``hangup_after_ms`` has passed (a resident who keeps talking while the
    #: call waits for an agent, so whoever answers hears them).
    repeat_audio_ms: int = 0


#: The made-up resident of ``cic demo call``; their calls are not the office's own.
DEMO_RESIDENT = ResidentCall(number="48500100200", name="Jan Testowy (demo)")


def _pause_after(call: ResidentCall, index: int) -> int:
    pauses = call.dtmf_pauses_ms
    return pauses[index] if index < len(pauses) else call.dtmf_gap_ms


def resident_xml(call: ResidentCall) -> str:
    """UAC: INVITE the dialled number, play audio and keys, hang up after a while or on BYE."""
    dtmf = "".join(
        f'<nop><action><exec play_pcap_audio="{p}"/></action></nop>'
        f'<pause milliseconds="{_pause_after(call, i)}"/>'
        for i, p in enumerate(call.dtmf_pcaps)
    )
    audio = (
        f'<nop><action><exec play_pcap_audio="{call.audio_pcap}"/></action></nop>'
        if call.audio_pcap
        else ""
    )
    pre_dtmf = f'<pause milliseconds="{call.dtmf_after_ms}"/>' if dtmf else ""
    if audio and call.audio_after_ms:
        audio = f'<pause milliseconds="{call.audio_after_ms}"/>' + audio
    if audio and call.repeat_audio_ms:
        return _resident(call, pre_dtmf + dtmf + _repeated(call, audio))
    ending = f'<recv request="BYE" timeout="{call.hangup_after_ms}" ontimeout="hangup"/>'
    return _resident(call, pre_dtmf + dtmf + audio + "\n" + ending + _BYE_OK)


_BYE_OK = """
<send next="done"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>"""


def _repeated(call: ResidentCall, audio: str) -> str:
    """``audio`` every ``repeat_audio_ms`` until BYE (answered) or ``hangup_after_ms``."""
    times = max(1, call.hangup_after_ms // call.repeat_audio_ms)
    blocks = []
    for i in range(times):
        after = f"say{i + 1}" if i + 1 < times else "hangup"
        blocks.append(
            f'<label id="say{i}"/>\n{audio}\n'
            f'<recv request="BYE" timeout="{call.repeat_audio_ms}" ontimeout="{after}"/>{_BYE_OK}'
        )
    return "\n".join(blocks)


def _resident(call: ResidentCall, talk: str) -> str:
    """The resident's scenario around ``talk`` (what happens between ACK and hanging up,
    ending with the answer to the other side's BYE)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<scenario name="cic resident">
<send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: {from_header(call.number, call.name)}
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:resident@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

{SDP}]]></send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="183" optional="true"/>
<recv response="200" rtd="true"/>
<send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: {from_header(call.number, call.name)}
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:resident@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
{talk}
<label id="hangup"/>
<send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: {from_header(call.number, call.name)}
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: <sip:resident@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="200" crlf="true"/>
<label id="done"/>
</scenario>
"""


@dataclass(frozen=True)
class AgentPhone:
    """How an agent's phone behaves: rings for a while, answers (or never), plays audio."""

    ring_ms: int = 500
    answer: bool = True
    audio_pcap: str = ""
    hangup_after_ms: int = 0


def agent_xml(phone: AgentPhone) -> str:
    """UAS: ring, then answer and talk until BYE (or hang up first), or ring until CANCEL."""
    reply = """<send><![CDATA[
SIP/2.0 {code}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:agent@[local_ip]:[local_port]>
{extra}Content-Length: {length}

{body}]]></send>"""
    ringing = reply.format(code="180 Ringing", extra="", length="0", body="")
    if not phone.answer:
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<scenario name="cic agent never answers">
<recv request="INVITE" crlf="true"/>
{ringing}
<recv request="CANCEL"/>
{reply.format(code="200 OK", extra="", length="0", body="")}
{reply.format(code="487 Request Terminated", extra="", length="0", body="")}
<recv request="ACK"/>
</scenario>
"""
    ok = reply.format(
        code="200 OK", extra="Content-Type: application/sdp\n", length="[len]", body=SDP
    )
    audio = (
        f'<nop><action><exec play_pcap_audio="{phone.audio_pcap}"/></action></nop>'
        if phone.audio_pcap
        else ""
    )
    bye_ok = reply.format(code="200 OK", extra="", length="0", body="")
    bye_ok = bye_ok.replace(";tag=[pid]SIPpTag01[call_number]", "")
    ending = (
        f"""<recv request="BYE" timeout="{phone.hangup_after_ms}" ontimeout="hangup"/>"""
        if phone.hangup_after_ms
        else """<recv request="BYE"/>"""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<scenario name="cic agent">
<recv request="INVITE" crlf="true">
<action><ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>
<ereg regexp="&lt;([^&gt;]*)&gt;" search_in="hdr" header="Contact:"
 assign_to="contact,remote_target"/>
</action>
</recv>
<Reference variables="contact"/>
{ringing}
<pause milliseconds="{phone.ring_ms}"/>
{ok}
<recv request="ACK"/>
{audio}
{ending}
{bye_ok}
<nop next="done"/>
<label id="hangup"/>
<send retrans="500"><![CDATA[
BYE [$remote_target] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:agent@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
To: [$remote_from]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="200"/>
<label id="done"/>
</scenario>
"""
