"""The WebSocket layer under board connections (``sync.transport``): fragments, ping,
close, what every frame counts against, and paths that are not board connections."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import cast

import pytest
import uvicorn
from pycrdt import Doc, Map
from uvicorn.server import ServerState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from server.core.errors import CloseCode, Forbidden
from server.sync import protocol
from server.sync.endpoint import BoardEndpoint
from server.sync.transport import board_protocol
from tests.support.atelier_server import AtelierServer
from tests.support.peak_memory import MIB, peak_rss, reset_peak
from tests.support.raw_client import RawClient
from tests.support.yjs_driver import JS_DIR, YjsDriver

MAX_FRAME_BYTES = 64 * 1024
UNLIMITED_RATE = {
    "ATELIER_RATE_MESSAGES_PER_SECOND": "1e9",
    "ATELIER_RATE_BURST_MESSAGES": str(10**9),
    "ATELIER_RATE_BYTES_PER_SECOND": "1e12",
    "ATELIER_RATE_BURST_BYTES": str(10**12),
}
"""For what must hold even when an operator lifts the rate limits."""
SLOW_REFILL = {"ATELIER_RATE_MESSAGES_PER_SECOND": "1", "ATELIER_RATE_BURST_MESSAGES": "1000"}
"""The default burst, refilled so slowly that only the frames sent count."""
PING_PAYLOAD = b"p" * 125
"""The largest a control frame carries."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtelierServer]:
    instance = AtelierServer(
        Path(tmp_path_factory.mktemp("transport")),
        env={"ATELIER_MAX_FRAME_BYTES": str(MAX_FRAME_BYTES)},
    )
    instance.start()
    yield instance
    instance.stop()


async def board_of_two(server: AtelierServer) -> tuple[str, str, RawClient, RawClient]:
    """A board, a participant's token, and two synced peers: the first with acks."""
    board_id = server.create_board()
    token = server.invite(board_id)
    first = await RawClient.open(server.ws_url, board_id, token, acks="1")
    second = await RawClient.open(server.ws_url, board_id, token)
    await first.sync()
    await second.sync()
    return board_id, token, first, second


async def two_peers(server: AtelierServer) -> tuple[RawClient, RawClient]:
    _, _, first, second = await board_of_two(server)
    return first, second


async def still_syncs(sender: RawClient, receiver: RawClient, key: str) -> None:
    """The offender's board goes on: an edit is made durable and reaches the other peer."""
    await sender.set_key(key, "ok")
    await sender.wait_durable()
    await receiver.wait_until(lambda: receiver.value(key) == "ok")


def peak_growth(server: AtelierServer) -> Callable[[], int]:
    """Start measuring the server's peak memory; the callable gives its growth since."""
    reset_peak(server.pid)
    start = peak_rss(server.pid)
    return lambda: peak_rss(server.pid) - start


