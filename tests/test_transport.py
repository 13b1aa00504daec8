"""The WebSocket layer under board connections (``sync.transport``): fragments, ping,
close, and paths that are not board connections."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pycrdt import Doc, Map
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.core.errors import CloseCode
from server.sync import protocol
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient

MAX_FRAME_BYTES = 64 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtelierServer]:
    instance = AtelierServer(
        Path(tmp_path_factory.mktemp("transport")),
        env={"ATELIER_MAX_FRAME_BYTES": str(MAX_FRAME_BYTES)},
    )
    instance.start()
    yield instance
    instance.stop()


async def two_peers(server: AtelierServer) -> tuple[RawClient, RawClient]:
    board_id = server.create_board()
    token = server.invite(board_id)
    first = await RawClient.open(server.ws_url, board_id, token, acks="1")
    second = await RawClient.open(server.ws_url, board_id, token)
    await first.sync()
    await second.sync()
    return first, second


def map_update(key: str, value: object) -> bytes:
    doc: Doc[object] = Doc()
    doc.get("m", type=Map)[key] = value
    return protocol.encode_update(doc.get_update())


async def test_a_message_sent_in_fragments_is_applied_whole(server: AtelierServer) -> None:
    sender, receiver = await two_peers(server)
    message = map_update("fragmented", "x" * 3000)
    await sender.conn.send([message[:10], message[10:1000], message[1000:]])
    await receiver.wait_until(lambda: receiver.value("fragmented") == "x" * 3000)


async def test_fragments_adding_up_to_too_much_close_with_1009(server: AtelierServer) -> None:
    staying, offender = await two_peers(server)
    part = b"\x00" * (MAX_FRAME_BYTES // 4)
    await offender.conn.send([b"\x00\x02", part, part, part, part, part])
    assert (await offender.closed())[0] == CloseCode.TOO_BIG
    await staying.set_key("still", "here")
    await staying.wait_durable()  # the room goes on for the other peer


async def test_a_client_ping_is_answered(server: AtelierServer) -> None:
    client, _ = await two_peers(server)
    pong = await client.conn.ping()
    await asyncio.wait_for(pong, 5)


async def test_a_client_close_is_answered(server: AtelierServer) -> None:
    staying, leaving = await two_peers(server)
    await leaving.conn.close(1000, "bye")
    assert leaving.conn.protocol.close_rcvd is not None
    assert leaving.conn.protocol.close_rcvd.code == 1000
    await staying.set_key("after", 1)
    await staying.wait_durable()


@pytest.mark.parametrize("path", ["/ws/elsewhere", "/ws/boards/a/b"])
async def test_other_websocket_paths_are_refused_by_the_http_app(
    server: AtelierServer, path: str
) -> None:
    url = server.ws_url.removesuffix("/ws/boards") + path
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, open_timeout=5):
            pass
    assert refused.value.response.status_code == 403
