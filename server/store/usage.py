"""Storage figures: how many updates, checkpoints and snapshots a board holds, and their size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Select, func, select

from server.store.models import (
    checkpoints,
    replay_checkpoints,
    snapshots,
    timeline_steps,
    updates,
)
from server.store.timeline import Position


@dataclass(frozen=True, slots=True)
class LogSpan:
    """Updates logged in a range of positions: how many, how many bytes."""

    count: int
    bytes: int
    first: Position | None
    last: Position | None


@dataclass(frozen=True, slots=True)
class Sizes:
    count: int
    bytes: int


def log_span(
    engine: Engine, board_id: str, *, after_seq: int = 0, upto_seq: int | None = None
) -> LogSpan:
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
    return LogSpan(
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


def timeline_step_sizes(engine: Engine, board_id: str) -> Sizes:
    blob = timeline_steps.c.entry
    query = select(func.count(), func.coalesce(func.sum(func.length(blob)), 0))
    return _sizes(engine, query.where(timeline_steps.c.board_id == board_id))


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
