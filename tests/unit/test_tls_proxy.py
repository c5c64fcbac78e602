"""The TLS proxy's Caddyfile, the softphone's WebSocket address and the ``tls.*`` settings."""

from __future__ import annotations

import pytest

from cic.cli.main import main
from cic.config import ConfigError, Settings, load_settings
from cic.console.phone_url import public_https_netloc, sip_websocket_url
from cic.deploy.caddy import ProxyConfigError, caddyfile
from cic.web.headers import content_security_policy


def settings(**env: str) -> Settings:
    base = {"CIC_PUBLIC_URL": "https://sok.gmina.pl", "CIC_TLS__ACME_EMAIL": "it@gmina.pl"}
    return load_settings(environ={**base, **env})


def test_acme_site_redirects_proxies_and_hides_metrics() -> None:
    text = caddyfile(settings(CIC_ASTERISK__HTTP_PORT="8090", CIC_WEB_PORT="8081"))
    assert "\temail it@gmina.pl\n" in text and "\ttls " not in text
    assert "https://sok.gmina.pl:443 {" in text and "\thttp_port 80\n" in text
    assert 'Strict-Transport-Security "max-age=31536000"' in text
    assert "max_size 50MB" in text
    metrics = text.index("@monitoring path /metrics /metrics/* /readyz /readyz/*")
    assert text.index("respond 404", metrics) < text.index("handle /ws {")
    ws_block = text[text.index("handle /ws {") :]
    assert ws_block.index("reverse_proxy 127.0.0.1:8090") < ws_block.index(
        "reverse_proxy 127.0.0.1:8081"
    )


def test_given_certificate_replaces_acme_and_port_comes_from_public_url() -> None:
    text = caddyfile(
        settings(
            CIC_PUBLIC_URL="https://localhost:30843",
            CIC_TLS__CERT_FILE="/etc/cic/tls/cert.pem",
            CIC_TLS__KEY_FILE="/etc/cic/tls/key.pem",
            CIC_TLS__PROXY_ADMIN="off",
            CIC_WEB_HOST="0.0.0.0",
        )
    )
    assert "\ttls /etc/cic/tls/cert.pem /etc/cic/tls/key.pem\n" in text and "email" not in text
    # The port is in the site address only: Caddy's own redirect from plain HTTP then keeps
    # it (with https_port set to it, Caddy leaves it out of the redirect's Location).
    assert "https://localhost:30843 {" in text and "https_port" not in text
    assert "\tadmin off\n" in text and "reverse_proxy 127.0.0.1:8080" in text


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CIC_PUBLIC_URL": "http://sok.gmina.pl"}, "public_url"),
        ({"CIC_PUBLIC_URL": "https://sok_gmina.pl"}, "public_url"),
        ({"CIC_TLS__ACME_EMAIL": "it@gmina.pl {\n}"}, "tls.acme_email"),
        ({"CIC_TLS__ACME_EMAIL": ""}, "tls.acme_email"),
        ({"CIC_TLS__CERT_FILE": "/a b.pem", "CIC_TLS__KEY_FILE": "/k.pem"}, "tls.cert_file"),
        ({"CIC_TLS__CERT_FILE": "/c.pem", "CIC_TLS__KEY_FILE": 'k"}'}, "tls.key_file"),
        ({"CIC_TLS__PROXY_ADMIN": "0.0.0.0:2019"}, "tls.proxy_admin"),
        ({"CIC_WEB_HOST": "host;x"}, "web_host"),
        ({"CIC_CONSULTATIONS__DOCUMENT_MAX_MB": "50"}, "tls.max_body_mb"),
    ],
)
def test_values_outside_their_grammar_are_refused(env: dict[str, str], named: str) -> None:
    with pytest.raises(ProxyConfigError, match=named.replace(".", r"\.")):
        caddyfile(settings(**env))


def test_softphone_uses_the_proxy_wss_only_on_the_public_host() -> None:
    public = settings(CIC_PUBLIC_URL="https://SOK.gmina.pl:8443")
    assert public_https_netloc(public) == "sok.gmina.pl:8443"
    assert sip_websocket_url(public, "sok.gmina.pl") == "wss://sok.gmina.pl:8443/ws"
    assert sip_websocket_url(public, "127.0.0.1") == "ws://127.0.0.1:8088/ws"
    embedded = load_settings(environ={})
    assert public_https_netloc(embedded) == ""
    assert sip_websocket_url(embedded, "127.0.0.1") == "ws://127.0.0.1:8088/ws"
    plain = load_settings(environ={"CIC_PUBLIC_URL": "http://sok.gmina.pl"})
    assert sip_websocket_url(plain, "sok.gmina.pl") == "ws://sok.gmina.pl:8088/ws"


def test_policy_allows_the_proxy_wss() -> None:
    policy = content_security_policy("sok.gmina.pl", 8088, public_wss="sok.gmina.pl")
    connect = next(p for p in policy.split("; ") if p.startswith("connect-src"))
    assert connect.split()[-1] == "wss://sok.gmina.pl"
    assert "wss://" not in content_security_policy("h", 8088).replace("wss://h:8088", "")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CIC_TLS__CERT_FILE": "/c.pem"}, "tls.cert_file"),
        ({"CIC_TLS__SIP_PORT": "5061"}, "tls.sip_port"),
        ({"CIC_TLS__SIP_PORT": "70000"}, "tls.sip_port"),
        ({"CIC_TLS__HTTP_PORT": "0"}, "tls.http_port"),
        ({"CIC_TLS__MAX_BODY_MB": "0"}, "tls.max_body_mb"),
        ({"CIC_TLS__REMOTE_AGENTS": "[anna]"}, "tls.remote_agents"),
        (
            {
                "CIC_TLS__SIP_PORT": "5061",
                "CIC_TLS__SIP_CERT_FILE": "/c",
                "CIC_TLS__SIP_KEY_FILE": "/k",
                "CIC_TLS__REMOTE_AGENTS": "['anna\\n[x]']",
            },
            "tls.remote_agents",
        ),
    ],
)
def test_tls_settings_are_checked(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_settings(environ=env)


def test_sip_files_fall_back_to_the_proxy_files() -> None:
    tls = load_settings(
        environ={"CIC_TLS__CERT_FILE": "/c.pem", "CIC_TLS__KEY_FILE": "/k.pem",
                 "CIC_TLS__SIP_PORT": "5061", "CIC_TLS__REMOTE_AGENTS": "[anna]"}
    ).tls  # fmt: skip
    assert tls.sip_files == ("/c.pem", "/k.pem") and tls.remote_agents == ["anna"]


def test_proxy_config_command_prints_or_refuses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIC_PUBLIC_URL", "https://sok.gmina.pl")
    monkeypatch.setenv("CIC_TLS__ACME_EMAIL", "it@gmina.pl")
    assert main(["proxy", "config"]) == 0
    assert "https://sok.gmina.pl:443 {" in capsys.readouterr().out
    assert main(["proxy", "config", "--check"]) == 1
    assert "--output" in capsys.readouterr().err
    monkeypatch.setenv("CIC_TLS__ACME_EMAIL", "")
    assert main(["proxy", "config"]) == 1
    assert "Caddyfile nie powstał: tls.acme_email" in capsys.readouterr().err
