"""The log read back for replay: the update at a point, the nearest replay checkpoint, the
updates between; and the replay checkpoints themselves (compressed full states that bound
how much of the log any point needs)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from server.store.log import StoredEntry
from server.store.models import replay_checkpoints, updates

REPLAY_COMPRESSION_LEVEL = 6


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
    columns = [updates.c[name] for name in StoredEntry.__slots__]
    query = select(*columns).where(updates.c.board_id == board_id, updates.c.seq > after_seq)
    if upto_seq is not None:
        query = query.where(updates.c.seq <= upto_seq)
    query = query.order_by(updates.c.seq)
    if limit is not None:
        query = query.limit(limit)
    return [StoredEntry(*row) for row in conn.execute(query).all()]


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
