"""The fast timeline: a tracked projection, pages read from steps built ahead, and either
page equal to a full replay's."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pycrdt import Doc
from sqlalchemy import Engine, func, select

from server.archive import history, replay
from server.archive.replay_ahead import ReplayAhead
from server.boards.projection import TrackedProjection, project
from server.store import models, timeline
from tests.support.mixed_board import BOARD, full_replay_history, log_entries, mixed_board


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
        fast = history.history(engine, BOARD, from_seq=from_seq, limit=20)
        full = full_replay_history(engine, from_seq, 20)
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(full, ensure_ascii=False)


def test_the_whole_timeline_paged_equals_the_full_replays(engine: Engine) -> None:
    mixed_board(engine, 300)
    kinds: set[str] = set()
    from_seq: int | None = 0
    while from_seq is not None:
        page = history.history(engine, BOARD, from_seq=from_seq, limit=7)
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


def stored_steps_of(engine: Engine) -> int:
    with engine.connect() as conn:
        count = conn.execute(
            select(func.count()).where(models.timeline_steps.c.board_id == BOARD)
        ).scalar()
    return int(count or 0)


def whole_timeline(engine: Engine, limit: int) -> list[dict[str, Any]]:
    """Every page, each checked against a full replay's on the way."""
    pages, from_seq = [], 0
    while from_seq is not None:
        page = history.history(engine, BOARD, from_seq=from_seq, limit=limit)
        assert page == full_replay_history(engine, from_seq, limit), from_seq
        pages.append(page)
        from_seq = page["next_from_seq"]
    return pages


def test_pages_read_from_steps_built_ahead_equal_the_full_replays(engine: Engine) -> None:
    mixed_board(engine, 300)
    assert history.build_steps(engine, BOARD, settle_seconds=0) > 0
    assert whole_timeline(engine, 7) != []


def test_a_page_from_a_built_step_is_read_rather_than_replayed(engine: Engine) -> None:
    mixed_board(engine, 300)
    history.build_steps(engine, BOARD, settle_seconds=0)
    second = history.history(engine, BOARD, from_seq=0, limit=7)["next_from_seq"]
    stored = timeline.stored_steps(
        engine, BOARD, from_seq=second, limit=8, format=history.TIMELINE_FORMAT
    )
    assert [step.first_seq for step in stored][:1] == [second]
    page = history.history(engine, BOARD, from_seq=second, limit=7)
    assert page["entries"] == [json.loads(step.entry) for step in stored[:7]]
    assert page["next_from_seq"] == stored[7].first_seq


def test_the_last_step_is_stored_only_once_an_update_outside_it_follows(
    engine: Engine,
) -> None:
    mixed_board(engine, 300)
    total = sum(len(page["entries"]) for page in whole_timeline(engine, 50))
    assert history.build_steps(engine, BOARD, settle_seconds=0) == total - 1
    assert stored_steps_of(engine) == total - 1


def test_updates_not_yet_settled_are_not_built_into_steps(engine: Engine) -> None:
    mixed_board(engine, 100)  # logged an hour ago
    assert history.build_steps(engine, BOARD, settle_seconds=7200) == 0
    assert stored_steps_of(engine) == 0


def test_a_build_goes_on_from_the_steps_already_stored(engine: Engine) -> None:
    edits = mixed_board(engine, 400, logged=200)
    first = history.build_steps(engine, BOARD, settle_seconds=0)
    log_entries(engine, edits[200:])
    second = history.build_steps(engine, BOARD, settle_seconds=0)
    assert first > 0
    assert second > 0
    total = sum(len(page["entries"]) for page in whole_timeline(engine, 9))
    assert stored_steps_of(engine) == first + second == total - 1


def test_pages_past_the_built_steps_are_replayed_from_where_they_end(engine: Engine) -> None:
    edits = mixed_board(engine, 400, logged=150)
    history.build_steps(engine, BOARD, settle_seconds=0)
    log_entries(engine, edits[150:])  # not built
    assert whole_timeline(engine, 11) != []


def test_a_page_from_inside_a_built_step_is_replayed_from_there(engine: Engine) -> None:
    mixed_board(engine, 300)
    history.build_steps(engine, BOARD, settle_seconds=0)
    pages = whole_timeline(engine, 50)
    inside = next(e for p in pages for e in p["entries"] if e["updates"] > 2)
    from_seq = inside["first_seq"] + 1
    page = history.history(engine, BOARD, from_seq=from_seq, limit=5)
    assert page == full_replay_history(engine, from_seq, 5)
    assert page["entries"][0]["first_seq"] == from_seq


def test_steps_written_by_other_captions_are_rebuilt(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    mixed_board(engine, 200)
    built = history.build_steps(engine, BOARD, settle_seconds=0)
    monkeypatch.setattr(history, "TIMELINE_FORMAT", history.TIMELINE_FORMAT + 1)
    assert (
        timeline.stored_steps(engine, BOARD, from_seq=0, limit=1, format=history.TIMELINE_FORMAT)
        == []
    )
    assert history.build_steps(engine, BOARD, settle_seconds=0) == built
    with engine.connect() as conn:
        formats = conn.execute(select(models.timeline_steps.c.format).distinct()).scalars()
        assert list(formats) == [history.TIMELINE_FORMAT]


def test_a_step_already_stored_by_another_builder_stores_nothing(engine: Engine) -> None:
    mixed_board(engine, 200)
    history.build_steps(engine, BOARD, settle_seconds=0)
    stored = stored_steps_of(engine)
    first = timeline.stored_steps(engine, BOARD, from_seq=0, limit=1, format=1)[0]
    later = timeline.StoredStep(10**9, 10**9, b"{}")
    assert not timeline.save_steps(engine, BOARD, [later, first], format=1)
    assert stored_steps_of(engine) == stored


async def test_timeline_steps_are_built_ahead_with_the_replay_checkpoints(
    engine: Engine,
) -> None:
    mixed_board(engine, 300)
    async with ReplayAhead(engine, every=3, settle_seconds=0) as ahead:
        for seq in range(3):
            ahead.logged(BOARD, seq)
        await asyncio.wait_for(ahead.wait_built(1), 60)
    total = sum(len(page["entries"]) for page in whole_timeline(engine, 50))
    assert stored_steps_of(engine) == total - 1
