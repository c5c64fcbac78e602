"""The sms.* and notify.* settings: defaults that work, values from the environment, and a clear
error naming the setting for what cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest

from cic.config import ConfigError, load_settings


def settings(tmp_path: Path, **env: str) -> object:
    return load_settings(environ={"CIC_STATE_DIR": str(tmp_path), **env})


def test_defaults_and_environment(tmp_path: Path) -> None:
    loaded = load_settings(environ={
        "CIC_STATE_DIR": str(tmp_path), "CIC_SMS__ENABLED": "tak",
        "CIC_SMS__TOKEN": "abc-123", "CIC_SMS__SENDER": "UG Testowo", "CIC_SMS__PER_SECOND": "30",
        "CIC_NOTIFY__SMS_ATTEMPTS": "2",
    })  # fmt: skip
    assert loaded.sms.enabled and loaded.sms.token == "abc-123" and loaded.sms.per_second == 30
    assert loaded.sms.base_url == "https://api.smsapi.pl" and loaded.sms.provider == "smsapi"
    assert loaded.notify.sms_attempts == 2 and loaded.notify.email_attempts == 3


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("SMS__PROVIDER", "inny", "sms.provider"),
        ("SMS__BASE_URL", "ftp://api.smsapi.pl", "sms.base_url"),
        ("SMS__BASE_URL", "http://api.smsapi.pl", "sms.base_url"),
        ("SMS__BASE_URL", "../../etc/passwd", "sms.base_url"),
        ("SMS__SENDER", "Urząd Gminy Testowo", "sms.sender"),
        ("SMS__SENDER", "a'; DROP--", "sms.sender"),
        ("SMS__TOKEN", "x" * 600, "sms.token"),
        ("SMS__TOKEN", "a\nb", "sms.token"),
        ("SMS__PER_SECOND", "0", "per_second"),
        ("SMS__PER_SECOND", "dużo", "sms.per_second"),
        ("SMS__MAX_PARTS", "11", "max_parts"),
        ("SMS__TIMEOUT_SECONDS", "0", "sms.timeout_seconds"),
        ("NOTIFY__VOICE_ATTEMPTS", "0", "voice_attempts"),
        ("NOTIFY__SMS_BATCH", "100000", "sms_batch"),
        ("NOTIFY__RETRY_SECONDS", "0", "retry_seconds"),
    ],
)
def test_unusable_values_name_the_setting(
    tmp_path: Path, name: str, value: str, named: str
) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        settings(tmp_path, **{f"CIC_{name}": value})


def test_plain_http_is_allowed_for_a_gateway_on_loopback(tmp_path: Path) -> None:
    loaded = load_settings(environ={"CIC_STATE_DIR": str(tmp_path),
                                    "CIC_SMS__BASE_URL": "http://127.0.0.1:8099"})  # fmt: skip
    assert loaded.sms.base_url == "http://127.0.0.1:8099"
