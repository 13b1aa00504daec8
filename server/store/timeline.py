"""The log read back for replay: the update at a point, the nearest replay checkpoint, the
updates between; the replay checkpoints themselves (compressed full states that bound
how much of the log any point needs); and the timeline's steps built ahead."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from server.store.log import StoredEntry
from server.store.models import replay_checkpoints, timeline_steps, updates

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


# -- the timeline's steps, built ahead ------------------------------------------------------

TIMELINE_COMPRESSION_LEVEL = 6


class StoredStep(NamedTuple):
    """A step of the timeline as stored: its span of the log and its entry (JSON)."""

    first_seq: int
    last_seq: int
    entry: bytes


def stored_steps(
    engine: Engine, board_id: str, *, from_seq: int, limit: int, format: int
) -> list[StoredStep]:
    """Up to ``limit`` stored steps, in order, from the first update logged at or after
    ``from_seq``, when a stored step starts there; otherwise none (``from_seq`` falls inside a
    step, or past the steps stored so far)."""
    with engine.connect() as conn:
        first = conn.execute(
            select(updates.c.seq)
            .where(updates.c.board_id == board_id, updates.c.seq >= from_seq)
            .order_by(updates.c.seq)
            .limit(1)
        ).scalar()
        if first is None:
            return []
        rows = conn.execute(
            select(timeline_steps.c.first_seq, timeline_steps.c.last_seq, timeline_steps.c.entry)
            .where(
                timeline_steps.c.board_id == board_id,
                timeline_steps.c.first_seq >= first,
                timeline_steps.c.format == format,
            )
            .order_by(timeline_steps.c.first_seq)
            .limit(limit)
        ).all()
    if not rows or rows[0].first_seq != first:
        return []
    return [
        StoredStep(int(row.first_seq), int(row.last_seq), zlib.decompress(bytes(row.entry)))
        for row in rows
    ]


def last_stored_step_end(engine: Engine, board_id: str, *, format: int) -> int | None:
    """Where the stored steps end (the last one's last update); None when none is stored."""
    with engine.connect() as conn:
        found = conn.execute(
            select(timeline_steps.c.last_seq)
            .where(timeline_steps.c.board_id == board_id, timeline_steps.c.format == format)
            .order_by(timeline_steps.c.first_seq.desc())
            .limit(1)
        ).scalar()
    return None if found is None else int(found)


def save_steps(engine: Engine, board_id: str, steps: Sequence[StoredStep], *, format: int) -> bool:
    """Store these steps (compressed) in one transaction. False when one of them was already
    stored, by a concurrent builder: nothing is then stored, that builder is ahead."""
    rows = [
        {
            "board_id": board_id,
            "first_seq": step.first_seq,
            "last_seq": step.last_seq,
            "format": format,
            "entry": zlib.compress(step.entry, TIMELINE_COMPRESSION_LEVEL),
        }
        for step in steps
    ]
    try:
        with engine.begin() as conn:
            conn.execute(insert(timeline_steps), rows)
    except IntegrityError:
        return False
    return True


def forget_steps_of_other_formats(engine: Engine, board_id: str, *, format: int) -> None:
    """Steps written with other captions are dropped, so that the board's steps are rebuilt
    from its start."""
    with engine.begin() as conn:
        conn.execute(
            delete(timeline_steps).where(
                timeline_steps.c.board_id == board_id, timeline_steps.c.format != format
            )
        )
