"""A party is who the invite says, not what a connection claims; an invite never outlives or
outranks the one that made it.

The forgery this prevents: one participant invite opening three connections as État,
Collectivité and Société civile and approving a section once from each, so that the
evidence presents one person's word as a three-party agreement.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.boards import layout
from server.boards.agreement import text_hash
from server.core.errors import CloseCode
from tests.support.archive import NOW, open_as, problem, valid
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient
from tests.support.storage import log_rows
from tests.support.yjs_driver import YjsDriver

TRINOME = ("etat", "collectivite", "societe_civile")
TEXT = "Le comité de pilotage décide à la majorité."


@pytest.fixture
async def js() -> AsyncIterator[YjsDriver]:
    async with YjsDriver.start() as driver:
        yield driver


def agreement_board(atelier: AtelierServer) -> str:
    return atelier.create_board()


def section(atelier: AtelierServer, board_id: str, section_id: str = "power") -> dict[str, Any]:
    content = valid("board.schema.json", atelier.api("GET", f"/api/boards/{board_id}/content"))
    found: dict[str, Any] = next(
        s for s in content["agreement"]["sections"] if s["id"] == section_id
    )
    return found


# -- the forgery, with the official Yjs client --------------------------------------------


async def test_one_invite_cannot_speak_for_three_parties(
    js: YjsDriver, atelier: AtelierServer
) -> None:
    board_id = agreement_board(atelier)
    invite = atelier.invite_record(board_id, "participant", party="etat")
    for client, party in zip(("as-etat", "as-collectivite", "as-societe"), TRINOME, strict=True):
        params = {"token": invite["token"], "name": "Paul", "party": party}
        await js.connect(client, url=atelier.ws_url, room=board_id, params=params)
    await js.wait_synced("as-etat")
    for client, party in (("as-collectivite", "collectivite"), ("as-societe", "societe_civile")):
        close = await js.wait_close(client)
        assert close["code"] == CloseCode.FORBIDDEN
        assert party in close["reason"]


async def test_one_connection_cannot_approve_for_the_other_parties(
    js: YjsDriver, atelier: AtelierServer
) -> None:
    board_id = agreement_board(atelier)
    invite = atelier.invite_record(board_id, "participant", party="etat")
    params = {"token": invite["token"], "name": "Paul", "acks": "1"}
    await js.connect("paul", url=atelier.ws_url, room=board_id, params=params)
    await js.wait_synced("paul")
    await type_text(js, "paul")
    approval = {"by": "Paul", "invite": invite["id"], "at": NOW, "textHash": text_hash(TEXT)}
    forged = {party: approval for party in TRINOME}
    await js.call(
        "deep_set", client="paul", path=["agreement", "power", "approvals"], entries=forged
    )
    await all_settled(js, "paul")
    found = section(atelier, board_id)
    assert found["text"] == TEXT
    assert (found["status"], found["approvals"]) == ("draft", [])


async def test_three_invites_of_the_three_parties_agree_a_section(
    js: YjsDriver, atelier: AtelierServer
) -> None:
    board_id = agreement_board(atelier)
    await approve_as_trinome(js, atelier, board_id)
    found = section(atelier, board_id)
    assert found["status"] == "agreed"
    assert {a["party"]: a["by"] for a in found["approvals"]} == {
        "etat": "Paul",
        "collectivite": "Karim",
        "societe_civile": "Inès",
    }
    assert len({a["invite"] for a in found["approvals"]}) == 3


async def approve_as_trinome(js: YjsDriver, atelier: AtelierServer, board_id: str) -> None:
    people = {"etat": "Paul", "collectivite": "Karim", "societe_civile": "Inès"}
    invites = {p: atelier.invite_record(board_id, "participant", party=p) for p in people}
    for party, name in people.items():
        params = {"token": invites[party]["token"], "name": name, "acks": "1"}
        await js.connect(party, url=atelier.ws_url, room=board_id, params=params)
        await js.wait_synced(party)
    await type_text(js, "etat")
    await js.wait_equal(list(people))
    for party, name in people.items():
        approval = {
            "by": name,
            "invite": invites[party]["id"],
            "at": NOW,
            "textHash": text_hash(TEXT),
        }
        await js.call(
            "deep_set",
            client=party,
            path=["agreement", "power", "approvals"],
            entries={party: approval},
        )
    await js.wait_equal(list(people))
    for party in people:
        await all_settled(js, party)


async def type_text(js: YjsDriver, client: str) -> None:
    await js.call(
        "deep_text_insert",
        client=client,
        path=["agreement", "power"],
        key="text",
        index=0,
        content=TEXT,
    )


async def all_settled(js: YjsDriver, client: str) -> None:
    """Every update the client sent was handled by the server (made durable or refused)."""
    sent = (await js.raw_messages(client))["connection"]["sent"]
    await js.wait_acked(client, sent.get("0/1", 0) + sent.get("0/2", 0))


# -- the party comes from the invite -------------------------------------------------------


async def test_a_connections_party_is_its_invites_without_asking(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    marie = await open_as(atelier, board_id, "participant", "Marie", "collectivite")
    await marie.set_key("note", "bonjour")
    await marie.wait_durable()
    assert log_rows(atelier, board_id)[-1][1:] == ("Marie", "collectivite")


async def test_an_approval_naming_another_invite_is_refused(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    paul = await open_as(atelier, board_id, "participant", "Paul", "etat")
    other = atelier.invite_record(board_id, "participant", party="etat")
    await paul.edit(lambda doc: layout.set_section_text(doc, "power", TEXT))
    await paul.edit(
        lambda doc: layout.approve_section(doc, "power", "etat", "Paul", NOW, invite=other["id"])
    )
    await paul.wait_until(lambda: any(n["kind"] == "write_refused" for n in paul.notices))
    assert "invite" in paul.notices[-1]["message"]
    assert section(atelier, board_id)["approvals"] == []


async def test_an_invite_without_a_party_edits_but_cannot_approve(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id, "participant")
    assert invite["party"] is None
    client = await RawClient.open(atelier.ws_url, board_id, invite["token"], acks="1")
    await client.sync()
    await client.edit(lambda doc: layout.set_section_text(doc, "power", TEXT))
    await client.wait_durable()
    await client.edit(
        lambda doc: layout.approve_section(doc, "power", "etat", "X", NOW, invite=invite["id"])
    )
    await client.wait_until(lambda: any(n["kind"] == "write_refused" for n in client.notices))
    found = section(atelier, board_id)
    assert (found["text"], found["approvals"]) == (TEXT, [])


async def test_an_invite_without_a_party_is_upgraded_once_and_reconnects(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id, "participant")
    client = await RawClient.open(atelier.ws_url, board_id, invite["token"])
    await client.sync()
    path = f"/api/invites/{invite['id']}"
    upgraded = valid("api/invite.schema.json", atelier.api("PATCH", path, json={"party": "etat"}))
    assert upgraded["party"] == "etat"
    assert (await client.closed())[0] == CloseCode.FORBIDDEN  # reconnects as État
    again = atelier.api("PATCH", path, json={"party": "collectivite"})
    assert problem(again, 409)["detail"].startswith("only a participant invite without a party")
    me = atelier.api("GET", "/api/me", token=invite["token"]).json()
    assert me["party"] == "etat"


async def test_a_connection_after_the_upgrade_speaks_for_the_new_party(
    atelier: AtelierServer,
) -> None:
    """The grant verified for the first connection is not reused once the invite changed."""
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id, "participant")
    first = await RawClient.open(atelier.ws_url, board_id, invite["token"])
    await first.sync()
    atelier.api("PATCH", f"/api/invites/{invite['id']}", json={"party": "etat"})
    await first.closed()
    again = await RawClient.open(atelier.ws_url, board_id, invite["token"], party="etat")
    await again.sync()
    await again.close()


@pytest.mark.parametrize("role", ["facilitator", "observer"])
def test_only_participant_invites_take_a_party(atelier: AtelierServer, role: str) -> None:
    board_id = atelier.create_board()
    body = {"role": role, "party": "etat"}
    problem(atelier.api("POST", f"/api/boards/{board_id}/invites", json=body), 400)


def test_facilitators_speak_for_facilitation_and_observers_for_none(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    assert atelier.invite_record(board_id, "facilitator")["party"] == "facilitation"
    assert atelier.invite_record(board_id, "observer")["party"] is None


async def test_a_facilitator_cannot_claim_a_trinome_party(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    token = atelier.invite(board_id, "facilitator")
    client = await RawClient.open(atelier.ws_url, board_id, token, party="etat")
    assert (await client.closed())[0] == CloseCode.FORBIDDEN


# -- invites made by facilitators -----------------------------------------------------------


def test_an_invite_made_by_a_facilitator_never_outlives_theirs(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    parent = atelier.invite_record(board_id, "facilitator", expires_in=3600)
    body = {"role": "participant", "party": "etat"}  # asks for no expiry at all
    response = atelier.api("POST", f"/api/boards/{board_id}/invites", parent["token"], json=body)
    child = valid("api/invite.schema.json", response, 201)
    assert child["created_by"] == parent["id"]
    assert child["expires_at"] == pytest.approx(parent["expires_at"])


async def test_revoking_a_facilitators_invite_revokes_the_invites_it_made(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    parent = atelier.invite_record(board_id, "facilitator")
    made = atelier.api(
        "POST",
        f"/api/boards/{board_id}/invites",
        parent["token"],
        json={"role": "participant", "party": "etat"},
    ).json()
    child = await RawClient.open(atelier.ws_url, board_id, made["token"])
    await child.sync()
    revoked = valid("api/invite.schema.json", atelier.api("DELETE", f"/api/invites/{parent['id']}"))
    assert revoked["revoked_with"] == [made["id"]]
    assert (await child.closed())[0] == CloseCode.FORBIDDEN
    again = atelier.api("GET", "/api/me", token=made["token"])
    assert problem(again, 403)["detail"] == "this invite has been revoked"


async def test_an_invite_revoked_with_its_maker_cannot_reconnect(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    parent = atelier.invite_record(board_id, "facilitator")
    made = atelier.api(
        "POST", f"/api/boards/{board_id}/invites", parent["token"], json={"role": "observer"}
    ).json()
    child = await RawClient.open(atelier.ws_url, board_id, made["token"])
    await child.sync()
    atelier.api("DELETE", f"/api/invites/{parent['id']}")
    await child.closed()
    again = await RawClient.open(atelier.ws_url, board_id, made["token"])
    assert await again.closed() == (CloseCode.FORBIDDEN, "this invite has been revoked")


async def test_revoking_keeps_the_operators_invites(atelier: AtelierServer) -> None:
    """Invites the operator made have no parent: revoking a facilitator leaves them valid."""
    board_id = atelier.create_board()
    facilitator = atelier.invite_record(board_id, "facilitator")
    kept = atelier.invite_record(board_id, "participant", party="etat")
    atelier.api("DELETE", f"/api/invites/{facilitator['id']}")
    assert atelier.api("GET", "/api/me", token=kept["token"]).status_code == 200


def test_an_invite_without_expires_in_expires_after_thirty_days(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id, "participant", party="etat")
    assert invite["expires_at"] - invite["created_at"] == pytest.approx(30 * 24 * 3600)
