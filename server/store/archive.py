"""The workshop archive: sessions, immutable snapshots, replay checkpoints, storage figures.

Snapshots are only ever inserted. Each names the number it takes in its board's chain; the
unique (board, number) index makes two snapshots taken at once conflict instead of forking the
chain, and the loser retries (``ChainMoved``).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Select, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from server.core.errors import Conflict, NotFound
from server.store.log import StoredEntry
from server.store.models import (
    checkpoints,
    replay_checkpoints,
    sessions,
    snapshots,
    updates,
)

REPLAY_COMPRESSION_LEVEL = 6


class ChainMoved(Exception):
    """Another snapshot joined the board's chain meanwhile: rebuild the header and retry."""


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    board_id: str
    title: str
    started_at: float
    started_by: str | None
    started_by_label: str | None
    ended_at: float | None
    ended_by: str | None

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A snapshot's row without its two blobs (see ``snapshot_content``)."""

    id: str
    board_id: str
    number: int
    session_id: str | None
    kind: str
    seq: int
    taken_at: float
    header: str
    hash: str


@dataclass(frozen=True, slots=True)
class SnapshotContent:
    state: bytes
    projection: str


@dataclass(frozen=True, slots=True)
class NewSnapshot:
    snapshot: Snapshot
    content: SnapshotContent


@dataclass(frozen=True, slots=True)
class Position:
    """One logged update's place: its sequence number and time."""

    seq: int
    at: float


@dataclass(frozen=True, slots=True)
class ReplayCheckpoint:
    seq: int
    state: bytes
    stored_bytes: int


@dataclass(frozen=True, slots=True)
class Span:
    """Updates logged in a range of positions: how many, how many bytes."""

    count: int
    bytes: int
    first: Position | None
    last: Position | None


@dataclass(frozen=True, slots=True)
class Sizes:
    count: int
    bytes: int


# -- sessions -----------------------------------------------------------------------------

_SESSION_COLUMNS = (
    sessions.c.id,
    sessions.c.board_id,
    sessions.c.title,
    sessions.c.started_at,
    sessions.c.started_by,
    sessions.c.started_by_label,
    sessions.c.ended_at,
    sessions.c.ended_by,
)


def _session(row: Any) -> Session:
    return Session(**row._asdict())


def get_session(engine: Engine, session_id: str) -> Session:
    with engine.connect() as conn:
        row = conn.execute(select(*_SESSION_COLUMNS).where(sessions.c.id == session_id)).first()
    if row is None:
        raise NotFound(f"no session with id {session_id!r}", session=session_id)
    return _session(row)


def open_session(engine: Engine, board_id: str) -> Session | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(*_SESSION_COLUMNS).where(sessions.c.open_board == board_id)
        ).first()
    return None if row is None else _session(row)


def list_sessions(engine: Engine, board_id: str) -> list[Session]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(*_SESSION_COLUMNS)
            .where(sessions.c.board_id == board_id)
            .order_by(sessions.c.started_at, sessions.c.id)
        ).all()
    return [_session(row) for row in rows]


# -- snapshots ----------------------------------------------------------------------------

_SNAPSHOT_COLUMNS = (
    snapshots.c.id,
    snapshots.c.board_id,
    snapshots.c.number,
    snapshots.c.session_id,
    snapshots.c.kind,
    snapshots.c.seq,
    snapshots.c.taken_at,
    snapshots.c.header,
    snapshots.c.hash,
)


def _snapshot(row: Any) -> Snapshot:
    return Snapshot(**row._asdict())


def get_snapshot(engine: Engine, snapshot_id: str) -> Snapshot:
    with engine.connect() as conn:
        row = conn.execute(select(*_SNAPSHOT_COLUMNS).where(snapshots.c.id == snapshot_id)).first()
    if row is None:
        raise NotFound(f"no snapshot with id {snapshot_id!r}", snapshot=snapshot_id)
    return _snapshot(row)


def snapshot_content(engine: Engine, snapshot_id: str) -> SnapshotContent:
    with engine.connect() as conn:
        row = conn.execute(
            select(snapshots.c.state, snapshots.c.projection).where(snapshots.c.id == snapshot_id)
        ).first()
    if row is None:
        raise NotFound(f"no snapshot with id {snapshot_id!r}", snapshot=snapshot_id)
    return SnapshotContent(bytes(row.state), str(row.projection))