async def send_with_node_ws(url: str, total: int, fragment: int) -> dict[str, object]:
    """One message sent by Node's ``ws`` (tests/js/send_frames.mjs): how the server closed."""
    process = await asyncio.create_subprocess_exec(
        "node",
        "send_frames.mjs",
        url,
        str(total),
        str(fragment),
        cwd=JS_DIR,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    result: dict[str, object] = json.loads(out)
    return result


class RawSocket:
    """A board connection over a bare socket with a small receive buffer, to send what no
    WebSocket library would (pings by the thousand, a message that never ends) while
    reading nothing until told to."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, server: AtelierServer, board_id: str, token: str) -> RawSocket:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", server.port))
        reader, writer = await asyncio.open_connection(sock=sock)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET /ws/boards/{board_id}?token={token} HTTP/1.1\r\nHost: test\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101 "), head
        return cls(reader, writer)

    async def send(
        self, opcode: Opcode, payload: bytes, *, fin: bool = True, times: int = 1
    ) -> None:
        """Write ``times`` copies of one frame, stopping quietly if the server has gone."""
        wire = Frame(opcode, payload, fin).serialize(mask=True)
        batch = max(1, 65536 // len(wire))
        with contextlib.suppress(ConnectionError):
            for start in range(0, times, batch):
                self.writer.write(wire * min(batch, times - start))
                await self.writer.drain()

    async def finish(self) -> list[tuple[int, bytes]]:
        """Close (or answer the server's close), then read everything the server sent, to
        the end: its frames as (opcode, payload)."""
        await self.send(Opcode.CLOSE, b"\x03\xe8")
        data = await asyncio.wait_for(self.reader.read(), 10)
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()
        found, pos = [], 0
        while pos + 2 <= len(data):
            opcode, size = data[pos] & 0x0F, data[pos + 1] & 0x7F
            pos += 2
            if size >= 126:
                width = 2 if size == 126 else 8
                size = int.from_bytes(data[pos : pos + width], "big")
                pos += width
            found.append((opcode, data[pos : pos + size]))
            pos += size
        return found


def close_code(frames: list[tuple[int, bytes]]) -> int | None:
    closes = [payload for opcode, payload in frames if opcode == Opcode.CLOSE]
    return int.from_bytes(closes[0][:2], "big") if closes else None


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


UPGRADE = b"Host: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
KEY = b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
VERSION = b"Sec-WebSocket-Version: 13\r\n"


async def status_line(server: AtelierServer, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(request)
    line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    return line.rstrip()


@pytest.mark.parametrize(
    ("request_line", "headers", "status"),
    [
        (b"GET /ws/boards/b", UPGRADE + KEY + VERSION, b"101"),
        (b"GET /ws/boards/b", UPGRADE + VERSION, b"400"),  # no key
        (b"GET /ws/boards/b", UPGRADE + KEY + b"Sec-WebSocket-Version: 8\r\n", b"400"),
        (b"GET /ws/boards/b\xc3\xa9", UPGRADE + KEY + VERSION, b"400"),  # not ASCII
        (b"POST /ws/boards/b", UPGRADE + KEY + VERSION, b"405"),
        (b"GET /ws/boards/b", UPGRADE + KEY + VERSION + b"X-Bad: a\x01b\r\n", b"400"),
        (b"GET /ws/boards/b", UPGRADE + KEY + KEY + VERSION, b"400"),
    ],
    ids=["valid", "no-key", "old-version", "non-ascii-path", "post", "control-char", "two-keys"],
)
async def test_the_upgrade_request_read_once_is_judged_as_the_library_would(
    server: AtelierServer, request_line: bytes, headers: bytes, status: bytes
) -> None:
    """uvicorn's parser reads a board's upgrade request and hands it over as it is; what
    a client gets back is what the WebSocket library says of the same request."""
    line = await status_line(server, request_line + b"?token=x HTTP/1.1\r\n" + headers + b"\r\n")
    assert line.split(b" ")[1] == status
    assert (await status_line(server, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")).endswith(
        b"200 OK"
    )


async def test_pings_from_a_client_that_never_reads_close_it_with_4429(
    server: AtelierServer,
) -> None:
    board_id, token, sender, receiver = await board_of_two(server)
    offender = await RawSocket.open(server, board_id, token)
    growth = peak_growth(server)
    await offender.send(Opcode.PING, PING_PAYLOAD, times=5000)  # the burst allows 1000
    assert close_code(await offender.finish()) == CloseCode.RATE_LIMITED
    assert growth() < 16 * MIB
    await still_syncs(sender, receiver, "after-pings")


async def test_a_client_that_never_reads_is_not_queued_a_pong_per_ping(
    start_atelier: Callable[..., AtelierServer],
) -> None:
    server = start_atelier(**UNLIMITED_RATE)
    board_id, token, sender, receiver = await board_of_two(server)
    offender = await RawSocket.open(server, board_id, token)
    growth = peak_growth(server)
    pings = 300_000  # 38 MB of pongs, which the server used to hold for it
    await offender.send(Opcode.PING, PING_PAYLOAD, times=pings)
    frames = await offender.finish()
    assert close_code(frames) == CloseCode.NORMAL
    assert sum(1 for opcode, _ in frames if opcode == Opcode.PONG) < pings // 4
    assert growth() < 16 * MIB
    await still_syncs(sender, receiver, "after-unanswered-pings")


async def test_a_message_whose_fragments_never_end_closes_its_sender_with_4429(
    start_atelier: Callable[..., AtelierServer],
) -> None:
    server = start_atelier(**SLOW_REFILL)  # a slow machine reading slowly refills nothing
    board_id, token, sender, receiver = await board_of_two(server)
    offender = await RawSocket.open(server, board_id, token)
    growth = peak_growth(server)
    await offender.send(Opcode.BINARY, b"\x00", fin=False)
    await offender.send(Opcode.CONT, b"\x00", fin=False, times=5000)  # each counts as a frame
    assert close_code(await offender.finish()) == CloseCode.RATE_LIMITED
    assert growth() < 16 * MIB
    await still_syncs(sender, receiver, "after-fragments")


async def test_the_official_client_sees_1009_when_its_message_is_over_the_limit(
    server: AtelierServer,
) -> None:
    board_id, token, sender, receiver = await board_of_two(server)
    async with YjsDriver.start() as js:
        params, options = {"token": token}, {"max_backoff_ms": 200}
        await js.connect("big", url=server.ws_url, room=board_id, params=params, options=options)
        await js.wait_synced("big")
        await js.map_set("big", "m", "big", "x" * 8_000_000)  # still sending when refused
        codes = [
            (await js.wait_close("big"))["code"] for _ in range(3)
        ]  # it resends on reconnecting
        await js.destroy("big")
    assert codes == [CloseCode.TOO_BIG] * 3
    await still_syncs(sender, receiver, "after-too-big")


@pytest.mark.parametrize(
    ("total", "fragment"),
    [
        pytest.param(20_000_000, 20_000_000, id="one-frame"),
        pytest.param(8_000_000, 16384, id="fragments"),
    ],
)
async def test_node_ws_sees_1009_for_a_message_over_the_limit(
    server: AtelierServer, total: int, fragment: int
) -> None:
    board_id, token, sender, receiver = await board_of_two(server)
    closed = await send_with_node_ws(f"{server.ws_url}/{board_id}?token={token}", total, fragment)
    assert closed["code"] == CloseCode.TOO_BIG
    await still_syncs(sender, receiver, "after-ws-too-big")


def test_a_board_connection_has_every_attribute_uvicorn_gives_a_websocket() -> None:
    """Board connections skip uvicorn's constructor (its ASGI state is unused): any
    attribute a newer uvicorn adds must be set for them too."""
    config = uvicorn.Config(app=lambda scope, receive, send: None, ws_per_message_deflate=False)
    config.load()
    protocol_class = board_protocol(cast(BoardEndpoint, None))
    loop = asyncio.new_event_loop()
    try:
        full = protocol_class(config=config, server_state=ServerState(), app_state={}, _loop=loop)
        lean = protocol_class(
            config=config, server_state=ServerState(), app_state={}, _loop=loop, board=True
        )
    finally:
        loop.close()
    assert set(vars(lean)) == set(vars(full))


class HeldAdmission:
    """An endpoint whose admission waits until the test lets it go, then refuses: the
    transport's side of a board that takes long to load."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.release = asyncio.Event()

    async def admit(self, board_id: str, query: dict[str, str]) -> None:
        self.asked.set()
        await self.release.wait()
        raise Forbidden("refused once loaded")


@contextlib.asynccontextmanager
async def held_server(held: HeldAdmission) -> AsyncIterator[tuple[uvicorn.Server, str]]:
    """uvicorn in this process, its board connections admitted by ``held``, and a board's
    URL on it; stopped (its held admission let go) on leaving."""

    async def no_http(scope: object, receive: object, send: object) -> None:
        raise AssertionError("board connections never reach the HTTP app")

    config = uvicorn.Config(
        app=no_http,
        host="127.0.0.1",
        port=0,
        ws=board_protocol(cast(BoardEndpoint, held)),
        ws_per_message_deflate=False,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield server, f"ws://127.0.0.1:{port}/ws/boards/b?token=t"
    finally:
        held.release.set()
        server.should_exit = True
        await asyncio.wait_for(serving, 15)


async def test_the_upgrade_is_answered_before_admission_and_a_refusal_follows_it() -> None:
    """Clients open while their board loads (twenty joining a cold board sync sooner); one
    refused meanwhile still learns why, by its close code."""
    held = HeldAdmission()
    async with held_server(held) as (_server, url), connect(url, open_timeout=5) as ws:
        await asyncio.wait_for(held.asked.wait(), 5)
        assert ws.state is State.OPEN  # open while its admission is still pending
        held.release.set()
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == CloseCode.FORBIDDEN
        assert ws.close_reason == "refused once loaded"


async def test_a_connection_still_being_admitted_is_told_1001_when_the_server_stops() -> None:
    """Its 101 already sent, it is closed as the admitted ones are, never just dropped."""
    held = HeldAdmission()
    async with held_server(held) as (server, url), connect(url, open_timeout=5) as ws:
        await asyncio.wait_for(held.asked.wait(), 5)
        server.should_exit = True
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == CloseCode.GOING_AWAY
