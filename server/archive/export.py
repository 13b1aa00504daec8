"""The JSON export of a dossier (``schemas/export.schema.json``): what a program reads; the
reports and the bundle are built from the same dossier."""

from __future__ import annotations

from typing import Any

from server.archive.dossiers import Dossier
from server.core.clock import iso
from server.store import archive


def export_json(d: Dossier, lang: str = "fr") -> dict[str, Any]:
    """The export, valid against ``schemas/export.schema.json``."""
    board = d.board
    return {
        "format": "atelier-export",
        "version": 1,
        "kind": d.kind,
        "generated_at": iso(d.generated_at),
        "lang": "en" if lang == "en" else "fr",
        "board": {key: board[key] for key in ("id", "title", "template")},
        "site": board["site"],
        "session": None if d.session is None else session_record(d.session, d.facilitator),
        "snapshots": [
            {"id": f.row.id, "hash": f.row.hash, "header": f.header, "projection": f.projection}
            for f in d.frames
        ],
        "diff": {
            "from": d.base.row.id if d.base else None,
            "to": d.last.row.id,
            "changes": d.changes(),
        },
        "contributions": d.contributions,
    }


def session_record(session: archive.Session, facilitator: str | None = None) -> dict[str, Any]:
    """A session as exports, reports and bundle manifests show it; ``facilitator`` is who
    started it (a dossier knows the person's name), else the label of their invite."""
    return {
        "id": session.id,
        "title": session.title,
        "started_at": iso(session.started_at),
        "ended_at": None if session.ended_at is None else iso(session.ended_at),
        "facilitator": facilitator or session.started_by_label,
    }
