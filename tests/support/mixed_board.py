"""A board logged with every kind of edit by three people, and its timeline as a full replay
reads it (the whole log applied from the start, the board projected after every step)."""

from __future__ import annotations

import random
import time
from typing import Any

from pycrdt import Doc, Map, Text
from sqlalchemy import Engine

from server.archive import history
from server.boards import layout
from server.boards.captions import Actor
from server.boards.diff import diff
from server.boards.document import seed_update
from server.boards.labels import LEVELS, SECTIONS
from server.boards.projection import project
from server.store import catalog, log, timeline
from server.sync.sink import LogEntry

BOARD = "mixed"
NOW = "2026-11-28T10:00:00Z"
PEOPLE = (("Marie", "etat"), ("Karim", "collectivite"), ("Inès", "societe_civile"))


def _edit(doc: Doc[Any], rng: random.Random, index: int, who: int) -> None:
    """One edit of every kind a board sees: notes added, typed, trimmed, moved, placed,
    voted, removed; chain items and links; agreement text, approvals; locks and unlocks."""
    name, party = PEOPLE[who]
    notes = sorted(layout.root(doc, "notes").keys())
    items = sorted(layout.root(doc, "chain")["items"].keys())
    r = rng.random()
    if r < 0.08 or not notes:
        layout.add_note(
            doc, f"n{index}", "", rng.choice(LEVELS).id, f"p{who}", name, party, created_at=NOW
        )
    elif r < 0.40:
        text = _text(layout.root(doc, "notes")[rng.choice(notes)])
        if len(text) and rng.random() < 0.3:
            del text[len(text) - 1 : len(text)]
        else:
            text.insert(len(text), rng.choice("abc "))
    elif r < 0.48:
        layout.move_note(doc, rng.choice(notes), rng.choice(LEVELS).id)
    elif r < 0.54:
        layout.place_note(doc, rng.choice(notes), rng.uniform(0, 400), rng.uniform(0, 300))
    elif r < 0.58:
        layout.vote(doc, rng.choice(notes), f"p{who}")
    elif r < 0.61 and len(notes) > 2:
        layout.remove_note(doc, rng.choice(notes))
    elif r < 0.66:
        tier = rng.choice(("direct", "intermediate", "ultimate"))
        layout.add_chain_item(
            doc, f"i{index}", tier, "effet", f"p{who}", name, party, order=index, created_at=NOW
        )
    elif r < 0.70 and len(items) > 1:
        layout.link(doc, f"l{index}", *rng.sample(items, 2))
    elif r < 0.84:
        text = _text(layout.root(doc, "agreement")[rng.choice(SECTIONS).id])
        text.insert(len(text), rng.choice("xyz "))
    elif r < 0.90:
        layout.approve_section(doc, rng.choice(SECTIONS).id, party, name, NOW)
    elif r < 0.95:
        layout.set_lock(doc, "chain", by=f"p{who}", at=NOW, name=name)
    else:
        layout.clear_lock(doc, "chain")


def _text(entry: object) -> Text:
    assert isinstance(entry, Map)
    text = entry["text"]
    assert isinstance(text, Text)
    return text


def mixed_board(engine: Engine, updates: int, *, logged: int | None = None) -> list[LogEntry]:
    """A board of ``updates`` edits by three people, old enough to be checkpointed, of which
    the first ``logged`` (all by default) are logged; returns the edits."""
    seed = seed_update("workshop", "Mixed")
    catalog.create_board(engine, BOARD, "Mixed", "workshop", seed, None)
    doc: Doc[Any] = Doc()
    doc.apply_update(seed)
    made: list[tuple[int, bytes]] = []
    who = 0
    doc.observe(lambda event: made.append((who, event.update)))
    rng = random.Random(11)
    for index in range(updates):
        if rng.random() < 0.3:
            who = rng.randrange(len(PEOPLE))
        _edit(doc, rng, index, who)
    at = time.time() - 3600
    entries = [
        LogEntry(BOARD, at + 2 * i, f"i{w}", PEOPLE[w][0], PEOPLE[w][1], update)
        for i, (w, update) in enumerate(made)
    ]
    log_entries(engine, entries[:logged])
    return entries


def log_entries(engine: Engine, entries: list[LogEntry]) -> None:
    with engine.begin() as conn:
        log.append(conn, entries, [None] * len(entries))


def full_replay_history(engine: Engine, from_seq: int, limit: int) -> dict[str, Any]:
    """The timeline as a full replay reads it: the whole log applied from the start, the
    whole board projected after every step."""
    doc: Doc[Any] = Doc()
    for entry in timeline.entries(engine, BOARD, after_seq=0, upto_seq=from_seq - 1):
        doc.apply_update(entry.data)
    before = project(doc) if from_seq > 1 else None
    found = list(history.steps(timeline.entries(engine, BOARD, after_seq=from_seq - 1)))
    entries = []
    for step in found[:limit]:
        for entry in step.entries:
            doc.apply_update(entry.data)
        after = project(doc)
        actor = Actor(step.author.name, step.author.party) if step.author.to_json() else None
        changes = [] if before is None else [c.to_json() for c in diff(before, after, actor)]
        entries.append(history._entry_json(step, before, changes))
        before = after
    following = found[limit].entries[0].seq if len(found) > limit else None
    return {"board": BOARD, "from_seq": from_seq, "next_from_seq": following, "entries": entries}
