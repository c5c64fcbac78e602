"""The client's address behind trusted proxies, and the ``auth`` settings that configure it."""

from __future__ import annotations

import pytest

from cic.auth.proxies import TrustedProxies, parse_hop
from cic.config import ConfigError, load_settings

PROXY = "10.0.0.5"
PROXIES = TrustedProxies(["10.0.0.5", "192.168.0.0/16", "::1"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        (PROXY, ["198.51.100.7"], "198.51.100.7"),
        (PROXY, ["1.1.1.1, 198.51.100.7"], "198.51.100.7"),  # the left part is the client's word
        (PROXY, ["198.51.100.7, 192.168.1.1"], "198.51.100.7"),  # trusted hops skipped
        (PROXY, ["198.51.100.7", "192.168.1.1"], "198.51.100.7"),  # several headers in order
        (PROXY, ["192.168.1.2, 192.168.1.1"], "192.168.1.2"),  # all trusted: the leftmost
        (PROXY, [], PROXY),
        (PROXY, ["nonsense"], PROXY),  # malformed: the last sure address
        (PROXY, ["198.51.100.7, nonsense"], PROXY),
        (PROXY, ["nonsense, 198.51.100.7"], "198.51.100.7"),
        (PROXY, ["", " , "], PROXY),
        (PROXY, ["[2001:db8::1]:4711"], "2001:db8::1"),
        (PROXY, ["198.51.100.7:4711"], "198.51.100.7"),
        (PROXY, ["::ffff:198.51.100.7"], "198.51.100.7"),
        ("::1", ["198.51.100.7"], "198.51.100.7"),
        ("203.0.113.9", ["198.51.100.7"], "203.0.113.9"),  # an untrusted peer's header ignored
        ("", ["198.51.100.7"], ""),
        ("unix-socket", ["198.51.100.7"], "unix-socket"),
    ],
)
def test_client_address(peer: str, forwarded: list[str], client: str) -> None:
    assert PROXIES.client_address(peer, forwarded) == client


def test_no_proxies_trusts_no_one() -> None:
    none = TrustedProxies([])
    assert not none
    assert none.client_address("127.0.0.1", ["198.51.100.7"]) == "127.0.0.1"


def test_parse_hop() -> None:
    assert parse_hop(" 1.2.3.4 ") is not None
    for bad in ("", "1.2.3", "[::1", "x:y:z", "1.2.3.4.5", "\x00"):
        assert parse_hop(bad) is None, bad


def test_auth_settings_from_the_environment() -> None:
    settings = load_settings(
        environ={
            "CIC_AUTH__TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/16",
            "CIC_AUTH__LOCK_AFTER": "6",
            "CIC_PUBLIC_URL": "https://sok.gmina.pl",
            "CIC_TEST_REDIS_URL": "redis://127.0.0.1:6379/9",  # the test suite's, not a setting
        }
    )
    assert settings.auth.trusted_proxies == ["10.0.0.5", "192.168.0.0/16"]
    assert settings.auth.lock_after == 6
    assert settings.auth.cookie_secure is None and settings.secure_cookies
    flow = load_settings(environ={"CIC_AUTH__TRUSTED_PROXIES": '["::1", 10.1.0.0/16]'})
    assert flow.auth.trusted_proxies == ["::1", "10.1.0.0/16"]
    assert load_settings(environ={"CIC_AUTH__TRUSTED_PROXIES": ""}).auth.trusted_proxies == []


@pytest.mark.parametrize(
    ("environ", "secure"),
    [
        ({}, False),
        ({"CIC_PUBLIC_URL": "http://127.0.0.1:8080"}, False),
        ({"CIC_PUBLIC_URL": "HTTPS://sok.gmina.pl"}, True),
        ({"CIC_PUBLIC_URL": "https://sok.gmina.pl", "CIC_AUTH__COOKIE_SECURE": "nie"}, False),
        ({"CIC_AUTH__COOKIE_SECURE": "tak"}, True),
        ({"CIC_AUTH__COOKIE_SECURE": "auto", "CIC_PUBLIC_URL": "https://x.pl"}, True),
    ],
)
def test_secure_cookie_follows_public_url_unless_set(environ: dict[str, str], secure: bool) -> None:
    assert load_settings(environ=environ).secure_cookies is secure


@pytest.mark.parametrize(
    "environ",
    [
        {"CIC_AUTH__TRUSTED_PROXIES": "10.0.0.0/33"},
        {"CIC_AUTH__TRUSTED_PROXIES": "proxy.gmina.pl"},
        {"CIC_AUTH__TRUSTED_PROXIES": "[::1]"},  # YAML needs quotes: ["::1"]
        {"CIC_AUTH__LOCK_AFTER": "0"},
        {"CIC_AUTH__COOKIE_SECURE": "może"},
        {"CIC_PUBLIC_URL": "sok.gmina.pl"},
        {"CIC_PUBLIC_URL": "https://sok gmina.pl"},
        {"CIC_AUTH__COOKIE_NAME": "a=b"},
        {"CIC_AUTH__NO_SUCH": "1"},
    ],
)
def test_bad_auth_settings_are_refused(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        load_settings(environ=environ)
