"""A board's document, an invite's bytes and an invite's connections are bounded against any
token holder, however often it reconnects; the offender is refused with its documented code
and the other participants keep syncing."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map

from server.core.errors import CloseCode
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient
from tests.support.storage import logged_updates
from tests.support.unharmed import MIB, GoodBoard, rss_bytes

NOTE_BYTES = 7_000_000


def big_note(key: str, size: int) -> Any:
    def change(doc: Doc[Any]) -> None:
        doc.get("notes", type=Map)[key] = "x" * size

    return change


async def synced(server: AtelierServer, board_id: str, token: str, **params: str) -> RawClient:
    client = await RawClient.open(server.ws_url, board_id, token, **params)
    await client.sync()
    return client


# -- the document -------------------------------------------------------------------------


async def test_updates_that_would_pass_the_board_limit_are_refused_across_reconnects(
    start_atelier: Any,
) -> None:
    server = start_atelier(
        ATELIER_MAX_BOARD_BYTES=str(MIB), ATELIER_INVITE_BYTES_PER_MINUTE=str(1024 * MIB)
    )
    board = await GoodBoard.open(server)
    token = server.invite(board.id)
    before = rss_bytes(server)
    codes, notices = [], []
    for attempt in range(4):  # ten 7 MB notes, reconnecting whenever closed
        writer = await synced(server, board.id, token, acks="1")
        for i in range(3 if attempt < 3 else 1):
            await writer.edit(big_note(f"n{attempt}-{i}", NOTE_BYTES))
        await writer.wait_until(lambda w=writer: w.close_code is not None or len(w.notices) == 1)
        codes.append((await writer.closed())[0] if attempt < 3 else writer.close_code)
        notices += writer.notices
    grown = rss_bytes(server) - before
    assert codes == [CloseCode.FORBIDDEN] * 3 + [None]
    assert len(notices) == 10
    assert all(n["kind"] == "write_refused" and "board is full" in n["message"] for n in notices)
    assert grown < 100 * MIB, f"server grew by {grown / MIB:.0f} MiB"  # was +306 MiB
    assert sum(map(len, logged_updates(server, board.id))) < MIB
    await board.assert_unharmed()


async def test_the_invite_byte_budget_survives_reconnects(start_atelier: Any) -> None:
    server = start_atelier(ATELIER_INVITE_BYTES_PER_MINUTE=str(MIB))
    board = await GoodBoard.open(server)
    token = server.invite(board.id)
    first = await synced(server, board.id, token, acks="1")
    await first.edit(big_note("a", 600_000))
    await first.wait_durable()
    await first.close()
    second = await synced(server, board.id, token, acks="1")  # a fresh connection's own rate
    await second.edit(big_note("b", 600_000))
    assert await second.closed() == (
        CloseCode.RATE_LIMITED,
        f"this invite sent over {MIB} bytes a minute; wait, then reconnect",
    )
    third = await RawClient.open(server.ws_url, board.id, token)
    code, reason = await third.closed()
    assert code == CloseCode.RATE_LIMITED
    assert reason.startswith(f"this invite sent over {MIB} bytes in a minute; retry in ")
    await board.assert_unharmed(also_logged=1)  # the first note, within the budget


# -- connections ----------------------------------------------------------------------------


async def test_one_invite_holds_a_bounded_number_of_connections_over_all_its_boards(
    start_atelier: Any,
) -> None:
    server = start_atelier(ATELIER_MAX_CONNECTIONS_PER_INVITE="3")
    site = server.api("POST", "/api/sites", json={"title": "Laon"}).json()["id"]
    boards = [
        server.api("POST", "/api/boards", json={"title": "A", "site": site}).json()["id"]
        for _ in range(2)
    ]
    invite = server.api("POST", f"/api/sites/{site}/invites", json={"role": "observer"}).json()
    for board_id in (boards[0], boards[0], boards[1]):
        await synced(server, board_id, invite["token"])
    refused = await RawClient.open(server.ws_url, boards[1], invite["token"])
    assert await refused.closed() == (
        CloseCode.OVERLOADED,
        "this invite already has 3 open connections; close one and retry",
    )
    board = await GoodBoard.open(server, boards[1])
    await board.assert_unharmed()


async def test_a_closed_connection_gives_its_invite_a_slot_back(start_atelier: Any) -> None:
    server = start_atelier(ATELIER_MAX_CONNECTIONS_PER_INVITE="2")
    board = await GoodBoard.open(server)
    token = server.invite(board.id, "observer")
    first = await synced(server, board.id, token)
    await synced(server, board.id, token)
    await first.close()
    await synced(server, board.id, token)
    await board.assert_unharmed()


async def test_participants_filling_a_board_leave_the_facilitators_slots(
    start_atelier: Any,
) -> None:
    server = start_atelier(ATELIER_MAX_PEERS_PER_BOARD="6", ATELIER_FACILITATOR_RESERVED_PEERS="2")
    board = await GoodBoard.open(server)
    token = server.invite(board.id)
    others = [await synced(server, board.id, token) for _ in range(3)]  # 4 slots with Bon's
    refused = await RawClient.open(server.ws_url, board.id, server.invite(board.id, "observer"))
    assert await refused.closed() == (CloseCode.OVERLOADED, "this board has too many connections")
    facilitator_token = server.invite(board.id, "facilitator")
    facilitators = [await synced(server, board.id, facilitator_token) for _ in range(2)]
    await facilitators[0].set_key("by-facilitator", 1)
    await board.good.wait_until(lambda: board.good.value("by-facilitator") == 1)
    for client in [*facilitators, others[0]]:  # the newcomer of ``assert_unharmed`` needs a slot
        await client.close()
    board.logged_before = logged_updates(server, board.id)
    await board.assert_unharmed()
