"""Revealed rounds projected to JSON, and the continuum's agreed position taken from them.

Only the server writes the ``rounds`` root, so this reads it defensively but briefly: an
entry it cannot read costs that entry (reported ``unreadable``), never the projection.
"""

from __future__ import annotations

from functools import partial
from typing import Any, NotRequired, TypedDict

from .reading import Fields, ProblemReport, as_fields, canonical_number, sorted_entries
from .rounds import KINDS, ROUNDS

CONTENT_KEYS: dict[str, tuple[str, ...]] = {
    "position": ("level", "target", "comment"),
    "assessment": ("scores", "comments"),
    "notes": ("notes",),
    "vote": ("votes",),
}


class AnswerOut(TypedDict):
    key: str
    name: str | None
    party: str | None
    at: str | None
    content: dict[str, Any]


class AgreedOut(TypedDict):
    at: str | None
    by: str | None
    session: str | None
    level: NotRequired[str]
    target: NotRequired[str]
    scores: NotRequired[dict[str, int | float]]
    notes: NotRequired[list[str]]


class RoundOut(TypedDict):
    id: str
    kind: str
    title: str
    state: str
    revealedAt: str | None
    answerCount: int
    answers: list[AnswerOut]
    agreed: AgreedOut | None
    results: NotRequired[list[dict[str, Any]]]
    """Vote rounds: the ranked results [{note, text, votes}], most votes first."""
    budget: NotRequired[int]
    secret: NotRequired[bool]


class PositionOut(TypedDict):
    level: str
    target: str | None
    at: str | None
    round: str


def project_rounds(fields: Fields, problems: ProblemReport) -> list[RoundOut]:
    """Every readable revealed round, oldest reveal first."""
    found: list[RoundOut] = []
    for round_id, value in sorted_entries(fields):
        path = (ROUNDS, round_id)
        entry = problems.guard(path, partial(_round, round_id, value))
        if entry is not None:
            found.append(entry)
    return sorted(found, key=lambda r: (r["revealedAt"] or "", r["id"]))


def _round(round_id: str, value: object) -> RoundOut | None:
    fields = as_fields(value)
    if fields is None or fields.get("kind") not in KINDS:
        raise ValueError("not a round")
    kind = str(fields["kind"])
    answers = as_fields(fields.get("answers")) or {}
    found: RoundOut = {
        "id": round_id,
        "kind": kind,
        "title": _str(fields.get("title")) or "",
        "state": "revealed",
        "revealedAt": _str(fields.get("revealedAt")),
        "answerCount": int(_num(fields.get("answerCount")) or len(answers)),
        "answers": [_answer(kind, key, v) for key, v in sorted_entries(answers)],
        "agreed": _agreed(fields.get("agreed")),
    }
    if kind == "vote":
        results = fields.get("results")
        found["results"] = _plain(results) if isinstance(results, list) else []
        found["budget"] = int(_num(fields.get("budget")) or 0)
        found["secret"] = fields.get("secret") is not False
    return found


def _answer(kind: str, key: str, value: object) -> AnswerOut:
    fields = as_fields(value) or {}
    content = {k: _plain(fields[k]) for k in CONTENT_KEYS[kind] if k in fields}
    return {
        "key": key,
        "name": _str(fields.get("name")),
        "party": _str(fields.get("party")),
        "at": _str(fields.get("at")),
        "content": content,
    }


def _agreed(value: object) -> AgreedOut | None:
    fields = as_fields(value)
    if fields is None:
        return None
    agreed: AgreedOut = {
        "at": _str(fields.get("at")),
        "by": _str(fields.get("by")),
        "session": _str(fields.get("session")),
    }
    if isinstance(fields.get("level"), str):
        agreed["level"] = str(fields["level"])
    if isinstance(fields.get("target"), str):
        agreed["target"] = str(fields["target"])
    if isinstance(fields.get("scores"), dict):
        agreed["scores"] = _plain(fields["scores"])
    if isinstance(notes := fields.get("notes"), list):
        agreed["notes"] = [str(n) for n in notes]
    return agreed


def position(rounds: list[RoundOut]) -> PositionOut | None:
    """The continuum level the group last agreed on, from position rounds."""
    agreed = [
        (r["agreed"]["at"] or "", r["id"], r["agreed"])
        for r in rounds
        if r["kind"] == "position" and r["agreed"] and "level" in r["agreed"]
    ]
    if not agreed:
        return None
    at, round_id, latest = max(agreed, key=lambda entry: (entry[0], entry[1]))
    return {"level": latest["level"], "target": latest.get("target"), "at": at, "round": round_id}


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _num(value: object) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return canonical_number(value)


def _plain(value: Any) -> Any:
    """JSON as the projection writes it: whole numbers as int, everything copied."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return canonical_number(value)
    return value
