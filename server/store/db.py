"""Engine creation: SQLite in WAL mode by default, any SQLAlchemy URL otherwise.

Other layers hold an ``Engine`` only to hand it back to store functions; they import the
name from here, so SQLAlchemy itself is imported nowhere outside ``server/store``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

__all__ = ["Engine", "driver_url", "open_engine", "ping"]

SQLITE_BUSY_TIMEOUT_MS = 5000


def driver_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3; the driver is the server's business."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def open_engine(url: str, *, sqlite_synchronous: str = "NORMAL") -> Engine:
    """Create the engine (the schema comes from migrations). SQLite gets WAL so readers
    never block the writer."""
    url = driver_url(url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, sqlite_synchronous)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    if synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"unknown SQLite synchronous mode {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def ping(engine: Engine) -> None:
    """A round trip to the database; raises when it cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
