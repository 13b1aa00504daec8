"""Sessions and snapshots: who may run them, what a snapshot holds, and its hash chain."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import httpx
import pytest

from tests.support.archive import (
    add_note,
    database,
    end_session,
    get_binary,
    header_hash,
    last_seq,
    participant,
    problem,
    projection_of,
    snapshot,
    start_session,
    valid,
)
from tests.support.atelier_server import AtelierServer

# -- sessions -------------------------------------------------------------------------------


def test_a_session_names_the_person_who_started_it(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite_record(board, "facilitator", label="Lien animation")
    response = atelier.api(
        "POST",
        f"/api/boards/{board}/sessions",
        facilitator["token"],
        json={"title": "Séance 1", "name": "Camille"},
    )
    started = valid("api/session.schema.json", response, 201)["started_by"]
    assert started == {"invite": facilitator["id"], "label": "Lien animation", "name": "Camille"}


def test_starting_a_session_snapshots_the_board_as_logged(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, facilitator, "Atelier 1 — où en sommes-nous ?")
    assert session["open"] is True
    assert session["ended_at"] is None
    [first] = session["snapshots"]
    assert (first["kind"], first["number"], first["prev"]) == ("session_start", 1, None)
    assert first["seq"] == last_seq(atelier, board)
    assert first["taken_at"] == session["started_at"]


def test_a_board_has_one_open_session_at_a_time(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, facilitator, "Première séance")
    again = atelier.api("POST", f"/api/boards/{board}/sessions", facilitator, json={"title": "x"})
    assert "open session" in problem(again, 409)["detail"]
    end_session(atelier, session["id"], facilitator)
    start_session(atelier, board, facilitator, "Deuxième séance")


def test_ending_a_session_snapshots_and_closes_it_once(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, facilitator, "Séance")
    ended = end_session(atelier, session["id"], facilitator)
    assert ended["open"] is False
    assert [s["kind"] for s in ended["snapshots"]] == ["session_start", "session_end"]
    assert ended["ended_at"] == ended["snapshots"][-1]["taken_at"]
    problem(atelier.api("POST", f"/api/sessions/{session['id']}/end", facilitator), 409)


def test_only_facilitators_run_sessions_and_take_snapshots(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    for role in ("participant", "observer"):
        token = atelier.invite(board, role)
        refused = atelier.api("POST", f"/api/boards/{board}/sessions", token, json={"title": "x"})
        problem(refused, 403)
        problem(atelier.api("POST", f"/api/boards/{board}/snapshots", token, json={}), 403)
    session = start_session(atelier, board, atelier.invite(board, "facilitator"), "Séance")
    observer = atelier.invite(board, "observer")
    problem(atelier.api("POST", f"/api/sessions/{session['id']}/end", observer), 403)
    listed = atelier.api("GET", f"/api/boards/{board}/sessions", observer)
    assert [s["id"] for s in valid("api/session-list.schema.json", listed)["sessions"]] == [
        session["id"]
    ]


def test_a_session_title_is_required(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    for body in ({}, {"title": ""}, {"title": "   "}, {"title": "x", "extra": 1}):
        problem(atelier.api("POST", f"/api/boards/{board}/sessions", json=body), 400)


def test_unknown_sessions_and_snapshots_are_not_found(atelier: AtelierServer) -> None:
    for path in ("/api/sessions/0123abcd", "/api/snapshots/0123abcd", "/api/sessions/NOPE!"):
        problem(atelier.api("GET", path), 404)


# -- snapshots ------------------------------------------------------------------------------


async def test_a_snapshot_holds_exactly_what_the_log_holds(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    marie = await participant(atelier, board, "Marie", "collectivite")
    await add_note(marie, "n1", "Réunion mensuelle", "coexistence", "Marie", "collectivite")
    taken = snapshot(atelier, board, atelier.invite(board, "facilitator"), "avant la pause")
    assert taken["seq"] == last_seq(atelier, board)
    assert taken["label"] == "avant la pause"
    full = valid("api/snapshot.schema.json", atelier.api("GET", f"/api/snapshots/{taken['id']}"))
    assert [(n["text"], n["level"]) for n in full["projection"]["notes"]] == [
        ("Réunion mensuelle", "coexistence")
    ]
    binary = get_binary(atelier, f"/api/snapshots/{taken['id']}")
    assert binary.headers["content-type"] == "application/octet-stream"
    assert binary.headers["x-atelier-seq"] == str(taken["seq"])
    assert hashlib.sha256(binary.content).hexdigest() == taken["state_sha256"]
    assert projection_of(binary.content) == full["projection"]
    content = atelier.api("GET", f"/api/boards/{board}/content").json()
    assert content == full["projection"]


async def test_snapshots_form_a_hash_chain_per_board(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    marie = await participant(atelier, board, "Marie", "etat")
    first = snapshot(atelier, board, facilitator)
    await add_note(marie, "n1", "Idée", "assistance", "Marie", "etat")
    second = snapshot(atelier, board, facilitator)
    third = snapshot(atelier, board, facilitator)
    listed = atelier.api("GET", f"/api/boards/{board}/snapshots")
    chain = valid("api/snapshot-list.schema.json", listed)["snapshots"]
    assert [s["id"] for s in chain] == [first["id"], second["id"], third["id"]]
    assert [s["prev"] for s in chain] == [None, first["hash"], second["hash"]]
    assert second["log"] == {**second["log"], "after_seq": first["seq"], "count": 1}
    assert third["log"]["count"] == 0
    with closing(database(atelier)) as conn:
        for stored in chain:
            header = conn.execute("SELECT header FROM snapshots WHERE id = ?", (stored["id"],))
            assert header_hash(json.loads(header.fetchone()[0])) == stored["hash"]


def test_snapshots_taken_at_once_still_form_one_chain(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    with ThreadPoolExecutor(4) as pool:
        taken = list(pool.map(lambda i: snapshot(atelier, board, facilitator, f"s{i}"), range(6)))
    chain = atelier.api("GET", f"/api/boards/{board}/snapshots").json()["snapshots"]
    assert sorted(s["id"] for s in taken) == sorted(s["id"] for s in chain)
    assert [s["number"] for s in chain] == [1, 2, 3, 4, 5, 6]
    assert [s["prev"] for s in chain[1:]] == [s["hash"] for s in chain[:-1]]


def test_a_manual_snapshot_joins_the_open_session(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    outside = snapshot(atelier, board, facilitator)
    session = start_session(atelier, board, facilitator, "Séance")
    inside = snapshot(atelier, board, facilitator, "pause")
    assert (outside["session"], inside["session"]) == (None, session["id"])
    ended = end_session(atelier, session["id"], facilitator)
    assert [s["kind"] for s in ended["snapshots"]] == ["session_start", "manual", "session_end"]
    assert ended["snapshots"][0]["prev"] == outside["hash"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_no_api_changes_or_deletes_a_snapshot(atelier: AtelierServer, method: str) -> None:
    board = atelier.create_board()
    taken = snapshot(atelier, board, atelier.invite(board, "facilitator"))
    response = atelier.api(method, f"/api/snapshots/{taken['id']}", json={"label": "changed"})
    assert response.status_code == 405
    again = atelier.api("GET", f"/api/snapshots/{taken['id']}").json()
    assert (again["label"], again["hash"]) == (None, taken["hash"])


def test_a_token_of_another_board_reads_none_of_its_archive(atelier: AtelierServer) -> None:
    board, other = atelier.create_board(), atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, facilitator, "Séance")
    taken = session["snapshots"][0]
    stranger = atelier.invite(other, "facilitator")
    for path in (
        f"/api/sessions/{session['id']}",
        f"/api/snapshots/{taken['id']}",
        f"/api/snapshots/{taken['id']}/export",
        f"/api/boards/{board}/history",
        f"/api/boards/{board}/state",
    ):
        problem(atelier.api("GET", path, stranger), 403)
    problem(atelier.api("POST", f"/api/sessions/{session['id']}/end", stranger), 403)


def test_the_archive_endpoints_document_their_parameters_and_media(
    atelier: AtelierServer,
) -> None:
    document = httpx.get(f"{atelier.base_url}/api/openapi.json", timeout=10).json()
    state = document["paths"]["/api/boards/{board_id}/state"]["get"]
    kinds = {p["name"]: p["schema"].get("type") for p in state["parameters"] if p["in"] == "query"}
    assert kinds == {"seq": "integer", "at": "string"}
    assert "application/octet-stream" in state["responses"]["200"]["content"]
    export = document["paths"]["/api/sessions/{session_id}/export"]["get"]["responses"]["200"]
    assert {"application/json", "text/html", "application/pdf"} <= set(export["content"])
    evidence = document["paths"]["/api/sessions/{session_id}/evidence"]["get"]["responses"]
    assert "application/zip" in evidence["200"]["content"]
    operation_ids = [
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))


def test_the_database_itself_refuses_to_change_a_snapshot(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    taken = snapshot(atelier, board, atelier.invite(board, "facilitator"))
    with closing(database(atelier)) as conn:
        for statement in (
            "UPDATE snapshots SET kind = 'manual' WHERE id = ?",
            "UPDATE snapshots SET state = x'00' WHERE id = ?",
            "DELETE FROM snapshots WHERE id = ?",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="immutable"):
                conn.execute(statement, (taken["id"],))
    again = atelier.api("GET", f"/api/snapshots/{taken['id']}").json()
    assert again["hash"] == taken["hash"]
