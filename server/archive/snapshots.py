"""Taking a snapshot: the board as its durable log stands, appended to the board's hash chain
(``hashing`` says what is hashed). Session starts and ends are snapshots too, so a session's
bounds are part of the chain."""

from __future__ import annotations

import dataclasses
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal

from server.archive import replay
from server.archive.hashing import HEADER_VERSION, canonical, log_digest, log_record, sha256_hex
from server.core.clock import iso
from server.core.errors import NotFound, Unavailable
from server.store import archive, catalog, timeline
from server.store.db import Engine

CHAIN_RETRIES = 5
Kind = Literal["session_start", "session_end", "manual"]


@dataclass(frozen=True, slots=True)
class Taker:
    """Who takes a snapshot: an invite (facilitator) or the operator (no invite), and the
    person's display name when known (reports show it, else the invite's label)."""

    invite: str | None
    role: str
    label: str | None
    name: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"invite": self.invite, "role": self.role, "label": self.label, "name": self.name}


@dataclass(frozen=True, slots=True)
class Taken:
    snapshot: archive.Snapshot
    session: archive.Session | None


def take_snapshot(
    engine: Engine,
    board_id: str,
    *,
    kind: Kind,
    taker: Taker,
    label: str | None = None,
    session: archive.Session | None = None,
) -> Taken:
    """Snapshot the board as its durable log stands now and append it to the board's chain.

    A ``session_start`` snapshot inserts ``session`` and a ``session_end`` one closes it, in
    the same transaction; the session's start or end time is the snapshot's. A ``manual``
    snapshot belongs to the board's open session, if any. Blocking."""
    board = _board_json(engine, board_id)
    for _ in range(CHAIN_RETRIES):
        latest = archive.latest_snapshot(engine, board_id)
        if kind == "manual":
            session = archive.open_session(engine, board_id)
        point = replay.state_at(engine, board_id)
        if point is None:
            raise NotFound(f"the board {board_id!r} has no logged update", board=board_id)
        if latest is not None and point.seq < latest.seq:
            continue
        now = time.time()
        sitting = _sitting(session, kind, now, taker)
        new = _new_snapshot(engine, board, latest, point, kind, taker, label, sitting, now)
        try:
            archive.insert_snapshot(
                engine,
                new,
                start=sitting if kind == "session_start" else None,
                end=sitting if kind == "session_end" else None,
            )
        except archive.ChainMoved:
            continue
        return Taken(new.snapshot, sitting)
    raise Unavailable("the board's snapshots kept changing meanwhile; try again")


def _sitting(
    session: archive.Session | None, kind: Kind, now: float, taker: Taker
) -> archive.Session | None:
    if session is None:
        return None
    if kind == "session_start":
        return dataclasses.replace(session, started_at=now)
    if kind == "session_end":
        return dataclasses.replace(session, ended_at=now, ended_by=taker.invite)
    return session


def _new_snapshot(
    engine: Engine,
    board: dict[str, Any],
    latest: archive.Snapshot | None,
    point: replay.Point,
    kind: Kind,
    taker: Taker,
    label: str | None,
    session: archive.Session | None,
    now: float,
) -> archive.NewSnapshot:
    after = latest.seq if latest else 0
    logged = timeline.entries(engine, point.board_id, after_seq=after, upto_seq=point.seq)
    state = point.state
    projection = canonical(point.projection())
    snapshot_id = secrets.token_hex(8)
    number = (latest.number if latest else 0) + 1
    header = {
        "version": HEADER_VERSION,
        "id": snapshot_id,
        "board": board,
        "number": number,
        "kind": kind,
        "label": label,
        "session": None if session is None else {"id": session.id, "title": session.title},
        "taken_at": iso(now),
        "author": taker.to_json(),
        "seq": point.seq,
        "log": log_digest(map(log_record, logged), after),
        "state_sha256": sha256_hex(state),
        "projection_sha256": sha256_hex(projection),
        "prev": latest.hash if latest else None,
    }
    text = canonical(header)
    row = archive.Snapshot(
        id=snapshot_id,
        board_id=point.board_id,
        number=number,
        session_id=None if session is None else session.id,
        kind=kind,
        seq=point.seq,
        taken_at=now,
        header=text.decode("utf-8"),
        hash=sha256_hex(text),
    )
    return archive.NewSnapshot(row, archive.SnapshotContent(state, projection.decode("utf-8")))


def _board_json(engine: Engine, board_id: str) -> dict[str, Any]:
    board = catalog.require_board(engine, board_id)
    site = None
    if board.site_id is not None:
        found = catalog.require_site(engine, board.site_id)
        site = {"id": found.id, "title": found.title}
    return {"id": board.id, "title": board.title, "template": board.template, "site": site}
