"""Replay: the timeline in workshop words, the board at any point, checkpoints, storage."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any

from pycrdt import Doc, Map, Text, TransactionEvent
from sqlalchemy import Engine

from server.archive import replay
from server.boards import layout
from server.boards.document import seed_update
from server.boards.projection import project
from server.store import catalog, log, timeline, usage
from server.sync.sink import LogEntry
from tests.support.archive import (
    add_note,
    end_session,
    get_binary,
    last_seq,
    participant,
    problem,
    projection_of,
    snapshot,
    start_session,
    valid,
)
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient


def history(atelier: AtelierServer, board: str, **query: Any) -> dict[str, Any]:
    response = atelier.api("GET", f"/api/boards/{board}/history", params=query)
    return valid("api/history.schema.json", response)


def state(atelier: AtelierServer, board: str, **query: Any) -> dict[str, Any]:
    response = atelier.api("GET", f"/api/boards/{board}/state", params=query)
    return valid("api/state.schema.json", response)


def captions(timeline: dict[str, Any], lang: str = "fr") -> list[str]:
    return [entry["caption"][lang] for entry in timeline["entries"]]


# -- the timeline ---------------------------------------------------------------------------


async def test_typing_a_note_reads_as_one_step_by_its_author(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    marie = await participant(atelier, board, "Marie", "etat")
    await add_note(marie, "n1", "", "coexistence", "Marie", "etat")
    for letter in "Bonjour":
        await marie.edit(lambda doc, letter=letter: _append(doc, "n1", letter))
    await marie.wait_durable()
    entries = history(atelier, board)["entries"]
    assert [e["caption"]["fr"] for e in entries] == [
        "Tableau créé",
        "Note «\u00a0Bonjour\u00a0» ajoutée dans Coexistence par Marie (État)",
    ]
    step = entries[1]
    assert step["updates"] == 8
    assert step["author"]["name"] == "Marie"
    assert step["author"]["party"] == "etat"
    assert entries[1]["caption"]["en"] == "Note “Bonjour” added to Coexistence by Marie (State)"


def _append(doc: Doc[Any], note: str, letter: str) -> None:
    text = layout.root(doc, "notes")[note]["text"]
    text.insert(len(str(text).encode()), letter)


async def test_the_timeline_names_who_moved_what(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    marie = await participant(atelier, board, "Marie", "collectivite")
    paul = await participant(atelier, board, "Paul", "etat")
    await add_note(marie, "n1", "Réunion mensuelle", "coexistence", "Marie", "collectivite")
    await paul.wait_until(lambda: "n1" in paul.root("notes"))
    await paul.edit(lambda doc: layout.move_note(doc, "n1", "coordination"))
    await paul.edit(lambda doc: layout.vote(doc, "n1", "paul"))
    await paul.wait_durable()
    timeline = history(atelier, board)
    assert captions(timeline)[1:] == [
        "Note «\u00a0Réunion mensuelle\u00a0» ajoutée dans Coexistence par Marie (Collectivité)",
        "Note «\u00a0Réunion mensuelle\u00a0» déplacée de Coexistence vers Coordination "
        "par Paul (État)",
    ]
    assert [c["kind"] for c in timeline["entries"][2]["changes"]] == ["note_moved", "note_voted"]
    moved = timeline["entries"][2]["captions"][0]["en"]
    assert (
        moved == "Note “Réunion mensuelle” moved from Coexistence to Coordination by Paul (State)"
    )


async def test_the_timeline_pages_on(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    people = [
        await participant(atelier, board, n, p) for n, p in (("A", "etat"), ("B", "collectivite"))
    ]
    for index in range(6):  # alternating authors: six steps
        who = people[index % 2]
        await add_note(
            who,
            f"n{index}",
            f"idée {index}",
            "assistance",
            "A" if index % 2 == 0 else "B",
            "etat" if index % 2 == 0 else "collectivite",
        )
    whole = history(atelier, board)["entries"]
    assert len(whole) == 7
    paged, cursor = [], 0
    while cursor is not None:
        page = history(atelier, board, from_seq=cursor, limit=2)
        paged += page["entries"]
        cursor = page["next_from_seq"]
    assert paged == whole
    assert history(atelier, board, from_seq=whole[-1]["seq"] + 1)["entries"] == []


def lock(atelier: AtelierServer, board: str, token: str, locked: bool, **body: str) -> None:
    path = f"/api/boards/{board}/{'lock' if locked else 'unlock'}"
    response = atelier.api("POST", path, token, json=body)
    assert response.status_code == 200, response.text


def locked(client: RawClient, zone: str) -> bool:
    return zone in (client.root("meta").get("locks") or {})


async def test_a_lock_names_the_facilitator_who_locked_it(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = await participant(atelier, board, "Claire", "facilitation", role="facilitator")
    token = atelier.invite(board, "facilitator")  # the API call and the body name the person
    lock(atelier, board, token, True, zone="continuum", name="Claire")
    await facilitator.wait_until(lambda: locked(facilitator, "continuum"))
    step = history(atelier, board)["entries"][-1]
    assert step["caption"] == {
        "fr": "Zone «\u00a0Échelle de coopération\u00a0» verrouillée par Claire",
        "en": "Zone “Cooperation continuum” locked by Claire",
    }
    assert (step["author"]["name"], step["author"]["party"]) == ("Claire", "facilitation")
    assert step["changes"][0]["after"]["by"] != "Claire"  # the invite id, kept beside the name


async def test_a_lock_without_a_name_takes_the_facilitators_connection_name(
    atelier: AtelierServer,
) -> None:
    board = atelier.create_board()
    invite = atelier.invite_record(board, "facilitator")
    claire = await RawClient.open(atelier.ws_url, board, str(invite["token"]), name="Claire")
    await claire.sync()
    lock(atelier, board, str(invite["token"]), True, zone="chain")
    await claire.wait_until(lambda: locked(claire, "chain"))
    assert captions(history(atelier, board))[-1].endswith("verrouillée par Claire")


async def test_a_lock_by_a_facilitator_not_on_the_board_names_the_invites_label(
    atelier: AtelierServer,
) -> None:
    board = atelier.create_board()
    marie = await participant(atelier, board, "Marie", "etat")
    token = str(atelier.invite_record(board, "facilitator", label="Animation CT")["token"])
    lock(atelier, board, token, True, zone="vision")
    await marie.wait_until(lambda: locked(marie, "vision"))
    assert captions(history(atelier, board))[-1].endswith("verrouillée par Animation CT")


async def test_a_lock_lifted_at_once_reads_as_locked_then_unlocked(
    atelier: AtelierServer,
) -> None:
    board = atelier.create_board()
    claire = await participant(atelier, board, "Claire", "facilitation", role="facilitator")
    token = atelier.invite(board, "facilitator")
    lock(atelier, board, token, True, zone="continuum", name="Claire")
    await claire.wait_until(lambda: locked(claire, "continuum"))
    lock(atelier, board, token, False, zone="continuum", name="Claire")
    await claire.wait_until(lambda: not locked(claire, "continuum"))
    locking, unlocking = history(atelier, board)["entries"][-2:]
    assert [locking["caption"]["fr"], unlocking["caption"]["fr"]] == [
        "Zone «\u00a0Échelle de coopération\u00a0» verrouillée par Claire",
        "Zone «\u00a0Échelle de coopération\u00a0» déverrouillée par Claire",
    ]
    assert locking["author"]["name"] == "Claire"
    assert (unlocking["author"]["name"], unlocking["author"]["party"]) == ("Claire", "facilitation")


def test_history_and_state_refuse_bad_parameters(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    for query in ({"limit": 0}, {"limit": "ten"}, {"from_seq": -1}):
        problem(atelier.api("GET", f"/api/boards/{board}/history", params=query), 400)
    for query in ({"seq": "x"}, {"at": "yesterday"}):
        problem(atelier.api("GET", f"/api/boards/{board}/state", params=query), 400)
    problem(atelier.api("GET", f"/api/boards/{board}/state", params={"seq": 0}), 404)


# -- the board at any point -------------------------------------------------------------------


async def test_the_state_at_any_seq_is_the_board_as_it_was(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    marie = await participant(atelier, board, "Marie", "etat")
    seen: list[tuple[int, dict[str, Any]]] = []
    edits = [
        lambda doc: layout.add_note(
            doc, "n1", "Un", "coexistence", "m", "Marie", "etat", created_at="2026-11-28T10:00:00Z"
        ),
        lambda doc: layout.move_note(doc, "n1", "collaboration"),
        lambda doc: layout.set_section_text(doc, "power", "Qui décide ?"),
        lambda doc: layout.remove_note(doc, "n1"),
    ]
    for edit in edits:
        await marie.edit(edit)
        await marie.wait_durable()
        seen.append((last_seq(atelier, board), dict(project(marie.doc))))
    for seq, expected in seen:
        found = state(atelier, board, seq=seq)
        assert (found["seq"], found["projection"]) == (seq, expected)
        assert (
            projection_of(get_binary(atelier, f"/api/boards/{board}/state?seq={seq}").content)
            == expected
        )
    assert state(atelier, board)["projection"] == seen[-1][1]


async def test_the_state_at_a_time_is_the_board_then(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    marie = await participant(atelier, board, "Marie", "etat")
    await add_note(marie, "n1", "Avant", "coexistence", "Marie", "etat")
    between = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    await add_note(marie, "n2", "Après", "coexistence", "Marie", "etat")
    then = state(atelier, board, at=between)
    assert [n["text"] for n in then["projection"]["notes"]] == ["Avant"]
    assert then["at"] <= between.replace("+00:00", "Z")
    both = state(atelier, board, at=between, seq=last_seq(atelier, board))
    assert both["seq"] == then["seq"]


# -- replay checkpoints, without a server ----------------------------------------------------


def long_board(engine: Engine, updates: int) -> list[int]:
    """A board of ``updates`` logged edits, old enough to be checkpointed; their seqs."""
    seed = seed_update("workshop", "Long")
    catalog.create_board(engine, "long", "Long", "workshop", seed, None)
    doc: Doc[Any] = Doc()
    doc.apply_update(seed)
    made: list[bytes] = []

    def record(event: TransactionEvent) -> None:
        made.append(event.update)

    doc.observe(record)
    rng = random.Random(7)
    for index in range(updates - 1):
        notes = layout.root(doc, "notes")
        if index % 50 == 0:
            layout.add_note(
                doc,
                f"n{index}",
                "",
                "coexistence",
                "m",
                "Marie",
                "etat",
                created_at="2026-11-28T10:00:00Z",
            )
        else:
            note = notes[rng.choice(sorted(notes.keys()))]
            assert isinstance(note, Map)
            text = note["text"]
            assert isinstance(text, Text)
            text.insert(0, rng.choice("abcdef"))
    at = time.time() - 3600
    entries = [
        LogEntry("long", at + i, "i1", "Marie", "etat", update) for i, update in enumerate(made)
    ]
    with engine.begin() as conn:
        return [1, *log.append(conn, entries, [None] * len(entries))]


def full_replay(engine: Engine, seq: int) -> dict[str, Any]:
    doc: Doc[Any] = Doc()
    for entry in timeline.entries(engine, "long", after_seq=0, upto_seq=seq):
        doc.apply_update(entry.data)
    return dict(project(doc))


def projected(engine: Engine, seq: int) -> dict[str, Any]:
    point = replay.state_at(engine, "long", seq=seq)
    assert point is not None
    return dict(project(point.doc))


def test_replay_checkpoints_give_the_states_a_full_replay_gives(engine: Engine) -> None:
    seqs = long_board(engine, 3500)
    assert usage.replay_checkpoint_sizes(engine, "long").count == 0
    points = [*random.Random(3).sample(seqs, 25), seqs[0], seqs[-1]]
    first = {seq: projected(engine, seq) for seq in points}
    built = usage.replay_checkpoint_sizes(engine, "long")
    assert built.count >= 2
    for seq in points:
        again = replay.state_at(engine, "long", seq=seq)
        assert again is not None
        assert again.seq == seq
        assert dict(project(again.doc)) == first[seq] == full_replay(engine, seq)
    assert usage.replay_checkpoint_sizes(engine, "long").count == built.count
    assert usage.log_span(engine, "long").count == 3500


def test_recent_updates_get_no_replay_checkpoint_yet(engine: Engine) -> None:
    seed = seed_update("workshop", "Now")
    catalog.create_board(engine, "now", "Now", "workshop", seed, None)
    doc: Doc[Any] = Doc()
    doc.apply_update(seed)
    entries = []
    for index in range(replay.REPLAY_MIN_UPDATES + 10):
        before = doc.get_state()
        layout.set_vision(doc, f"v{index}")
        entries.append(LogEntry("now", time.time(), "i1", "Marie", "etat", doc.get_update(before)))
    with engine.begin() as conn:
        log.append(conn, entries, [None] * len(entries))
    assert replay.state_at(engine, "now") is not None
    assert usage.replay_checkpoint_sizes(engine, "now").count == 0


# -- storage figures ------------------------------------------------------------------------


async def test_stats_report_the_log_and_each_sessions_growth(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    marie = await participant(atelier, board, "Marie", "etat")
    session = start_session(atelier, board, facilitator, "Séance")
    await add_note(marie, "n1", "Un", "coexistence", "Marie", "etat")
    await add_note(marie, "n2", "Deux", "coexistence", "Marie", "etat")
    snapshot(atelier, board, facilitator)
    end_session(atelier, session["id"], facilitator)
    await add_note(marie, "n3", "Trois", "coexistence", "Marie", "etat")
    stats = valid("api/stats.schema.json", atelier.api("GET", f"/api/boards/{board}/stats"))
    assert stats["updates"]["count"] == 4
    assert stats["snapshots"]["count"] == 3
    [grown] = stats["sessions"]
    assert (grown["id"], grown["updates"], grown["snapshots"], grown["open"]) == (
        session["id"],
        2,
        3,
        False,
    )
    assert 0 < grown["bytes"] < stats["updates"]["bytes"]
