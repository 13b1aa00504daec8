"""The OpenAPI document covers every route, and schemathesis finds no response that breaks it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator

from server.http.api import ENDPOINTS
from tests.support.atelier_server import AtelierServer

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_openapi_lists_every_endpoint(atelier: AtelierServer) -> None:
    document = httpx.get(f"{atelier.base_url}/api/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    for endpoint in ENDPOINTS:
        operation = document["paths"][endpoint.path][endpoint.method.lower()]
        assert operation["responses"]["400"]["content"]["application/problem+json"]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document: Any, ref: str) -> Any:
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_every_schema_reference_in_openapi_resolves(atelier: AtelierServer) -> None:
    document = httpx.get(f"{atelier.base_url}/api/openapi.json").json()
    for component in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(component)
    refs = set(_refs(document))
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert isinstance(_resolve(document, ref), dict), ref


def test_schemathesis_finds_no_failure(atelier: AtelierServer) -> None:
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{atelier.base_url}/api/openapi.json",
            "--header",
            f"Authorization: Bearer {atelier.admin_token}",
            "--checks",
            "all",
            "--max-examples",
            "40",
            "--workers",
            "1",
            "--seed",
            "20261128",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:]
    assert "Traceback" not in atelier.log()
