"""The one task that writes the update log: batched, in order, never dropping an update.

Rooms submit entries; the writer commits whatever has queued up in one transaction (group
commit) and then calls each entry's ``on_durable`` with its sequence number, in submission
order. Only then does the room relay the update, so nothing a peer received can be lost.
On a database error the batch is kept and retried with backoff; the health callback tells
the rooms so clients can show it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import asyncpg
from sqlalchemy import Engine

from server.store import log
from server.store.log import LogEntry

logger = logging.getLogger("atelier.writer")

RETRY_FIRST_SECONDS = 0.05
WRITER_BUSY_TIMEOUT_MS = 50
CONNECT_TIMEOUT_SECONDS = 5
STATEMENT_TIMEOUT_SECONDS = 30
"""A PostgreSQL that stops answering fails the commit (kept and retried) rather than
holding the writer, and the shutdown, for ever."""
WAL_FRAMES_MAX = 8192
"""SQLite: WAL pages (4 KiB each, 32 MiB) past which a checkpoint holds the commits.

Measured at 500 commits/s (``bench/wal_bench.py``): a checkpoint before every commit gives a
2.9 ms p99.9 commit; holding past 4 MiB, 2.7 ms; past 32 MiB, 0.4 to 0.5 ms, the WAL staying at
about 33 MB on disk."""
WAL_PAGE_BYTES = 4096
WAL_PAGES_PER_COMMIT = 3
"""SQLite: pages a commit adds to the WAL besides its payload (the log's table and index
pages and the board's row): measured 2.2 to 2.3 for small updates, rounded up."""


@dataclass(slots=True)
class Submission:
    entry: LogEntry
    checkpoint: bytes | None
    on_durable: Callable[[int], None]


class LogWriter:
    """Async context manager owning the writer task; leaving it drains every submission."""

    def __init__(
        self,
        engine: Engine,
        *,
        batch_max: int = 512,
        backlog_max: int = 50_000,
        retry_max_seconds: float = 5.0,
        drain_seconds: float = 30.0,
        checkpoint_every_commits: int = 256,
        wal_frames_max: int = WAL_FRAMES_MAX,
        on_health: Callable[[bool, str], None] | None = None,
        on_logged: Callable[[str, int], None] | None = None,
    ) -> None:
        self._engine = engine
        if engine.dialect.name not in ("sqlite", "postgresql"):
            raise ValueError(
                f"the update log supports SQLite and PostgreSQL, not {engine.dialect.name}"
            )
        self._inline = engine.dialect.name == "sqlite"
        """SQLite commits run on the event loop (~0.1 ms with WAL, no fsync per commit),
        cheaper than a hop to a worker thread. PostgreSQL's are awaited on an asyncpg
        connection of the writer's own: per one-row commit it costs ~50 µs of CPU where
        psycopg costs ~90 in a worker thread (plus the thread's handoffs) and ~200 on its
        async connection (``bench/run_cluster.py`` and the README's figures)."""
        self._batch_max = batch_max
        self._backlog_max = backlog_max
        self._retry_max = retry_max_seconds
        self._drain_seconds = drain_seconds
        self._on_health = on_health
        self._on_logged = on_logged
        """Told each committed update's board and sequence number (replay builds ahead)."""
        self._queue: deque[Submission] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._raw: Any = None
        """SQLite: the pooled driver connection and a cursor on it, kept across commits."""
        self._cursor: Any = None
        self._postgres: asyncpg.Connection | None = None
        """PostgreSQL: the writer's own connection, kept across commits."""
        self._seq_floor: int | None = None  # PostgreSQL: see ``_commit_postgres``
        self._closing = False
        self._checkpoint_every = checkpoint_every_commits
        """SQLite: commits between two checkpoints of the WAL (see ``_checkpoint``)."""
        self._commits_since_checkpoint = 0
        self._wal_frames_max = wal_frames_max
        self._hold_above = wal_frames_max  # see ``_checkpoint_holding_commits``
        self._checkpointing: asyncio.Task[None] | None = None
        self._wal_frames = 0
        """SQLite: pages in the WAL, as the last checkpoint found them plus those estimated
        added since (nothing in the driver reports it)."""
        self._wal_frames_added = 0  # by all commits: what overtook a checkpoint
        self.checkpoints_held = 0
        """Checkpoints the commits waited for, so that the WAL restarts."""
        self.healthy = True
        self.last_error = ""
        self.committed = 0
        self.batches = 0
        self.largest_batch = 0
        self.failures = 0
        self.oldest_pending_since: float | None = None

    @property
    def backlog(self) -> int:
        return len(self._queue)

    def lag_seconds(self) -> float:
        if self.oldest_pending_since is None:
            return 0.0
        return time.monotonic() - self.oldest_pending_since

    def has_capacity(self) -> bool:
        return len(self._queue) < self._backlog_max

    def submit(
        self, entry: LogEntry, on_durable: Callable[[int], None], checkpoint: bytes | None = None
    ) -> None:
        """Queue an entry; ``on_durable(seq)`` runs once it is committed. Never refuses:
        callers check ``has_capacity`` before accepting a change."""
        if not self._queue:
            self.oldest_pending_since = time.monotonic()
        self._queue.append(Submission(entry, checkpoint, on_durable))
        self._wake.set()

    async def __aenter__(self) -> LogWriter:
        self._task = asyncio.create_task(self._run(), name="atelier-log-writer")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, self._drain_seconds)
            except TimeoutError:
                # The database is still refusing: these updates were never acknowledged, and
                # the clients that sent them resend them when they reconnect.
                logger.error(
                    "shutting down with %s updates not saved (database unavailable: %s)",
                    len(self._queue),
                    self.last_error,
                )
            finally:
                if self._checkpointing is not None:
                    await self._checkpointing  # a local file: it ends, and logs its own errors
                await self._close_connection()

    async def _run(self) -> None:
        while True:
            if not self._queue:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            if self._inline:
                if self._wal_frames > self._hold_above:
                    await self._checkpoint_holding_commits()
                elif self._commits_since_checkpoint >= self._checkpoint_every:
                    self._start_checkpoint()
            count = min(len(self._queue), self._batch_max)
            batch = [self._queue[i] for i in range(count)]
            await self._commit_with_retry(batch)
            for _ in range(count):
                self._queue.popleft()
            self.oldest_pending_since = time.monotonic() if self._queue else None

    async def _commit_with_retry(self, batch: list[Submission]) -> None:
        delay = RETRY_FIRST_SECONDS
        retried = False
        while True:
            try:
                if self._inline:
                    seqs = self._commit(batch)
                else:
                    seqs = await self._commit_postgres(batch, retried)
                break
            except Exception as exc:  # any database failure: keep the batch, retry
                retried = True
                await self._close_connection()
                self.failures += 1
                self._set_health(False, f"{type(exc).__name__}: {exc}")
                logger.warning("log commit failed (%s updates kept, retrying): %s", len(batch), exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max)
        self._set_health(True, "")
        if self._seq_floor is not None:  # PostgreSQL (see ``_commit_postgres``)
            self._seq_floor = max(self._seq_floor, *seqs)
        self._commits_since_checkpoint += 1
        if self._inline:
            payload = sum(len(s.entry.data) + len(s.checkpoint or b"") for s in batch)
            added = WAL_PAGES_PER_COMMIT + payload // WAL_PAGE_BYTES
            self._wal_frames += added
            self._wal_frames_added += added
        self.committed += len(batch)
        self.batches += 1
        self.largest_batch = max(self.largest_batch, len(batch))
        for submission, seq in zip(batch, seqs, strict=True):
            try:
                submission.on_durable(seq)
                if self._on_logged is not None:
                    self._on_logged(submission.entry.board_id, seq)
            except Exception:
                logger.exception(
                    "durability callback failed for board %s", submission.entry.board_id
                )

    def _commit(self, batch: list[Submission]) -> list[int]:
        """SQLite: one transaction for the whole batch, on the driver's own connection:
        SQLAlchemy's statement machinery costs more than the insert itself here."""
        if self._raw is None:
            self._raw = self._engine.raw_connection()
            self._cursor = self._raw.driver_connection.cursor()
            # Never hold the event loop for long on a locked database: fail fast, retry.
            self._cursor.execute(f"PRAGMA busy_timeout={WRITER_BUSY_TIMEOUT_MS}")
            # WAL checkpoints are run by ``_checkpoint``, not inside these commits.
            self._cursor.execute("PRAGMA wal_autocheckpoint=0")
        driver = self._raw.driver_connection
        try:
            seqs = log.append_sqlite(
                self._cursor, [s.entry for s in batch], [s.checkpoint for s in batch]
            )
            driver.commit()
        except Exception:
            with contextlib.suppress(Exception):
                driver.rollback()
            raise
        return seqs

    async def _commit_postgres(self, batch: list[Submission], retried: bool) -> list[int]:
        """PostgreSQL: the batch in one statement, which commits by itself (no BEGIN and
        COMMIT round trips); a batch that also writes a checkpoint, in one transaction.

        A commit whose answer was lost (the connection broke, the statement timed out) may
        have landed: a retried batch is first looked for among the rows logged since this
        writer's last commit (``_seq_floor``, the highest sequence number it was told), so
        that it is never logged twice (a batch lands whole or not at all)."""
        if self._postgres is None:
            url = self._engine.url.set(drivername="postgresql")
            self._postgres = await asyncpg.connect(
                url.render_as_string(hide_password=False),
                timeout=CONNECT_TIMEOUT_SECONDS,
                command_timeout=STATEMENT_TIMEOUT_SECONDS,
            )
        connection = self._postgres
        if self._seq_floor is None:  # before this writer's first commit: nothing of it yet
            self._seq_floor = await log.last_seq_postgres(connection)
        entries, states = [s.entry for s in batch], [s.checkpoint for s in batch]
        landed = (
            await log.landed_postgres(connection, entries, self._seq_floor) if retried else None
        )
        if landed is not None:
            logger.warning(
                "a commit reported failed had landed: %s updates not logged twice", len(batch)
            )
            seqs = landed
        elif all(state is None for state in states):
            seqs = await log.append_postgres(connection, entries, states)
        else:
            async with connection.transaction():
                seqs = await log.append_postgres(connection, entries, states)
        return seqs

    def _start_checkpoint(self) -> None:
        """Copy the SQLite WAL back into the database in a worker thread, beside the commits.

        SQLite's automatic checkpoint runs inside a commit, on the event loop: megabytes
        written and synced, a stall of milliseconds for every connection. Here the commits go
        on meanwhile, so that no update waits for it. Durability is unchanged: a commit is in
        the WAL either way."""
        if self._checkpointing is not None and not self._checkpointing.done():
            return  # the one under way catches up with these commits too
        self._commits_since_checkpoint = 0
        self._checkpointing = asyncio.create_task(self._checkpoint(), name="atelier-wal")

    async def _checkpoint_holding_commits(self) -> None:
        """The WAL only restarts after a checkpoint that no commit overtook: once it holds
        more than ``wal_frames_max`` pages, the commits wait for one (a few milliseconds),
        which bounds the WAL however slow the checkpoints beside the commits are. While a
        reader's snapshot keeps the WAL from restarting, the bound is raised, so that the
        commits do not wait for one checkpoint after another meanwhile."""
        if self._checkpointing is not None:
            await self._checkpointing  # overtaken: it leaves the WAL as long as it was
        self.checkpoints_held += 1
        self._start_checkpoint()
        assert self._checkpointing is not None
        await self._checkpointing
        self._hold_above = self._wal_frames + self._wal_frames_max  # the bound, once restarted

    async def _checkpoint(self) -> None:
        added_before = self._wal_frames_added
        try:
            busy, wal, copied = await asyncio.to_thread(self._checkpoint_wal)
        except Exception as exc:  # the next one retries; commits do not depend on it
            logger.warning("WAL checkpoint failed: %s", exc)
            return
        overtaken = self._wal_frames_added - added_before
        if wal < 0 or (not busy and copied == wal and not overtaken):
            self._wal_frames = 0  # all copied back (or no WAL): the next commit restarts it
        else:
            self._wal_frames = wal + overtaken

    def _checkpoint_wal(self) -> tuple[int, int, int]:
        """SQLite's answer: busy (0 or 1), pages in the WAL, pages copied back."""
        with self._engine.connect() as conn:
            busy, wal, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        return int(busy), int(wal), int(copied)

    async def _close_connection(self) -> None:
        if self._raw is not None:
            with contextlib.suppress(Exception):
                self._cursor.close()
                self._raw.close()
            self._raw = self._cursor = None
        if self._postgres is not None:
            with contextlib.suppress(Exception):
                await self._postgres.close()
            self._postgres = None

    def _set_health(self, healthy: bool, error: str) -> None:
        changed = healthy != self.healthy
        self.healthy, self.last_error = healthy, error
        if changed and self._on_health is not None:
            self._on_health(healthy, error)
