"""Shared fixtures: a real server per test module, real SQLite in a temporary directory."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from server.store import migrate
from server.store.db import Engine, open_engine
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient

if TYPE_CHECKING:
    from tests.support.services import RedisServer

pytest_plugins = ["tests.support.browser_fixtures"]


@pytest.fixture(scope="module")
def atelier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtelierServer]:
    server = AtelierServer(tmp_path_factory.mktemp("atelier"))
    server.start()
    yield server
    if server.process is not None:
        server.stop()


@pytest.fixture
def start_atelier(tmp_path: Path) -> Iterator[Callable[..., AtelierServer]]:
    """Start a dedicated server with extra ``ATELIER_*`` settings (function scope)."""
    started: list[AtelierServer] = []

    def start(**env: str) -> AtelierServer:
        server = AtelierServer(tmp_path / f"server{len(started)}", env=env)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process is not None:
            server.kill9()


@pytest.fixture(autouse=True)
def close_raw_clients(request: pytest.FixtureRequest) -> None:
    """Closes the raw clients a test opened; not in browser tests, which open none and whose
    Playwright sync API runs its own event loop in this thread."""
    if "browser" not in request.fixturenames:
        request.getfixturevalue("_raw_clients_closed")


@pytest.fixture
async def _raw_clients_closed() -> AsyncIterator[None]:
    yield
    await RawClient.close_all()


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A real PostgreSQL cluster for the whole run (skipped loudly outside CI if missing)."""
    from tests.support.services import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated database without a server: SQLite, then a real PostgreSQL."""
    name = "postgres_engine" if request.param == "postgresql" else "sqlite_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database at ``tmp_path / "atelier.db"``."""
    engine = open_engine(f"sqlite:///{tmp_path / 'atelier.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine(postgres_admin_url: str) -> Iterator[Engine]:
    """A migrated database of its own on the real PostgreSQL."""
    from tests.support.services import create_database

    engine = open_engine(create_database(postgres_admin_url, f"t_{secrets.token_hex(6)}"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    from tests.support.services import RedisServer

    server = RedisServer()
    server.start()
    yield server
    server.close()
