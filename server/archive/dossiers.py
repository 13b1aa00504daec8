"""Dossiers: everything an export needs about a snapshot or a session, read from the
database once, so that the JSON export, the reports and the bundle show the same facts."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Literal, cast

from pycrdt import Doc

from server.archive.contributions import LogWindow, tally
from server.archive.hashing import header_of
from server.boards.diff import ChangeJson, diff
from server.boards.projection import Projection, project
from server.core.errors import NotFound
from server.store import archive, timeline
from server.store.db import Engine
from server.store.log import StoredEntry


@dataclass(frozen=True)
class Frame:
    """One snapshot with its content."""

    row: archive.Snapshot
    state: bytes
    projection_text: str

    @property
    def header(self) -> dict[str, Any]:
        return header_of(self.row)

    @property
    def projection(self) -> Projection:
        return cast(Projection, json.loads(self.projection_text))


@dataclass(frozen=True)
class Dossier:
    """A snapshot or a session, ready to export: its frames (chain order), the frame the
    diff and the contributions start from (None: the empty board), and the log in between."""

    kind: Literal["snapshot", "session"]
    session: archive.Session | None
    frames: list[Frame]
    base: Frame | None
    entries: list[StoredEntry]
    contributions: dict[str, Any]
    generated_at: float
    facilitator: str | None = None
    """Who started the session: the person's name, else the invite's label."""

    @property
    def last(self) -> Frame:
        return self.frames[-1]

    @property
    def board(self) -> dict[str, Any]:
        board: dict[str, Any] = self.last.header["board"]
        return board

    def changes(self) -> list[ChangeJson]:
        before = self.base.projection if self.base else project(Doc())
        return [change.to_json() for change in diff(before, self.last.projection)]


def _frame(engine: Engine, row: archive.Snapshot) -> Frame:
    content = archive.snapshot_content(engine, row.id)
    return Frame(row, content.state, content.projection)


def session_dossier(engine: Engine, session_id: str) -> Dossier:
    """A session: its snapshots; diff and contributions from its first to its last."""
    session = archive.get_session(engine, session_id)
    rows = archive.session_snapshots(engine, session_id)
    if not rows:
        raise NotFound(f"the session {session_id!r} has no snapshot", session=session_id)
    frames = [_frame(engine, row) for row in rows]
    return _dossier(engine, "session", session, frames, frames[0])


def snapshot_dossier(engine: Engine, snapshot_id: str) -> Dossier:
    """One snapshot; diff and contributions since the board's previous snapshot."""
    row = archive.get_snapshot(engine, snapshot_id)
    previous = archive.snapshot_by_number(engine, row.board_id, row.number - 1)
    base = _frame(engine, previous) if previous is not None else None
    session = archive.get_session(engine, row.session_id) if row.session_id else None
    return _dossier(engine, "snapshot", session, [_frame(engine, row)], base)


def _dossier(
    engine: Engine,
    kind: Literal["snapshot", "session"],
    session: archive.Session | None,
    frames: list[Frame],
    base: Frame | None,
) -> Dossier:
    last = frames[-1].row
    logged = timeline.entries(
        engine, last.board_id, after_seq=base.row.seq if base else 0, upto_seq=last.seq
    )
    figures = tally(last.board_id, logged, LogWindow(), base_state=base.state if base else None)
    figures["from"] = base.header["taken_at"] if base else None
    figures["to"] = frames[-1].header["taken_at"]
    starter = _starter(engine, session, frames)
    return Dossier(kind, session, frames, base, logged, figures, time.time(), starter)


def _starter(engine: Engine, session: archive.Session | None, frames: list[Frame]) -> str | None:
    """The name in the session's start snapshot (headers since version 2 hold it), else the
    label of the invite that started it."""
    if session is None:
        return None
    start = next((f.row for f in frames if f.row.kind == "session_start"), None)
    if start is None:  # one snapshot taken during the session
        rows = archive.session_snapshots(engine, session.id)
        start = next((row for row in rows if row.kind == "session_start"), None)
    name = header_of(start)["author"].get("name") if start is not None else None
    return name or session.started_by_label


def dossier(engine: Engine, kind: Literal["snapshot", "session"], ident: str) -> Dossier:
    return snapshot_dossier(engine, ident) if kind == "snapshot" else session_dossier(engine, ident)
