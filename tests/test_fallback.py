"""The HTTP fallback of board connections (server-sent events down, POST up) is the same
board connection as the WebSocket: same admission, roles, locks, limits, close codes,
presence and durability, against a real server."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pycrdt import Doc, Map

from server.boards import layout
from server.core.errors import CloseCode
from server.sync import protocol
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient
from tests.support.services import RedisServer, create_database
from tests.support.storage import logged_updates
from tests.support.stream_client import StreamClient, frame_body
from tests.support.unharmed import GoodBoard

StartServer = Callable[..., AtelierServer]
AT = "2026-12-02T09:30:00.000Z"
QUICK_PINGS = {"ATELIER_PING_INTERVAL_SECONDS": "0.5", "ATELIER_PING_TIMEOUT_SECONDS": "0.5"}


async def stream_synced(
    server: AtelierServer, board_id: str, token: str | None, **params: str
) -> StreamClient:
    client = await StreamClient.open(server.base_url, board_id, token, **params)
    await client.sync()
    return client


async def ws_synced(server: AtelierServer, board_id: str, token: str, **params: str) -> RawClient:
    client = await RawClient.open(server.ws_url, board_id, token, **params)
    await client.sync()
    return client


def update_message(client: RawClient, key: str, value: int) -> bytes:
    """An Update message setting ``key`` in a copy of the client's document (not applied)."""
    doc: Doc[object] = Doc()
    doc.apply_update(client.doc.get_update())
    before = doc.get_state()
    doc.get("m", type=Map)[key] = value
    return protocol.encode_update(doc.get_update(before))


# -- the same board connection ---------------------------------------------------------


