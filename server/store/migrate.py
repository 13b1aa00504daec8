"""Schema migrations (Alembic), run programmatically on a given engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


MIGRATION_LOCK = 0x41544C52  # "ATLR": one migrating instance at a time on PostgreSQL


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the latest)."""
    config = _config()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class NotMigrated(RuntimeError):
    """The database is behind the code; ``atelier migrate`` brings it up to date."""


def require_current(engine: Engine) -> None:
    found, wanted = current(engine), head()
    if found != wanted:
        raise NotMigrated(
            f"the database schema is at {found or 'nothing'}, the code needs {wanted}: "
            "run 'atelier migrate' (or set ATELIER_MIGRATE_ON_START=1)"
        )


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()
