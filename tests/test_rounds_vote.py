"""Vote rounds over the API (dot-voting with a budget): the budget and the round's notes are
enforced; a secret vote reaches nobody before the reveal (not another participant's official
Yjs client, not content or history); the reveal ranks the notes and credits each voter in
history; an open vote shows running totals only; observers cannot vote, participants cannot
reveal."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.boards.labels import french_spacing
from tests.support.archive import add_note, invite_for, participant, problem, valid
from tests.support.atelier_server import AtelierServer
from tests.support.yjs_driver import YjsDriver

WAIT_SECONDS = 10.0
NOTES = (
    ("n1", "Comité mensuel", "coordination"),
    ("n2", "Fête de quartier", "coexistence"),
    ("n3", "Lettre commune", "communication"),
)
ROUND = "api/round.schema.json"


@pytest.fixture
async def js() -> AsyncIterator[YjsDriver]:
    async with YjsDriver.start() as driver:
        yield driver


class Board:
    """A continuum board with three notes (reading order n2, n3, n1), a facilitator,
    participants of two parties and an observer, as tokens."""

    def __init__(self, atelier: AtelierServer) -> None:
        self.atelier = atelier
        self.id = atelier.create_board("continuum")
        self.facilitator = invite_for(atelier, self.id, "facilitator", "")["token"]
        self.etat = invite_for(atelier, self.id, "participant", "etat")["token"]
        self.collectivite = invite_for(atelier, self.id, "participant", "collectivite")["token"]
        self.observer = invite_for(atelier, self.id, "observer", "")["token"]

    async def with_notes(self) -> None:
        client = await participant(self.atelier, self.id, "Marie", "etat")
        for note, text, level in NOTES:
            await add_note(client, note, text, level, "Marie", "etat")
        await client.close()

    def open(self, token: str | None = None, **body: Any) -> httpx.Response:
        path = f"/api/boards/{self.id}/rounds"
        return self.atelier.api(
            "POST", path, token or self.facilitator, json={"kind": "vote", **body}
        )

    def opened(self, **body: Any) -> dict[str, Any]:
        return valid(ROUND, self.open(**body), 201)

    def vote(self, round_id: str, token: str, name: str, votes: dict[str, int]) -> httpx.Response:
        body = {"name": name, "votes": votes}
        return self.atelier.api("PUT", f"/api/rounds/{round_id}/answers/mine", token, json=body)

    def reveal(self, round_id: str, token: str | None = None) -> httpx.Response:
        path = f"/api/rounds/{round_id}/reveal"
        return self.atelier.api("POST", path, token or self.facilitator)

    def get(self, round_id: str, token: str | None = None) -> dict[str, Any]:
        response = self.atelier.api("GET", f"/api/rounds/{round_id}", token or self.observer)
        return valid(ROUND, response)

    def content(self, token: str | None = None) -> dict[str, Any]:
        path = f"/api/boards/{self.id}/content"
        return valid("board.schema.json", self.atelier.api("GET", path, token or self.observer))


@pytest.fixture
async def board(atelier: AtelierServer) -> Board:
    made = Board(atelier)
    await made.with_notes()
    return made


# -- opening --------------------------------------------------------------------------------


def test_a_vote_takes_every_note_of_the_continuum_in_reading_order_by_default(
    board: Board,
) -> None:
    opened = board.opened(budget=2)
    assert (opened["kind"], opened["budget"], opened["secret"]) == ("vote", 2, True)
    assert opened["notes"] == ["n2", "n3", "n1"]


def test_a_vote_on_listed_notes_keeps_those_notes(board: Board) -> None:
    assert board.opened(notes=["n1", "n3"], secret=False)["notes"] == ["n1", "n3"]


@pytest.mark.parametrize("budget", [0, 11, 2.5, "3"])
def test_a_bad_budget_is_refused_with_400(board: Board, budget: object) -> None:
    problem(board.open(budget=budget), 400)


def test_a_vote_on_a_note_that_is_not_on_the_board_is_a_conflict(board: Board) -> None:
    assert "nope" in problem(board.open(notes=["n1", "nope"]), 409)["detail"]


def test_a_budget_is_refused_on_another_kind_of_round(board: Board) -> None:
    problem(board.open(kind="position", budget=2), 400)


async def test_a_vote_with_minutes_starts_the_boards_timer(board: Board) -> None:
    board.opened(minutes=5)
    client = await participant(board.atelier, board.id, "Paul", "collectivite")
    timer = client.root("meta").get("timer")
    await client.close()
    assert timer is not None
    assert timer["duration"] == 300


# -- voting ---------------------------------------------------------------------------------


def test_votes_within_the_budget_are_kept_and_replace_the_previous_ones(board: Board) -> None:
    opened = board.opened(budget=3)
    valid("api/round-answer.schema.json", board.vote(opened["id"], board.etat, "Marie", {"n1": 3}))
    mine = board.vote(opened["id"], board.etat, "Marie", {"n1": 1, "n2": 2, "n3": 0})
    assert valid("api/round-answer.schema.json", mine)["content"] == {"votes": {"n1": 1, "n2": 2}}
    assert [a["name"] for a in board.get(opened["id"])["answered"]] == ["Marie"]


def test_votes_over_the_budget_are_refused(board: Board) -> None:
    opened = board.opened(budget=2)
    assert (
        problem(board.vote(opened["id"], board.etat, "Marie", {"n1": 2, "n2": 1}), 400)["field"]
        == "votes"
    )


def test_a_vote_for_a_note_not_in_the_round_is_refused(board: Board) -> None:
    opened = board.opened(notes=["n1", "n2"])
    problem(board.vote(opened["id"], board.etat, "Marie", {"n3": 1}), 409)


def test_a_negative_count_is_refused(board: Board) -> None:
    opened = board.opened()
    problem(board.vote(opened["id"], board.etat, "Marie", {"n1": -1}), 400)


def test_an_observer_cannot_vote(board: Board) -> None:
    opened = board.opened()
    problem(board.vote(opened["id"], board.observer, "Ines", {"n1": 1}), 403)


def test_a_participant_cannot_reveal_a_vote(board: Board) -> None:
    opened = board.opened()
    problem(board.reveal(opened["id"], board.etat), 403)


def test_an_open_vote_shows_running_totals_but_not_who_gave_them(board: Board) -> None:
    opened = board.opened(secret=False, budget=3)
    board.vote(opened["id"], board.etat, "Marie", {"n1": 2, "n3": 1})
    board.vote(opened["id"], board.collectivite, "Paul", {"n1": 1})
    expected = [{"note": "n2", "votes": 0}, {"note": "n3", "votes": 1}, {"note": "n1", "votes": 3}]
    assert board.get(opened["id"])["totals"] == expected
    listed = board.content()["rounds"]
    assert listed[-1]["totals"] == expected
    assert "answers" not in listed[-1]


def test_a_secret_vote_shows_no_totals_before_the_reveal(board: Board) -> None:
    opened = board.opened()
    board.vote(opened["id"], board.etat, "Marie", {"n1": 2})
    assert "totals" not in board.get(opened["id"])
    assert "totals" not in board.content()["rounds"][-1]


# -- secrecy and the reveal -----------------------------------------------------------------


async def noticed(js: YjsDriver, client: str, count: int) -> None:
    """Wait until ``client`` has heard ``count`` round notices (opened, voted…)."""

    async def heard() -> None:
        while True:
            seen = (await js.raw_messages(client))["connection"]["notices"]
            if sum(1 for n in seen if n.get("kind") == "round") >= count:
                return
            await asyncio.sleep(0.05)

    await asyncio.wait_for(heard(), WAIT_SECONDS)


async def heard(js: YjsDriver, client: str, marker: str) -> None:
    async def found() -> None:
        while not (await js.call("received_bytes_contain", client=client, text=marker))["found"]:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(found(), WAIT_SECONDS)


async def test_a_secret_vote_reaches_no_other_participant_before_the_reveal(
    js: YjsDriver, board: Board
) -> None:
    voter = f"Voter-{secrets.token_hex(6)}"  # only the vote carries this name
    params = {"token": board.collectivite, "name": "Paul", "acks": "1"}
    await js.connect(
        "paul",
        url=board.atelier.ws_url,
        room=board.id,
        params=params,
        options={"capture_bytes": True},
    )
    await js.wait_synced("paul")
    opened = board.opened(budget=3)
    assert board.vote(opened["id"], board.etat, voter, {"n1": 3}).status_code == 200
    await noticed(js, "paul", 2)

    assert not (await js.call("received_bytes_contain", client="paul", text=voter))["found"]
    content = board.content(board.collectivite)
    assert all(note["votes"]["count"] == 0 for note in content["notes"]), content["notes"]
    assert "totals" not in content["rounds"][-1]
    assert "answers" not in content["rounds"][-1]
    for path in ("history", "state?seq=1000000"):
        got = board.atelier.api("GET", f"/api/boards/{board.id}/{path}", board.collectivite)
        assert voter.encode() not in got.content, path
    assert voter not in board.atelier.log()

    valid(ROUND, board.reveal(opened["id"]))
    await heard(js, "paul", voter)


async def test_the_reveal_ranks_the_notes_and_credits_each_voter_in_history(
    board: Board,
) -> None:
    opened = board.opened(budget=3, title="Quelles pistes d'abord ?")
    board.vote(opened["id"], board.etat, "Marie", {"n1": 2, "n2": 1})
    board.vote(opened["id"], board.collectivite, "Paul", {"n1": 1, "n3": 1})
    revealed = valid(ROUND, board.reveal(opened["id"]))
    ranking = [
        ("n1", "Comité mensuel", 3),
        ("n2", "Fête de quartier", 1),
        ("n3", "Lettre commune", 1),
    ]
    assert [(r["note"], r["text"], r["votes"]) for r in revealed["results"]] == ranking

    entry = board.content()["rounds"][-1]
    assert [(r["note"], r["text"], r["votes"]) for r in entry["results"]] == ranking
    assert {a["name"]: a["content"]["votes"] for a in entry["answers"]} == {
        "Marie": {"n1": 2, "n2": 1},
        "Paul": {"n1": 1, "n3": 1},
    }
    history = board.atelier.api("GET", f"/api/boards/{board.id}/history", board.observer).json()
    captions = [c["caption"]["fr"] for e in history["entries"] for c in e["changes"]]
    ranked = "1. « Comité mensuel » (3 voix), 2. « Fête de quartier » (1 voix), 3. « Lettre"
    revealed_captions = [c for c in captions if c.startswith("Vote révélé")]
    assert len(revealed_captions) == 1, captions
    assert french_spacing(ranked) in revealed_captions[0]
    credited = {
        (e["author"]["name"], e["author"]["party"])
        for e in history["entries"]
        if any(c["kind"] == "round_answer_revealed" for c in e["changes"])
    }
    assert credited == {("Marie", "etat"), ("Paul", "collectivite")}


def test_votes_are_closed_once_revealed(board: Board) -> None:
    opened = board.opened()
    board.reveal(opened["id"])
    problem(board.vote(opened["id"], board.etat, "Marie", {"n1": 1}), 409)


# -- agreeing -------------------------------------------------------------------------------


def test_the_facilitator_records_the_retained_notes_after_the_reveal(board: Board) -> None:
    opened = board.opened()
    board.vote(opened["id"], board.etat, "Marie", {"n1": 1})
    board.reveal(opened["id"])
    path = f"/api/rounds/{opened['id']}/agree"
    agreed = board.atelier.api("POST", path, board.facilitator, json={"notes": ["n1", "n3"]})
    assert valid(ROUND, agreed)["agreed"]["notes"] == ["n1", "n3"]
    assert board.content()["rounds"][-1]["agreed"]["notes"] == ["n1", "n3"]


def test_retaining_a_note_outside_the_vote_is_a_conflict(board: Board) -> None:
    opened = board.opened(notes=["n1"])
    board.reveal(opened["id"])
    path = f"/api/rounds/{opened['id']}/agree"
    problem(board.atelier.api("POST", path, board.facilitator, json={"notes": ["n2"]}), 409)


def test_a_budget_sent_as_a_javascript_number_is_whole(board: Board) -> None:
    assert board.opened(budget=3.0)["budget"] == 3
