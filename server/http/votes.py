"""Vote rounds at the edge: what the rounds API adds for the ``vote`` kind.

The rounds routes (``rounds.py``) stay the one place that opens, answers, reveals and
agrees; they call these for a vote: its settings at opening (and the shared timer), its
public fields (running totals only when the vote is not secret, never who gave what), and
the ranked results written into the round's entry at the reveal.
"""

from __future__ import annotations

import time
from typing import Any

from server.boards import votes
from server.boards.timer import set_timer
from server.core.clock import iso
from server.store import rounds
from server.sync.room import Room


def settings_for(room: Room, data: dict[str, Any]) -> votes.Settings:
    """The settings of a new vote from its request body and the board's notes now."""
    return votes.vote_settings(data, votes.note_order(room.doc))


def start_timer(room: Room, minutes: object) -> None:
    """``minutes``: the board's shared timer starts for the vote's duration (as the timer
    API would: every client counts down)."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        return
    seconds = minutes * 60
    ends_at = iso(time.time() + seconds)
    room.apply_server_change(lambda doc: set_timer(doc, ends_at, seconds))


def public_fields(found: rounds.Round, answers: list[rounds.Answer]) -> dict[str, Any]:
    """A vote's fields anyone on the board sees: budget, secrecy, notes; running totals
    while an open vote is not secret; the ranked results once revealed (texts as in the
    document's entry when it has been written)."""
    settings = found.settings
    if found.kind != votes.KIND or settings is None:
        return {}
    data: dict[str, Any] = {
        "budget": settings["budget"],
        "secret": settings["secret"],
        "notes": list(settings["notes"]),
    }
    contents = [a.content for a in answers]
    if found.is_open and not settings["secret"]:
        data["totals"] = votes.totals(settings, contents)
    if not found.is_open:
        texts = settings.get("texts") or {}
        data["results"] = votes.ranked(settings, contents, texts)
    return data


def answer_content(found: rounds.Round, data: dict[str, Any]) -> dict[str, Any]:
    assert found.settings is not None
    return votes.vote_content(data, found.settings)


def agreed_content(found: rounds.Round, data: dict[str, Any]) -> dict[str, Any]:
    assert found.settings is not None
    return votes.agreed_notes(data, found.settings)


def with_texts(found: rounds.Round, room: Room) -> dict[str, Any] | None:
    """A revealed vote's settings with its notes' texts now, kept so that the API's results
    read as the document's; None for any other round."""
    if found.kind != votes.KIND or found.settings is None:
        return None
    texts = votes.note_texts(room.doc)
    return {**found.settings, "texts": {n: texts.get(n, "") for n in found.settings["notes"]}}


def entry_extra(found: rounds.Round, answers: list[rounds.Answer]) -> dict[str, Any] | None:
    """The ranked results (with the notes' texts at the reveal) for the round's entry."""
    if found.kind != votes.KIND or found.settings is None:
        return None
    texts = found.settings.get("texts") or {}
    results = votes.ranked(found.settings, [a.content for a in answers], texts)
    return votes.entry_extra(found.settings, results)
