"""A peer writes at once while its socket takes it, and queues in order while it does not."""

from __future__ import annotations

from server.core.errors import CloseCode
from server.sync.wire import binary_frame_header
from tests.support.fakes import Socket, peer_on


def test_a_writable_socket_gets_the_frame_at_once() -> None:
    socket = Socket()
    peer_on(socket).enqueue(b"a")
    assert socket.sent == [b"a"]


def test_frames_wait_while_the_socket_is_full_and_follow_in_order() -> None:
    socket = Socket()
    peer = peer_on(socket)
    socket.can_write = False
    for frame in (b"1", b"2", b"3"):
        peer.enqueue(frame)
    assert socket.sent == []
    socket.can_write = True
    peer.resume()
    peer.enqueue(b"4")
    assert socket.sent == [b"1", b"2", b"3", b"4"]


def test_a_frame_never_overtakes_the_queue() -> None:
    socket = Socket()
    peer = peer_on(socket)
    socket.can_write = False
    peer.enqueue(b"1")
    socket.can_write = True  # drained, but resume() has not run yet
    peer.enqueue(b"2")
    assert socket.sent == []
    peer.resume()
    assert socket.sent == [b"1", b"2"]


def test_closing_drops_the_queue_and_sends_the_close() -> None:
    socket = Socket()
    peer = peer_on(socket)
    socket.can_write = False
    peer.enqueue(b"1")
    peer.close(CloseCode.NORMAL, "")
    socket.can_write = True
    peer.resume()
    assert socket.sent == [1000]


def test_a_reader_that_never_catches_up_is_closed_with_1013() -> None:
    socket = Socket()
    peer = peer_on(socket, max_messages=3)
    socket.can_write = False
    for i in range(6):
        peer.enqueue(bytes([i]))
    assert peer.close_code == CloseCode.OVERLOADED
    assert socket.sent == [1013]


def test_nothing_is_written_once_the_connection_is_gone() -> None:
    socket = Socket()
    peer = peer_on(socket)
    peer.gone()
    peer.enqueue(b"x")
    peer.close(CloseCode.NORMAL, "")
    assert socket.sent == []


def test_frame_headers_use_the_shortest_length_encoding() -> None:
    assert binary_frame_header(125) == b"\x82\x7d"
    assert binary_frame_header(126) == b"\x82\x7e\x00\x7e"
    assert binary_frame_header(65536) == b"\x82\x7f" + (65536).to_bytes(8, "big")
