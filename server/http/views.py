"""The JSON shapes of the API's resources (schemas under ``schemas/api/``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from server.archive.hashing import header_of
from server.boards.layout import BOARD_ZONE
from server.core.clock import iso
from server.http.services import services
from server.store import archive, catalog


def board_json(board: catalog.Board) -> dict[str, Any]:
    return lock_state_json(board.id, board.locks) | {
        "title": board.title,
        "template": board.template,
        "site": board.site_id,
        "created_at": board.created_at,
    }


def lock_state_json(board_id: str, locks: frozenset[str]) -> dict[str, Any]:
    return {
        "id": board_id,
        "locked": BOARD_ZONE in locks,
        "zone_locks": sorted(locks - {BOARD_ZONE}),
    }


def site_json(site: catalog.Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "title": site.title,
        "created_at": site.created_at,
        "coaching_hours": site.coaching_hours,
    }


def coaching_json(site: catalog.Site | None, used_s: float) -> dict[str, Any]:
    """Coached time used against the site's budget (none for a board outside any site)."""
    budget = None if site is None else site.coaching_hours * 3600.0
    return {
        "site": None if site is None else site.id,
        "budget_s": budget,
        "used_s": round(used_s, 1),
        "exceeded": budget is not None and used_s > budget,
    }


def invite_json(request: Request, invite: catalog.Invite, token: str | None) -> dict[str, Any]:
    """An invite; its token and join link only when just created (tokens are not stored)."""
    data: dict[str, Any] = {
        "id": invite.id,
        "role": invite.role.value,
        "party": invite.speaks_for,
        "board": invite.board_id,
        "site": invite.site_id,
        "label": invite.label,
        "created_at": invite.created_at,
        "expires_at": invite.expires_at,
        "revoked_at": invite.revoked_at,
        "created_by": invite.created_by,
    }
    if token is not None:
        data["token"] = token
        base = services(request).settings.public_url or str(request.base_url)
        data["url"] = f"{base.rstrip('/')}/join/{token}"
    return data


def snapshot_json(snapshot: archive.Snapshot) -> dict[str, Any]:
    header = header_of(snapshot)
    return {
        "id": snapshot.id,
        "board": snapshot.board_id,
        "number": snapshot.number,
        "session": snapshot.session_id,
        "kind": snapshot.kind,
        "label": header["label"],
        "taken_at": header["taken_at"],
        "author": header["author"],
        "seq": snapshot.seq,
        "log": header["log"],
        "state_sha256": header["state_sha256"],
        "projection_sha256": header["projection_sha256"],
        "prev": header["prev"],
        "hash": snapshot.hash,
    }


def _starter_name(snapshots: list[archive.Snapshot]) -> str | None:
    """The person who started the session, as its start snapshot records them."""
    start = next((row for row in snapshots if row.kind == "session_start"), None)
    name = None if start is None else header_of(start)["author"].get("name")
    return name if isinstance(name, str) else None


def session_json(session: archive.Session, snapshots: list[archive.Snapshot]) -> dict[str, Any]:
    return {
        "id": session.id,
        "board": session.board_id,
        "title": session.title,
        "open": session.is_open,
        "started_at": iso(session.started_at),
        "ended_at": None if session.ended_at is None else iso(session.ended_at),
        "started_by": {
            "invite": session.started_by,
            "label": session.started_by_label,
            "name": _starter_name(snapshots),
        },
        "ended_by": session.ended_by,
        "snapshots": [snapshot_json(snapshot) for snapshot in snapshots],
    }
