"""The JSON API: every route module's endpoints, their routes and the OpenAPI document."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from server.http import boards, comments, fallback, history, openapi, rounds, sessions, sites
from server.http.endpoints import Endpoint, routes

ENDPOINTS: tuple[Endpoint, ...] = (
    *boards.ENDPOINTS,
    *sites.ENDPOINTS,
    *sessions.ENDPOINTS,
    *history.ENDPOINTS,
    *rounds.ENDPOINTS,
    *comments.ENDPOINTS,
    *fallback.ENDPOINTS,
)


def api_routes() -> list[BaseRoute]:
    """The endpoints' routes and ``/api/openapi.json``, built once."""
    document = openapi.document(ENDPOINTS)

    async def serve_openapi(request: Request) -> Response:
        return JSONResponse(document)

    return [*routes(ENDPOINTS), Route("/api/openapi.json", serve_openapi)]
