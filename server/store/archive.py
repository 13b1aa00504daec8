"""The workshop archive: sessions and immutable snapshots.

Snapshots are only ever inserted. Each names the number it takes in its board's chain; the
unique (board, number) index makes two snapshots taken at once conflict instead of forking the
chain, and the loser retries (``ChainMoved``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from server.core.errors import Conflict, NotFound
from server.store.models import (
    boards,
    sessions,
    snapshots,
)


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


def coaching_used_seconds(
    engine: Engine, now: float, *, site_id: str | None = None, board_id: str | None = None
) -> float:
    """The coached time used: the summed durations of the sessions of a site's boards (or of
    one board outside any site), an open session counting up to ``now``."""
    duration = func.coalesce(sessions.c.ended_at, now) - sessions.c.started_at
    query = select(func.coalesce(func.sum(duration), 0.0)).select_from(
        sessions.join(boards, boards.c.id == sessions.c.board_id)
    )
    if site_id is not None:
        query = query.where(boards.c.site_id == site_id)
    else:
        query = query.where(sessions.c.board_id == board_id)
    with engine.connect() as conn:
        used = conn.execute(query).scalar_one()
    return max(0.0, float(used))


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
