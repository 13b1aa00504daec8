"""How much a board has stored: its log, checkpoints, timeline steps, snapshots and each
session's growth.

Operators read it to size backups and to see which sessions produced most of the log.
"""

from __future__ import annotations

from typing import Any

from server.core.clock import iso
from server.store import archive, usage
from server.store.db import Engine


def board_stats(engine: Engine, board_id: str) -> dict[str, Any]:
    """Blocking: several aggregate queries over the board's rows."""
    log = usage.log_span(engine, board_id)
    snapshots = archive.board_snapshots(engine, board_id)
    return {
        "board": board_id,
        "updates": {
            "count": log.count,
            "bytes": log.bytes,
            "first_seq": log.first.seq if log.first else None,
            "last_seq": log.last.seq if log.last else None,
            "first_at": iso(log.first.at) if log.first else None,
            "last_at": iso(log.last.at) if log.last else None,
        },
        "checkpoints": _sizes(usage.checkpoint_sizes(engine, board_id)),
        "replay_checkpoints": _sizes(usage.replay_checkpoint_sizes(engine, board_id)),
        "timeline_steps": _sizes(usage.timeline_step_sizes(engine, board_id)),
        "snapshots": _sizes(usage.snapshot_sizes(engine, board_id)),
        "sessions": [
            _session_growth(engine, s, [x for x in snapshots if x.session_id == s.id], log)
            for s in archive.list_sessions(engine, board_id)
        ],
    }


def _sizes(sizes: usage.Sizes) -> dict[str, int]:
    return {"count": sizes.count, "bytes": sizes.bytes}


def _session_growth(
    engine: Engine,
    session: archive.Session,
    snapshots: list[archive.Snapshot],
    log: usage.LogSpan,
) -> dict[str, Any]:
    """Updates logged from the session's first snapshot to its last (or to now, while open)."""
    start = snapshots[0].seq if snapshots else 0
    end = snapshots[-1].seq if snapshots and not session.is_open else None
    span = usage.log_span(engine, session.board_id, after_seq=start, upto_seq=end)
    return {
        "id": session.id,
        "title": session.title,
        "open": session.is_open,
        "from_seq": start,
        "to_seq": end if end is not None else (log.last.seq if log.last else start),
        "updates": span.count,
        "bytes": span.bytes,
        "snapshots": len(snapshots),
    }
