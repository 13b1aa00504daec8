"""The programme view: one row per site, from its trajectory, for the national team.

A row says where the site stands (its latest agreed continuum level and how far it moved since
its first agreed one), what it used (sessions, coaching hours), what it settled (agreement
sections agreed, latest agreed condition scores, support roles nobody carries) and whether
its latest ended session's evidence verifies. Verifying replays a session's log, so verdicts
are kept for ``VERDICT_TTL_SECONDS``: the dashboard re-checks each session at most that often.
"""

from __future__ import annotations

import csv
import io
import threading
from typing import Any

from server.archive.trajectory import trajectory
from server.archive.verify import verify_session
from server.boards.labels import LEVEL_BY_ID, LEVELS, pick
from server.boards.method import CRITERIA, ROLE_BY_ID
from server.core.clock import iso
from server.store import catalog
from server.store.db import Engine

VERDICT_TTL_SECONDS = 600.0
VERDICTS_KEPT = 1024
LEVEL_RANK: dict[str, int] = {level.id: rank for rank, level in enumerate(LEVELS)}

_verdicts: dict[str, tuple[float, bool]] = {}
_verdicts_lock = threading.Lock()


def programme(engine: Engine, now: float) -> dict[str, Any]:
    """Every site's row and its levels over time (blocking: run it in a thread)."""
    rows = [
        site_row(engine, trajectory(engine, site.id, now), now)
        for site in catalog.list_sites(engine)
    ]
    return {"generated_at": iso(now), "sites": rows}


def site_row(engine: Engine, journey: dict[str, Any], now: float) -> dict[str, Any]:
    sessions: list[dict[str, Any]] = journey["sessions"]
    agreed = [
        (s["started_at"], s["position"]["agreed"]) for s in sessions if s["position"]["agreed"]
    ]
    latest = sessions[-1] if sessions else None
    ended = [s for s in sessions if not s["open"]]
    assessed = next(
        (s["conditions"]["agreed"] for s in reversed(sessions) if s["conditions"]["agreed"]), None
    )
    first_level: str | None = agreed[0][1] if agreed else None
    last_level: str | None = agreed[-1][1] if agreed else None
    change = None
    if first_level is not None and last_level is not None:
        change = LEVEL_RANK[last_level] - LEVEL_RANK[first_level]
    return {
        "site": journey["site"]["id"],
        "title": journey["site"]["title"],
        "level": last_level,
        "first_level": first_level,
        "level_change": change,
        "levels": [{"at": at, "level": level} for at, level in agreed],
        "sessions": len(sessions),
        "coaching": journey["coaching"],
        "agreement_agreed": 0 if latest is None else int(latest["agreement"].get("agreed", 0)),
        "conditions": assessed,
        "roles_uncovered": _uncovered(latest),
        "last_session": None if latest is None else latest["started_at"],
        "evidence_ok": None if not ended else _verified(engine, ended[-1]["id"], now),
    }


def _uncovered(latest: dict[str, Any] | None) -> list[str] | None:
    """Roles nobody carried at the latest session; None when unknown (no session yet, or a
    board without the support part)."""
    if latest is None or not latest["support"]["part"]:
        return None
    uncovered: list[str] = latest["support"]["uncovered"]
    return uncovered


def _verified(engine: Engine, session_id: str, now: float) -> bool:
    with _verdicts_lock:
        kept = _verdicts.get(session_id)
    if kept is not None and now - kept[0] < VERDICT_TTL_SECONDS:
        return kept[1]
    ok = verify_session(engine, session_id).ok
    with _verdicts_lock:
        if len(_verdicts) >= VERDICTS_KEPT:
            _verdicts.pop(next(iter(_verdicts)))
        _verdicts[session_id] = (now, ok)
    return ok


CSV_COLUMNS: dict[str, tuple[str, str]] = {
    "site": ("Site (identifiant)", "Site (id)"),
    "title": ("Site", "Site"),
    "level": ("Niveau retenu", "Agreed level"),
    "first_level": ("Premier niveau retenu", "First agreed level"),
    "level_change": ("Évolution (niveaux)", "Change (levels)"),
    "sessions": ("Séances", "Sessions"),
    "hours_used": ("Heures utilisées", "Hours used"),
    "hours_budget": ("Heures prévues", "Hours budgeted"),
    "agreement_agreed": (
        "Sections de l'entente validées (sur 5)",
        "Agreement sections agreed (of 5)",
    ),
    "conditions": ("Conditions (scores retenus)", "Conditions (agreed scores)"),
    "roles_uncovered": ("Rôles non portés", "Roles nobody carries"),
    "last_session": ("Dernière séance", "Last session"),
    "evidence_ok": ("Preuves vérifiées", "Evidence verified"),
}


def hours(seconds: float, lang: str) -> str:
    """Hours to one decimal, with a decimal comma in French (« 3,5 »)."""
    text = f"{seconds / 3600:.1f}"
    return text if lang == "en" else text.replace(".", ",")


def programme_csv(table: dict[str, Any], lang: str) -> str:
    """The rows for a spreadsheet: semicolon-separated with decimal commas in French (what
    French Excel and LibreOffice open without an import dialog), commas in English; the
    caller encodes it as UTF-8 with a byte-order mark so accents survive Excel."""
    french = lang != "en"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if french else ",", lineterminator="\r\n")
    writer.writerow([words[0 if french else 1] for words in CSV_COLUMNS.values()])
    for row in table["sites"]:
        writer.writerow(_csv_cells(row, lang))
    return out.getvalue()


def _csv_cells(row: dict[str, Any], lang: str) -> list[str]:
    def level(value: str | None) -> str:
        return "" if value is None else pick(LEVEL_BY_ID[value].label, lang)

    scores = row["conditions"] or {}
    yes, no, colon = ("yes", "no", ": ") if lang == "en" else ("oui", "non", "\u00a0: ")
    cells = {
        "site": row["site"],
        "title": row["title"],
        "level": level(row["level"]),
        "first_level": level(row["first_level"]),
        "level_change": "" if row["level_change"] is None else str(row["level_change"]),
        "sessions": str(row["sessions"]),
        "hours_used": hours(row["coaching"]["used_s"], lang),
        "hours_budget": hours(row["coaching"]["budget_s"], lang),
        "agreement_agreed": str(row["agreement_agreed"]),
        "conditions": " | ".join(
            f"{pick(c.label, lang)}{colon}{scores[c.id]}" for c in CRITERIA if c.id in scores
        ),
        "roles_uncovered": " | ".join(
            pick(ROLE_BY_ID[r].label, lang) for r in row["roles_uncovered"] or []
        ),
        "last_session": row["last_session"] or "",
        "evidence_ok": "" if row["evidence_ok"] is None else (yes if row["evidence_ok"] else no),
    }
    return [cells[column] for column in CSV_COLUMNS]
