"""The 101 answer the board transport gives itself to upgrade requests in the usual form."""

from __future__ import annotations

import pytest

from server.sync.handshake import switching_protocols

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
