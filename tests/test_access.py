"""Access is decided by the server: tokens, roles, revocation and locks."""

from __future__ import annotations

import asyncio
import time

from server.core.errors import CloseCode
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient
from tests.support.storage import logged_updates


async def open_synced(
    atelier: AtelierServer, board_id: str, token: str, **params: str
) -> RawClient:
    client = await RawClient.open(atelier.ws_url, board_id, token, **params)
    await client.sync()
    return client


async def test_connection_without_token_is_closed_with_4401(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    client = await RawClient.open(atelier.ws_url, board_id, None)
    assert await client.closed() == (
        CloseCode.UNAUTHENTICATED,
        "a token is required (query parameter 'token' or Bearer header)",
    )


async def test_unknown_token_is_closed_with_4401(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    client = await RawClient.open(atelier.ws_url, board_id, "not-a-real-token")
    assert await client.closed() == (CloseCode.UNAUTHENTICATED, "unknown token")


async def test_expired_token_is_closed_with_4401(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id, "participant", expires_in=0.2)
    await asyncio.sleep(max(0.0, invite["expires_at"] - time.time()) + 0.02)  # let it expire
    client = await RawClient.open(atelier.ws_url, board_id, invite["token"])
    assert await client.closed() == (CloseCode.UNAUTHENTICATED, "this invite has expired")


async def test_token_of_another_board_is_closed_with_4403(atelier: AtelierServer) -> None:
    mine, other = atelier.create_board(), atelier.create_board()
    client = await RawClient.open(atelier.ws_url, other, atelier.invite(mine))
    assert await client.closed() == (CloseCode.FORBIDDEN, "this invite is for another board")


async def test_unknown_board_is_closed_with_4404(atelier: AtelierServer) -> None:
    token = atelier.invite(atelier.create_board())
    client = await RawClient.open(atelier.ws_url, "no-such-board", token)
    assert (await client.closed())[0] == CloseCode.NO_SUCH_BOARD


async def test_revoking_an_invite_closes_its_live_connections_within_a_second(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id)
    client = await open_synced(atelier, board_id, invite["token"])
    revoked_at = time.monotonic()
    assert atelier.api("DELETE", f"/api/invites/{invite['id']}").status_code == 200
    assert (await client.closed(timeout=1.0))[0] == CloseCode.FORBIDDEN
    assert time.monotonic() - revoked_at < 1.0
    again = await RawClient.open(atelier.ws_url, board_id, invite["token"])
    assert await again.closed() == (CloseCode.FORBIDDEN, "this invite has been revoked")


async def test_revoking_one_invite_leaves_other_connections_open(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    kept = await open_synced(atelier, board_id, atelier.invite(board_id), acks="1")
    gone = atelier.invite_record(board_id)
    await open_synced(atelier, board_id, gone["token"])
    atelier.api("DELETE", f"/api/invites/{gone['id']}")
    await kept.set_key("still", "here")
    await kept.wait_durable()
    assert kept.close_code is None


async def test_observer_receives_edits_but_its_writes_are_dropped(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    editor = await open_synced(atelier, board_id, atelier.invite(board_id))
    observer = await open_synced(atelier, board_id, atelier.invite(board_id, "observer"), acks="1")
    before = logged_updates(atelier, board_id)
    await observer.set_key("sneaky", 1)
    await observer.wait_until(lambda: any(n["kind"] == "write_refused" for n in observer.notices))
    await editor.set_key("visible", 1)
    await observer.wait_until(lambda: observer.value("visible") == 1)
    assert editor.value("sneaky") is None
    assert len(logged_updates(atelier, board_id)) == len(before) + 1


async def test_observer_repeating_writes_is_closed_with_4403(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    observer = await open_synced(atelier, board_id, atelier.invite(board_id, "observer"))
    for i in range(3):
        await observer.set_key(f"try{i}", i)
    assert await observer.closed() == (CloseCode.FORBIDDEN, "observers cannot change the board")


async def test_observer_reconnecting_with_its_copy_is_not_a_write(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    editor = await open_synced(atelier, board_id, atelier.invite(board_id))
    await editor.set_key("a", 1)
    token = atelier.invite(board_id, "observer")
    for _ in range(4):  # each sync sends the observer's whole copy back as SyncStep2
        observer = await open_synced(atelier, board_id, token)
        await observer.wait_until(lambda o=observer: o.value("a") == 1)
        await observer.close()
        assert observer.close_code != CloseCode.FORBIDDEN


async def test_locked_board_refuses_participants_and_accepts_facilitators(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    facilitator_token = atelier.invite(board_id, "facilitator")
    facilitator = await open_synced(atelier, board_id, facilitator_token)
    participant = await open_synced(atelier, board_id, atelier.invite(board_id), acks="1")
    locked = atelier.api("POST", f"/api/boards/{board_id}/lock", token=facilitator_token)
    assert locked.json() == {"id": board_id, "locked": True, "zone_locks": []}
    await participant.set_key("during-lock", 1)
    await participant.wait_until(
        lambda: any(n["kind"] == "write_refused" for n in participant.notices)
    )
    await facilitator.set_key("by-facilitator", 1)
    await participant.wait_until(lambda: participant.value("by-facilitator") == 1)
    assert facilitator.value("during-lock") is None
    atelier.api("POST", f"/api/boards/{board_id}/unlock", token=facilitator_token)
    # A refused write leaves the client's copy ahead of the board: it resyncs from scratch.
    resynced = await open_synced(atelier, board_id, atelier.invite(board_id))
    await resynced.set_key("after-unlock", 1)
    await facilitator.wait_until(lambda: facilitator.value("after-unlock") == 1)


async def test_participant_cannot_lock_the_board(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    response = atelier.api("POST", f"/api/boards/{board_id}/lock", token=atelier.invite(board_id))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_lock_survives_a_reload_of_the_board(start_atelier) -> None:  # type: ignore[no-untyped-def]
    server = start_atelier(ATELIER_ROOM_IDLE_SECONDS="0.1", ATELIER_SWEEP_INTERVAL_SECONDS="0.05")
    board_id = server.create_board()
    server.api("POST", f"/api/boards/{board_id}/lock")
    server.restart()
    participant = await open_synced(server, board_id, server.invite(board_id), acks="1")
    await participant.set_key("x", 1)
    await participant.wait_until(lambda: bool(participant.notices))
    assert participant.notices[0]["kind"] == "write_refused"
