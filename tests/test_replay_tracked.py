"""The fast timeline: a tracked projection and a history page equal to a full replay's."""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

from pycrdt import Doc, Map, Text
from sqlalchemy import Engine, select

from server.archive import replay
from server.archive.replay_ahead import ReplayAhead
from server.boards import layout
from server.boards.captions import Actor
from server.boards.diff import diff
from server.boards.document import seed_update
from server.boards.labels import LEVELS, SECTIONS
from server.boards.projection import TrackedProjection, project
from server.store import catalog, log, models, timeline
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


def mixed_board(engine: Engine, updates: int) -> None:
    """A logged board of ``updates`` edits by three people, old enough to be checkpointed."""
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
    with engine.begin() as conn:
        log.append(conn, entries, [None] * len(entries))


def full_replay_history(engine: Engine, from_seq: int, limit: int) -> dict[str, Any]:
    """The timeline as a full replay reads it: the whole log applied from the start, the
    whole board projected after every step."""
    doc: Doc[Any] = Doc()
    for entry in timeline.entries(engine, BOARD, after_seq=0, upto_seq=from_seq - 1):
        doc.apply_update(entry.data)
    before = project(doc) if from_seq > 1 else None
    found = list(replay.steps(timeline.entries(engine, BOARD, after_seq=from_seq - 1)))
    entries = []
    for step in found[:limit]:
        for entry in step.entries:
            doc.apply_update(entry.data)
        after = project(doc)
        actor = Actor(step.author.name, step.author.party) if step.author.to_json() else None
        changes = [] if before is None else [c.to_json() for c in diff(before, after, actor)]
        entries.append(replay._entry_json(step, before, changes))
        before = after
    following = found[limit].entries[0].seq if len(found) > limit else None
    return {"board": BOARD, "from_seq": from_seq, "next_from_seq": following, "entries": entries}


def test_a_tracked_projection_equals_a_full_projection_after_every_update(
    engine: Engine,
) -> None:
    mixed_board(engine, 400)
    doc: Doc[Any] = Doc()
    tracked = TrackedProjection(doc)
    for entry in timeline.entries(engine, BOARD, after_seq=0):
        doc.apply_update(entry.data)
        assert tracked.project() == project(doc), entry.seq


def test_history_pages_equal_the_full_replays_byte_for_byte(engine: Engine) -> None:
    mixed_board(engine, 400)
    for from_seq in (0, 1, 2, 37, 150, 333):
        fast = replay.history(engine, BOARD, from_seq=from_seq, limit=20)
        full = full_replay_history(engine, from_seq, 20)
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(full, ensure_ascii=False)


def test_the_whole_timeline_paged_equals_the_full_replays(engine: Engine) -> None:
    mixed_board(engine, 300)
    kinds: set[str] = set()
    from_seq: int | None = 0
    while from_seq is not None:
        page = replay.history(engine, BOARD, from_seq=from_seq, limit=7)
        assert page == full_replay_history(engine, from_seq, 7)
        kinds |= {c["kind"] for e in page["entries"] for c in e["changes"]}
        from_seq = page["next_from_seq"]
    assert {"note_removed", "note_moved", "section_approved", "zone_unlocked"} <= kinds


def replay_checkpoints_of(engine: Engine, board_id: str) -> list[int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(models.replay_checkpoints.c.seq).where(
                models.replay_checkpoints.c.board_id == board_id
            )
        )
        return [row.seq for row in rows]


async def test_replay_checkpoints_are_built_ahead_once_enough_updates_are_logged(
    engine: Engine,
) -> None:
    mixed_board(engine, 1100)
    assert replay_checkpoints_of(engine, BOARD) == []
    async with ReplayAhead(engine, every=3, settle_seconds=0) as ahead:
        for seq in range(3):  # what the log writer reports as it commits
            ahead.logged(BOARD, seq)
        await asyncio.wait_for(ahead.wait_built(1), 60)
    built = replay_checkpoints_of(engine, BOARD)
    assert built != []
    replay.state_at(engine, BOARD)  # a lookup now finds them and stores no other
    assert replay_checkpoints_of(engine, BOARD) == built
