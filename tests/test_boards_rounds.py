"""Revealed rounds in the document: their projection, the agreed position, the captions of a
reveal, of each answer and of the agreement, and that a board without rounds projects
exactly as before (so archived snapshots still verify)."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from server.boards import rounds
from server.boards.diff import Actor, diff
from server.boards.document import doc_from_updates, seed_update
from server.boards.labels import french_spacing
from server.boards.projection import project

AT = "2026-11-28T10:00:00Z"
LATER = "2026-11-28T11:00:00Z"
MARIE = ("inv-marie", "Marie", "etat", AT)
PAUL = ("inv-paul", "Paul", "collectivite", AT)


def board() -> Doc[Any]:
    return doc_from_updates([seed_update("continuum", "Test")])


def revealed(doc: Doc[Any]) -> None:
    rounds.write_round(doc, "r1", "position", "Où en est-on ?", AT, "Awa", 2)
    rounds.write_answer(doc, "r1", "a1", MARIE, {"level": "coordination", "target": "integration"})
    rounds.write_answer(doc, "r1", "a2", PAUL, {"level": "communication"})


def test_a_board_without_rounds_has_no_rounds_key() -> None:
    assert set(project(board())) == {"meta", "notes", "chain", "agreement", "problems"}


def test_revealed_answers_project_with_their_authors() -> None:
    doc = board()
    revealed(doc)
    (entry,) = project(doc)["rounds"]
    assert [(a["name"], a["party"], a["content"]) for a in entry["answers"]] == [
        ("Marie", "etat", {"level": "coordination", "target": "integration"}),
        ("Paul", "collectivite", {"level": "communication"}),
    ]
    assert "position" not in project(doc)


def test_the_latest_agreed_position_is_the_boards_position() -> None:
    doc = board()
    revealed(doc)
    rounds.write_agreed(doc, "r1", {"level": "assistance", "at": LATER, "by": "Awa"})
    assert project(doc)["position"] == {
        "level": "assistance",
        "target": None,
        "at": LATER,
        "round": "r1",
    }


def test_a_reveal_is_captioned_with_its_count_then_each_answer_as_its_authors() -> None:
    doc = board()
    before = project(doc)
    rounds.write_round(doc, "r1", "position", "", AT, "Awa", 2)
    shell = project(doc)
    (reveal,) = diff(before, shell, Actor("Awa", "facilitation"))
    assert reveal.caption["fr"] == french_spacing(
        "Positions révélées : 2 réponses par Awa (Facilitation)"
    )
    rounds.write_answer(doc, "r1", "a1", MARIE, {"level": "coordination"})
    (answer,) = diff(shell, project(doc))
    assert answer.actor == Actor("Marie", "etat")
    assert answer.caption["fr"] == french_spacing("Réponse révélée par Marie (État) : Coordination")


def test_an_agreement_is_captioned_with_the_level_and_who_recorded_it() -> None:
    doc = board()
    revealed(doc)
    before = project(doc)
    rounds.write_agreed(doc, "r1", {"level": "coordination", "at": LATER, "by": "Awa"})
    (agreed,) = diff(before, project(doc))
    assert agreed.kind == "round_agreed"
    assert agreed.caption["fr"] == french_spacing("Position retenue : Coordination par Awa")


def test_a_notes_answer_lands_on_the_continuum_as_its_authors_notes() -> None:
    doc = board()
    rounds.write_round(doc, "r2", "notes", "", AT, "Awa", 1)
    rounds.write_answer(
        doc, "r2", "a1", MARIE, {"notes": [{"text": "Un site", "level": "assistance"}]}
    )
    (note,) = project(doc)["notes"]
    assert (note["text"], note["level"], note["author"]["name"], note["author"]["party"]) == (
        "Un site",
        "assistance",
        "Marie",
        "etat",
    )
