"""Limits at the HTTP edge: bodies (413, never buffered past the limit, never echoed back),
slow clients (header and body deadlines, 408) and the cap on open connections. Each
refusal leaves the server answering everyone else: ``/healthz`` is asked meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.atelier_server import AtelierServer
from tests.support.peak_memory import MIB, open_fds, peak_rss, reset_peak

MAX_BODY_BYTES = 64 * 1024
MAX_HTTP_CONNECTIONS = 40
LIMITS = {
    "ATELIER_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
    "ATELIER_HEADER_TIMEOUT_SECONDS": "1",
    "ATELIER_BODY_TIMEOUT_SECONDS": "1",
    "ATELIER_MAX_HTTP_CONNECTIONS": str(MAX_HTTP_CONNECTIONS),
}
WAIT = 10.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtelierServer]:
    instance = AtelierServer(Path(tmp_path_factory.mktemp("limits-http")), env=LIMITS)
    instance.start()
    yield instance
    instance.kill9()


@pytest.fixture
async def client(server: AtelierServer) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    async with httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=WAIT) as c:
        yield c


async def healthy(client: httpx.AsyncClient) -> None:
    """Everyone else is still served: a fresh connection gets ``/healthz``."""
    async with httpx.AsyncClient(base_url=str(client.base_url), timeout=WAIT) as fresh:
        assert (await fresh.get("/healthz")).status_code == 200


class Slow:
    """A bare connection that sends what it is told, when it is told."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, server: AtelierServer) -> Slow:
        return cls(*await asyncio.open_connection("127.0.0.1", server.port))

    async def send(self, data: bytes) -> None:
        with contextlib.suppress(ConnectionError):
            self.writer.write(data)
            await self.writer.drain()

    async def answer(self) -> tuple[int | None, dict[str, Any]]:
        """Read to the end: the status and JSON body of the answer (None and {} if none)."""
        data = await asyncio.wait_for(self.reader.read(), WAIT)
        self.writer.close()
        if not data:
            return None, {}
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), json.loads(body) if body else {}

    def close(self) -> None:
        self.writer.close()


def post_boards(server: AtelierServer, headers: bytes) -> bytes:
    """The head of an operator's ``POST /api/boards`` (a route that reads its body)."""
    token = server.admin_token.encode()
    return (
        b"POST /api/boards HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + token + b"\r\n" + headers + b"\r\n\r\n"
    )


def peak_growth(server: AtelierServer) -> Callable[[], int]:
    reset_peak(server.pid)
    start = peak_rss(server.pid)
    return lambda: peak_rss(server.pid) - start


async def test_a_body_past_the_limit_is_refused_with_413_and_never_held(
    server: AtelierServer, client: httpx.AsyncClient
) -> None:
    board_id = server.create_board()
    growth = peak_growth(server)
    mid_body = asyncio.Event()
    answered_meanwhile = asyncio.Event()

    async def chunked() -> AsyncIterator[bytes]:  # 20 MB, without a Content-Length
        yield b'{"role": "participant", "label": "'
        for i in range(320):
            yield b"x" * 65536
            if i == 4:  # past the limit: the server has answered or is about to
                mid_body.set()
                await answered_meanwhile.wait()
        yield b'"}'

    async def meanwhile() -> None:
        await mid_body.wait()
        await healthy(client)
        answered_meanwhile.set()

    refused, _ = await asyncio.gather(
        client.post(f"/api/boards/{board_id}/invites", content=chunked()), meanwhile()
    )
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/problem+json"
    assert f"larger than {MAX_BODY_BYTES} bytes" in refused.json()["detail"]
    assert growth() < 16 * MIB  # 100 MB used to take the server from 167 to 883 MB


async def test_a_declared_length_past_the_limit_is_refused_before_the_body_is_sent(
    server: AtelierServer, client: httpx.AsyncClient
) -> None:
    slow = await Slow.open(server)
    await slow.send(post_boards(server, b"Content-Length: 104857600\r\nConnection: close"))
    status, problem = await slow.answer()
    assert status == 413
    assert problem["status"] == 413
    await healthy(client)