async def test_a_fallback_client_and_a_websocket_client_see_each_others_edits(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    http = await stream_synced(atelier, board_id, atelier.invite(board_id), acks="1")
    ws = await ws_synced(atelier, board_id, atelier.invite(board_id))
    await http.set_key("from-http", 1)
    await http.wait_durable()
    await ws.wait_until(lambda: ws.value("from-http") == 1)
    await ws.set_key("from-ws", 2)
    await http.wait_until(lambda: http.value("from-ws") == 2)


async def test_the_stream_is_unbuffered_and_not_cached(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    token = atelier.invite(board_id)
    url = f"{atelier.base_url}/api/boards/{board_id}/stream"
    async with (
        httpx.AsyncClient(timeout=5) as http,
        http.stream("GET", url, params={"token": token}) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        assert "no-cache" in response.headers["cache-control"]
        first = await anext(response.aiter_lines())
    assert first == "event: session"


async def test_an_update_sent_by_post_is_relayed_and_acked_only_once_durable(
    start_atelier: StartServer,
) -> None:
    server = start_atelier()
    board_id = server.create_board()
    author = await stream_synced(server, board_id, server.invite(board_id), acks="1")
    other = await ws_synced(server, board_id, server.invite(board_id))
    blocker = sqlite3.connect(server.data_dir / "atelier.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        await author.set_key("while-down", 1)
        await author.wait_until(lambda: any(not n["ok"] for n in author.notices))
        assert author.acked < author.sent_update_frames
        assert other.value("while-down") is None
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    await other.wait_until(lambda: other.value("while-down") == 1)
    await author.wait_durable()
    assert len(logged_updates(server, board_id)) == 2


async def test_an_observers_writes_over_http_are_refused_then_closed_with_4403(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    editor = await ws_synced(atelier, board_id, atelier.invite(board_id), acks="1")
    observer = await stream_synced(
        atelier, board_id, atelier.invite(board_id, "observer"), acks="1"
    )
    await observer.set_key("sneaky", 1)
    await observer.wait_until(lambda: any(n["kind"] == "write_refused" for n in observer.notices))
    for i in range(2):
        await observer.set_key(f"again{i}", i)
    assert await observer.closed() == (CloseCode.FORBIDDEN, "observers cannot change the board")
    late = await observer.post(frame_body(update_message(observer, "late", 1)))
    assert (late.status_code, late.json()["close_code"]) == (403, CloseCode.FORBIDDEN)
    await editor.set_key("visible", 1)
    await editor.wait_durable()
    assert editor.value("sneaky") is None
    assert len(logged_updates(atelier, board_id)) == 2


async def test_a_locked_board_refuses_a_fallback_participants_writes(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    facilitator_token = atelier.invite(board_id, "facilitator")
    facilitator = await ws_synced(atelier, board_id, facilitator_token)
    participant = await stream_synced(atelier, board_id, atelier.invite(board_id), acks="1")
    atelier.api("POST", f"/api/boards/{board_id}/lock", token=facilitator_token)
    await participant.set_key("during-lock", 1)
    await participant.wait_until(
        lambda: any(n["kind"] == "write_refused" for n in participant.notices)
    )
    await facilitator.set_key("by-facilitator", 1)
    await participant.wait_until(lambda: participant.value("by-facilitator") == 1)
    assert facilitator.value("during-lock") is None


async def test_a_locked_zone_refuses_a_fallback_participants_note_as_on_websocket(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    facilitator_token = atelier.invite(board_id, "facilitator")
    watcher = await ws_synced(atelier, board_id, facilitator_token, acks="1")
    participant = await stream_synced(atelier, board_id, atelier.invite(board_id), acks="1")
    lock = {"zone": "continuum"}
    atelier.api("POST", f"/api/boards/{board_id}/lock", token=facilitator_token, json=lock)
    await participant.edit(
        lambda doc: layout.add_note(
            doc, "n1", "Bloquée", "collaboration", "i", "Marie", "etat", created_at=AT
        )
    )
    await participant.wait_until(
        lambda: any(n["kind"] == "write_refused" for n in participant.notices)
    )
    await watcher.edit(  # the facilitator still writes there
        lambda doc: layout.add_note(
            doc, "n2", "Animée", "collaboration", "f", "Fa", "facilitation", created_at=AT
        )
    )
    await watcher.wait_durable()
    await participant.wait_until(lambda: "n2" in participant.root(layout.NOTES))
    assert set(watcher.root(layout.NOTES)) == {"n2"}


async def test_a_graceful_shutdown_tells_fallback_clients_1001(start_atelier: StartServer) -> None:
    server = start_atelier()
    board_id = server.create_board()
    client = await stream_synced(server, board_id, server.invite(board_id), acks="1")
    await client.set_key("kept", 1)
    await client.wait_durable()
    await asyncio.to_thread(server.stop)  # SIGTERM; uvicorn exits with it once done
    assert "Application shutdown complete" in server.log()
    assert (await client.closed())[0] == CloseCode.GOING_AWAY


# -- refusals ------------------------------------------------------------------------


async def test_a_missing_or_unknown_token_is_refused_401_with_4401(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    for token in (None, "not-a-token"):
        client = await StreamClient.open(atelier.base_url, board_id, token)
        assert client.status == 401
        assert client.refusal is not None
        assert client.refusal["close_code"] == CloseCode.UNAUTHENTICATED


async def test_a_token_of_another_board_is_refused_403_with_4403(atelier: AtelierServer) -> None:
    board_id, other = atelier.create_board(), atelier.create_board()
    client = await StreamClient.open(atelier.base_url, board_id, atelier.invite(other))
    assert (client.status, client.close_code) == (403, CloseCode.FORBIDDEN)


async def test_an_unknown_board_is_refused_404_with_4404(atelier: AtelierServer) -> None:
    client = await StreamClient.open(
        atelier.base_url, "nope", atelier.invite(atelier.create_board())
    )
    assert (client.status, client.close_code) == (404, CloseCode.NO_SUCH_BOARD)


async def test_a_post_without_the_sessions_token_is_refused_and_harms_no_one(
    atelier: AtelierServer,
) -> None:
    board = await GoodBoard.open(atelier)
    victim = await stream_synced(atelier, board.id, atelier.invite(board.id), acks="1")
    intruder_token = atelier.invite(board.id)
    body = frame_body(update_message(victim, "forged", 1))
    answers = [
        await victim.post(body, token=""),
        await victim.post(body, token="not-a-token"),
        await victim.post(body, token=intruder_token),
        await victim.post(body, token=atelier.invite(atelier.create_board())),
    ]
    assert [(a.status_code, a.json()["close_code"]) for a in answers] == [
        (401, CloseCode.UNAUTHENTICATED),
        (401, CloseCode.UNAUTHENTICATED),
        (403, CloseCode.FORBIDDEN),
        (403, CloseCode.FORBIDDEN),
    ]
    await victim.set_key("mine", 1)
    await victim.wait_durable()
    assert victim.close_code is None
    await board.assert_unharmed(also_logged=1)
    assert board.good.value("forged") is None


async def test_an_unknown_session_is_404_with_a_close_code_to_reconnect(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    client = await stream_synced(atelier, board_id, atelier.invite(board_id))
    path = f"/api/boards/{board_id}/stream/no-such-session"
    answer = await client.post(b"", session_path=path)
    assert (answer.status_code, answer.json()["close_code"]) == (404, CloseCode.GOING_AWAY)


async def test_a_malformed_message_closes_the_session_with_4400_and_harms_no_one(
    atelier: AtelierServer,
) -> None:
    board = await GoodBoard.open(atelier)
    bad = await stream_synced(atelier, board.id, atelier.invite(board.id))
    answer = await bad.post(frame_body(b"\x00\x02\xff\xff\xff"))
    assert (answer.status_code, answer.json()["close_code"]) == (400, CloseCode.MALFORMED)
    assert (await bad.closed())[0] == CloseCode.MALFORMED
    await board.assert_unharmed()


async def test_a_body_that_is_not_length_prefixed_messages_is_malformed(
    atelier: AtelierServer,
) -> None:
    board = await GoodBoard.open(atelier)
    bad = await stream_synced(atelier, board.id, atelier.invite(board.id))
    answer = await bad.post(b"\x05ab")  # says 5 bytes, holds 2
    assert (answer.status_code, answer.json()["close_code"]) == (400, CloseCode.MALFORMED)
    assert (await bad.closed())[0] == CloseCode.MALFORMED
    await board.assert_unharmed()


async def test_a_body_over_the_message_size_is_413_with_1009(start_atelier: StartServer) -> None:
    server = start_atelier(ATELIER_MAX_FRAME_BYTES="4096")
    board = await GoodBoard.open(server)
    big = await stream_synced(server, board.id, server.invite(board.id))
    answer = await big.post(frame_body(b"\x00\x02" + bytes(8000)))
    assert (answer.status_code, answer.json()["close_code"]) == (413, CloseCode.TOO_BIG)
    assert (await big.closed())[0] == CloseCode.TOO_BIG
    again = await big.post(b"")
    assert (again.status_code, again.json()["close_code"]) == (413, CloseCode.TOO_BIG)
    await board.assert_unharmed()


async def test_a_flood_of_posts_is_closed_with_4429_and_harms_no_one(
    start_atelier: StartServer,
) -> None:
    server = start_atelier(ATELIER_RATE_MESSAGES_PER_SECOND="5", ATELIER_RATE_BURST_MESSAGES="20")
    board = await GoodBoard.open(server)
    flood = await stream_synced(server, board.id, server.invite(board.id))
    answers = [await flood.post(b"") for _ in range(40)]
    assert answers[-1].status_code == 429
    assert answers[-1].json()["close_code"] == CloseCode.RATE_LIMITED
    assert (await flood.closed())[0] == CloseCode.RATE_LIMITED
    await board.assert_unharmed()


# -- presence and liveness ----------------------------------------------------------


def awareness_message(client_id: int, clock: int, state: object) -> bytes:
    entry = protocol.AwarenessEntry(client_id, clock, json.dumps(state))
    return protocol.encode_awareness([entry])


async def test_a_fallback_peer_whose_stream_closes_leaves_the_others_awareness_at_once(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    watcher = await ws_synced(atelier, board_id, atelier.invite(board_id))
    leaver = await stream_synced(atelier, board_id, atelier.invite(board_id))
    await leaver.send(awareness_message(4242, 1, {"user": {"name": "Léa"}}))
    await watcher.wait_until(lambda: watcher.awareness.get(4242) == {"user": {"name": "Léa"}})
    closed_at = time.monotonic()
    await leaver.close()
    await watcher.wait_until(lambda: watcher.awareness.get(4242, "") is None, timeout=1.0)
    assert time.monotonic() - closed_at < 1.0


async def test_a_fallback_peer_that_stops_answering_pings_is_dropped_like_a_socket(
    start_atelier: StartServer,
) -> None:
    server = start_atelier(**QUICK_PINGS)
    board_id = server.create_board()
    watcher = await ws_synced(server, board_id, server.invite(board_id))
    stuck = await stream_synced(server, board_id, server.invite(board_id))
    await stuck.send(awareness_message(777, 1, {"user": {"name": "Gel"}}))
    await watcher.wait_until(lambda: 777 in watcher.awareness)
    await stuck.wait_until(lambda: stuck.pings >= 2)  # answered: still there
    assert 777 in watcher.awareness
    stuck.answer_pings = False
    stopped_at = time.monotonic()
    await watcher.wait_until(lambda: watcher.awareness.get(777, "") is None, timeout=3.0)
    assert time.monotonic() - stopped_at < 0.5 + 0.5 + 0.5  # interval + timeout + slack
    answer = await stuck.post(b"")
    assert answer.status_code == 404


def overloaded_closes(server: AtelierServer) -> int:
    metrics = httpx.get(f"{server.base_url}/metrics", timeout=5).text
    line = next((x for x in metrics.splitlines() if 'code="1013"' in x), "0 0")
    return int(float(line.rsplit(" ", 1)[1]))


async def test_a_fallback_peer_that_stops_reading_is_closed_and_leaves_like_a_slow_socket(
    start_atelier: StartServer,
) -> None:
    server = start_atelier(ATELIER_OUTBOX_MAX_BYTES="262144")
    board_id = server.create_board()
    writer = await ws_synced(server, board_id, server.invite(board_id), acks="1")
    token = server.invite(board_id)
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: small window
    raw.connect(("127.0.0.1", server.port))
    reader, sink = await asyncio.open_connection(sock=raw)
    sink.write(
        f"GET /api/boards/{board_id}/stream?token={token} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    )
    opening = await reader.readuntil(b"\n\n")  # the head and the session event, no more
    session = json.loads(opening.rsplit(b"data: ", 1)[1])["session"]
    stalled = httpx.AsyncClient(base_url=server.base_url, timeout=5)
    presence = frame_body(awareness_message(555, 1, {"user": {"name": "Muet"}}))
    posted = await stalled.post(
        f"/api/boards/{board_id}/stream/{session}",
        content=presence,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert posted.status_code == 200
    await writer.wait_until(lambda: 555 in writer.awareness)
    for i in range(400):  # past the server's socket buffer (up to 4 MiB), in small bursts
        await writer.set_key("k", f"{i:04}" + "x" * 60_000)
        if i % 4 == 3:
            await writer.wait_durable()
            if overloaded_closes(server):
                break
    assert overloaded_closes(server) == 1
    started = time.monotonic()
    await writer.wait_until(lambda: writer.awareness.get(555, "") is None, timeout=8.0)
    assert time.monotonic() - started < 3.0  # the close's grace, not the 20 s ping timeout
    again = await stalled.post(
        f"/api/boards/{board_id}/stream/{session}",
        content=b"",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert again.json()["close_code"] == CloseCode.OVERLOADED
    await stalled.aclose()
    sink.close()
    await sink.wait_closed()


# -- two instances -----------------------------------------------------------------


@pytest.fixture
def two_instances(
    postgres_admin_url: str, redis_server: RedisServer, tmp_path: Path
) -> Iterator[tuple[AtelierServer, AtelierServer]]:
    env = {
        "DATABASE_URL": create_database(postgres_admin_url, f"fb_{secrets.token_hex(5)}"),
        "REDIS_URL": redis_server.url,
        "ATELIER_MIGRATE_ON_START": "1",
    }
    a, b = AtelierServer(tmp_path / "a", env=env), AtelierServer(tmp_path / "b", env=env)
    a.start()
    b.start()
    for server in (a, b):
        while (
            not httpx.get(f"{server.base_url}/readyz", timeout=5)
            .json()["checks"]
            .get("redis_connected")
        ):
            time.sleep(0.05)
    yield a, b
    for server in (a, b):
        server.kill9()


async def test_a_fallback_peer_on_one_instance_and_a_websocket_peer_on_the_other_converge(
    two_instances: tuple[AtelierServer, AtelierServer],
) -> None:
    a, b = two_instances
    board_id = a.create_board()
    http = await stream_synced(a, board_id, a.invite(board_id), acks="1")
    ws = await ws_synced(b, board_id, b.invite(board_id), acks="1")
    await http.set_key("from-a", 1)
    await ws.set_key("from-b", 2)
    await http.send(awareness_message(9191, 1, {"user": {"name": "Ana"}}))
    await ws.wait_until(lambda: ws.value("from-a") == 1 and 9191 in ws.awareness)
    await http.wait_until(lambda: http.value("from-b") == 2)
    await http.close()
    await ws.wait_until(lambda: ws.awareness.get(9191, "") is None)
