"""Every HTTP error as an ``application/problem+json`` document (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.core.errors import PROBLEM_MEDIA_TYPE, AtelierError, problem

logger = logging.getLogger("atelier")


def problem_response(status: int, title: str, detail: str, **extra: Any) -> Response:
    return JSONResponse(
        problem(status, title, detail, **extra), status_code=status, media_type=PROBLEM_MEDIA_TYPE
    )


async def on_atelier_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AtelierError)
    return problem_response(exc.status, exc.title, exc.detail, **exc.extra)


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (unknown path, wrong method) in the same shape."""
    assert isinstance(exc, HTTPException)
    response = problem_response(
        exc.status_code, str(exc.detail), f"{request.method} {request.url.path}"
    )
    response.headers.update(exc.headers or {})  # e.g. Allow on 405
    return response


async def on_unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        500, "Internal server error", "an unexpected error occurred; it was logged"
    )


HANDLERS = {AtelierError: on_atelier_error, HTTPException: on_http_error, Exception: on_unexpected}
