"""A site's journey: how its cooperation evolved across sessions, for its facilitators and
the programme's evaluators.

Each session is read as it ended: its end snapshot (immutable, hashed in the evidence) gives
the board's projection, the session's own log window gives the balance of voice, and the
rounds agreed during it (their ``agreed.session``) give the site's agreed position and
scores. An open session is read from the board's current state. Ended sessions never
change, so their entries are kept in a bounded cache keyed by session id.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from typing import Any

from pycrdt import Doc

from server.archive import replay
from server.archive.contributions import COUNTED, contributions
from server.archive.dossiers import session_dossier
from server.boards.method import CRITERION_BY_ID, ROLES
from server.boards.projection import Projection, project
from server.boards.rounds_view import RoundOut
from server.core.clock import iso
from server.store import archive, catalog
from server.store.db import Engine

CACHE_SESSIONS = 2048
"""Ended sessions kept computed (about 2 KB each); a year is 30 sites by 12 sessions."""

_cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
_cache_lock = threading.Lock()


def trajectory(engine: Engine, site_id: str, now: float) -> dict[str, Any]:
    """The site, its coaching hours and its sessions oldest first (blocking: run it in a
    thread)."""
    site = catalog.require_site(engine, site_id)
    boards = {board.id: board for board in catalog.site_boards(engine, site_id)}
    held = [s for board in boards.values() for s in archive.list_sessions(engine, board.id)]
    held.sort(key=lambda s: (s.started_at, s.id))
    used = archive.coaching_used_seconds(engine, now, site_id=site_id)
    return {
        "site": {"id": site.id, "title": site.title},
        "coaching": {"used_s": round(used, 1), "budget_s": site.coaching_hours * 3600.0},
        "sessions": [
            {**session_entry(engine, s, now), "board_title": boards[s.board_id].title} for s in held
        ],
    }


def session_entry(engine: Engine, session: archive.Session, now: float) -> dict[str, Any]:
    """One session of the trajectory; computed once for an ended session."""
    if not session.is_open:
        with _cache_lock:
            if session.id in _cache:
                _cache.move_to_end(session.id)
                return _cache[session.id]
    entry = _compute(engine, session, now)
    if not session.is_open:
        with _cache_lock:
            _cache[session.id] = entry
            while len(_cache) > CACHE_SESSIONS:
                _cache.popitem(last=False)
    return entry


def _compute(engine: Engine, session: archive.Session, now: float) -> dict[str, Any]:
    if session.is_open:
        point = replay.state_at(engine, session.board_id)
        projection = point.projection() if point is not None else project(Doc())
        figures = contributions(engine, session.board_id, session.started_at, None)
    else:
        dossier = session_dossier(engine, session.id)
        projection, figures = dossier.last.projection, dossier.contributions
    end = now if session.ended_at is None else session.ended_at
    rounds = [r for r in projection.get("rounds", []) if _during(r, session)]
    return {
        "id": session.id,
        "board": session.board_id,
        "title": session.title,
        "open": session.is_open,
        "started_at": iso(session.started_at),
        "ended_at": None if session.ended_at is None else iso(session.ended_at),
        "duration_s": round(max(0.0, end - session.started_at), 1),
        "position": _position(rounds, projection),
        "conditions": _conditions(rounds, projection),
        "agreement": _agreement(projection),
        "chain": _chain(projection),
        "support": _support(projection),
        "voice": _voice(figures),
    }


def _during(found: RoundOut, session: archive.Session) -> bool:
    """A round belongs to the session it was agreed in, else to the one it was revealed in."""
    agreed = found.get("agreed")
    if agreed is not None and agreed.get("session"):
        return agreed["session"] == session.id
    revealed = found.get("revealedAt")
    if revealed is None:
        return False
    start, end = (
        iso(session.started_at),
        None if session.ended_at is None else iso(session.ended_at),
    )
    return revealed >= start and (end is None or revealed <= end)


def _position(rounds: list[RoundOut], projection: Projection) -> dict[str, Any]:
    """The level agreed in the session, each party's revealed levels, and the latest agreed
    level on the board at the session's end (which may come from an earlier session)."""
    positions = [r for r in rounds if r["kind"] == "position"]
    agreed = next(
        (r["agreed"] for r in reversed(positions) if r["agreed"] and r["agreed"].get("level")),
        None,
    )
    parties: dict[str, list[str]] = {}
    targets: dict[str, list[str]] = {}
    for found in positions:
        for answer in found["answers"]:
            party = answer["party"] or "none"
            level, target = answer["content"].get("level"), answer["content"].get("target")
            if isinstance(level, str):
                parties.setdefault(party, []).append(level)
            if isinstance(target, str):
                targets.setdefault(party, []).append(target)
    latest = projection.get("position")
    return {
        "agreed": None if agreed is None else agreed.get("level"),
        "agreed_target": None if agreed is None else agreed.get("target"),
        "parties": parties,
        "party_targets": targets,
        "latest": None if latest is None else latest["level"],
    }


def _conditions(rounds: list[RoundOut], projection: Projection) -> dict[str, Any]:
    """Scores agreed in the session's assessment rounds, and the scores the conditions part
    showed at its end."""
    agreed: dict[str, int] = {}
    for found in rounds:
        if found["kind"] == "assessment" and found["agreed"]:
            for item, score in (found["agreed"].get("scores") or {}).items():
                if item in CRITERION_BY_ID:
                    agreed[item] = int(score)
    board = {c["id"]: c["score"] for c in projection.get("conditions", []) if c["score"]}
    return {"agreed": agreed or None, "board": board}


def _agreement(projection: Projection) -> dict[str, int]:
    """How many of the agreement's sections are in each status."""
    return dict(Counter(section["status"] for section in projection["agreement"]["sections"]))


def _chain(projection: Projection) -> dict[str, Any]:
    chain = projection["chain"]
    problems = [p for p in projection["problems"] if p["path"].startswith("/chain")]
    return {
        "vision": bool(chain["vision"].strip()),
        "items": dict(Counter(str(item["tier"]) for item in chain["items"])),
        "links": len(chain["links"]),
        "problems": len(problems),
    }


def _support(projection: Projection) -> dict[str, Any]:
    roles = projection.get("support")
    if roles is None:
        return {"covered": [], "uncovered": [], "part": False}
    covered = [r["id"] for r in roles if r["parties"] or r["who"].strip()]
    uncovered = [role.id for role in ROLES if role.id not in covered]
    return {"covered": covered, "uncovered": uncovered, "part": True}


def _voice(figures: dict[str, Any]) -> dict[str, Any]:
    """The balance of voice over the session: each trinôme party's share, facilitation
    apart (see ``archive.contributions`` for what counts)."""
    return {
        "method": figures.get("method"),
        "parties": [
            {
                "party": p["party"],
                "share": round(float(p["share"]), 4),
                "characters": int(p["counts"].get("characters", 0)),
                "acts": sum(int(p["counts"].get(kind, 0)) for kind in COUNTED),
            }
            for p in figures.get("parties", [])
        ],
        "facilitation": figures.get("facilitation", {}).get("counts", {}),
    }