def board_snapshots(engine: Engine, board_id: str) -> list[Snapshot]:
    """The board's chain, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(*_SNAPSHOT_COLUMNS)
            .where(snapshots.c.board_id == board_id)
            .order_by(snapshots.c.number)
        ).all()
    return [_snapshot(row) for row in rows]


def session_snapshots(engine: Engine, session_id: str) -> list[Snapshot]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(*_SNAPSHOT_COLUMNS)
            .where(snapshots.c.session_id == session_id)
            .order_by(snapshots.c.number)
        ).all()
    return [_snapshot(row) for row in rows]


def snapshot_by_number(engine: Engine, board_id: str, number: int) -> Snapshot | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(*_SNAPSHOT_COLUMNS).where(
                snapshots.c.board_id == board_id, snapshots.c.number == number
            )
        ).first()
    return None if row is None else _snapshot(row)


def latest_snapshot(engine: Engine, board_id: str) -> Snapshot | None:
    with engine.connect() as conn:
        return _latest(conn, board_id)


def _latest(conn: Connection, board_id: str) -> Snapshot | None:
    row = conn.execute(
        select(*_SNAPSHOT_COLUMNS)
        .where(snapshots.c.board_id == board_id)
        .order_by(snapshots.c.number.desc())
        .limit(1)
    ).first()
    return None if row is None else _snapshot(row)


def insert_snapshot(
    engine: Engine,
    new: NewSnapshot,
    *,
    start: Session | None = None,
    end: Session | None = None,
) -> None:
    """Append the snapshot to its board's chain, in one transaction with the session it
    starts (``start``: inserted) or ends (``end``: closed with its ``ended_at``/``ended_by``).

    Raises ``ChainMoved`` if the chain grew since the header was built, ``Conflict`` if the
    board already has an open session (start) or the session is no longer open (end)."""
    board_id = new.snapshot.board_id
    try:
        with engine.begin() as conn:
            if start is not None:
                _insert_session(conn, start)
            if end is not None:
                _close_session(conn, end)
            latest = _latest(conn, board_id)
            if (latest.number if latest else 0) != new.snapshot.number - 1:
                raise ChainMoved(board_id)
            if start is None and end is None and new.snapshot.session_id is not None:
                _require_open(conn, new.snapshot.session_id)
            conn.execute(insert(snapshots).values(**_snapshot_values(new)))
    except IntegrityError as exc:
        # A concurrent request won the race: a session opened, or the chain grew.
        if start is not None and open_session(engine, board_id) is not None:
            raise _already_open(board_id) from exc
        raise ChainMoved(board_id) from exc


def _snapshot_values(new: NewSnapshot) -> dict[str, object]:
    row = new.snapshot
    return {
        "id": row.id,
        "board_id": row.board_id,
        "number": row.number,
        "session_id": row.session_id,
        "kind": row.kind,
        "seq": row.seq,
        "taken_at": row.taken_at,
        "header": row.header,
        "hash": row.hash,
        "state": new.content.state,
        "projection": new.content.projection,
    }


def _already_open(board_id: str) -> Conflict:
    return Conflict("this board already has an open session; end it first", board=board_id)


def _insert_session(conn: Connection, session: Session) -> None:
    found = conn.execute(
        select(sessions.c.id).where(sessions.c.open_board == session.board_id)
    ).first()
    if found is not None:
        raise _already_open(session.board_id)
    conn.execute(
        insert(sessions).values(
            id=session.id,
            board_id=session.board_id,
            title=session.title,
            started_at=session.started_at,
            started_by=session.started_by,
            started_by_label=session.started_by_label,
            ended_at=None,
            ended_by=None,
            open_board=session.board_id,
        )
    )


def _require_open(conn: Connection, session_id: str) -> None:
    """A snapshot joins a session only while it is open (it may have ended meanwhile)."""
    ended = conn.execute(select(sessions.c.ended_at).where(sessions.c.id == session_id)).first()
    if ended is None or ended.ended_at is not None:
        raise ChainMoved(session_id)


def _close_session(conn: Connection, session: Session) -> None:
    closed = conn.execute(
        update(sessions)
        .where(sessions.c.id == session.id, sessions.c.ended_at.is_(None))
        .values(ended_at=session.ended_at, ended_by=session.ended_by, open_board=None)
    )
    if closed.rowcount != 1:
        raise Conflict("this session has already ended", session=session.id)


# -- the log, read for replay -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplayStart:
    """What rebuilding a point takes: the point, the nearest replay checkpoint at or before
    it (None: start from an empty document) and the updates logged between the two."""

    target: Position
    base: ReplayCheckpoint | None
    tail: list[Logged]


class Logged(NamedTuple):
    """A logged update as replay needs it (no attribution: cheaper to read)."""

    seq: int
    created_at: float
    data: bytes


def replay_start(
    engine: Engine, board_id: str, *, upto_seq: int | None = None, upto_time: float | None = None
) -> ReplayStart | None:
    """None when the board had no update by then. The point is read first and every later
    read is bounded by it, so rows committed meanwhile never leak in."""
    with engine.connect() as conn:
        target = _position(conn, board_id, upto_seq, upto_time)
        if target is None:
            return None
        base = _replay_checkpoint(conn, board_id, target.seq)
        tail = conn.execute(
            select(updates.c.seq, updates.c.created_at, updates.c.data)
            .where(
                updates.c.board_id == board_id,
                updates.c.seq > (base.seq if base else 0),
                updates.c.seq <= target.seq,
            )
            .order_by(updates.c.seq)
        ).all()
    return ReplayStart(target, base, [Logged(*row) for row in tail])


def _position(
    conn: Connection, board_id: str, upto_seq: int | None, upto_time: float | None
) -> Position | None:
    """The board's last update at or before ``upto_seq`` and ``upto_time`` (None: no bound)."""
    query = select(updates.c.seq, updates.c.created_at).where(updates.c.board_id == board_id)
    if upto_seq is not None:
        query = query.where(updates.c.seq <= upto_seq)
    if upto_time is not None:
        query = query.where(updates.c.created_at <= upto_time)
    row = conn.execute(query.order_by(updates.c.seq.desc()).limit(1)).first()
    return None if row is None else Position(int(row.seq), float(row.created_at))


