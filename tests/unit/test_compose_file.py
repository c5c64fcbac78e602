"""docker/compose.yaml as cic reads it: substitution, the checks, start order, podman argv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cic.config import load_settings
from cic.deploy.compose_file import ComposeError, load, parse, run_argv, substitute

REPO = Path(__file__).resolve().parents[2]


def doc(**services: Any) -> dict[str, Any]:
    return {"services": services, "volumes": {"data": None}}


def test_substitution_takes_the_environment_then_the_default() -> None:
    env = {"PORT": "31003", "EMPTY": ""}
    assert substitute("${PORT:-8080}", env, "x") == "31003"
    assert substitute("${OTHER:-8080}", env, "x") == "8080"
    assert substitute("${EMPTY:-8080}", env, "x") == "8080"
    assert substitute("https://${HOST:-localhost}:${PORT}/", env, "x") == (
        "https://localhost:31003/"
    )


@pytest.mark.parametrize(
    ("text", "env", "words"),
    [
        ("${PORT}", {}, "PORT nie jest ustawiona"),
        ("${PORT}", {"PORT": "1\n--privileged"}, "niedozwolona"),
        ("${PORT:-${X}}", {}, "niedozwolona"),
    ],
)
def test_unset_variables_and_control_characters_are_refused(
    text: str, env: dict[str, str], words: str
) -> None:
    with pytest.raises(ComposeError, match=words):
        substitute(text, env, "svc.KEY")


def test_services_start_after_what_they_depend_on() -> None:
    compose = parse(
        doc(
            proxy={"image": "p", "depends_on": ["web"]},
            web={"image": "w", "depends_on": ["db"]},
            db={"image": "d"},
        ),
        {},
        Path("/srv"),
    )
    assert [s.name for s in compose.services] == ["db", "web", "proxy"]


@pytest.mark.parametrize(
    ("services", "words"),
    [
        ({"a": {"image": "a", "depends_on": ["b"]}, "b": {"image": "b", "depends_on": ["a"]}},
         "cykl"),
        ({"a": {"image": "a", "depends_on": ["nope"]}}, "nieznana usługa"),
        ({"a": {"image": "a", "network_mode": "bridge"}}, "sieć hosta"),
        ({"a": {"image": "a", "ports": ["80:80"]}}, "nieobsługiwane klucze: ports"),
        ({"a": {"image": "a", "volumes": ["other:/x"]}}, "nie jest zadeklarowany"),
        ({"a": {"image": "a", "volumes": ["data:relative"]}}, "wolumen"),
        ({"a": {"image": "a", "restart": "sometimes"}}, "restart"),
        ({"a": {"command": ["x"]}}, "brak obrazu"),
        ({"a": {"image": "a", "environment": {"BAD-NAME": "1"}}}, "nazwa zmiennej"),
        ({"Big": {"image": "a"}}, "nazwa"),
    ],
)  # fmt: skip
def test_what_the_runner_would_not_do_is_refused(services: dict[str, Any], words: str) -> None:
    with pytest.raises(ComposeError, match=words):
        parse(doc(**services), {}, Path("/srv"))


def test_podman_arguments_name_label_and_mount_like_podman_compose() -> None:
    compose = parse(
        doc(
            web={
                "image": "localhost/cic-controller:latest",
                "command": ["serve"],
                "network_mode": "host",
                "restart": "unless-stopped",
                "environment": {"CIC_WEB_PORT": "${WEB:-8080}"},
                "volumes": ["data:/var/lib/cic", "./etc:/etc/cic:ro"],
            }
        ),
        {"WEB": "31003"},
        Path("/opt/cic/docker"),
    )
    argv = run_argv("cictest", compose.services[0])
    assert argv[:3] == ["run", "--detach", "--name=cictest_web_1"]
    assert "--label=io.podman.compose.project=cictest" in argv
    assert "--network=host" in argv and "--restart=unless-stopped" in argv
    assert argv[argv.index("--env") + 1] == "CIC_WEB_PORT=31003"
    volumes = [argv[i + 1] for i, a in enumerate(argv) if a == "--volume"]
    assert volumes == ["cictest_data:/var/lib/cic", "/opt/cic/docker/etc:/etc/cic:ro"]
    assert argv[-2:] == ["localhost/cic-controller:latest", "serve"]


def test_the_shipped_compose_file_reads_with_production_defaults() -> None:
    compose = load(REPO / "docker" / "compose.yaml", {})
    names = [s.name for s in compose.services]
    assert names.index("postgres") < names.index("controller") < names.index("asterisk")
    controller = next(s for s in compose.services if s.name == "controller")
    env = dict(controller.environment)
    assert env["CIC_WEB_PORT"] == "8080" and env["CIC_ASTERISK__SIP_PORT"] == "5060"
    assert {m.target for m in controller.mounts} >= {"/var/lib/cic", "/etc/cic"}
    assert set(compose.volumes) == {"pgdata", "redisdata", "secrets", "state", "pbx", "recordings"}


def test_compose_variables_are_not_cic_settings() -> None:
    settings = load_settings(environ={"CIC_COMPOSE_WEB_PORT": "31003", "CIC_WEB_PORT": "8081"})
    assert settings.web_port == 8081
