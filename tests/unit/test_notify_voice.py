"""The voice sender's rules with a fake originator and a fake clock: never more calls up than
the limit, call starts paced, reports parsed and matched to the call they belong to, calls
whose report never comes failed after the timeout, and bad values refused before they could
reach the dialplan."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from cic import pbx_values as values
from cic.asterisk.actions import PbxError
from cic.config import ConfigError, VoiceCallSettings, load_settings
from cic.notify.service import Claimed, Outgoing
from cic.notify.voice import VoiceCall, VoiceSender, dial_target, parse_result

MESSAGE = Outgoing("Uwaga, silny wiatr.")
SOUND = values.SoundPath("/srv/cic/test/sounds/cic-pl/notify/warning-abc")


class Clock:
    """Seconds that move only when the sender sleeps (or the test moves them)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class FakeStore:
    """Due deliveries in a list; finishes recorded."""

    def __init__(self, addresses: list[str]) -> None:
        self.due = [
            Claimed(i + 1, "warning:1", "voice", a, "", 1, 3, MESSAGE)
            for i, a in enumerate(addresses)
        ]
        self.finished: list[tuple[int, str, str]] = []
        self.claims: list[int] = []

    async def claim(self, channel: str, limit: int) -> list[Claimed]:
        assert channel == "voice"
        self.claims.append(limit)
        taken, self.due = self.due[:limit], self.due[limit:]
        return taken

    async def finish(self, delivery_id: int, outcome: str, detail: str = "") -> dict[str, Any]:
        self.finished.append((delivery_id, outcome, detail))
        return {}

    async def recover(self, channel: str) -> int:
        return 0


class FakeOriginator:
    """Records each call and when it was started; refuses numbers in ``refuse``."""

    def __init__(self, clock: Clock, refuse: tuple[str, ...] = ()) -> None:
        self.clock, self.refuse = clock, refuse
        self.calls: list[tuple[float, VoiceCall]] = []
        self.up = True

    def ready(self) -> bool:
        return self.up

    async def place(self, call: VoiceCall) -> None:
        if any(call.dial.endswith(f"{n}@residents") for n in self.refuse):
            raise PbxError("Originate", "Extension does not exist.")
        self.calls.append((self.clock(), call))


async def sound(_batch: str, _message: Outgoing) -> values.SoundPath:
    return SOUND


def sender_for(
    addresses: list[str], **settings: Any
) -> tuple[VoiceSender, FakeStore, FakeOriginator, Clock]:
    clock = Clock()
    store, originator = FakeStore(addresses), FakeOriginator(clock)
    voice = VoiceCallSettings(**{"channels": 5, "calls_per_second": 2.0, **settings})
    sender = VoiceSender(store, originator, sound, voice, clock=clock, sleep=clock.sleep)
    return sender, store, originator, clock


def phones(count: int) -> list[str]:
    return [str(500_100_200 + i) for i in range(count)]


async def test_never_more_calls_up_than_the_limit() -> None:
    sender, store, originator, _ = sender_for(phones(12))
    assert await sender.step() == 5
    assert len(sender.active) == 5 and len(store.due) == 7
    assert await sender.step() == 0  # full: nothing more is even claimed
    assert store.claims == [4, 1]  # a few at a time (calls_per_second * 2), then the last slot
    for delivery_id in (1, 2):
        assert await sender.report(delivery_id, 1, "answered") == "answered"
    assert await sender.step() == 2
    assert len(sender.active) == 5
    assert sender.status()["peak"] == 5 and sender.status()["placed"] == 7
    assert [c.delivery_id for _, c in originator.calls] == [1, 2, 3, 4, 5, 6, 7]


def test_the_limit_keeps_the_trunks_reserve_for_inbound_calls() -> None:
    settings = VoiceCallSettings(channels=40, trunk_channels=30, inbound_reserve=10)
    assert settings.limit == 20
    assert dataclasses.replace(settings, channels=8).limit == 8
    assert dataclasses.replace(settings, inbound_reserve=29).limit == 1


async def test_call_starts_are_paced() -> None:
    sender, store, originator, clock = sender_for(phones(5), calls_per_second=4.0)
    await sender.step()
    starts = [at for at, _ in originator.calls]
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(starts)]
    assert gaps == [0.25, 0.25, 0.25, 0.25]
    assert sender.status()["calls_per_second"] == 4.0
    clock.now += 10  # a quiet while: the next call starts at once, no burst is saved up
    await sender.report(1, 1, "confirmed")
    slept = len(clock.slept)
    store.due.append(Claimed(99, "warning:1", "voice", "500100299", "", 1, 3, MESSAGE))
    await sender.step()
    assert len(clock.slept) == slept
    assert originator.calls[-1] == (clock.now, originator.calls[-1][1])


async def test_a_report_finishes_its_call_with_the_parsed_outcome() -> None:
    sender, store, _, _ = sender_for(phones(3))
    await sender.step()
    assert await sender.report(1, 1, "BUSY") == "busy"
    assert await sender.report(2, 1, "CHANUNAVAIL") == "failed"
    assert await sender.report(3, 2, "confirmed") is None  # another attempt's report
    assert await sender.report(1, 1, "answered") is None  # the same report twice
    assert await sender.report(77, 1, "confirmed") is None  # no such call
    assert store.finished == [(1, "busy", ""), (2, "failed", "numer niedostępny")]
    assert list(sender.active) == [3]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("confirmed", "confirmed"), ("answered", "answered"), ("hung_up", "hung_up"),
        ("BUSY", "busy"), ("NOANSWER", "no_answer"), ("CANCEL", "no_answer"),
        ("CONGESTION", "failed"), ("CHANUNAVAIL", "failed"), ("FULL", "busy"),
        ("", "failed"), ("ANSWER'; DROP TABLE x;--", "failed"), ("\x00" * 300, "failed"),
    ],
)  # fmt: skip
def test_report_parsing(status: str, outcome: str) -> None:
    parsed, detail = parse_result(status)
    assert parsed == outcome
    assert len(detail) < 80 and "\x00" not in detail


