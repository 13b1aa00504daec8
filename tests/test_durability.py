"""Every accepted update is durable before anyone else sees it, and survives restarts."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

import httpx

from server.core.errors import CloseCode
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient
from tests.support.storage import checkpoint_count, log_rows, logged_updates

StartServer = Callable[..., AtelierServer]


async def open_synced(server: AtelierServer, board_id: str, token: str, **params: str) -> RawClient:
    client = await RawClient.open(server.ws_url, board_id, token, **params)
    await client.sync()
    return client


async def test_acks_count_the_durable_update_frames(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    client = await open_synced(atelier, board_id, atelier.invite(board_id), acks="1")
    for i in range(5):
        await client.set_key(f"k{i}", i)
    await client.wait_durable()
    assert len(logged_updates(atelier, board_id)) == 1 + 5  # template seed + the five edits


async def test_log_entries_are_attributed_to_name_and_party(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    token = atelier.invite(board_id, party="collectivite")
    client = await open_synced(atelier, board_id, token, acks="1", name="Marie")
    await client.set_key("note", "hello")
    await client.wait_durable()
    assert log_rows(atelier, board_id)[-1][1:] == ("Marie", "collectivite")


async def test_every_update_a_peer_received_survives_kill_9(start_atelier: StartServer) -> None:
    server = start_atelier()
    board_id = server.create_board()
    token = server.invite(board_id)
    writer = await open_synced(server, board_id, token)
    reader = await open_synced(server, board_id, token)
    for i in range(50):
        await writer.set_key(f"k{i}", i)
    await reader.wait_until(lambda: reader.value("k49") == 49)
    server.kill9()
    server.start()
    fresh = await open_synced(server, board_id, server.invite(board_id))
    assert all(fresh.value(f"k{i}") == i for i in range(50))


async def test_reconnecting_with_a_kept_copy_duplicates_nothing(start_atelier: StartServer) -> None:
    server = start_atelier()
    board_id = server.create_board()
    token = server.invite(board_id)
    client = await open_synced(server, board_id, token, acks="1")
    for i in range(10):
        await client.set_key(f"k{i}", i)
    await client.wait_durable()
    logged = logged_updates(server, board_id)
    server.kill9()
    server.start()
    kept_doc = client.doc
    again = await RawClient.open(server.ws_url, board_id, token, acks="1")
    again.doc = kept_doc
    await again.sync()
    await again.wait_durable()  # its SyncStep2 held nothing new
    assert logged_updates(server, board_id) == logged


async def test_graceful_shutdown_keeps_everything_and_says_going_away(
    start_atelier: StartServer,
) -> None:
    server = start_atelier()
    board_id = server.create_board()
    client = await open_synced(server, board_id, server.invite(board_id), acks="1")
    for i in range(20):
        await client.set_key(f"k{i}", i)
    await client.wait_durable()
    server.stop()  # SIGTERM: uvicorn shuts down, then re-raises the signal as its exit status
    assert "Application shutdown complete" in server.log()
    assert (await client.closed())[0] == CloseCode.GOING_AWAY
    server.start()
    fresh = await open_synced(server, board_id, server.invite(board_id))
    assert fresh.value("k19") == 19


async def test_board_reloads_from_checkpoint_plus_tail(start_atelier: StartServer) -> None:
    server = start_atelier(ATELIER_CHECKPOINT_EVERY="10")
    board_id = server.create_board()
    client = await open_synced(server, board_id, server.invite(board_id), acks="1")
    for i in range(25):
        await client.set_key(f"k{i}", i)
    await client.wait_durable()
    assert checkpoint_count(server, board_id) == 2
    server.restart()
    fresh = await open_synced(server, board_id, server.invite(board_id))
    assert [fresh.value(f"k{i}") for i in range(25)] == list(range(25))


async def test_database_failure_holds_relay_and_acks_until_it_recovers(
    start_atelier: StartServer,
) -> None:
    server = start_atelier()
    board_id = server.create_board()
    token = server.invite(board_id)
    author = await open_synced(server, board_id, token, acks="1")
    other = await open_synced(server, board_id, token)
    blocker = sqlite3.connect(server.data_dir / "atelier.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        await author.set_key("while-down", 1)
        await author.wait_until(lambda: any(not n["ok"] for n in author.notices))
        ready = httpx.get(f"{server.base_url}/readyz", timeout=5)
        assert ready.status_code == 503
        assert author.acked < author.sent_update_frames
        assert other.value("while-down") is None
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    await other.wait_until(lambda: other.value("while-down") == 1)
    await author.wait_durable()
    assert author.notices[-1]["ok"] is True
    assert len(logged_updates(server, board_id)) == 2


async def test_concurrent_joins_of_a_cold_board_load_it_once(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    tokens = [atelier.invite(board_id) for _ in range(20)]  # 20 people, one invite each
    before = _metric(atelier, "atelier_room_loads_total")
    clients = await asyncio.gather(*(open_synced(atelier, board_id, token) for token in tokens))
    assert _metric(atelier, "atelier_room_loads_total") == before + 1
    for client in clients:
        await client.close()


async def test_metrics_count_the_time_spent_loading_boards(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    before = _metric(atelier, "atelier_room_load_seconds_total")
    client = await open_synced(atelier, board_id, atelier.invite(board_id))
    assert _metric(atelier, "atelier_room_load_seconds_total") > before
    await client.close()


async def test_idle_boards_are_unloaded(start_atelier: StartServer) -> None:
    server = start_atelier(ATELIER_ROOM_IDLE_SECONDS="0.2", ATELIER_SWEEP_INTERVAL_SECONDS="0.05")
    for _ in range(30):
        board_id = server.create_board()
        client = await open_synced(server, board_id, server.invite(board_id), acks="1")
        await client.set_key("x", 1)
        await client.wait_durable()
        await client.close()
    assert _metric(server, "atelier_rooms") > 0
    await _wait_metric(server, "atelier_rooms", 0)


def _metric(server: AtelierServer, name: str) -> float:
    text = httpx.get(f"{server.base_url}/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"metric {name} missing")


async def _wait_metric(server: AtelierServer, name: str, value: float) -> None:
    async with asyncio.timeout(5):
        while _metric(server, name) != value:
            await asyncio.sleep(0.05)
