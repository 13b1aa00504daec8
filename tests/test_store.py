"""The store, on SQLite and on a real PostgreSQL: migrations, catalog, log and writer."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from server.core.auth import Role
from server.core.errors import Conflict, Forbidden, Unauthenticated
from server.store import catalog, log, migrate
from server.store.db import driver_url, open_engine
from server.store.models import metadata
from server.store.writer import LogWriter, Submission
from server.sync.sink import LogEntry


def entry(board: str, data: bytes = b"\x00\x00", name: str = "Marie") -> LogEntry:
    return LogEntry(board, time.time(), "inv1", name, "etat", data)


def test_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == [], "add a migration under server/store/migrations/versions"


def test_migrations_are_at_head_after_upgrade(engine: Engine) -> None:
    assert migrate.current(engine) == migrate.head()


def test_plain_postgresql_urls_use_psycopg() -> None:
    assert driver_url("postgresql://u@h:5/db") == "postgresql+psycopg://u@h:5/db"


def test_board_ids_are_unique(engine: Engine) -> None:
    catalog.create_board(engine, "b1", "One", "workshop", b"\x00\x00", None)
    with pytest.raises(Conflict):
        catalog.create_board(engine, "b1", "Again", "workshop", b"\x00\x00", None)


def test_tokens_are_verified_by_hash_and_revocable(engine: Engine) -> None:
    catalog.create_board(engine, "b1", "One", "workshop", b"\x00\x00", None)
    invite, token = catalog.create_invite(
        engine, board_id="b1", site_id=None, role=Role.OBSERVER, label=None, expires_in=None
    )
    assert catalog.verify_token(engine, token).role is Role.OBSERVER
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM invites")).scalar_one()
    assert token not in stored
    catalog.revoke_invite(engine, invite.id)
    with pytest.raises(Forbidden):
        catalog.verify_token(engine, token)
    with pytest.raises(Unauthenticated):
        catalog.verify_token(engine, "nope")


def test_the_log_appends_in_order_and_loads_from_checkpoint_plus_tail(engine: Engine) -> None:
    with engine.begin() as conn:
        seqs = log.append(conn, [entry("b", b"1"), entry("b", b"2")], [None, b"state-at-2"])
        later = log.append(conn, [entry("b", b"3")], [None])
    assert seqs[0] < seqs[1] < later[0]
    with engine.connect() as conn:
        stored = log.load(conn, "b")
    assert (stored.checkpoint, stored.tail, stored.last_seq) == (b"state-at-2", [b"3"], later[0])


async def test_the_writer_commits_everything_in_submission_order(engine: Engine) -> None:
    durable: list[int] = []
    sent = [i.to_bytes(2, "big") for i in range(200)]
    async with LogWriter(engine) as writer:
        for i, data in enumerate(sent):
            writer.submit(entry("w", data, name=f"author {i}"), durable.append)
        await asyncio.sleep(0)
    assert writer.largest_batch > 1  # batches of several, each in one transaction
    assert len(durable) == 200
    assert durable == sorted(durable)
    logged = log.board_entries(engine, "w")
    assert [e.data for e in logged] == sent  # in sequence order, as submitted
    assert [e.seq for e in logged] == durable  # each told its own sequence number
    assert [e.author_name for e in logged] == [f"author {i}" for i in range(200)]


async def test_a_checkpoint_submitted_with_an_update_is_kept_at_its_sequence_number(
    engine: Engine,
) -> None:
    loop = asyncio.get_running_loop()
    async with LogWriter(engine) as writer:
        seqs = [loop.create_future() for _ in range(3)]
        writer.submit(entry("cp", b"1"), seqs[0].set_result)
        writer.submit(entry("cp", b"2"), seqs[1].set_result, checkpoint=b"state-at-2")
        writer.submit(entry("cp", b"3"), seqs[2].set_result)
        last = await seqs[2]
    with engine.connect() as conn:
        stored = log.load(conn, "cp")
    assert (stored.checkpoint, stored.tail, stored.last_seq) == (b"state-at-2", [b"3"], last)


async def commit_one_by_one(writer: LogWriter, board: str, count: int) -> None:
    loop = asyncio.get_running_loop()
    for _ in range(count):
        durable: asyncio.Future[int] = loop.create_future()
        writer.submit(entry(board, bytes(200)), durable.set_result)
        await durable


class SlowCheckpoints(LogWriter):
    """A writer whose WAL checkpoints wait until the test lets them run."""

    def __init__(self, engine: Engine, **options: Any) -> None:
        super().__init__(engine, **options)
        self.started = threading.Event()
        self.release = threading.Event()

    def _checkpoint_wal(self) -> tuple[int, int, int]:
        self.started.set()
        self.release.wait(30)
        return super()._checkpoint_wal()


class SluggishCheckpoints(LogWriter):
    """A writer whose WAL checkpoints take 20 ms each, as on a busy disk."""

    def _checkpoint_wal(self) -> tuple[int, int, int]:
        time.sleep(0.02)
        return super()._checkpoint_wal()


async def test_the_sqlite_wal_stays_bounded_though_its_checkpoints_are_slow(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    async with SluggishCheckpoints(
        sqlite_engine, checkpoint_every_commits=8, wal_frames_max=64
    ) as w:
        await commit_one_by_one(w, "wal", 1000)  # ~9 MB of WAL if never checkpointed
    assert (tmp_path / "atelier.db-wal").stat().st_size < 1024 * 1024
    with sqlite_engine.connect() as conn:
        assert log.count(conn, "wal") == 1000


async def test_commits_go_on_while_the_wal_is_checkpointed(sqlite_engine: Engine) -> None:
    async with SlowCheckpoints(sqlite_engine, checkpoint_every_commits=4) as writer:
        await commit_one_by_one(writer, "wal", 5)
        assert await asyncio.to_thread(writer.started.wait, 10)
        await commit_one_by_one(writer, "wal", 50)  # durable with the checkpoint held
        writer.release.set()
        assert writer.checkpoints_held == 0
    with sqlite_engine.connect() as conn:
        assert log.count(conn, "wal") == 55


async def test_commits_wait_for_the_checkpoint_once_the_wal_is_past_its_bound(
    sqlite_engine: Engine,
) -> None:
    async with LogWriter(sqlite_engine, checkpoint_every_commits=4, wal_frames_max=0) as writer:
        for _ in range(200):  # the first checkpoint found a WAL: a later one holds the commits
            await commit_one_by_one(writer, "wal", 4)
            if writer.checkpoints_held:
                break
        assert writer.checkpoints_held > 0


def test_a_database_made_by_the_first_migration_upgrades_with_its_data(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO boards (id, title, template, created_at)"
                " VALUES ('old', 'Old', 'workshop', 1)"
            )
        )
        conn.execute(
            text("INSERT INTO updates (board_id, created_at, data) VALUES ('old', 1, x'0000')")
        )
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert catalog.require_board(engine, "old").title == "Old"
    with engine.connect() as conn:
        assert log.count(conn, "old") == 1


async def test_shutdown_gives_up_on_a_dead_database_after_the_drain_time(tmp_path: Path) -> None:
    import sqlite3

    engine = open_engine(f"sqlite:///{tmp_path / 'locked.db'}")
    migrate.upgrade(engine)
    blocker = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    durable: list[int] = []
    try:
        async with LogWriter(engine, drain_seconds=0.3) as writer:
            writer.submit(entry("b"), durable.append)
        assert durable == []
        assert not writer.healthy
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        engine.dispose()


async def test_the_writer_reconnects_when_postgresql_drops_its_connection(
    postgres_engine: Engine,
) -> None:
    engine = postgres_engine
    loop = asyncio.get_running_loop()
    async with LogWriter(engine) as writer:
        first: asyncio.Future[int] = loop.create_future()
        writer.submit(entry("drop", b"1"), first.set_result)
        await first
        with engine.begin() as conn:  # what a PostgreSQL restart or failover does to it
            dropped = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        assert dropped >= 1
        durable: list[int] = []
        for i in range(20):
            writer.submit(entry("drop", bytes([i])), durable.append)
        last: asyncio.Future[int] = loop.create_future()
        writer.submit(entry("drop", b"last"), last.set_result)
        await asyncio.wait_for(last, 30)
        assert writer.failures == 1  # one commit failed, the next connection took it
        assert writer.healthy
    assert len(durable) == 20
    assert [await first, *durable, await last] == sorted([await first, *durable, await last])
    with engine.connect() as conn:
        assert log.count(conn, "drop") == 22


class LostAnswers(LogWriter):
    """A writer whose first commit lands in PostgreSQL but whose answer is lost on the way
    back, as when the connection breaks just after the commit."""

    lost = 0

    async def _commit_postgres(self, batch: list[Submission], retried: bool) -> list[int]:
        seqs = await super()._commit_postgres(batch, retried)
        if not self.lost:
            self.lost += 1
            raise ConnectionResetError("connection lost before the answer")
        return seqs


async def test_a_commit_whose_answer_was_lost_is_not_logged_twice(
    postgres_engine: Engine,
) -> None:
    durable: list[int] = []
    async with LostAnswers(postgres_engine) as writer:
        for i in range(3):
            writer.submit(entry("lost", bytes([i])), durable.append)
    assert writer.failures == 1
    with postgres_engine.connect() as conn:
        rows = conn.execute(
            text("SELECT seq, data FROM updates WHERE board_id = 'lost' ORDER BY seq")
        ).all()
    assert [bytes(row.data) for row in rows] == [b"\x00", b"\x01", b"\x02"]
    assert durable == [row.seq for row in rows]
