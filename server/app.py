"""Wiring: ``create_app(settings)`` and the one lifespan that owns the writer and the rooms."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.core import memory
from server.core.auth import Grant
from server.core.errors import PROBLEM_MEDIA_TYPE, AtelierError, Forbidden, NotFound, problem
from server.core.logs import install_token_masking
from server.core.settings import Settings
from server.http import archive as archive_api
from server.http import boards as api
from server.http import health, openapi, pages
from server.http.services import Services
from server.store import catalog, log, migrate
from server.store.db import open_engine
from server.store.writer import LogWriter
from server.sync.endpoint import Authorizer, BoardEndpoint
from server.sync.fanout import Fanout, FanoutHandlers, LocalFanout, RedisFanout
from server.sync.loader import make_loader
from server.sync.rooms import RecentReader, Rooms

logger = logging.getLogger("atelier")


def problem_response(status: int, title: str, detail: str, **extra: Any) -> Response:
    return JSONResponse(
        problem(status, title, detail, **extra), status_code=status, media_type=PROBLEM_MEDIA_TYPE
    )


async def on_atelier_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AtelierError)
    return problem_response(exc.status, exc.title, exc.detail, **exc.extra)


async def on_http_error(request: Request, exc: Exception) -> Response:
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


def make_authorizer(svc: Services) -> Authorizer:
    def check(board_id: str, token: str) -> Grant:
        grant = catalog.verify_token(svc.engine, token)
        site = catalog.board_site(svc.engine, board_id)
        if site is None:
            raise NotFound(f"no board with id {board_id!r}")
        if not grant.covers(board_id, site[0]):
            raise Forbidden("this invite is for another board")
        return grant

    async def authorize(board_id: str, token: str) -> Grant:
        return await asyncio.to_thread(check, board_id, token)

    return authorize


def make_fanout(settings: Settings, rooms: Callable[[], Rooms | None]) -> Fanout:
    """Redis pub/sub when configured; the handlers reach the rooms once they exist."""
    if not settings.redis_url:
        return LocalFanout()

    def registry() -> Rooms:
        current = rooms()
        assert current is not None
        return current

    return RedisFanout(
        settings.redis_url,
        FanoutHandlers(
            update=lambda board, update: registry().on_remote_update(board, update),
            awareness=lambda board, frame: registry().on_remote_awareness(board, frame),
            control=lambda message: registry().on_control(message),
            reconnected=lambda: registry().on_reconnected(),
        ),
    )


def make_recent_reader(engine: Engine) -> RecentReader:
    def read(board_id: str, after_seq: int, since: float) -> list[tuple[int, bytes]]:
        with engine.connect() as conn:
            return log.recent(conn, board_id, after_seq, since)

    async def recent(board_id: str, after_seq: int, since: float) -> list[tuple[int, bytes]]:
        return await asyncio.to_thread(read, board_id, after_seq, since)

    return recent


def create_app(settings: Settings, *, admin_token: str) -> Starlette:
    install_token_masking()
    engine = open_engine(
        settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous
    )
    if settings.migrates_on_start:
        migrate.upgrade(engine)
    else:
        migrate.require_current(engine)
    svc = Services(settings=settings, engine=engine, admin_token=admin_token)

    def on_storage_health(healthy: bool, error: str) -> None:
        message = (
            "modifications enregistrées"
            if healthy
            else "enregistrement impossible, nouvel essai en cours"
        )
        if svc._rooms is not None:
            svc.rooms.notify_all("storage", healthy, message)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        writer = LogWriter(
            engine,
            batch_max=settings.writer_batch_max,
            backlog_max=settings.writer_backlog_max,
            retry_max_seconds=settings.writer_retry_max_seconds,
            drain_seconds=settings.writer_drain_seconds,
            on_health=on_storage_health,
        )
        rooms: Rooms | None = None
        fanout = make_fanout(settings, lambda: rooms)
        rooms = Rooms(
            writer,
            make_loader(engine),
            idle_seconds=settings.room_idle_seconds,
            sweep_interval=settings.sweep_interval_seconds,
            checkpoint_every=settings.checkpoint_every,
            refused_writes_before_close=settings.refused_writes_before_close,
            fanout=fanout,
            read_recent=make_recent_reader(engine) if fanout.distributed else None,
        )
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(writer)
            if isinstance(fanout, RedisFanout):
                await stack.enter_async_context(fanout)
            await stack.enter_async_context(rooms)
            svc._writer, svc._rooms, svc.fanout = writer, rooms, fanout
            memory.freeze_startup_heap()
            try:
                yield
            finally:
                svc._rooms = None
        svc._writer = None
        engine.dispose()

    endpoints = (*api.ENDPOINTS, *archive_api.ARCHIVE_ENDPOINTS)
    openapi_document = openapi.document(endpoints)

    async def serve_openapi(request: Request) -> Response:
        return JSONResponse(openapi_document)

    app = Starlette(
        routes=[
            *health.routes(),
            *api.routes(endpoints),
            *pages.routes(),
            Route("/api/openapi.json", serve_openapi),
        ],
        exception_handlers={
            AtelierError: on_atelier_error,
            HTTPException: on_http_error,
            Exception: on_unexpected,
        },
        lifespan=lifespan,
    )
    app.state.services = svc
    app.state.board_endpoint = BoardEndpoint(settings, lambda: svc.rooms, make_authorizer(svc))
    """Board connections are served by ``server.transport`` (see ``cli.serve``), not ASGI."""
    return app
