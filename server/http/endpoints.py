"""The endpoint table: each endpoint declared once, with its access rule and its schemas.

The same rows build the routes, name the body schema a handler validates against, and
assemble the OpenAPI document (``http.openapi``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

Handler = Callable[[Request], Awaitable[Response]]

AUTH_OPERATOR = "operator token"
AUTH_FACILITATOR = "operator, or a facilitator token covering the board"
AUTH_SITE_FACILITATOR = "operator, or a facilitator token of the site"
AUTH_ANY = "operator, or any valid token covering the board"
AUTH_RECORDS = "operator, a coordinator token, or a facilitator token covering the board"
AUTH_SITE_READER = "operator, a coordinator token, or a facilitator token of the site"
AUTH_PROGRAMME = "operator or coordinator token"
AUTH_NONE = "none"
PROBLEM = "problem.schema.json"
DATE_TIME: dict[str, Any] = {"type": "string", "format": "date-time"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    auth: str
    responses: dict[int, str]
    """Status -> response schema name under ``schemas/``."""
    request: str | None = None
    body_required: bool = True
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Query parameter -> its JSON Schema (with a ``description``)."""
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Other media types the 200 answer can take (by ``format`` or ``Accept``) -> schema."""
    request_media: str = "application/json"
    """The media type of the request body (``application/octet-stream`` for binary ones)."""


def routes(endpoints: tuple[Endpoint, ...]) -> list[BaseRoute]:
    """One route per path, dispatching on the method."""
    by_path: dict[str, dict[str, Handler]] = {}
    for endpoint in endpoints:
        by_path.setdefault(endpoint.path, {})[endpoint.method] = endpoint.handler
    return [
        Route(path, _dispatch(methods), methods=list(methods)) for path, methods in by_path.items()
    ]


def _dispatch(methods: dict[str, Handler]) -> Handler:
    if len(methods) == 1:
        return next(iter(methods.values()))

    async def dispatch(request: Request) -> Response:
        return await methods[request.method](request)

    return dispatch
