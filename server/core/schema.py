"""JSON Schemas from ``schemas/``: load once, validate, and report problems as messages."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from server.core.resources import resource_dir

BASE_URI = "https://atelier.invalid/schemas/"
"""Schemas are addressed by their path under ``schemas/``; this base is never fetched."""


@cache
def _documents() -> dict[str, dict[str, Any]]:
    root = resource_dir("schemas", "api")
    docs = {}
    for path in sorted(root.rglob("*.schema.json")):
        name = path.relative_to(root).as_posix()
        document = json.loads(path.read_text(encoding="utf-8"))
        document["$id"] = BASE_URI + name
        docs[name] = document
    return docs


@cache
def _registry() -> Registry[Any]:
    resources = [(doc["$id"], Resource.from_contents(doc)) for doc in _documents().values()]
    return Registry().with_resources(resources)


def schema(name: str) -> dict[str, Any]:
    """The schema document at ``schemas/<name>`` (with its absolute ``$id``)."""
    return _documents()[name]


def names() -> list[str]:
    return list(_documents())


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), registry=_registry())


def problems(name: str, instance: Any) -> list[str]:
    """Human-readable violations of ``schemas/<name>`` (empty when valid)."""
    found = []
    for error in sorted(validator(name).iter_errors(instance), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.path)
        found.append(f"{where or '(body)'}: {error.message}")
    return found