async def test_an_invalid_value_is_quoted_by_an_excerpt_not_echoed(
    server: AtelierServer, client: httpx.AsyncClient
) -> None:
    board_id = server.create_board()
    label = "y" * 60_000  # within the body limit, far over the label's 200 characters
    refused = await client.post(
        f"/api/boards/{board_id}/invites", json={"role": "participant", "label": label}
    )
    assert refused.status_code == 400
    assert "at most 200 characters" in refused.json()["detail"]
    assert len(refused.content) < 2000  # a 10 MB label used to get a 20 MB answer
    await healthy(client)


async def test_headers_trickling_in_get_408_at_the_header_deadline(
    server: AtelierServer, client: httpx.AsyncClient
) -> None:
    slow = await Slow.open(server)
    await slow.send(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")

    async def trickle() -> None:
        while not slow.reader.at_eof():
            await slow.send(b"X-Slow: 1\r\n")
            await asyncio.sleep(0.2)

    trickling = asyncio.create_task(trickle())
    await healthy(client)
    status, problem = await slow.answer()
    trickling.cancel()
    assert status == 408
    assert "headers did not arrive within 1 seconds" in problem["detail"]


async def test_a_body_that_stalls_gets_408_at_the_body_deadline(
    server: AtelierServer, client: httpx.AsyncClient
) -> None:
    slow = await Slow.open(server)
    await slow.send(post_boards(server, b"Content-Length: 100") + b'{"id": "')
    await healthy(client)
    status, problem = await slow.answer()
    assert status == 408
    assert "body did not arrive within 1 seconds" in problem["detail"]


async def test_headers_past_the_size_cap_get_431(
    server: AtelierServer, client: httpx.AsyncClient
) -> None:
    slow = await Slow.open(server)
    await slow.send(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: " + b"b" * 100_000)
    status, problem = await slow.answer()
    assert status == 431
    assert "exceed 65536 bytes" in problem["detail"]
    await healthy(client)


async def test_a_connection_that_sends_nothing_is_closed_at_the_header_deadline(
    server: AtelierServer, client: httpx.AsyncClient
) -> None:
    idle = await Slow.open(server)
    await healthy(client)
    assert await idle.answer() == (None, {})


async def test_slow_connections_past_the_cap_give_way_to_newcomers(
    server: AtelierServer, client: httpx.AsyncClient
) -> None:
    before = open_fds(server.pid)
    crowd = []
    for _ in range(3 * MAX_HTTP_CONNECTIONS):
        slow = await Slow.open(server)
        await slow.send(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")  # and never the rest
        crowd.append(slow)
    await healthy(client)  # the newcomer is served: the longest waiting slow one made room
    assert open_fds(server.pid) <= before + MAX_HTTP_CONNECTIONS + 8
    answers = await asyncio.gather(*(slow.answer() for slow in crowd))
    assert {status for status, _ in answers} == {408}


async def test_when_every_connection_is_busy_a_newcomer_gets_503(
    start_atelier: Callable[..., AtelierServer],
) -> None:
    server = start_atelier(
        ATELIER_MAX_HTTP_CONNECTIONS="5",
        ATELIER_BODY_TIMEOUT_SECONDS="30",
        ATELIER_HEADER_TIMEOUT_SECONDS="30",
    )
    busy = []
    for _ in range(5):  # each in the middle of sending a body
        slow = await Slow.open(server)
        await slow.send(post_boards(server, b"Content-Length: 9\r\nConnection: close") + b"{")
        busy.append(slow)
    newcomer = await Slow.open(server)
    await newcomer.send(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    status, problem = await newcomer.answer()
    assert status == 503
    assert "too many open connections" in problem["detail"]
    for slow in busy:  # their bodies end, they are answered, their places are free again
        await slow.send(b'"ab": 1}')
        assert (await slow.answer())[0] == 400
    async with httpx.AsyncClient(base_url=server.base_url, timeout=WAIT) as fresh:
        assert (await fresh.get("/healthz")).status_code == 200
