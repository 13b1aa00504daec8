"""Private rounds: what a person may answer, and how a revealed round sits in the document.

Answers are held by the server until the facilitator reveals the round (the point of the
round: nobody anchors on the first answer seen); only then are they written here, each in
its own transaction attributed to its author. The document's part of it:

```
rounds  Y.Map  roundId -> Y.Map {kind, title, revealedAt, revealedBy, answerCount,
                                 answers: Y.Map answerKey -> {name, party, at, <content>},
                                 agreed?: {level, target? | scores | notes, at, by, session?},
                                 budget?, secret?, notes?, results?: [{note, text, votes}]}
```

``<content>`` is ``level, target?, comment?`` (position), ``scores, comments?``
(assessment), ``notes: [{text, level}]`` (notes, which also land as real notes on the
continuum) or ``votes: {noteId: count}`` (vote; the entry then carries the ranked
results, see ``votes``). Only the server writes ``rounds`` (clients' writes there are refused like
writes to ``meta``); an open round is never in the document.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map

from server.core.errors import BadRequest, Conflict

from .labels import LEVEL_BY_ID, PARTY_BY_ID
from .layout import add_note, root
from .method import CRITERION_BY_ID, MAX_SCORE, MIN_SCORE

ROUNDS = "rounds"
KINDS: tuple[str, ...] = ("position", "assessment", "notes", "vote")
MAX_NOTES = 5
MAX_NOTE_CHARS = 300
MAX_COMMENT_CHARS = 1000

Content = dict[str, Any]


def _level(value: object, field: str) -> str:
    if not isinstance(value, str) or value not in LEVEL_BY_ID:
        raise BadRequest(
            f"'{field}' must be a level of the continuum: {', '.join(LEVEL_BY_ID)}", field=field
        )
    return value


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(f"'{field}' must be text of at most {limit} characters", field=field)
    return value.strip()


def answer_content(kind: str, data: dict[str, Any], zone: str | None) -> Content:
    """The content of one answer, checked against the vocabulary (400 naming the field; 409
    when the body does not fit the round's kind, which only the round knows)."""
    if kind == "position":
        return _position(data)
    if kind == "assessment":
        return _assessment(data)
    return _notes(data, zone)


def _position(data: dict[str, Any]) -> Content:
    if "level" not in data:
        raise Conflict("this is a position round: answer with 'level'", field="level")
    content: Content = {"level": _level(data["level"], "level")}
    if data.get("target") is not None:
        content["target"] = _level(data["target"], "target")
    comment = _text(data.get("comment") or "", "comment", MAX_COMMENT_CHARS)
    if comment:
        content["comment"] = comment
    return content


def _assessment(data: dict[str, Any]) -> Content:
    scores = data.get("scores")
    if not scores:
        raise Conflict(
            "this is an assessment round: give 'scores' {criterion: 1..4}", field="scores"
        )
    if not isinstance(scores, dict):
        raise BadRequest("'scores' must map criteria to 1..4", field="scores")
    checked: dict[str, int] = {}
    for item, score in scores.items():
        _criterion(item, f"scores/{item}")
        if isinstance(score, bool) or not isinstance(score, int):
            raise BadRequest(f"'scores/{item}' must be a whole number", field=f"scores/{item}")
        if not MIN_SCORE <= score <= MAX_SCORE:
            raise BadRequest(
                f"'scores/{item}' must be between {MIN_SCORE} and {MAX_SCORE}",
                field=f"scores/{item}",
            )
        checked[item] = score
    content: Content = {"scores": checked}
    comments = data.get("comments") or {}
    if not isinstance(comments, dict):
        raise BadRequest("'comments' must map criteria to text", field="comments")
    kept = {}
    for item, text in comments.items():
        _criterion(item, f"comments/{item}")
        if said := _text(text, f"comments/{item}", MAX_COMMENT_CHARS):
            kept[item] = said
    if kept:
        content["comments"] = kept
    return content


def _criterion(item: str, field: str) -> None:
    if item not in CRITERION_BY_ID:
        known = ", ".join(CRITERION_BY_ID)
        raise BadRequest(f"'{field}' is not a criterion of the method ({known})", field=field)


def _notes(data: dict[str, Any], zone: str | None) -> Content:
    notes = data.get("notes")
    if not notes:
        raise Conflict("this is a notes round: give 'notes' [{text, level?}]", field="notes")
    if not isinstance(notes, list) or len(notes) > MAX_NOTES:
        raise BadRequest(f"'notes' must hold 1 to {MAX_NOTES} notes", field="notes")
    kept = []
    for index, note in enumerate(notes):
        where = f"notes/{index}"
        if not isinstance(note, dict):
            raise BadRequest(f"'{where}' must be an object {{text, level?}}", field=where)
        text = _text(note.get("text"), f"{where}/text", MAX_NOTE_CHARS)
        if not text:
            raise BadRequest(f"'{where}/text' must not be empty", field=f"{where}/text")
        level = note.get("level") or zone
        if level is None:
            raise Conflict(
                f"this round has no default level: give '{where}/level'", field=f"{where}/level"
            )
        kept.append({"text": text, "level": _level(level, f"{where}/level")})
    return {"notes": kept}


def agreed_content(kind: str, data: dict[str, Any]) -> Content:
    """What the group agreed: a level (and target) for a position round, scores for an
    assessment; a notes round has nothing to agree on (400)."""
    if kind == "position":
        return _position({k: data[k] for k in ("level", "target") if data.get(k) is not None})
    if kind == "assessment":
        return {"scores": _assessment({"scores": data.get("scores")})["scores"]}
    raise Conflict("a notes round has no agreed result; its notes are on the board")


# -- the document ---------------------------------------------------------------------------


def write_round(
    doc: Doc[Any],
    round_id: str,
    kind: str,
    title: str,
    at: str,
    by: str | None,
    count: int,
    extra: Content | None = None,
) -> None:
    """The revealed round's entry, before any answer (written by whoever revealed it);
    ``extra``: the kind's own fields (a vote's ranked results)."""
    entry = {"kind": kind, "title": title, "revealedAt": at, "answerCount": float(count)}
    entry |= extra or {}
    if by:
        entry["revealedBy"] = by
    with doc.transaction():
        root(doc, ROUNDS)[round_id] = Map({**entry, "answers": Map()})


def write_answer(
    doc: Doc[Any],
    round_id: str,
    key: str,
    person: tuple[str, str, str | None, str],
    content: Content,
) -> None:
    """One answer, attributed by the caller's transaction; ``person`` is (invite, name,
    party, at). A notes answer also puts its notes on the continuum, as that person's."""
    invite, name, party, at = person
    value = {"name": name, "party": party, "at": at, **_stored(content)}
    with doc.transaction():
        answers = _round(doc, round_id)["answers"]
        answers[key] = value
        if party in PARTY_BY_ID:
            for index, note in enumerate(content.get("notes", ())):
                note_id = f"r{round_id[:8]}-{key[:8]}-{index}"
                add_note(
                    doc,
                    note_id,
                    note["text"],
                    note["level"],
                    invite,
                    name,
                    party,
                    x=40.0 + 30 * index,
                    y=40.0 + 30 * index,
                    created_at=at,
                )


def write_agreed(doc: Doc[Any], round_id: str, agreed: Content) -> None:
    with doc.transaction():
        _round(doc, round_id)["agreed"] = _stored(agreed)


def _stored(content: Content) -> Content:
    """Numbers as floats, as JavaScript holds them."""
    for key in ("scores", "votes"):
        if key in content:
            return {**content, key: {k: float(v) for k, v in content[key].items()}}
    return content


def _round(doc: Doc[Any], round_id: str) -> Map[Any]:
    entry = root(doc, ROUNDS).get(round_id)
    if not isinstance(entry, Map):
        raise KeyError(f"round {round_id!r} is not in the document")
    return entry
