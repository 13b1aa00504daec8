"""The append-only update log and its checkpoints: write a batch, read a board back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from sqlalchemy import Connection, Engine, bindparam, func, insert, select

from server.store.models import checkpoints, updates


class LogEntry(Protocol):
    """What the log keeps of one accepted update; the live layer's entries have this shape."""

    @property
    def board_id(self) -> str: ...
    @property
    def created_at(self) -> float: ...
    @property
    def invite_id(self) -> str | None: ...
    @property
    def author_name(self) -> str | None: ...
    @property
    def party(self) -> str | None: ...
    @property
    def data(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class StoredBoard:
    """What a room needs to come back: the latest checkpoint, every update after it, and the
    board's own settings (filled in by ``catalog.stored_board``)."""

    checkpoint: bytes | None
    tail: list[bytes]
    last_seq: int
    site_id: str | None = None
    locks: frozenset[str] = frozenset()


UPDATE_COLUMNS = ("board_id", "created_at", "invite_id", "author_name", "party", "data")
CHECKPOINT_COLUMNS = ("board_id", "seq", "created_at", "state")


def _row(entry: LogEntry) -> tuple[str, float, str | None, str | None, str | None, bytes]:
    """An entry's values in ``UPDATE_COLUMNS`` order."""
    return (
        entry.board_id,
        entry.created_at,
        entry.invite_id,
        entry.author_name,
        entry.party,
        entry.data,
    )


def _insert_sql(table: str, columns: tuple[str, ...], marker: str) -> str:
    """An INSERT in the driver's own parameter style (``?`` sqlite3, ``%s`` psycopg)."""
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"
    )


def append(
    conn: Connection, entries: Sequence[LogEntry], checkpoint_states: Sequence[bytes | None]
) -> list[int]:
    """Insert the entries in order; returns their sequence numbers. The caller commits."""
    rows = [dict(zip(UPDATE_COLUMNS, _row(e), strict=True)) for e in entries]
    result = conn.execute(
        insert(updates).returning(updates.c.seq, sort_by_parameter_order=True), rows
    )
    seqs = [row[0] for row in result]
    snapshots = [
        {"board_id": e.board_id, "seq": seq, "created_at": e.created_at, "state": state}
        for e, seq, state in zip(entries, seqs, checkpoint_states, strict=True)
        if state is not None
    ]
    if snapshots:
        conn.execute(insert(checkpoints), snapshots)
    return seqs


def append_seed(conn: Connection, board_id: str, created_at: float, seed: bytes) -> None:
    """Log a new board's template layout as its first update, written by the server."""
    conn.execute(insert(updates).values(board_id=board_id, created_at=created_at, data=seed))


SQLITE_INSERT_UPDATE = _insert_sql("updates", UPDATE_COLUMNS, "?")
SQLITE_INSERT_CHECKPOINT = _insert_sql("checkpoints", CHECKPOINT_COLUMNS, "?")


def append_sqlite(
    cursor: Any, entries: Sequence[LogEntry], checkpoint_states: Sequence[bytes | None]
) -> list[int]:
    """``append`` for the SQLite hot path, on a cursor of the driver's own connection.

    SQLAlchemy's statement machinery costs more than the insert itself here; each row's
    sequence number is the cursor's ``lastrowid``. The caller commits."""
    seqs = []
    for entry, state in zip(entries, checkpoint_states, strict=True):
        cursor.execute(SQLITE_INSERT_UPDATE, _row(entry))
        seq = cursor.lastrowid
        seqs.append(seq)
        if state is not None:
            cursor.execute(SQLITE_INSERT_CHECKPOINT, (entry.board_id, seq, entry.created_at, state))
    return seqs


POSTGRES_INSERT_UPDATES = (
    f"INSERT INTO updates ({', '.join(UPDATE_COLUMNS)})"
    f" SELECT {', '.join(UPDATE_COLUMNS)} FROM unnest("
    "$1::text[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::bytea[]"
    f") WITH ORDINALITY AS batch({', '.join(UPDATE_COLUMNS)}, position)"
    " ORDER BY position RETURNING seq"
)
"""The whole batch in one statement (asyncpg's parameters), rows in submission order."""
POSTGRES_INSERT_CHECKPOINT = (
    f"INSERT INTO checkpoints ({', '.join(CHECKPOINT_COLUMNS)}) VALUES ($1, $2, $3, $4)"
)


