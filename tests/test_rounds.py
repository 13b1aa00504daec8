"""Private rounds over the API: who may open, answer, reveal and agree; what a bad answer
gets; one open round per board; answers survive a restart; the reveal enters the board
through the log, each answer attributed to its author."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from server.boards.labels import LEVELS
from server.boards.method import CRITERIA
from server.core import schema
from tests.support.archive import end_session, invite_for, problem, start_session, valid
from tests.support.atelier_server import AtelierServer

POSITION = {"name": "Marie", "level": "coordination", "target": "collaboration"}


class Board:
    """A workshop board with a facilitator, two participants of two parties and an
    observer, as tokens."""

    def __init__(self, atelier: AtelierServer) -> None:
        self.atelier = atelier
        self.id = atelier.create_board("continuum")
        self.facilitator = invite_for(atelier, self.id, "facilitator", "facilitation")["token"]
        self.etat = invite_for(atelier, self.id, "participant", "etat")["token"]
        self.collectivite = invite_for(atelier, self.id, "participant", "collectivite")["token"]
        self.observer = invite_for(atelier, self.id, "observer", "")["token"]

    def open(self, kind: str = "position", token: str | None = None, **body: Any) -> Any:
        path = f"/api/boards/{self.id}/rounds"
        return self.atelier.api(
            "POST", path, token or self.facilitator, json={"kind": kind, **body}
        )

    def opened(self, kind: str = "position", **body: Any) -> dict[str, Any]:
        return valid("api/round.schema.json", self.open(kind, **body), 201)

    def answer(self, round_id: str, token: str, body: dict[str, Any]) -> Any:
        return self.atelier.api("PUT", f"/api/rounds/{round_id}/answers/mine", token, json=body)

    def reveal(self, round_id: str) -> Any:
        return self.atelier.api("POST", f"/api/rounds/{round_id}/reveal", self.facilitator)

    def get(self, round_id: str, token: str | None = None) -> dict[str, Any]:
        response = self.atelier.api("GET", f"/api/rounds/{round_id}", token or self.etat)
        return valid("api/round.schema.json", response)


@pytest.fixture
def board(atelier: AtelierServer) -> Board:
    return Board(atelier)


# -- roles ----------------------------------------------------------------------------------


def test_a_facilitator_opens_a_round_that_lists_nobody_yet(board: Board) -> None:
    opened = board.opened(title="Où en est notre coopération ?")
    assert (opened["state"], opened["answered"], opened["kind"]) == ("open", [], "position")
    listed = board.atelier.api("GET", f"/api/boards/{board.id}/rounds", board.observer)
    assert [r["id"] for r in valid("api/round-list.schema.json", listed)["rounds"]] == [
        opened["id"]
    ]


def test_a_participant_cannot_open_a_round(board: Board) -> None:
    problem(board.open(token=board.etat), 403)


def test_an_observer_cannot_answer(board: Board) -> None:
    opened = board.opened()
    problem(board.answer(opened["id"], board.observer, POSITION), 403)


def test_the_operator_does_not_answer(board: Board) -> None:
    opened = board.opened()
    problem(board.answer(opened["id"], board.atelier.admin_token, POSITION), 403)


def test_a_participant_cannot_reveal_or_agree(board: Board) -> None:
    opened = board.opened()
    for action, body in (("reveal", None), ("agree", {"level": "coordination"})):
        path = f"/api/rounds/{opened['id']}/{action}"
        problem(board.atelier.api("POST", path, board.etat, json=body), 403)


def test_a_token_of_another_board_cannot_read_a_round(board: Board) -> None:
    opened = board.opened()
    other = Board(board.atelier)
    problem(board.atelier.api("GET", f"/api/rounds/{opened['id']}", other.etat), 403)


# -- bad answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("position", {"level": "friendship"}, "level"),
        ("position", {"level": "coordination", "target": "utopia"}, "target"),
        ("assessment", {"scores": {"weather": 3}}, "scores"),
        ("assessment", {"scores": {"urgency": 0}}, "scores/urgency"),
        ("assessment", {"scores": {"urgency": 5}}, "scores/urgency"),
        ("notes", {"notes": [{"text": "ici", "level": "nowhere"}]}, "notes/0/level"),
    ],
)
def test_a_bad_answer_is_refused_naming_its_field(
    board: Board, kind: str, body: dict[str, Any], field: str
) -> None:
    opened = board.opened(kind)
    refused = problem(board.answer(opened["id"], board.etat, {"name": "Marie", **body}), 400)
    assert refused["field"] == field


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("position", {"scores": {"urgency": 2}}, "level"),
        ("assessment", {"scores": {}}, "scores"),
        ("notes", {"notes": [{"text": "sans niveau"}]}, "notes/0/level"),
    ],
)
def test_an_answer_that_does_not_fit_the_rounds_kind_is_a_conflict(
    board: Board, kind: str, body: dict[str, Any], field: str
) -> None:
    opened = board.opened(kind)
    refused = problem(board.answer(opened["id"], board.etat, {"name": "Marie", **body}), 409)
    assert refused["field"] == field


def test_the_answer_schema_names_the_methods_criteria_and_the_levels() -> None:
    body = schema.schema("api/round-answer.request.schema.json")["properties"]
    assert body["scores"]["propertyNames"]["enum"] == [c.id for c in CRITERIA]
    assert body["level"]["enum"] == [level.id for level in LEVELS]


def test_an_answer_for_another_party_is_forbidden(board: Board) -> None:
    opened = board.opened()
    body = {**POSITION, "party": "collectivite"}
    assert problem(board.answer(opened["id"], board.etat, body), 403)["field"] == "party"


def test_a_second_round_cannot_open_while_one_is_open(board: Board) -> None:
    board.opened()
    problem(board.open("assessment"), 409)


def test_answering_after_the_reveal_is_a_conflict(board: Board) -> None:
    opened = board.opened()
    valid("api/round.schema.json", board.reveal(opened["id"]))
    problem(board.answer(opened["id"], board.etat, POSITION), 409)


def test_agreeing_before_the_reveal_is_a_conflict(board: Board) -> None:
    opened = board.opened()
    path = f"/api/rounds/{opened['id']}/agree"
    problem(board.atelier.api("POST", path, board.facilitator, json={"level": "assistance"}), 409)


# -- answers --------------------------------------------------------------------------------


def test_answering_again_replaces_the_answer(board: Board) -> None:
    opened = board.opened()
    board.answer(opened["id"], board.etat, POSITION)
    again = board.answer(opened["id"], board.etat, {"name": "Marie", "level": "assistance"})
    assert valid("api/round-answer.schema.json", again)["content"] == {"level": "assistance"}
    assert board.get(opened["id"])["answered"] == [{"name": "Marie", "party": "etat"}]
    path = f"/api/rounds/{opened['id']}/answers/mine?name=Marie"
    mine = valid("api/round-answer.schema.json", board.atelier.api("GET", path, board.etat))
    assert mine["content"] == {"level": "assistance"}


def test_before_the_reveal_a_round_says_who_answered_never_what(board: Board) -> None:
    opened = board.opened()
    board.answer(opened["id"], board.etat, POSITION)
    for token in (board.facilitator, board.collectivite, board.observer):
        seen = board.get(opened["id"], token)
        assert seen["answered"] == [{"name": "Marie", "party": "etat"}]
        assert "answers" not in seen
        assert "coordination" not in str(seen)


def test_one_cannot_read_another_persons_answer_as_ones_own(board: Board) -> None:
    opened = board.opened()
    board.answer(opened["id"], board.etat, POSITION)
    path = f"/api/rounds/{opened['id']}/answers/mine?name=Marie"
    problem(board.atelier.api("GET", path, board.collectivite), 404)


def test_answers_survive_a_restart_before_the_reveal(
    start_atelier: Callable[..., AtelierServer],
) -> None:
    board = Board(start_atelier())
    opened = board.opened()
    board.answer(opened["id"], board.etat, POSITION)
    board.atelier.restart()
    revealed = valid("api/round.schema.json", board.reveal(opened["id"]))
    assert [a["content"]["level"] for a in revealed["answers"]] == ["coordination"]


# -- reveal and agreement -------------------------------------------------------------------


def test_the_reveal_enters_the_board_attributed_to_each_author(board: Board) -> None:
    opened = board.opened()
    board.answer(opened["id"], board.etat, POSITION)
    board.answer(opened["id"], board.collectivite, {"name": "Paul", "level": "communication"})
    revealed = valid("api/round.schema.json", board.reveal(opened["id"]))
    assert {a["name"]: a["content"]["level"] for a in revealed["answers"]} == {
        "Marie": "coordination",
        "Paul": "communication",
    }
    history = board.atelier.api("GET", f"/api/boards/{board.id}/history", board.observer)
    entries = valid("api/history.schema.json", history)["entries"]
    authored = {
        (e["author"]["name"], e["author"]["party"])
        for e in entries
        if e["author"] and any(c["kind"] == "round_answer_revealed" for c in e["changes"])
    }
    assert authored == {("Marie", "etat"), ("Paul", "collectivite")}
    captions = [c["fr"] for e in entries for c in e["captions"]]
    assert any(c.startswith("Positions révélées\u00a0: 2 réponses") for c in captions)
    voice = board.atelier.api("GET", f"/api/boards/{board.id}/contributions").json()
    answered = {p["party"]: p["counts"]["round_answers"] for p in voice["parties"]}
    assert answered == {"etat": 1, "collectivite": 1, "societe_civile": 0}


def test_the_agreed_position_is_recorded_with_the_open_session(board: Board) -> None:
    session = start_session(board.atelier, board.id, board.facilitator, "Atelier 1")
    opened = board.opened()
    board.answer(opened["id"], board.etat, POSITION)
    board.reveal(opened["id"])
    path = f"/api/rounds/{opened['id']}/agree"
    body = {"level": "assistance", "target": "coordination", "name": "Awa"}
    agreed = valid(
        "api/round.schema.json", board.atelier.api("POST", path, board.facilitator, json=body)
    )
    assert agreed["agreed"]["session"] == session["id"]
    assert agreed["agreed"]["by"]["name"] == "Awa"
    content = valid(
        "board.schema.json", board.atelier.api("GET", f"/api/boards/{board.id}/content")
    )
    assert content["position"] == {
        "level": "assistance",
        "target": "coordination",
        "at": content["position"]["at"],
        "round": opened["id"],
    }
    history = board.atelier.api("GET", f"/api/boards/{board.id}/history")
    captions = [c["fr"] for e in history.json()["entries"] for c in e["captions"]]
    assert "Position retenue\u00a0: Assistance → Coordination par Awa (Facilitation)" in captions


def test_a_notes_round_puts_its_notes_on_the_continuum_as_their_authors(board: Board) -> None:
    opened = board.opened("notes", zone="coexistence")
    body = {
        "name": "Marie",
        "notes": [{"text": "Réunion mensuelle"}, {"text": "Un site", "level": "assistance"}],
    }
    board.answer(opened["id"], board.etat, body)
    board.reveal(opened["id"])
    content = board.atelier.api("GET", f"/api/boards/{board.id}/content").json()
    notes = {
        n["text"]: (n["level"], n["author"]["name"], n["author"]["party"]) for n in content["notes"]
    }
    assert notes == {
        "Réunion mensuelle": ("coexistence", "Marie", "etat"),
        "Un site": ("assistance", "Marie", "etat"),
    }


def test_an_assessment_round_reveals_each_partys_scores(board: Board) -> None:
    opened = board.opened("assessment")
    scores = {"urgency": 3, "shared_vision": 1}
    board.answer(opened["id"], board.etat, {"name": "Marie", "scores": scores})
    board.reveal(opened["id"])
    content = valid(
        "board.schema.json", board.atelier.api("GET", f"/api/boards/{board.id}/content")
    )
    (entry,) = content["rounds"]
    assert entry["answers"][0]["content"]["scores"] == scores


def test_the_boards_content_lists_the_open_round_with_who_answered_only(board: Board) -> None:
    opened = board.opened()
    board.answer(opened["id"], board.etat, POSITION)
    content = board.atelier.api("GET", f"/api/boards/{board.id}/content", board.observer)
    (entry,) = valid("board.schema.json", content)["rounds"]
    assert entry == {
        "id": opened["id"],
        "kind": "position",
        "title": "",
        "state": "open",
        "answered": [{"name": "Marie", "party": "etat"}],
    }


def test_a_session_with_a_revealed_round_exports_and_verifies(board: Board) -> None:
    session = start_session(board.atelier, board.id, board.facilitator, "Atelier")["id"]
    opened = board.opened()
    board.answer(opened["id"], board.etat, POSITION)
    board.reveal(opened["id"])
    end_session(board.atelier, session, board.facilitator)
    path = f"/api/sessions/{session}/export?format=json"
    exported = valid("export.schema.json", board.atelier.api("GET", path, board.facilitator))
    assert "coordination" in str(exported["snapshots"][-1]["projection"]["rounds"])
    checked = board.atelier.api("GET", f"/api/sessions/{session}/evidence/verify", board.etat)
    assert checked.json()["ok"], checked.text
