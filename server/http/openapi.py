"""The OpenAPI 3.1 document, assembled from the endpoint table and the JSON Schemas."""

from __future__ import annotations

import copy
import posixpath
import re
from typing import Any

from server.core import schema
from server.http.endpoints import AUTH_NONE, Endpoint

COMMON_ERRORS = {
    400: "The request is malformed; `detail` says what to fix",
    401: "No token, or an unknown or expired one",
    403: "The token does not allow this",
    404: "No such board, site or invite",
    408: "The request's headers or body arrived too slowly (ATELIER_HEADER_TIMEOUT_SECONDS, "
    "ATELIER_BODY_TIMEOUT_SECONDS)",
    431: "The request's headers are larger than ATELIER_MAX_HEADER_BYTES",
    503: "Every connection this instance accepts is busy; retry after the Retry-After delay",
}
BODY_TOO_LARGE = "The body is larger than ATELIER_MAX_BODY_BYTES; nothing was read past it"
HEALTH = (
    ("/healthz", "The process answers", "health"),
    ("/readyz", "Database reachable, log writer healthy and not lagging", "ready"),
)


def component_name(schema_name: str) -> str:
    """``api/board.schema.json`` -> ``api.board``."""
    return schema_name.removesuffix(".schema.json").replace("/", ".")


def _rewrite_refs(node: Any, owner: str) -> Any:
    """Turn file references and local pointers into ``#/components/schemas/...`` pointers."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = _component_ref(value, owner)
            elif key not in {"$id", "$schema"}:
                out[key] = _rewrite_refs(value, owner)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, owner) for item in node]
    return node


def _component_ref(ref: str, owner: str) -> str:
    target, _, fragment = ref.partition("#")
    name = (
        owner
        if not target
        else posixpath.normpath(posixpath.join(posixpath.dirname(owner), target))
    )
    return f"#/components/schemas/{component_name(name)}{fragment}"


def _components() -> dict[str, Any]:
    return {
        component_name(name): _rewrite_refs(copy.deepcopy(schema.schema(name)), name)
        for name in schema.names()
    }


def _ref(schema_name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{component_name(schema_name)}"}


def _media(schema_name: str) -> dict[str, Any]:
    media = (
        "application/problem+json" if schema_name == "problem.schema.json" else "application/json"
    )
    return {media: {"schema": _ref(schema_name)}}


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    responses: dict[str, Any] = {
        str(status): {"description": f"{status}", "content": _media(name)}
        for status, name in endpoint.responses.items()
    }
    if endpoint.media:
        ok = responses.setdefault("200", {"description": "200", "content": {}})
        ok["content"].update({media: {"schema": s} for media, s in endpoint.media.items()})
    for status, text in COMMON_ERRORS.items():
        responses.setdefault(
            str(status), {"description": text, "content": _media("problem.schema.json")}
        )
    operation: dict[str, Any] = {
        "operationId": _operation_id(endpoint),
        "summary": endpoint.summary,
        "description": f"Authorization: {endpoint.auth}.",
        "responses": responses,
    }
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", endpoint.path)
    ]
    parameters += [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": spec.get("description", ""),
            "schema": {key: value for key, value in spec.items() if key != "description"},
        }
        for name, spec in endpoint.query.items()
    ]
    if parameters:
        operation["parameters"] = parameters
    if endpoint.request is not None:
        problem_media = _media("problem.schema.json")
        responses.setdefault("413", {"description": BODY_TOO_LARGE, "content": problem_media})
        operation["requestBody"] = {
            "required": endpoint.body_required,
            "content": {endpoint.request_media: {"schema": _ref(endpoint.request)}},
        }
    if endpoint.auth == AUTH_NONE:
        operation["security"] = []
    return operation


def _operation_id(endpoint: Endpoint) -> str:
    return endpoint.handler.__name__.strip("_")


def document(endpoints: tuple[Endpoint, ...]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    for path, summary, operation_id in HEALTH:
        responses = {
            "200": {"description": summary, "content": _media("api/health.schema.json")},
            "503": {"description": "Not ready", "content": _media("api/health.schema.json")},
        }
        paths[path] = {
            "get": {
                "operationId": operation_id,
                "summary": summary,
                "security": [],
                "responses": responses,
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Atelier",
            "version": "1",
            "description": "Collaborative workshop boards. Errors are application/problem+json.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "components": {
            "schemas": _components(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
