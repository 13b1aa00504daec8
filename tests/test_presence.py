"""Presence: awareness is relayed, owned per connection, and removed the moment a peer goes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from server.sync import protocol
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient

PINGS = {"ATELIER_PING_INTERVAL_SECONDS": "0.3", "ATELIER_PING_TIMEOUT_SECONDS": "0.3"}
MARIE = protocol.AwarenessEntry(1111, 1, '{"user":{"name":"Marie","party":"etat"}}')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtelierServer]:
    instance = AtelierServer(Path(tmp_path_factory.mktemp("presence")), env=PINGS)
    instance.start()
    yield instance
    instance.kill9()


async def watched_board(server: AtelierServer) -> tuple[str, str, RawClient]:
    board_id = server.create_board()
    token = server.invite(board_id)
    watcher = await RawClient.open(server.ws_url, board_id, token)
    await watcher.sync()
    return board_id, token, watcher


async def test_awareness_is_relayed_to_the_other_peers(server: AtelierServer) -> None:
    board_id, token, watcher = await watched_board(server)
    marie = await RawClient.open(server.ws_url, board_id, token)
    await marie.send(protocol.encode_awareness([MARIE]))
    await watcher.wait_until(lambda: watcher.awareness.get(1111) is not None)
    assert watcher.awareness[1111]["user"]["name"] == "Marie"


async def test_a_newcomer_receives_current_presence(server: AtelierServer) -> None:
    board_id, token, watcher = await watched_board(server)
    await watcher.send(protocol.encode_awareness([MARIE]))
    newcomer = await RawClient.open(server.ws_url, board_id, token)
    await newcomer.wait_until(lambda: newcomer.awareness.get(1111) is not None)


async def test_clean_close_removes_presence_at_once(server: AtelierServer) -> None:
    board_id, token, watcher = await watched_board(server)
    marie = await RawClient.open(server.ws_url, board_id, token)
    await marie.send(protocol.encode_awareness([MARIE]))
    await watcher.wait_until(lambda: watcher.awareness.get(1111) is not None)
    await marie.close()
    await watcher.wait_until(lambda: watcher.awareness.get(1111, "gone") is None, timeout=1)


async def test_connection_reset_removes_presence_at_once(server: AtelierServer) -> None:
    board_id, token, watcher = await watched_board(server)
    marie = await RawClient.open(server.ws_url, board_id, token)
    await marie.send(protocol.encode_awareness([MARIE]))
    await watcher.wait_until(lambda: watcher.awareness.get(1111) is not None)
    marie.conn.transport.abort()
    await watcher.wait_until(lambda: watcher.awareness.get(1111, "gone") is None, timeout=1)


async def test_missed_pings_remove_presence(server: AtelierServer) -> None:
    board_id, token, watcher = await watched_board(server)
    url = f"{server.ws_url}/{board_id}?token={token}"
    # A client that stops reading never answers the server's pings.
    async with connect(url, max_queue=1, ping_interval=None, compression=None) as silent:
        await silent.send(protocol.encode_awareness([MARIE]))
        await watcher.wait_until(lambda: watcher.awareness.get(1111) is not None)
        silent.transport.pause_reading()
        await watcher.wait_until(lambda: watcher.awareness.get(1111, "gone") is None, timeout=3)
        with contextlib.suppress(Exception):
            silent.transport.abort()