async def append_postgres(
    connection: asyncpg.Connection,
    entries: Sequence[LogEntry],
    checkpoint_states: Sequence[bytes | None],
) -> list[int]:
    """``append`` on an asyncpg connection: one statement (prepared once, by asyncpg's
    cache), one round trip, whatever the batch's size. The rows are inserted in submission
    order, so their ascending sequence numbers are theirs in that order. The caller commits,
    or runs it alone (a statement is its own transaction) when no checkpoint is written."""
    columns = [list(column) for column in zip(*(_row(e) for e in entries), strict=True)]
    seqs = sorted(int(row[0]) for row in await connection.fetch(POSTGRES_INSERT_UPDATES, *columns))
    for entry, seq, state in zip(entries, seqs, checkpoint_states, strict=True):
        if state is not None:  # one in hundreds of updates
            await connection.execute(
                POSTGRES_INSERT_CHECKPOINT, entry.board_id, seq, entry.created_at, state
            )
    return seqs


async def last_seq_postgres(connection: asyncpg.Connection) -> int:
    """The highest sequence number in the log (0 when empty)."""
    return int(await connection.fetchval("SELECT coalesce(max(seq), 0) FROM updates"))


async def landed_postgres(
    connection: asyncpg.Connection, entries: Sequence[LogEntry], after_seq: int
) -> list[int] | None:
    """The sequence numbers of ``entries`` if they are all among the rows logged after
    ``after_seq`` (an insert whose answer was lost), else None. A row is known by its
    board, time and bytes: the live layer logs an update only if it adds something to its
    board, so the same bytes at the same instant are the same entry."""
    rows = await connection.fetch(
        "SELECT seq, board_id, created_at, data FROM updates"
        " WHERE seq > $1 AND board_id = ANY($2::text[])",
        after_seq,
        sorted({e.board_id for e in entries}),
    )
    found = {(row["board_id"], row["created_at"], bytes(row["data"])): row["seq"] for row in rows}
    try:
        return [int(found[e.board_id, e.created_at, e.data]) for e in entries]
    except KeyError:  # not all there: none of it is (one statement, or one transaction)
        return None


LATEST_CHECKPOINT = (
    select(checkpoints.c.seq, checkpoints.c.state)
    .where(checkpoints.c.board_id == bindparam("board_id"))
    .order_by(checkpoints.c.seq.desc())
    .limit(1)
)
TAIL_AFTER = (
    select(updates.c.seq, updates.c.data)
    .where(updates.c.board_id == bindparam("board_id"), updates.c.seq > bindparam("since"))
    .order_by(updates.c.seq)
)
"""Built once, as ``catalog``'s connection reads are: every board load runs both."""


def load(conn: Connection, board_id: str) -> StoredBoard:
    """Latest checkpoint of the board plus the updates logged after it."""
    latest = conn.execute(LATEST_CHECKPOINT, {"board_id": board_id}).first()
    since = latest.seq if latest else 0
    tail = conn.execute(TAIL_AFTER, {"board_id": board_id, "since": since}).all()
    last_seq = tail[-1].seq if tail else since
    return StoredBoard(latest.state if latest else None, [row.data for row in tail], last_seq)


def recent_updates(
    engine: Engine, board_id: str, after_seq: int, since: float
) -> list[tuple[int, bytes]]:
    """``recent`` on a connection of its own."""
    with engine.connect() as conn:
        return recent(conn, board_id, after_seq, since)


def count(conn: Connection, board_id: str) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(updates).where(updates.c.board_id == board_id)
        ).scalar_one()
    )


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """A logged update as read back: who sent it, when, and its place in the board's log."""

    board_id: str
    created_at: float
    invite_id: str | None
    author_name: str | None
    party: str | None
    data: bytes
    seq: int = 0


def attributed_entries(conn: Connection, board_id: str) -> list[StoredEntry]:
    """Every logged update of a board in order, with its sequence number and author."""
    rows = conn.execute(
        select(updates).where(updates.c.board_id == board_id).order_by(updates.c.seq)
    ).all()
    return [StoredEntry(**row._asdict()) for row in rows]


def board_entries(engine: Engine, board_id: str) -> list[StoredEntry]:
    """``attributed_entries`` on a connection of its own."""
    with engine.connect() as conn:
        return attributed_entries(conn, board_id)


RECENT = (
    select(updates.c.seq, updates.c.data)
    .where(
        updates.c.board_id == bindparam("board_id"),
        (updates.c.seq > bindparam("after_seq")) | (updates.c.created_at >= bindparam("since")),
    )
    .order_by(updates.c.seq)
)
"""Built once: with several instances, every connection to a board runs it (``recent``)."""


def recent(
    conn: Connection, board_id: str, after_seq: int, since: float
) -> list[tuple[int, bytes]]:
    """Updates logged after ``after_seq`` or at/after time ``since`` (seq, bytes), in order.

    Sequence numbers from several writers may commit out of order, so a catch-up also
    rereads a recent time window; applying an update twice changes nothing."""
    values = {"board_id": board_id, "after_seq": after_seq, "since": since}
    return [(row.seq, row.data) for row in conn.execute(RECENT, values)]
