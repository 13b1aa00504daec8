"""A peer writes at once when its socket takes it, and queues in order when it does not."""

from __future__ import annotations

import asyncio
from typing import Any

from server.auth import Grant, Role
from server.errors import CloseCode
from server.peer import Peer, TokenBucket


class Socket:
    """An ASGI send that suspends while ``writable`` is clear, like a full socket buffer."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.sent: list[Any] = []

    async def send(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        self.sent.append(message.get("bytes", message.get("code")))


def peer_on(socket: Socket, max_messages: int = 10) -> Peer:
    grant = Grant("i", Role.PARTICIPANT, "b", None, None)
    return Peer(
        socket.send,
        grant,
        name=None,
        party=None,
        acks=False,
        limiter=TokenBucket(1, 1, 1, 1),
        outbox_max_messages=max_messages,
        outbox_max_bytes=10**6,
    )


async def test_a_writable_socket_gets_the_frame_without_a_task_switch() -> None:
    socket = Socket()
    peer_on(socket).enqueue(b"a")
    assert socket.sent == [b"a"]


async def test_frames_wait_in_order_behind_a_blocked_write() -> None:
    socket = Socket()
    peer = peer_on(socket)
    socket.writable.clear()
    for frame in (b"1", b"2", b"3"):
        peer.enqueue(frame)
    await asyncio.sleep(0)
    assert socket.sent == []
    socket.writable.set()
    peer.close(CloseCode.NORMAL, "")
    await asyncio.wait_for(peer.flushed(), 1)
    assert socket.sent == [b"1", 1000]  # the queue is dropped on close, the blocked write is not


async def test_a_reader_that_never_catches_up_is_closed_with_1013() -> None:
    socket = Socket()
    peer = peer_on(socket, max_messages=3)
    socket.writable.clear()
    for i in range(6):
        peer.enqueue(bytes([i]))
    assert peer.close_code == CloseCode.OVERLOADED
    socket.writable.set()
    await asyncio.wait_for(peer.flushed(), 1)
    assert socket.sent == [b"\x00", 1013]


async def test_a_peer_keeps_no_task_while_idle() -> None:
    socket = Socket()
    peer = peer_on(socket)
    peer.enqueue(b"x")
    assert peer._sender is None


async def test_frames_queued_behind_a_blocked_write_all_arrive_in_order() -> None:
    socket = Socket()
    peer = peer_on(socket)
    socket.writable.clear()
    for frame in (b"1", b"2", b"3"):
        peer.enqueue(frame)
    socket.writable.set()
    await asyncio.wait_for(peer.flushed(), 1)
    peer.enqueue(b"4")
    assert socket.sent == [b"1", b"2", b"3", b"4"]
