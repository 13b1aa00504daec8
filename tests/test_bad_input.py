"""Bad input costs its sender only: the offender is closed with its code, the other peers of
the board keep syncing, and the stored log holds exactly the accepted updates."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from server.core.errors import CloseCode
from server.sync import protocol
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient
from tests.support.storage import logged_updates

LIMITS = {
    "ATELIER_MAX_FRAME_BYTES": str(1024 * 1024),
    "ATELIER_RATE_MESSAGES_PER_SECOND": "20",
    "ATELIER_RATE_BURST_MESSAGES": "150",
    "ATELIER_OUTBOX_MAX_BYTES": str(256 * 1024),
}
GARBAGE_UPDATE = bytes.fromhex(
    "01f9cab584f66bc3ed07002801016d016b01770176040101f10b68c76c6c6f20776f726c6400"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtelierServer]:
    instance = AtelierServer(Path(tmp_path_factory.mktemp("bad-input")), env=LIMITS)
    instance.start()
    yield instance
    instance.kill9()


@dataclass
class Board:
    id: str
    token: str
    good: RawClient
    logged_before: list[bytes]


@pytest.fixture
async def board(server: AtelierServer) -> AsyncIterator[Board]:
    board_id = server.create_board()
    token = server.invite(board_id)
    good = await RawClient.open(server.ws_url, board_id, token, name="Bon", acks="1")
    await good.sync()
    await good.set_key("before", 1)
    await good.wait_durable()
    yield Board(board_id, token, good, logged_updates(server, board_id))
    await good.close()


async def offender(server: AtelierServer, board: Board) -> RawClient:
    client = await RawClient.open(server.ws_url, board.id, board.token, name="Fautif")
    await client.sync()
    return client


async def assert_board_unharmed(server: AtelierServer, board: Board) -> None:
    """The good peer still edits, a newcomer gets everything, the log gained only that edit."""
    await board.good.set_key("after", 2)
    await board.good.wait_durable()
    newcomer = await RawClient.open(server.ws_url, board.id, board.token)
    await newcomer.sync()
    assert (newcomer.value("before"), newcomer.value("after")) == (1, 2)
    await newcomer.close()
    assert len(logged_updates(server, board.id)) == len(board.logged_before) + 1
    assert logged_updates(server, board.id)[: len(board.logged_before)] == board.logged_before


@pytest.mark.parametrize(
    ("frame", "why"),
    [
        pytest.param(b"\x00\x07\x00", "unknown sync message type", id="unknown-sync-type"),
        pytest.param(b"\x09", "unknown message type", id="unknown-message-type"),
        pytest.param(b"\x00\x02\xff\xff", "truncated varint", id="truncated-varint"),
        pytest.param(b"\x00\x02" + protocol.var_uint(2**50), "exceeds", id="huge-length-prefix"),
        pytest.param(protocol.encode_update(GARBAGE_UPDATE), "invalid update", id="garbage-crdt"),
        pytest.param(protocol.encode_sync_step1(b"\xff\xff\xff"), "invalid", id="garbage-vector"),
    ],
)
async def test_malformed_frame_closes_only_its_sender_with_4400(
    server: AtelierServer, board: Board, frame: bytes, why: str
) -> None:
    bad = await offender(server, board)
    await bad.send(frame)
    code, reason = await bad.closed()
    assert code == CloseCode.MALFORMED
    assert why in reason
    await assert_board_unharmed(server, board)


async def test_text_frame_closes_its_sender_with_4400(server: AtelierServer, board: Board) -> None:
    bad = await offender(server, board)
    await bad.send("hello")
    assert (await bad.closed())[0] == CloseCode.MALFORMED
    await assert_board_unharmed(server, board)


async def test_oversized_frame_closes_its_sender_with_1009(
    server: AtelierServer, board: Board
) -> None:
    bad = await offender(server, board)
    await bad.send(protocol.encode_update(b"\x00" * (2 * 1024 * 1024)))
    assert (await bad.closed())[0] == CloseCode.TOO_BIG
    await assert_board_unharmed(server, board)


async def test_flood_closes_its_sender_with_4429(server: AtelierServer, board: Board) -> None:
    bad = await offender(server, board)
    for _ in range(400):
        await bad.send(b"\x03")
    assert (await bad.closed())[0] == CloseCode.RATE_LIMITED
    await assert_board_unharmed(server, board)


async def test_slow_reader_is_closed_with_1013(server: AtelierServer, board: Board) -> None:
    url = f"{server.ws_url}/{board.id}?token={board.token}"
    async with connect(url, max_queue=1, max_size=None, compression=None) as slow:
        writer = await offender(server, board)
        big = "x" * 60_000
        for i in range(120):  # 7 MB the slow reader never reads; the good peer keeps up
            await writer.set_key(f"k{i}", big)
            await board.good.wait_until(lambda i=i: board.good.value(f"k{i}") == big)
        await writer.close()
        with contextlib.suppress(ConnectionClosed):
            async with asyncio.timeout(30):
                async for _ in slow:
                    pass
        assert slow.protocol.close_rcvd is not None
        assert slow.protocol.close_rcvd.code == CloseCode.OVERLOADED
    board.logged_before = logged_updates(server, board.id)
    await assert_board_unharmed(server, board)


async def test_awareness_for_another_connections_client_id_is_refused(
    server: AtelierServer, board: Board
) -> None:
    owner_entry = protocol.AwarenessEntry(4242, 1, '{"user":{"name":"Alice"}}')
    await board.good.send(protocol.encode_awareness([owner_entry]))
    watcher = await offender(server, board)
    await watcher.wait_until(lambda: 4242 in watcher.awareness)
    spoof = protocol.AwarenessEntry(4242, 9, '{"user":{"name":"Mallory"}}')
    await watcher.send(protocol.encode_awareness([spoof]))
    third = await offender(server, board)
    await third.send(b"\x03")
    await third.wait_until(lambda: 4242 in third.awareness)
    assert third.awareness[4242] == {"user": {"name": "Alice"}}
    await assert_board_unharmed(server, board)


async def test_board_id_that_is_not_a_slug_is_refused_with_4404(
    server: AtelierServer, board: Board
) -> None:
    bad = await RawClient.open(server.ws_url, "Not%20A%20Slug", board.token)
    assert (await bad.closed())[0] == CloseCode.NO_SUCH_BOARD