def entries(
    engine: Engine,
    board_id: str,
    *,
    after_seq: int,
    upto_seq: int | None = None,
    limit: int | None = None,
) -> list[StoredEntry]:
    """Attributed updates with ``after_seq < seq <= upto_seq``, in order."""
    with engine.connect() as conn:
        return _entries(conn, board_id, after_seq, upto_seq, limit)


def _entries(
    conn: Connection, board_id: str, after_seq: int, upto_seq: int | None, limit: int | None
) -> list[StoredEntry]:
    query = select(updates).where(updates.c.board_id == board_id, updates.c.seq > after_seq)
    if upto_seq is not None:
        query = query.where(updates.c.seq <= upto_seq)
    query = query.order_by(updates.c.seq)
    if limit is not None:
        query = query.limit(limit)
    return [StoredEntry(**row._asdict()) for row in conn.execute(query).all()]


def _replay_checkpoint(conn: Connection, board_id: str, upto_seq: int) -> ReplayCheckpoint | None:
    """The latest replay checkpoint at or before ``upto_seq``."""
    row = conn.execute(
        select(replay_checkpoints.c.seq, replay_checkpoints.c.state)
        .where(replay_checkpoints.c.board_id == board_id, replay_checkpoints.c.seq <= upto_seq)
        .order_by(replay_checkpoints.c.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    stored = bytes(row.state)
    return ReplayCheckpoint(int(row.seq), zlib.decompress(stored), len(stored))


def save_replay_checkpoints(
    engine: Engine, board_id: str, states: Sequence[tuple[int, bytes]]
) -> list[int]:
    """Store full states at these positions (compressed); returns their stored sizes. One short
    transaction each, so the log writer never waits long; a position already stored (by a
    concurrent request) is left as it is."""
    sizes = []
    for seq, state in states:
        packed = zlib.compress(state, REPLAY_COMPRESSION_LEVEL)
        sizes.append(len(packed))
        try:
            with engine.begin() as conn:
                conn.execute(
                    insert(replay_checkpoints).values(
                        board_id=board_id, seq=seq, raw_bytes=len(state), state=packed
                    )
                )
        except IntegrityError:
            continue
    return sizes


# -- storage figures ----------------------------------------------------------------------


def log_span(
    engine: Engine, board_id: str, *, after_seq: int = 0, upto_seq: int | None = None
) -> Span:
    query = select(
        func.count(),
        func.coalesce(func.sum(func.length(updates.c.data)), 0),
        func.min(updates.c.seq),
        func.max(updates.c.seq),
    ).where(updates.c.board_id == board_id, updates.c.seq > after_seq)
    if upto_seq is not None:
        query = query.where(updates.c.seq <= upto_seq)
    with engine.connect() as conn:
        count, size, first, last = conn.execute(query).one()
        first_at = _time_of(conn, first)
        last_at = _time_of(conn, last)
    return Span(
        int(count),
        int(size),
        None if first is None or first_at is None else Position(int(first), first_at),
        None if last is None or last_at is None else Position(int(last), last_at),
    )


def _time_of(conn: Connection, seq: int | None) -> float | None:
    if seq is None:
        return None
    found = conn.execute(select(updates.c.created_at).where(updates.c.seq == seq)).scalar()
    return None if found is None else float(found)


def checkpoint_sizes(engine: Engine, board_id: str) -> Sizes:
    """The live checkpoints the rooms write (``ATELIER_CHECKPOINT_EVERY``)."""
    query = select(func.count(), func.coalesce(func.sum(func.length(checkpoints.c.state)), 0))
    return _sizes(engine, query.where(checkpoints.c.board_id == board_id))


def replay_checkpoint_sizes(engine: Engine, board_id: str) -> Sizes:
    blob = replay_checkpoints.c.state
    query = select(func.count(), func.coalesce(func.sum(func.length(blob)), 0))
    return _sizes(engine, query.where(replay_checkpoints.c.board_id == board_id))


def snapshot_sizes(engine: Engine, board_id: str) -> Sizes:
    query = select(
        func.count(),
        func.coalesce(
            func.sum(func.length(snapshots.c.state) + func.length(snapshots.c.projection)), 0
        ),
    ).where(snapshots.c.board_id == board_id)
    return _sizes(engine, query)


def _sizes(engine: Engine, query: Select[Any, Any]) -> Sizes:
    with engine.connect() as conn:
        count, size = conn.execute(query).one()
    return Sizes(int(count), int(size))
