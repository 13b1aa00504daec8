"""Vote rounds: dot-voting on the continuum's notes with a budget per person.

A vote round is a private round whose answer is ``{"votes": {noteId: count}}``: its sum
stays within the round's budget and every note is one of the round's. Secret by default
(held by the server until the reveal, like any answer); an open vote shows its running
totals per note, never who gave them. At the reveal the round's entry in the document
carries the ranked results, most votes first, ties in the round's note order.

400 for what the body alone shows wrong (a budget out of range, a count that is not a
whole number, more votes than the budget); 409 for what only the board or the round knows
(a note that is not on the board, or not in the round) — as ``rounds.answer_content``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pycrdt import Doc, Map, Text

from server.core.errors import BadRequest, Conflict

from .labels import LEVELS
from .layout import NOTES, root

KIND = "vote"
MIN_BUDGET, MAX_BUDGET = 1, 10
MIN_MINUTES, MAX_MINUTES = 1, 30
DEFAULT_BUDGET = 3

Settings = dict[str, Any]
Result = dict[str, Any]


def note_order(doc: Doc[Any]) -> list[str]:
    """The continuum's notes in reading order: level left to right, then oldest first."""
    rank = {level.id: index for index, level in enumerate(LEVELS)}
    keyed = []
    for note_id, value in root(doc, NOTES).items():
        level = value.get("level") if isinstance(value, Map) else None
        created = value.get("createdAt") if isinstance(value, Map) else None
        keyed.append((rank.get(str(level), len(rank)), str(created or ""), str(note_id)))
    return [note_id for _, _, note_id in sorted(keyed)]


def note_texts(doc: Doc[Any]) -> dict[str, str]:
    """Each note's text now (for the results' captions)."""
    texts: dict[str, str] = {}
    for note_id, value in root(doc, NOTES).items():
        text = value.get("text") if isinstance(value, Map) else None
        texts[str(note_id)] = str(text) if isinstance(text, Text | str) else ""
    return texts


def whole(value: object) -> int | None:
    """A whole number as JSON may carry it (``8`` or ``8.0``, as JavaScript sends numbers);
    None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def vote_settings(data: Mapping[str, Any], on_board: list[str]) -> Settings:
    """The settings of a new vote round: budget, secret, and its notes (listed, or every
    note of the continuum at opening, in reading order)."""
    budget = whole(data.get("budget", DEFAULT_BUDGET))
    if budget is None:
        raise BadRequest("'budget' must be a whole number of votes", field="budget")
    if not MIN_BUDGET <= budget <= MAX_BUDGET:
        raise BadRequest(
            f"'budget' must be between {MIN_BUDGET} and {MAX_BUDGET} votes", field="budget"
        )
    listed = data.get("notes")
    if listed is None:
        notes = list(on_board)
    else:
        missing = [n for n in listed if n not in on_board]
        if missing:
            raise Conflict(f"no note {missing[0]!r} on this board", field="notes")
        notes = list(dict.fromkeys(listed))
    if not notes:
        raise Conflict("there is no note to vote on: add notes first", field="notes")
    return {"budget": budget, "secret": bool(data.get("secret", True)), "notes": notes}


def vote_content(data: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """One person's votes, checked against the round: counts at least 0 (zeros dropped),
    at most the budget in all, on the round's notes only."""
    votes = data.get("votes")
    if votes is None:
        raise Conflict("this is a vote round: give 'votes' {noteId: count}", field="votes")
    if not isinstance(votes, dict):
        raise BadRequest("'votes' must map note ids to counts", field="votes")
    kept: dict[str, int] = {}
    for note_id, count in votes.items():
        where = f"votes/{note_id}"
        count = whole(count)
        if count is None or count < 0:
            raise BadRequest(f"'{where}' must be a whole number of votes", field=where)
        if note_id not in settings["notes"]:
            raise Conflict(f"note {note_id!r} is not in this vote", field=where)
        if count:
            kept[note_id] = count
    budget = int(settings["budget"])
    if sum(kept.values()) > budget:
        given = sum(kept.values())
        raise BadRequest(f"{given} votes given, {budget} at most", field="votes")
    return {"votes": kept}


def totals(settings: Settings, answers: Iterable[Mapping[str, Any]]) -> list[Result]:
    """Votes per note of the round, in the round's order (no per-person split)."""
    counts = dict.fromkeys(settings["notes"], 0)
    for content in answers:
        for note_id, count in (content.get("votes") or {}).items():
            if note_id in counts:
                counts[note_id] += int(count)
    return [{"note": note_id, "votes": count} for note_id, count in counts.items()]


def ranked(
    settings: Settings, answers: Iterable[Mapping[str, Any]], texts: Mapping[str, str]
) -> list[Result]:
    """The results: most votes first, ties in the round's note order, each with its text."""
    found = totals(settings, answers)
    order = sorted(range(len(found)), key=lambda i: (-found[i]["votes"], i))
    return [{**found[i], "text": texts.get(found[i]["note"], "")} for i in order]


def agreed_notes(data: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """The notes the group retained after the reveal (at least one, all the round's)."""
    notes = data.get("notes")
    if not notes or not isinstance(notes, list):
        raise Conflict("this is a vote round: give the retained 'notes' [noteId…]")
    missing = [n for n in notes if n not in settings["notes"]]
    if missing:
        raise Conflict(f"note {missing[0]!r} is not in this vote", field="notes")
    return {"notes": list(dict.fromkeys(notes))}


def entry_extra(settings: Settings, results: list[Result]) -> dict[str, Any]:
    """What a revealed vote adds to its round's entry in the document (numbers as floats,
    as JavaScript holds them)."""
    return {
        "budget": float(settings["budget"]),
        "secret": bool(settings["secret"]),
        "notes": list(settings["notes"]),
        "results": [{**r, "votes": float(r["votes"])} for r in results],
    }
