"""What the board transport reads and answers itself: the usual upgrade request, and a
whole binary frame."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from server.sync.handshake import switching_protocols
from server.sync.wire import whole_binary_frame

SAMPLE_KEY = b"dGhlIHNhbXBsZSBub25jZQ=="
"""RFC 6455 §1.3's sample key, whose accept value is s3pPLMBiTxaQ9kYGzzhZRbK+xOo=."""
USUAL = [
    (b"host", b"atelier.example"),
    (b"connection", b"Upgrade"),
    (b"upgrade", b"websocket"),
    (b"sec-websocket-version", b"13"),
    (b"sec-websocket-key", SAMPLE_KEY),
    (b"sec-websocket-extensions", b"permessage-deflate; client_max_window_bits"),
]


def replaced(name: bytes, value: bytes | None) -> list[tuple[bytes, bytes]]:
    kept = [(n, v) for n, v in USUAL if n != name]
    return kept if value is None else [*kept, (name, value)]


def test_the_usual_request_is_answered_with_the_rfc_accept_value() -> None:
    answer = switching_protocols(USUAL)
    assert answer is not None
    assert answer.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert b"\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" in answer
    assert answer.endswith(b"\r\n\r\n")


def test_offered_extensions_are_declined() -> None:
    answer = switching_protocols(USUAL)
    assert answer is not None
    assert b"Extensions" not in answer


def test_a_connection_header_listing_upgrade_among_others_is_the_usual_form() -> None:
    assert switching_protocols(replaced(b"connection", b"keep-alive, Upgrade")) is not None


@pytest.mark.parametrize(
    "headers",
    [
        replaced(b"sec-websocket-key", None),
        replaced(b"sec-websocket-key", b"c2hvcnQ="),  # 5 bytes, not 16
        replaced(b"sec-websocket-key", b"not base64!"),
        replaced(b"sec-websocket-version", b"8"),
        replaced(b"upgrade", b"h2c"),
        replaced(b"connection", b"keep-alive"),
        [*USUAL, (b"sec-websocket-key", SAMPLE_KEY)],
    ],
    ids=[
        "no-key",
        "short-key",
        "bad-key",
        "old-version",
        "other-upgrade",
        "no-upgrade",
        "two-keys",
    ],
)
def test_anything_else_is_left_to_the_websocket_library(headers: list[tuple[bytes, bytes]]) -> None:
    assert switching_protocols(headers) is None


def client_frame(opcode: Opcode, payload: bytes, fin: bool = True) -> bytes:
    return Frame(opcode, payload, fin).serialize(mask=True)


@pytest.mark.parametrize("size", [0, 125, 126, 65535])
def test_a_whole_masked_binary_frame_gives_its_payload(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    assert whole_binary_frame(client_frame(Opcode.BINARY, payload), None) == payload


@pytest.mark.parametrize(
    "data",
    [
        client_frame(Opcode.BINARY, b"abc", fin=False),  # a first fragment
        client_frame(Opcode.CONT, b"abc"),
        client_frame(Opcode.TEXT, b"abc"),
        client_frame(Opcode.PING, b"abc"),
        Frame(Opcode.BINARY, b"abc").serialize(mask=False),  # clients must mask
        client_frame(Opcode.BINARY, b"abc")[:-1],  # not all of it yet
        client_frame(Opcode.BINARY, b"abc") * 2,  # two frames in one read
        client_frame(Opcode.BINARY, b"x" * 70_000),  # a 64-bit length
        client_frame(Opcode.BINARY, b"x" * 200),  # over the limit below
    ],
    ids=[
        "first-fragment",
        "continuation",
        "text",
        "ping",
        "unmasked",
        "partial",
        "two",
        "long",
        "over-limit",
    ],
)
def test_anything_else_is_left_to_the_frame_parser(data: bytes) -> None:
    assert whole_binary_frame(data, 100) is None
