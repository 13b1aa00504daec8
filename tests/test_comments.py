"""Comments on the board and « depuis votre dernière visite », over the API: who may write,
resolve and read; the party is the invite's; bad comments and floods are refused; a visit
tells what changed and what was said since the previous one, and not what was there before."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from server.core.errors import NotFound, TooManyRequests
from server.core.settings import Settings
from server.store import catalog, comments, log
from server.store.db import Engine
from tests.support.archive import add_note, invite_for, participant, problem, valid
from tests.support.atelier_server import AtelierServer

COMMENT = "api/comment.schema.json"


class Board:
    """A workshop board with one note, a facilitator, participants of two parties, an
    observer and a coordinator, as tokens."""

    def __init__(self, atelier: AtelierServer) -> None:
        self.atelier = atelier
        self.id = atelier.create_board("workshop")
        self.facilitator = invite_for(atelier, self.id, "facilitator", "")["token"]
        self.etat = invite_for(atelier, self.id, "participant", "etat")["token"]
        self.collectivite = invite_for(atelier, self.id, "participant", "collectivite")["token"]
        self.observer = invite_for(atelier, self.id, "observer", "")["token"]
        made = atelier.api("POST", "/api/programme/invites", json={"role": "coordinator"})
        self.coordinator = made.json()["token"]

    async def with_note(self, note: str = "n1", text: str = "Réunion mensuelle") -> None:
        client = await participant(self.atelier, self.id, "Marie", "etat")
        await add_note(client, note, text, "coexistence", "Marie", "etat")
        await client.close()

    def post(self, token: str, **body: Any) -> httpx.Response:
        body = {"name": "Marie", "text": "À préciser ?", **body}
        return self.atelier.api("POST", f"/api/boards/{self.id}/comments", token, json=body)

    def comment(self, token: str, **body: Any) -> dict[str, Any]:
        body.setdefault("target", {"kind": "note", "id": "n1"})
        return valid(COMMENT, self.post(token, **body), 201)

    def threads(self, token: str, query: str = "") -> list[dict[str, Any]]:
        response = self.atelier.api("GET", f"/api/boards/{self.id}/comments{query}", token)
        return list(valid("api/comment-list.schema.json", response)["threads"])

    def act(self, comment_id: str, action: str, token: str) -> httpx.Response:
        return self.atelier.api("POST", f"/api/comments/{comment_id}/{action}", token)

    def visit(self, token: str) -> dict[str, Any]:
        response = self.atelier.api("POST", f"/api/boards/{self.id}/visits", token)
        return valid("api/visit.schema.json", response)

    def since(self, token: str) -> dict[str, Any]:
        response = self.atelier.api("GET", f"/api/boards/{self.id}/since-last-visit", token)
        return valid("api/since-last-visit.schema.json", response)


@pytest.fixture
async def board(atelier: AtelierServer) -> Board:
    made = Board(atelier)
    await made.with_note()
    return made


# -- writing and reading -----------------------------------------------------------------------


def test_a_participant_comments_on_a_note_and_everyone_of_the_board_reads_it(board: Board) -> None:
    made = board.comment(board.etat, text="Qui anime ?", mentions=["collectivite"])
    assert made["target"] == {"kind": "note", "id": "n1"}
    assert (made["author"]["name"], made["author"]["party"]) == ("Marie", "etat")
    for token in (board.observer, board.coordinator, board.collectivite):
        [thread] = board.threads(token)
        assert [c["text"] for c in thread["comments"]] == ["Qui anime ?"]
        assert thread["comments"][0]["mentions"] == ["collectivite"]


def test_a_reply_joins_its_thread_after_the_first_comment(board: Board) -> None:
    first = board.comment(board.etat)
    reply = board.comment(board.collectivite, parent=first["id"], text="Nous, en mars.")
    assert (reply["thread"], reply["parent"]) == (first["id"], first["id"])
    [thread] = board.threads(board.observer)
    assert [c["id"] for c in thread["comments"]] == [first["id"], reply["id"]]


def test_a_reply_to_a_reply_lands_in_the_same_thread(board: Board) -> None:
    first = board.comment(board.etat)
    reply = board.comment(board.collectivite, parent=first["id"])
    again = board.comment(board.etat, parent=reply["id"])
    assert again["parent"] == first["id"]


def test_comments_are_listed_by_target(board: Board) -> None:
    board.comment(board.etat)
    board.comment(board.etat, target={"kind": "section", "id": "power"})
    [thread] = board.threads(board.etat, "?target_kind=section&target_id=power")
    assert thread["target"] == {"kind": "section", "id": "power"}


def test_comments_can_be_listed_since_a_time(board: Board) -> None:
    first = board.comment(board.etat)
    assert board.threads(board.etat, f"?since={first['created_at'].replace('+00:00', 'Z')}") == []


def test_the_party_is_the_invites_not_the_bodys(board: Board) -> None:
    refused = board.post(board.etat, target={"kind": "note", "id": "n1"}, party="collectivite")
    problem(refused, 400)  # the body has no party at all
    made = board.comment(board.etat)
    assert made["author"]["party"] == "etat"


def test_comments_stay_out_of_the_board_and_its_history(board: Board) -> None:
    board.comment(board.etat, text="Marqueur-hors-document")
    for path in ("content", "history"):
        response = board.atelier.api("GET", f"/api/boards/{board.id}/{path}", board.etat)
        assert response.status_code == 200
        assert "Marqueur-hors-document" not in response.text


def test_a_facilitator_comments_for_the_facilitation(board: Board) -> None:
    assert board.comment(board.facilitator)["author"]["party"] == "facilitation"


# -- who may write -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["observer", "coordinator", "operator"])
def test_readers_cannot_comment(board: Board, who: str) -> None:
    token = board.atelier.admin_token if who == "operator" else getattr(board, who)
    problem(board.post(token, target={"kind": "note", "id": "n1"}), 403)


def test_a_token_of_another_board_cannot_comment(board: Board) -> None:
    other = Board(board.atelier)
    problem(other.post(board.etat, target={"kind": "note", "id": "n1"}), 403)


def test_only_the_author_or_a_facilitator_resolves_a_thread(board: Board) -> None:
    first = board.comment(board.etat)
    problem(board.act(first["id"], "resolve", board.collectivite), 403)
    problem(board.act(first["id"], "resolve", board.observer), 403)
    problem(board.act(first["id"], "resolve", board.coordinator), 403)


def test_the_author_resolves_and_reopens_their_thread(board: Board) -> None:
    first = board.comment(board.etat)
    resolved = valid(
        "api/comment-thread.schema.json", board.act(first["id"], "resolve", board.etat)
    )
    assert resolved["resolved"] is True
    reopened = valid("api/comment-thread.schema.json", board.act(first["id"], "reopen", board.etat))
    assert (reopened["resolved"], reopened["resolved_by"]) == (False, None)


def test_a_facilitator_resolves_anyones_thread_from_a_reply(board: Board) -> None:
    first = board.comment(board.etat)
    reply = board.comment(board.collectivite, parent=first["id"])
    resolved = valid(
        "api/comment-thread.schema.json", board.act(reply["id"], "resolve", board.facilitator)
    )
    assert (resolved["id"], resolved["resolved"]) == (first["id"], True)
    assert board.threads(board.observer)[0]["resolved"] is True


def test_resolving_an_unknown_comment_is_not_found(board: Board) -> None:
    problem(board.act("abc123", "resolve", board.facilitator), 404)


# -- bad comments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": {"kind": "vision", "id": "n1"}}, "target/kind"),
        ({"target": {"kind": "note", "id": "../n1"}}, "target/id"),
        ({"target": {"kind": "note", "id": "n404"}}, "target/id"),
        ({"target": {"kind": "section", "id": "weather"}}, "target/id"),
        ({"target": {"kind": "note", "id": "n1"}, "text": "   "}, "text"),
        ({"target": {"kind": "note", "id": "n1"}, "text": "x" * 2001}, "text"),
        ({"target": {"kind": "note", "id": "n1"}, "mentions": ["prefecture"]}, "mentions/0"),
        ({"text": "sans cible"}, None),
    ],
)
def test_a_bad_comment_is_refused_with_400(
    board: Board, body: dict[str, Any], field: str | None
) -> None:
    refused = problem(board.post(board.etat, **body), 400)
    if field is not None:
        assert refused["field"] == field


def test_a_comment_of_the_longest_length_is_taken(board: Board) -> None:
    assert len(board.comment(board.etat, text="é" * 2000)["text"]) == 2000


def test_a_reply_to_a_comment_of_another_board_is_not_found(board: Board) -> None:
    first = board.comment(board.etat)
    other = Board(board.atelier)
    token = invite_for(board.atelier, other.id, "participant", "etat")["token"]
    refused = other.atelier.api(
        "POST",
        f"/api/boards/{other.id}/comments",
        token,
        json={"name": "Marie", "text": "Oui", "parent": first["id"]},
    )
    problem(refused, 404)


# -- bounds ----------------------------------------------------------------------------------------


def test_the_settings_bound_comments_by_default() -> None:
    defaults = Settings()
    assert (defaults.max_comments_per_board, defaults.comments_per_invite_per_minute) == (5000, 30)


async def test_an_invite_posting_too_fast_gets_429(
    start_atelier: Callable[..., AtelierServer],
) -> None:
    atelier = start_atelier(ATELIER_COMMENTS_PER_INVITE_PER_MINUTE="2")
    board = Board(atelier)
    await board.with_note()
    board.comment(board.etat)
    board.comment(board.etat)
    problem(board.post(board.etat, target={"kind": "note", "id": "n1"}), 429)
    board.comment(board.collectivite)  # another invite has its own minute


async def test_a_full_board_takes_no_more_comments(
    start_atelier: Callable[..., AtelierServer],
) -> None:
    atelier = start_atelier(ATELIER_MAX_COMMENTS_PER_BOARD="2")
    board = Board(atelier)
    await board.with_note()
    board.comment(board.etat)
    board.comment(board.collectivite)
    problem(board.post(board.facilitator, target={"kind": "note", "id": "n1"}), 429)


# -- since the last visit --------------------------------------------------------------------------


async def test_since_last_visit_lists_what_came_after_it_and_not_before(board: Board) -> None:
    board.comment(board.etat, text="Avant la visite")
    first = board.visit(board.collectivite)
    assert first["previous_at"] is None
    board.comment(board.etat, text="Pour vous", mentions=["collectivite"])
    board.comment(board.facilitator, text="Pour tous")
    client = await participant(board.atelier, board.id, "Paul", "societe_civile")
    await add_note(client, "n2", "Comité de suivi", "coordination", "Paul", "societe_civile")
    await client.close()
    assert board.visit(board.collectivite)["previous_at"] == first["at"]
    since = board.since(board.collectivite)
    assert since["since"] == first["at"]
    assert [(c["text"], c["mentions_me"]) for c in since["comments"]] == [
        ("Pour vous", True),
        ("Pour tous", False),
    ]
    added = [c for c in since["changes"] if c["kind"] == "note_added"]
    assert [c["subject"] for c in added] == ["n2"]
    assert {"name": "Paul", "party": "societe_civile"} in since["authors"]


async def test_since_last_visit_leaves_out_ones_own_comments(board: Board) -> None:
    board.visit(board.etat)
    board.comment(board.etat, text="Le mien")
    board.visit(board.etat)
    assert board.since(board.etat)["comments"] == []


def test_a_first_visit_shows_open_threads_mentioning_ones_party(board: Board) -> None:
    board.comment(board.etat, text="Pour la collectivité", mentions=["collectivite"])
    board.comment(board.etat, text="Pour l'État seul", mentions=["etat"])
    board.visit(board.collectivite)
    since = board.since(board.collectivite)
    assert since["since"] is None
    assert [c["text"] for c in since["comments"]] == ["Pour la collectivité"]
    assert since["changes"] == []


def test_a_coordinator_records_visits_and_reads_since(board: Board) -> None:
    board.visit(board.coordinator)
    board.comment(board.etat, text="Nouveau")
    board.visit(board.coordinator)
    assert [c["text"] for c in board.since(board.coordinator)["comments"]] == ["Nouveau"]


async def test_since_last_visit_lists_at_most_thirty_changes(board: Board) -> None:
    board.visit(board.observer)
    client = await participant(board.atelier, board.id, "Paul", "societe_civile")
    for number in range(35):
        await add_note(client, f"m{number}", f"Note {number}", "coordination", "Paul", "etat")
    await client.close()
    board.visit(board.observer)
    since = board.since(board.observer)
    assert (len(since["changes"]), since["changes_total"]) == (30, 35)


# -- the store, on SQLite and PostgreSQL -----------------------------------------------------------


@dataclass(frozen=True)
class Logged:
    board_id: str
    created_at: float
    invite_id: str | None
    author_name: str | None
    party: str | None
    data: bytes


def new_comment(board: str, invite: str, parent: str | None = None) -> comments.NewComment:
    return comments.NewComment(board, "note", "n1", parent, invite, "Marie", "etat", "Oui ?", ())


def test_the_store_bounds_comments_per_board_and_per_invite(engine: Engine) -> None:
    catalog.create_board(engine, "b1", "B", "continuum", b"\x00\x00", None)
    bounds = comments.Bounds(per_board=3, per_invite_per_minute=2)
    first = comments.create(engine, new_comment("b1", "i1"), bounds)
    reply = comments.create(engine, new_comment("b1", "i1", first.id), bounds)
    with pytest.raises(TooManyRequests):
        comments.create(engine, new_comment("b1", "i1"), bounds)
    comments.create(engine, new_comment("b1", "i2"), bounds)
    with pytest.raises(TooManyRequests):
        comments.create(engine, new_comment("b1", "i3"), bounds)
    assert [c.id for c in comments.thread(engine, first.id)] == [first.id, reply.id]
    with pytest.raises(NotFound):
        comments.thread_of(engine, "b2", first.id)


def test_the_store_shifts_visits_and_names_who_changed_the_board(engine: Engine) -> None:
    catalog.create_board(engine, "b1", "B", "continuum", b"\x00\x00", None)
    first = comments.record_visit(engine, "i1", "b1")
    assert first.previous_at is None
    now = time.time()
    with engine.begin() as conn:
        people = [
            ("i2", "Paul", "collectivite"),
            ("i2", "Paul", "collectivite"),
            ("i1", "Me", "etat"),
        ]
        log.append(conn, [Logged("b1", now, *p, b"\x00\x00") for p in people], [None] * 3)
    second = comments.record_visit(engine, "i1", "b1")
    assert (second.previous_at, second.previous_seq) == (first.last_at, first.last_seq)
    assert second.last_seq == first.last_seq + 3
    seqs = (first.last_seq, second.last_seq)
    assert comments.authors_between(engine, "b1", seqs, "i1", 12) == [("Paul", "collectivite")]
