"""The JSON API: sites, boards, invites, locks, timer, content and contributions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from server.boards import layout
from server.core import schema
from tests.support.archive import open_as
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient

NOW = "2026-11-28T10:00:00Z"


def problem_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert schema.problems("problem.schema.json", body) == []
    return body


def valid(name: str, response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert schema.problems(name, body) == []
    return body


def test_creating_a_board_returns_it(atelier: AtelierServer) -> None:
    response = atelier.api("POST", "/api/boards", json={"title": "Sens", "template": "chain"})
    assert response.status_code == 201
    board = valid("api/board.schema.json", response)
    assert (board["template"], board["locked"], board["site"]) == ("chain", False, None)


def test_creating_a_board_with_a_taken_id_is_a_conflict(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    response = atelier.api("POST", "/api/boards", json={"id": board_id, "title": "Again"})
    assert response.status_code == 409
    assert board_id in problem_of(response)["detail"]


def test_a_board_id_that_is_not_a_slug_is_a_bad_request(atelier: AtelierServer) -> None:
    response = atelier.api("POST", "/api/boards", json={"id": "Pas Bon", "title": "x"})
    assert response.status_code == 400
    assert "id" in problem_of(response)["detail"]


def test_an_id_made_from_a_title_keeps_its_accented_letters_plain(
    atelier: AtelierServer,
) -> None:
    response = atelier.api("POST", "/api/sites", json={"title": "Château-Thierry Étampes"})
    assert response.json()["id"].startswith("chateau-thierry-etampes-")


def test_creating_a_board_needs_the_operator_token(atelier: AtelierServer) -> None:
    token = atelier.invite(atelier.create_board(), "facilitator")
    response = atelier.api("POST", "/api/boards", token=token, json={"title": "x"})
    assert response.status_code == 403
    problem_of(response)


def test_requests_without_a_token_are_unauthenticated(atelier: AtelierServer) -> None:
    response = httpx.post(f"{atelier.base_url}/api/boards", json={"title": "x"})
    assert response.status_code == 401
    problem_of(response)


def test_unknown_routes_answer_with_a_problem(atelier: AtelierServer) -> None:
    response = httpx.get(f"{atelier.base_url}/api/nothing-here")
    assert problem_of(response)["status"] == 404


def test_invite_creation_returns_a_token_and_a_join_link(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id, "observer", expires_in=3600, label="Évaluation")
    assert schema.problems("api/invite.schema.json", invite) == []
    assert invite["url"].endswith(f"/join/{invite['token']}")
    assert invite["expires_at"] > invite["created_at"]


def test_tokens_never_reach_the_logs(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    token = atelier.invite(board_id)
    httpx.get(f"{atelier.base_url}/join/{token}")
    httpx.get(f"{atelier.base_url}/api/boards/{board_id}?token={token}")
    assert token not in atelier.log()


def test_facilitators_list_and_participants_cannot_list_invites(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    facilitator = atelier.invite(board_id, "facilitator")
    listed = atelier.api("GET", f"/api/boards/{board_id}/invites", token=facilitator)
    invites = valid("api/invite-list.schema.json", listed)["invites"]
    assert [i["role"] for i in invites] == ["facilitator"]
    assert "token" not in invites[0]
    refused = atelier.api("GET", f"/api/boards/{board_id}/invites", token=atelier.invite(board_id))
    assert refused.status_code == 403


def test_me_describes_the_token(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    token = atelier.invite(board_id, "observer")
    me = valid("api/me.schema.json", atelier.api("GET", "/api/me", token=token))
    assert (me["role"], me["board"]) == ("observer", board_id)
    assert valid("api/me.schema.json", atelier.api("GET", "/api/me"))["role"] == "operator"


def test_templates_give_french_and_english_labels(atelier: AtelierServer) -> None:
    catalog = valid("api/templates.schema.json", httpx.get(f"{atelier.base_url}/api/templates"))
    labels = [level["label"]["fr"] for level in catalog["continuum"]["levels"]]
    assert labels[0] == "Concurrence"
    assert labels[-1] == "Intégration"


# -- sites ------------------------------------------------------------------------------


def create_site(atelier: AtelierServer, title: str) -> str:
    response = atelier.api("POST", "/api/sites", json={"title": title})
    assert response.status_code == 201, response.text
    return str(valid("api/site.schema.json", response)["id"])


def site_board(atelier: AtelierServer, site: str) -> str:
    response = atelier.api("POST", "/api/boards", json={"title": "Atelier", "site": site})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_site_groups_its_boards_and_invites(atelier: AtelierServer) -> None:
    site = create_site(atelier, "Château-Thierry")
    boards = {site_board(atelier, site), site_board(atelier, site)}
    atelier.api("POST", f"/api/sites/{site}/invites", json={"role": "facilitator"})
    detail = valid("api/site-detail.schema.json", atelier.api("GET", f"/api/sites/{site}"))
    assert {b["id"] for b in detail["boards"]} == boards
    assert [i["role"] for i in detail["invites"]] == ["facilitator"]
    listed = valid("api/site-list.schema.json", atelier.api("GET", "/api/sites"))
    assert site in [s["id"] for s in listed["sites"]]


def test_a_board_in_an_unknown_site_is_not_found(atelier: AtelierServer) -> None:
    response = atelier.api("POST", "/api/boards", json={"title": "x", "site": "nowhere"})
    assert response.status_code == 404


async def test_a_site_invite_opens_every_board_of_its_site(atelier: AtelierServer) -> None:
    site = create_site(atelier, "Saint-Quentin")
    first, second = site_board(atelier, site), site_board(atelier, site)
    invite = atelier.api("POST", f"/api/sites/{site}/invites", json={"role": "participant"})
    token = invite.json()["token"]
    for board_id in (first, second):
        client = await RawClient.open(atelier.ws_url, board_id, token)
        await client.sync()


async def test_a_site_invite_never_opens_another_sites_board(atelier: AtelierServer) -> None:
    mine, other = create_site(atelier, "Laon"), create_site(atelier, "Soissons")
    site_board(atelier, mine)
    foreign_board = site_board(atelier, other)
    invite = atelier.api("POST", f"/api/sites/{mine}/invites", json={"role": "facilitator"})
    token = invite.json()["token"]
    client = await RawClient.open(atelier.ws_url, foreign_board, token)
    assert (await client.closed())[0] == 4403
    assert atelier.api("GET", f"/api/boards/{foreign_board}", token=token).status_code == 403
    assert atelier.api("GET", f"/api/sites/{other}", token=token).status_code == 403


# -- content, locks, timer, contributions ------------------------------------------------


async def joined(
    atelier: AtelierServer, board_id: str, role: str, name: str, party: str
) -> RawClient:
    return await open_as(atelier, board_id, role, name, party)


async def test_content_projects_the_board_and_validates(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    marie = await joined(atelier, board_id, "participant", "Marie", "collectivite")
    await marie.edit(
        lambda doc: layout.add_note(
            doc,
            "n1",
            "Réunion mensuelle",
            "coexistence",
            "m",
            "Marie",
            "collectivite",
            created_at=NOW,
        )
    )
    await marie.wait_durable()
    content = valid("board.schema.json", atelier.api("GET", f"/api/boards/{board_id}/content"))
    assert [(n["text"], n["level"]) for n in content["notes"]] == [
        ("Réunion mensuelle", "coexistence")
    ]


async def test_a_locked_zone_refuses_a_participant_and_tells_why(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    facilitator_token = atelier.invite(board_id, "facilitator")
    other = await joined(atelier, board_id, "participant", "Paul", "etat")
    intruder = await joined(atelier, board_id, "participant", "Ines", "societe_civile")
    response = atelier.api(
        "POST", f"/api/boards/{board_id}/lock", token=facilitator_token, json={"zone": "continuum"}
    )
    assert valid("api/lock-state.schema.json", response)["zone_locks"] == ["continuum"]
    await other.wait_until(lambda: "continuum" in str(other.root("meta")))
    logged = len(atelier.api("GET", f"/api/boards/{board_id}/content").json()["notes"])
    await intruder.edit(
        lambda doc: layout.add_note(
            doc, "n9", "Forcé", "integration", "i", "Ines", "societe_civile", created_at=NOW
        )
    )
    await intruder.wait_until(lambda: bool(intruder.notices))
    assert intruder.notices[0] == {
        "kind": "write_refused",
        "ok": False,
        "message": "locked by the facilitator: continuum",
    }
    await other.edit(lambda doc: layout.set_section_text(doc, "power", "Qui décide ?"))
    await other.wait_durable()
    content = atelier.api("GET", f"/api/boards/{board_id}/content").json()
    assert len(content["notes"]) == logged
    assert "n9" not in str(other.root("notes"))


async def test_clients_cannot_write_the_boards_settings(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    facilitator = await joined(atelier, board_id, "facilitator", "Anne", "facilitation")
    await facilitator.edit(lambda doc: layout.set_title(doc, "Renamed"))
    await facilitator.wait_until(lambda: bool(facilitator.notices))
    assert "meta" in facilitator.notices[0]["message"]
    content = atelier.api("GET", f"/api/boards/{board_id}/content").json()
    assert content["meta"]["title"] == "Test"


async def test_the_timer_is_mirrored_for_everyone(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    participant = await joined(atelier, board_id, "participant", "Paul", "etat")
    token = atelier.invite(board_id, "facilitator")
    started = atelier.api(
        "POST", f"/api/boards/{board_id}/timer", token=token, json={"seconds": 300}
    )
    assert valid("api/timer.schema.json", started)["duration"] == 300
    await participant.wait_until(
        lambda: participant.root("meta").get("timer", {}).get("duration") == 300
    )


async def test_contributions_count_per_party_and_participant(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    marie = await joined(atelier, board_id, "participant", "Marie", "collectivite")
    paul = await joined(atelier, board_id, "participant", "Paul", "etat")
    await marie.edit(
        lambda doc: layout.add_note(
            doc, "n1", "Idée", "coexistence", "m", "Marie", "collectivite", created_at=NOW
        )
    )
    await marie.wait_durable()
    await paul.wait_until(lambda: "n1" in paul.root("notes"))
    await paul.edit(lambda doc: layout.move_note(doc, "n1", "coordination"))
    await paul.edit(lambda doc: layout.vote(doc, "n1", "p"))
    await paul.edit(lambda doc: layout.set_section_text(doc, "power", "Qui décide ?"))
    await paul.edit(
        lambda doc: layout.approve_section(doc, "power", "etat", "Paul", NOW, invite=paul.invite_id)
    )
    await paul.wait_durable()
    report = valid(
        "api/contributions.schema.json",
        atelier.api("GET", f"/api/boards/{board_id}/contributions"),
    )
    by_party = {p["party"]: p["counts"] for p in report["parties"]}
    assert by_party["collectivite"]["notes_created"] == 1
    assert (by_party["etat"]["moves"], by_party["etat"]["votes"]) == (1, 1)
    assert (by_party["etat"]["text_edits"], by_party["etat"]["approvals"]) == (1, 1)
    assert {p["name"] for p in report["participants"]} == {"Marie", "Paul"}


def test_contributions_refuse_a_bad_time_bound(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    response = atelier.api("GET", f"/api/boards/{board_id}/contributions?from=yesterday")
    assert response.status_code == 400
    assert problem_of(response)["field"] == "from"


@pytest.mark.parametrize("body", [{"seconds": -1}, {"seconds": "5"}, {}, {"seconds": 5, "x": 1}])
def test_request_bodies_are_validated_against_their_schema(
    atelier: AtelierServer, body: Any
) -> None:
    board_id = atelier.create_board()
    response = atelier.api("POST", f"/api/boards/{board_id}/timer", json=body)
    assert response.status_code == 400
    assert problem_of(response)["errors"]


async def test_a_participant_cannot_approve_for_another_party(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    paul = await joined(atelier, board_id, "participant", "Paul", "etat")
    await paul.edit(lambda doc: layout.approve_section(doc, "power", "collectivite", "Paul", NOW))
    await paul.wait_until(lambda: bool(paul.notices))
    assert "your own party" in paul.notices[0]["message"]
    content = atelier.api("GET", f"/api/boards/{board_id}/content").json()
    power = next(s for s in content["agreement"]["sections"] if s["id"] == "power")
    assert power["approvals"] == []
