"""Reading a request: its JSON body against a schema, path ids and query parameters.

Every refusal is a ``BadRequest`` (or ``NotFound`` for an id that cannot exist) naming the
field, so clients can show it next to the input; a body past ``max_body_bytes`` is a 413.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import ClientDisconnect, Request

from server.core import schema
from server.core.clock import parse_iso
from server.core.errors import BadRequest, BodyNotReceived, ContentTooLarge, NotFound
from server.http.services import services

T = TypeVar("T")
BINARY = "application/octet-stream"
MAX_SEQ = 2**63 - 1
RECORD_ID = re.compile(r"[0-9a-f]{1,32}")
"""Sessions and snapshots have random hex ids."""
DIGITS = re.compile(r"[0-9]+")
MAX_LENGTH_DIGITS = 18
"""A Content-Length with more digits is past any limit (and past a 64-bit integer)."""


async def blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Database calls run in a worker thread so the event loop keeps serving boards."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def body(request: Request, schema_name: str) -> dict[str, Any]:
    """The request body, parsed and validated against ``schemas/<schema_name>``."""
    raw = await read_body(request)
    try:
        data = schema.parse_json_limited(raw) if raw.strip() else {}
    except schema.JSONRefused as exc:
        if exc.field:
            raise BadRequest(exc.sentence("the body"), field=exc.field) from exc
        raise BadRequest(exc.sentence("the body")) from exc
    except ValueError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from exc
    errors = schema.problems(schema_name, data)
    if errors:
        field = schema.first_field(schema_name, data)
        if field:
            raise BadRequest("; ".join(errors), errors=errors, field=field)
        raise BadRequest("; ".join(errors), errors=errors)
    assert isinstance(data, dict)
    return data


async def read_body(request: Request, limit: int | None = None) -> bytes:
    """The raw body, refused with 413 as soon as it is known to pass ``limit`` (default
    ``max_body_bytes``): from its Content-Length before reading, else once the chunks read so
    far pass it, so a large body is never held (the server discards the rest as it arrives)."""
    if limit is None:
        limit = services(request).settings.max_body_bytes
    declared = request.headers.get("content-length", "").strip()
    if DIGITS.fullmatch(declared) and (len(declared) > MAX_LENGTH_DIGITS or int(declared) > limit):
        raise ContentTooLarge(_too_large(limit))
    received = bytearray()
    try:
        async with contextlib.aclosing(request.stream()) as chunks:
            async for chunk in chunks:
                received += chunk
                if len(received) > limit:
                    raise ContentTooLarge(_too_large(limit))
    except ClientDisconnect as exc:
        raise BodyNotReceived("the request body did not arrive in full") from exc
    return bytes(received)


def _too_large(limit: int) -> str:
    return f"the request body is larger than {limit} bytes, the most this server accepts"


def record_id(request: Request, name: str, what: str) -> str:
    """A session or snapshot id from the path; one that cannot exist is simply not found."""
    value: str = request.path_params[name]
    if not RECORD_ID.fullmatch(value):
        raise NotFound(f"no {what} with id {value!r}")
    return value


def time_param(request: Request, name: str) -> float | None:
    """An optional ISO 8601 query parameter as Unix time (no offset means UTC)."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return parse_iso(raw)
    except ValueError as exc:
        raise BadRequest(
            f"'{name}' must be an ISO 8601 date-time between the years 1 and 9999 in UTC, "
            "e.g. 2026-11-28T10:00:00Z",
            field=name,
        ) from exc


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"'{name}' must be a whole number", field=name) from exc
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low} and {high}", field=name)
    return value


def choice(request: Request, name: str, choices: tuple[str, ...]) -> str:
    """A query parameter from a fixed list; absent means the first choice."""
    value = request.query_params.get(name, choices[0])
    if value not in choices:
        raise BadRequest(f"'{name}' must be one of {', '.join(choices)}", field=name)
    return value


def wants_binary(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return BINARY in accept and "application/json" not in accept