async def test_a_call_whose_report_never_comes_fails_after_the_timeout() -> None:
    sender, store, _, clock = sender_for(phones(2), report_timeout_seconds=60)
    await sender.step()
    clock.now += 59
    await sender.step()
    assert store.finished == []
    clock.now += 2
    await sender.step()
    assert [(i, o) for i, o, _ in store.finished] == [(1, "failed"), (2, "failed")]
    assert sender.active == {} and sender.status()["timed_out"] == 2


async def test_nothing_is_claimed_while_the_pbx_is_unreachable() -> None:
    sender, store, originator, _ = sender_for(phones(2))
    originator.up = False
    assert await sender.step() == 0
    assert store.claims == [] and len(store.due) == 2


async def test_a_refused_originate_fails_the_delivery_and_frees_its_channel() -> None:
    sender, store, originator, _ = sender_for(phones(2))
    originator.refuse = ("500100200",)
    await sender.step()
    assert store.finished[0][:2] == (1, "failed")
    assert "centrala odrzuciła" in store.finished[0][2]
    assert list(sender.active) == [2]


@pytest.mark.parametrize(
    "address",
    ["50010020a", "500100200,t", "500&PJSIP/x", "${SHELL(reboot)}", "1" * 300, "", "5 00"],
)
async def test_a_number_that_breaks_the_dial_grammar_is_never_dialled(address: str) -> None:
    sender, store, originator, _ = sender_for([address])
    await sender.step()
    assert originator.calls == []
    assert store.finished[0][1] == "failed" and sender.active == {}


@pytest.mark.parametrize(
    "audio",
    ["../../etc/passwd", "a,b.wav", "x&y", "$(reboot).wav", "'; DROP TABLE x;--", "n" * 300],
)
async def test_a_recording_name_that_breaks_its_grammar_is_refused(audio: str) -> None:
    from pathlib import Path

    from cic.notify.voice import SpokenMessages

    spoken = SpokenMessages(Path("/nonexistent"), "/srv/cic/x/sounds/cic-pl/notify")
    with pytest.raises(values.UnsafeValue):
        await spoken("warning:1", Outgoing("Uwaga.", audio=audio))


def test_dial_targets_take_the_prefix_and_only_digits() -> None:
    settings = VoiceCallSettings()
    assert dial_target(settings, "500100200") == "PJSIP/0500100200@residents"
    for bad in ("500100200@evil", "500 100", "+48500100200", "../../etc/passwd"):
        with pytest.raises(values.UnsafeValue):
            dial_target(settings, bad)


@pytest.mark.parametrize(
    "path",
    [
        "/srv/cic/x/../../etc/passwd", "relative/file", "/a/b,c", "/a/b&c", "/a/${X}",
        "/a/b c", "/a/b\nc", "/" + "a" * 300, "/a/.", "/a/b.",
    ],
)  # fmt: skip
def test_sound_paths_are_checked(path: str) -> None:
    assert not values.SoundPath.valid(path)


def test_sound_paths_asterisk_plays() -> None:
    assert values.SoundPath.valid("/srv/cic/test-1/sounds/cic-pl/notify/warning-0a1b2c")
    assert values.SoundPath.valid("/srv/cic/x/sounds/cic-pl/notify/recorded/burza_2026.12")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CHANNELS", "0"), ("CHANNELS", "dużo"), ("TRUNK_CHANNELS", "-1"),
        ("INBOUND_RESERVE", "30"), ("CALLS_PER_SECOND", "0"), ("CALLS_PER_SECOND", "nan"),
        ("CALLS_PER_SECOND", "inf"), ("CALLS_PER_SECOND", "szybko"), ("RING_SECONDS", "1"),
        ("CONFIRM_SECONDS", "0"), ("REPORT_TIMEOUT_SECONDS", "5"),
        ("DIAL", "PJSIP/{number}@residents,t"), ("DIAL", "PJSIP/{number}&SIP/x"),
        ("DIAL", "PJSIP/residents"), ("NUMBER_PREFIX", "0;"), ("NUMBER_PREFIX", "${X}"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused(name: str, value: str, tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="voice_calls"):
        load_settings(environ={"CIC_STATE_DIR": str(tmp_path), f"CIC_VOICE_CALLS__{name}": value})


def test_settings_are_read(tmp_path: Any) -> None:
    settings = load_settings(environ={
        "CIC_STATE_DIR": str(tmp_path), "CIC_VOICE_CALLS__CALLS_PER_SECOND": "7.5",
        "CIC_VOICE_CALLS__TRUNK_CHANNELS": "60", "CIC_VOICE_CALLS__INBOUND_RESERVE": "15",
        "CIC_VOICE_CALLS__CHANNELS": "100",
    })  # fmt: skip
    assert settings.voice_calls.calls_per_second == 7.5
    assert settings.voice_calls.limit == 45
