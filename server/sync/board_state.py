"""uvicorn's per-connection WebSocket state, as a board connection needs it.

uvicorn's constructor builds an ASGI receive queue, a ``writable`` event and a ``websockets``
state machine for every WebSocket; a board connection (``sync.transport``) uses none of
them: about 4 KB and a tenth of a connection's CPU. ``board_state`` sets every other
attribute that constructor sets (``test_transport`` checks that none is missing).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState

CLOSE_TIMEOUT_SECONDS = 2.0
"""How long a client has to answer the server's close frame before the socket is closed."""


class _Unused:
    """Stands for the ASGI receive queue and ``writable`` event; every call is a no-op."""

    def put_nowait(self, item: object) -> None:
        pass

    def set(self) -> None:
        pass

    def clear(self) -> None:
        pass


UNUSED = _Unused()


def board_state(
    protocol: WebSocketsSansIOProtocol,
    config: Config,
    server_state: ServerState,
    app_state: dict[str, Any],
    loop: asyncio.AbstractEventLoop | None,
) -> None:
    """What uvicorn's constructor sets, less what a board connection never uses (the
    caller sets its own state machine)."""
    p = protocol
    p.config, p.app, p.app_state = config, config.loaded_app, app_state
    p.loop = loop or asyncio.get_event_loop()
    p.logger = logging.getLogger("uvicorn.error")
    p.root_path, p.asgi_version = config.root_path, config.asgi_version
    p.connections, p.tasks = server_state.connections, server_state.tasks
    p.default_headers = server_state.default_headers
    p.transport = None  # type: ignore[assignment]  # set by connection_made
    p.server = p.client = p.scheme = None  # type: ignore[assignment]
    p.queue = p.writable = UNUSED  # type: ignore[assignment]
    p.handshake_initiated = p.handshake_complete = False
    p.close_sent = p.disconnected = p.read_paused = False
    p.close_timer = p.initial_response = None
    p.close_timeout = CLOSE_TIMEOUT_SECONDS
    p.ping_interval, p.ping_timeout = config.ws_ping_interval, config.ws_ping_timeout
    p.ping_timer = p.pong_timer = p.pending_ping_payload = None
    p.ping_sent_at = p.last_ping_rtt = 0.0
    p.frames, p.curr_msg_data_type = [], "bytes"
