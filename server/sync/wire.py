"""RFC 6455 framing that the board transport (``sync.transport``) does itself: the header of
the frames it sends, each broadcast framed once, the ``websockets`` state machine it drives,
and skipping what a client sends after its connection failed.
"""

from __future__ import annotations

import struct
from collections.abc import Generator

from websockets.protocol import Protocol, State
from websockets.server import ServerProtocol

try:  # the library's C helper, as its own parser uses
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - a build without it
    from websockets.utils import apply_mask

PONG = b"\x8a"
"""First byte of a pong frame from the server (FIN, opcode 0xA)."""
CLOSE_OPCODE = 0x8
MASK_BYTES = 4


FINAL_BINARY = 0x82
"""First byte of a final binary frame with no extension bits."""


def whole_binary_frame(data: bytes, max_size: int | None) -> bytes | None:
    """The unmasked payload when ``data`` is exactly one final, masked binary frame of at
    most ``max_size`` bytes (what a client's board edit is, read in one go), else None:
    anything else, broken framing included, is the ``websockets`` parser's to read."""
    if len(data) < 6 or data[0] != FINAL_BINARY or not data[1] & 0x80:
        return None
    size, offset = data[1] & 0x7F, 2
    if size == 126:
        size, offset = int.from_bytes(data[2:4], "big"), 4
    elif size == 127:
        return None
    if (max_size is not None and size > max_size) or len(data) != offset + MASK_BYTES + size:
        return None
    start = offset + MASK_BYTES
    return apply_mask(data[start:], data[offset:start])


def binary_frame_header(size: int) -> bytes:
    """RFC 6455 §5.2 header of a final, unmasked binary frame (server to client)."""
    if size < 126:
        return bytes((0x82, size))
    if size < 1 << 16:
        return struct.pack("!BBH", 0x82, 126, size)
    return struct.pack("!BBQ", 0x82, 127, size)


class LastFrame:
    """The wire form of the last message framed: a broadcast hands the same ``bytes``
    object to every peer of the room, so it is framed once rather than once per peer."""

    message: bytes = b""
    wire: bytes = binary_frame_header(0)


class Connection(ServerProtocol):
    """The ``websockets`` state machine, except that it keeps what it has not parsed when
    it fails (an oversized frame): the transport reads on from there (``Drain``) to
    notice the client's close frame, instead of the library discarding it unseen."""

    def discard(self) -> Generator[None]:
        while True:
            yield

    def expect_frames(self) -> None:
        """The handshake request was read by uvicorn's HTTP parser and is handed over as a
        ``Request``: from the first byte on, the stream holds frames."""
        self.parser = Protocol.parse(self)
        next(self.parser)  # start the coroutine, as the library does

    def opened(self) -> None:
        """The transport sent its own 101 answer (``switching_protocols``)."""
        self.state = State.OPEN


class Drain:
    """What a client sends after the server failed its connection: frames are skipped
    without keeping their payload, until the client's close frame. ``skip`` is what is
    left of the frame being read when parsing stopped; None when frame boundaries are lost
    (a malformed header), and only the client's end of the stream or the timeout ends it."""

    __slots__ = ("_head", "_skip", "blind")

    def __init__(self, skip: int | None) -> None:
        self._head = bytearray()
        self._skip = skip or 0
        self.blind = skip is None

    def closed_by_client(self, data: bytes | bytearray) -> bool:
        """Read ``data``; True once the client's close frame has arrived."""
        if self.blind:
            return False
        skipped = min(self._skip, len(data))
        self._skip -= skipped
        if skipped < len(data):
            self._head += memoryview(data)[skipped:]
        while not self._skip and (extent := frame_extent(self._head)) is not None:
            opcode, size = extent
            if opcode == CLOSE_OPCODE:
                return True
            taken = min(size, len(self._head))
            del self._head[:taken]
            self._skip = size - taken
        return False


def frame_extent(head: bytearray) -> tuple[int, int] | None:
    """(opcode, size with header) of the client frame starting ``head``; None until its
    header is complete (RFC 6455 §5.2)."""
    if len(head) < 2:
        return None
    size, offset = head[1] & 0x7F, 2
    if size >= 126:
        offset = 4 if size == 126 else 10
        if len(head) < offset:
            return None
        size = int.from_bytes(head[2:offset], "big")
    if head[1] & 0x80:
        offset += MASK_BYTES
    return head[0] & 0x0F, offset + size
