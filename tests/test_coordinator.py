"""The programme's coordinators read every site, board, session, snapshot and export, and
change nothing: over HTTP and over the board connection."""

from __future__ import annotations

from typing import Any

import pytest

from server.core.errors import CloseCode
from tests.support.archive import end_session, snapshot, start_session, valid
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient


def coordinator_invite(atelier: AtelierServer, **body: Any) -> dict[str, Any]:
    response = atelier.api("POST", "/api/programme/invites", json={"role": "coordinator", **body})
    return valid("api/invite.schema.json", response, 201)


@pytest.fixture
def site_board(atelier: AtelierServer) -> tuple[str, str]:
    """A site with one workshop board that held one ended session."""
    site = atelier.api("POST", "/api/sites", json={"title": "Château-Thierry"}).json()["id"]
    board = atelier.api(
        "POST", "/api/boards", json={"title": "Atelier", "template": "workshop", "site": site}
    ).json()["id"]
    facilitator = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, facilitator, "Séance 1")
    snapshot(atelier, board, facilitator)
    end_session(atelier, session["id"], facilitator)
    return site, board


def test_only_the_operator_invites_coordinators(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    response = atelier.api(
        "POST", "/api/programme/invites", facilitator, json={"role": "coordinator"}
    )
    assert response.status_code == 403


def test_a_coordinator_invite_is_on_no_board_and_expires_by_default(
    atelier: AtelierServer,
) -> None:
    invite = coordinator_invite(atelier, label="Équipe nationale")
    assert (invite["role"], invite["board"], invite["site"], invite["party"]) == (
        "coordinator",
        None,
        None,
        None,
    )
    assert invite["expires_at"] is not None
    assert invite["url"].endswith(invite["token"])
    listed = atelier.api("GET", "/api/programme/invites").json()["invites"]
    assert invite["id"] in [i["id"] for i in listed]


def test_board_invites_cannot_be_coordinators(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    response = atelier.api("POST", f"/api/boards/{board}/invites", json={"role": "coordinator"})
    assert response.status_code == 400


def test_a_coordinator_reads_every_site_and_board(
    atelier: AtelierServer, site_board: tuple[str, str]
) -> None:
    site, board = site_board
    token = coordinator_invite(atelier)["token"]
    assert site in [s["id"] for s in atelier.api("GET", "/api/sites", token).json()["sites"]]
    site_boards = atelier.api("GET", f"/api/sites/{site}", token).json()["boards"]
    assert [b["id"] for b in site_boards] == [board]
    for path in (
        f"/api/boards/{board}",
        f"/api/boards/{board}/content",
        f"/api/boards/{board}/history",
        f"/api/boards/{board}/sessions",
        f"/api/boards/{board}/snapshots",
        f"/api/boards/{board}/contributions",
    ):
        assert atelier.api("GET", path, token).status_code == 200, path
    me = atelier.api("GET", "/api/me", token).json()
    assert (me["role"], me["party"]) == ("coordinator", None)


def test_a_coordinator_exports_and_verifies_evidence(
    atelier: AtelierServer, site_board: tuple[str, str]
) -> None:
    _, board = site_board
    token = coordinator_invite(atelier)["token"]
    session = atelier.api("GET", f"/api/boards/{board}/sessions", token).json()["sessions"][0]
    shot = atelier.api("GET", f"/api/boards/{board}/snapshots", token).json()["snapshots"][0]
    for path in (
        f"/api/sessions/{session['id']}/export?format=json",
        f"/api/sessions/{session['id']}/evidence",
        f"/api/sessions/{session['id']}/evidence/verify",
        f"/api/snapshots/{shot['id']}/export?format=json",
    ):
        assert atelier.api("GET", path, token).status_code == 200, path


def test_a_coordinator_changes_nothing_over_http(
    atelier: AtelierServer, site_board: tuple[str, str]
) -> None:
    site, board = site_board
    token = coordinator_invite(atelier)["token"]
    participant = atelier.invite_record(board, "participant", party="etat")
    writes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", "/api/sites", {"title": "Autre"}),
        ("POST", "/api/boards", {"title": "Autre", "template": "workshop"}),
        ("POST", f"/api/sites/{site}/invites", {"role": "participant"}),
        ("POST", f"/api/boards/{board}/invites", {"role": "observer"}),
        ("POST", f"/api/boards/{board}/lock", {}),
        ("POST", f"/api/boards/{board}/unlock", {}),
        ("POST", f"/api/boards/{board}/timer", {"seconds": 60}),
        ("POST", f"/api/boards/{board}/sessions", {"title": "Séance 2"}),
        ("POST", f"/api/boards/{board}/snapshots", {}),
        ("DELETE", f"/api/invites/{participant['id']}", None),
        ("POST", "/api/programme/invites", {"role": "coordinator"}),
    ]
    for method, path, payload in writes:
        response = atelier.api(method, path, token, json=payload)
        assert response.status_code == 403, (method, path, response.text)


async def test_a_coordinator_receives_the_board_but_its_writes_are_refused(
    atelier: AtelierServer, site_board: tuple[str, str]
) -> None:
    _, board = site_board
    token = coordinator_invite(atelier)["token"]
    writer = await RawClient.open(atelier.ws_url, board, atelier.invite(board), acks="1")
    await writer.sync()
    reader = await RawClient.open(atelier.ws_url, board, token, acks="1")
    await reader.sync()
    await writer.set_key("visible", 1)
    await reader.wait_until(lambda: reader.value("visible") == 1)
    await reader.set_key("sneaky", 1)
    await reader.wait_until(lambda: any(n["kind"] == "write_refused" for n in reader.notices))
    assert "sneaky" not in str(atelier.api("GET", f"/api/boards/{board}/state").content)


async def test_a_revoked_coordinator_is_disconnected(
    atelier: AtelierServer, site_board: tuple[str, str]
) -> None:
    _, board = site_board
    invite = coordinator_invite(atelier)
    reader = await RawClient.open(atelier.ws_url, board, invite["token"])
    await reader.sync()
    assert atelier.api("DELETE", f"/api/invites/{invite['id']}").status_code == 200
    assert (await reader.closed(timeout=1.0))[0] == CloseCode.FORBIDDEN
    assert atelier.api("GET", f"/api/boards/{board}", invite["token"]).status_code == 403
