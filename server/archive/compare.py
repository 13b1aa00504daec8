"""What changed between two snapshots of a board, and who contributed in between."""

from __future__ import annotations

from typing import Any

from server.archive.contributions import LogWindow, tally
from server.archive.dossiers import Frame
from server.boards.diff import diff
from server.store import archive, timeline
from server.store.db import Engine


def compare_snapshots(
    engine: Engine, first: archive.Snapshot, second: archive.Snapshot
) -> dict[str, Any]:
    """Changes from ``first`` to ``second`` and the balance of voice over the log between
    them (whichever is earlier). Blocking: reads both contents and the log between."""
    contents = {s.id: archive.snapshot_content(engine, s.id) for s in (first, second)}
    before, after = (
        Frame(s, contents[s.id].state, contents[s.id].projection) for s in (first, second)
    )
    low, high = sorted((before, after), key=lambda f: f.row.seq)
    logged = timeline.entries(engine, first.board_id, after_seq=low.row.seq, upto_seq=high.row.seq)
    figures = tally(first.board_id, logged, LogWindow(), base_state=low.state)
    figures["from"], figures["to"] = low.header["taken_at"], high.header["taken_at"]
    return {
        "changes": [change.to_json() for change in diff(before.projection, after.projection)],
        "contributions": figures,
    }
