"""The cooperation continuum: sticky notes placed on seven levels, projected to JSON."""

from __future__ import annotations

from functools import partial
from typing import TypedDict

from .labels import COLOR_BY_ID, LEVEL_BY_ID
from .problems import pointer, problem
from .reading import AuthorOut, Fields, Path, ProblemReport, sorted_entries


class VotesOut(TypedDict):
    count: int
    voters: list[str]


class NoteOut(TypedDict):
    id: str
    text: str
    level: str | None
    x: int | float | None
    y: int | float | None
    color: str | None
    author: AuthorOut
    createdAt: str | None
    votes: VotesOut


def project_notes(root: Fields, problems: ProblemReport) -> list[NoteOut]:
    """Every readable note, in id order."""
    notes: list[NoteOut] = []
    for note_id, value in sorted_entries(root):
        note = project_note(note_id, value, problems)
        if note is not None:
            notes.append(note)
    return notes


def project_note(note_id: str, value: object, problems: ProblemReport) -> NoteOut | None:
    """One note, or None (reported) when it cannot be read as one."""
    path = ("notes", note_id)
    return problems.guard(path, partial(_project_note, note_id, value, path, problems))


def _project_note(
    note_id: str, value: object, path: Path, problems: ProblemReport
) -> NoteOut | None:
    fields = problems.fields(value, path)
    if fields is None:
        return None
    text = problems.text(fields, path, "text") or ""
    if not text.strip():
        problems.report(problem(pointer(*path, "text"), "note_without_text"))
    return {
        "id": note_id,
        "text": text,
        "level": problems.choice(fields, path, "level", LEVEL_BY_ID, "unknown_level"),
        "x": problems.number(fields, path, "x"),
        "y": problems.number(fields, path, "y"),
        "color": problems.choice(
            fields, path, "color", COLOR_BY_ID, "unknown_color", required=False
        ),
        "author": problems.author(fields, path, name_required=True),
        "createdAt": problems.date(fields, path, "createdAt"),
        "votes": _project_votes(fields, path, problems),
    }


def _project_votes(fields: Fields, path: Path, problems: ProblemReport) -> VotesOut:
    """One dot per voter: a voter id mapped to true."""
    votes = problems.child_map(fields, path, "votes")
    voters: list[str] = []
    for voter_id, value in sorted_entries(votes) if votes is not None else []:
        if value is True:
            voters.append(voter_id)
        else:
            problems.report(problem(pointer(*path, "votes", voter_id), "invalid_vote"))
    return {"count": len(voters), "voters": voters}
