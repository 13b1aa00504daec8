"""The upgrade request of a board connection: which paths are boards', and the 101 answer
the transport gives itself to a request in the usual form (``sync.transport``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from email.utils import formatdate
from urllib.parse import unquote

from websockets.utils import accept_key

BOARD_PATH = "/ws/boards/"


def board_target(path: str) -> tuple[str, str] | None:
    """(board id, query string) of a board connection's path, else None (another path)."""
    raw_path, _, query = path.partition("?")
    raw_id = raw_path[len(BOARD_PATH) :]
    if not raw_path.startswith(BOARD_PATH) or "/" in raw_id:
        return None
    return unquote(raw_id), query  # "..%2f..%2fetc" is one segment, and not a slug: 4404


def is_board_path(raw_target: bytes) -> bool:
    """Whether an HTTP request target (path and query) is a board connection's."""
    return board_target(raw_target.decode("latin-1")) is not None


HANDSHAKE_HEADERS = (b"connection", b"upgrade", b"sec-websocket-key", b"sec-websocket-version")


def switching_protocols(headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """The 101 answer to a board's upgrade request in the form every WebSocket client sends
    (RFC 6455 §4.2.1), or None for anything else, which the ``websockets`` library judges
    instead, with its own error: building its request and response objects is a tenth of
    a connection's CPU. Offered extensions and subprotocols are declined, as the library
    declines them when none is configured (permessage-deflate is off, see ``cli``)."""
    found: dict[bytes, bytes] = {}
    for name, value in headers:
        if name in HANDSHAKE_HEADERS:
            if name in found:  # repeated: the library's rules for lists apply
                return None
            found[name] = value
    if len(found) != len(HANDSHAKE_HEADERS):
        return None
    tokens = [token.strip().lower() for token in found[b"connection"].split(b",")]
    if b"upgrade" not in tokens or found[b"upgrade"].strip().lower() != b"websocket":
        return None
    if found[b"sec-websocket-version"].strip() != b"13":
        return None
    key = found[b"sec-websocket-key"].strip()
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            return None
    except binascii.Error:
        return None
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nDate: "
        + formatdate(usegmt=True).encode()
        + b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
        + accept_key(key.decode()).encode()
        + b"\r\n\r\n"
    )
