"""Wiring: ``create_app(settings)`` and the one lifespan that owns the writer and the rooms."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from functools import partial

from starlette.applications import Starlette

from server.archive.replay_ahead import ReplayAhead
from server.core import memory
from server.core.logs import install_token_masking
from server.core.settings import Settings
from server.http import health, pages, problems
from server.http.access import board_connection_authorizer
from server.http.api import api_routes
from server.http.services import Services
from server.store import catalog, log, migrate
from server.store.db import Engine, open_engine
from server.store.writer import LogWriter
from server.sync.endpoint import BoardEndpoint
from server.sync.fanout import Fanout, FanoutHandlers, LocalFanout, RedisFanout
from server.sync.limits import LiveLimits
from server.sync.loader import RecentReader, in_thread, make_loader
from server.sync.rooms import Rooms
from server.sync.stream import StreamSessions


def create_app(settings: Settings, *, admin_token: str) -> Starlette:
    install_token_masking()
    engine = open_database(settings)
    svc = Services(settings=settings, engine=engine, admin_token=admin_token)
    app = Starlette(
        routes=[*health.routes(), *api_routes(), *pages.routes()],
        exception_handlers=problems.HANDLERS,
        lifespan=lambda _app: lifespan(svc),
    )
    app.state.services = svc
    # Board connections are served by ``sync.transport`` (see ``cli.serve``), not through ASGI.
    authorize = board_connection_authorizer(engine, svc.grants)
    app.state.board_endpoint = BoardEndpoint(settings, lambda: svc.rooms, authorize)
    app.state.board_streams = StreamSessions(  # the HTTP fallback (``http.fallback``)
        app.state.board_endpoint, authorize, settings.max_frame_bytes
    )
    return app


def open_database(settings: Settings) -> Engine:
    """The engine, with the schema brought up to date (or checked, when migrations are run
    apart with ``atelier migrate``)."""
    engine = open_engine(
        settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous
    )
    if settings.migrates_on_start:
        migrate.upgrade(engine)
    else:
        migrate.require_current(engine)
    return engine


@contextlib.asynccontextmanager
async def lifespan(svc: Services) -> AsyncIterator[None]:
    """Writer, fan-out and rooms for as long as the app serves; closed in reverse order
    (rooms flush into the writer, which drains before the database is released)."""
    settings, engine = svc.settings, svc.engine
    ahead = ReplayAhead(engine)
    writer = LogWriter(
        engine,
        batch_max=settings.writer_batch_max,
        backlog_max=settings.writer_backlog_max,
        retry_max_seconds=settings.writer_retry_max_seconds,
        drain_seconds=settings.writer_drain_seconds,
        on_health=partial(report_storage_health, svc),
        on_logged=ahead.logged,
    )
    rooms: Rooms | None = None
    fanout = make_fanout(settings, lambda: rooms)
    rooms = Rooms(
        writer,
        make_loader(partial(catalog.stored_board, engine)),
        idle_seconds=settings.room_idle_seconds,
        sweep_interval=settings.sweep_interval_seconds,
        checkpoint_every=settings.checkpoint_every,
        refused_writes_before_close=settings.refused_writes_before_close,
        fanout=fanout,
        read_recent=recent_reader(engine) if fanout.distributed else None,
        limits=LiveLimits.from_settings(settings),
        grants=svc.grants,
    )
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(writer)
        await stack.enter_async_context(ahead)
        if isinstance(fanout, RedisFanout):
            await stack.enter_async_context(fanout)
        await stack.enter_async_context(rooms)
        svc.attach(writer, rooms, fanout)
        memory.freeze_startup_heap()
        try:
            yield
        finally:
            svc.detach()
    engine.dispose()


def report_storage_health(svc: Services, healthy: bool, error: str) -> None:
    """Tell every connected board whether its changes are being saved."""
    message = (
        "modifications enregistrées"
        if healthy
        else "enregistrement impossible, nouvel essai en cours"
    )
    rooms = svc.running
    if rooms is not None:
        rooms.notify_all("storage", healthy, message)


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


def recent_reader(engine: Engine) -> RecentReader:
    return in_thread(partial(log.recent_updates, engine))
