"""The production files stay correct without Docker: structure, health checks, entry command."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from server.cli import build_parser
from server.core.settings import ALIASES, ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
INSTANCES = ("atelier-a", "atelier-b")


def dockerfile_cmd() -> list[str]:
    line = next(line for line in DOCKERFILE.splitlines() if line.startswith("CMD "))
    command: list[str] = json.loads(line.removeprefix("CMD "))
    return command


def test_the_image_runs_the_serve_command_of_the_cli() -> None:
    command = dockerfile_cmd()
    assert command[0] == "atelier"
    args = build_parser().parse_args(command[1:])
    assert (args.command, args.host, args.port) == ("serve", "0.0.0.0", 8000)


def test_the_image_does_not_run_as_root() -> None:
    assert any(line.startswith("USER ") and "root" not in line for line in DOCKERFILE.splitlines())


@pytest.mark.parametrize("name", INSTANCES)
def test_two_instances_share_postgresql_and_redis(name: str) -> None:
    service = COMPOSE["services"][name]
    env = service["environment"]
    assert env["DATABASE_URL"].startswith("postgresql://")
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(service["healthcheck"]["test"])


@pytest.mark.parametrize("name", INSTANCES)
def test_instance_environment_names_are_settings_the_server_reads(name: str) -> None:
    known = {ENV_PREFIX + field.upper() for field in Settings.__dataclass_fields__}
    known |= set(ALIASES.values())
    assert set(COMPOSE["services"][name]["environment"]) <= known


def test_every_service_has_a_health_check_and_data_has_volumes() -> None:
    for name, service in COMPOSE["services"].items():
        assert "healthcheck" in service, name
    assert {"postgres-data", "redis-data"} <= set(COMPOSE["volumes"])
    assert COMPOSE["services"]["postgres"]["volumes"][0].startswith("postgres-data:")


def test_the_proxy_balances_both_instances_and_checks_readiness() -> None:
    caddyfile = COMPOSE["configs"]["caddyfile"]["content"]
    upstreams = shlex.split(caddyfile.split("reverse_proxy", 1)[1].split("{", 1)[0])
    assert upstreams == ["atelier-a:8000", "atelier-b:8000"]
    assert "health_uri /readyz" in caddyfile
    proxy = COMPOSE["services"]["proxy"]
    assert {proxy["depends_on"][n]["condition"] for n in INSTANCES} == {"service_healthy"}
