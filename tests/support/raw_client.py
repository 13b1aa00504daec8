"""A minimal y-websocket client in Python (pycrdt + websockets) that can also misbehave.

Interop with the official JavaScript client is proven in ``test_interop_yjs.py``; this client
exists to send what a well-behaved client never would, and to watch what happens next.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from pycrdt import Doc, Map, Text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.sync import protocol

WAIT = 5.0


class RawClient:
    opened: list[RawClient] = []  # noqa: RUF012 - closed by the ``close_raw_clients`` fixture
    """Every client opened during the current test."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn
        self.doc: Doc[Any] = Doc()
        self.synced = asyncio.Event()
        self.changed = asyncio.Condition()
        self.awareness: dict[int, Any] = {}
        self.acked = 0
        self.sent_update_frames = 0
        self.notices: list[dict[str, Any]] = []
        self.invite_id: str | None = None
        """The invite this client connected with, when the test knows it (approvals name it)."""
        self.received_updates = 0
        self.close_code: int | None = None
        self.close_reason = ""
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, ws_url: str, board_id: str, token: str | None, **params: str) -> RawClient:
        query = {**({"token": token} if token is not None else {}), **params}
        url = f"{ws_url}/{board_id}?{urlencode(query)}"
        conn = await connect(url, max_size=None, compression=None, open_timeout=WAIT)
        client = cls(conn)
        cls.opened.append(client)
        return client

    async def _read(self) -> None:
        try:
            async for frame in self.conn:
                assert isinstance(frame, bytes)
                await self._handle(frame)
        except ConnectionClosed:
            pass
        finally:
            if self.conn.protocol.close_rcvd is not None:
                self.close_code = self.conn.protocol.close_rcvd.code
                self.close_reason = self.conn.protocol.close_rcvd.reason
            async with self.changed:
                self.changed.notify_all()

    async def _handle(self, frame: bytes) -> None:
        kind = frame[0]
        if kind == protocol.MSG_DURABLE_ACK:
            self.acked = _read_var_uint(frame, 1)
        elif kind == protocol.MSG_NOTICE:
            self.notices.append(json.loads(frame[2:]))
        else:
            match protocol.decode(frame):
                case protocol.SyncStep1(state_vector):
                    await self.send(protocol.encode_sync_step2(self.doc.get_update(state_vector)))
                case protocol.SyncStep2(update):
                    self.doc.apply_update(update)
                    self.synced.set()
                case protocol.Update(update):
                    self.doc.apply_update(update)
                    self.received_updates += 1
                case protocol.Awareness(entries):
                    for entry in entries:
                        self.awareness[entry.client_id] = json.loads(entry.state_json)
        async with self.changed:
            self.changed.notify_all()

    async def sync(self) -> None:
        await self.conn.send(protocol.encode_sync_step1(self.doc.get_state()))
        await asyncio.wait_for(self.synced.wait(), WAIT)

    async def send(self, frame: bytes | str) -> None:
        if isinstance(frame, bytes) and frame[:2] in (b"\x00\x01", b"\x00\x02"):
            self.sent_update_frames += 1
        with contextlib.suppress(ConnectionClosed):
            await self.conn.send(frame)

    async def wait_durable(self) -> None:
        """Wait for the server's ack of every update frame sent so far (needs ``acks=1``)."""
        await self.wait_until(lambda: self.acked >= self.sent_update_frames)

    async def edit(self, change: Callable[[Doc[Any]], None]) -> bytes:
        """Change the local document and send the change as one Update message."""
        before = self.doc.get_state()
        change(self.doc)
        update = self.doc.get_update(before)
        await self.send(protocol.encode_update(update))
        return update

    async def set_key(self, key: str, value: Any) -> bytes:
        return await self.edit(lambda doc: doc.get("m", type=Map).__setitem__(key, value))

    def value(self, key: str) -> Any:
        return self.doc.get("m", type=Map).get(key)

    def root(self, name: str) -> dict[str, Any]:
        """A map root of the document as plain Python data."""
        data: dict[str, Any] = self.doc.get(name, type=Map).to_py() or {}
        return data

    def text(self, name: str = "t") -> str:
        return str(self.doc.get(name, type=Text))

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = WAIT) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(predicate), timeout)

    async def closed(self, timeout: float = WAIT) -> tuple[int | None, str]:
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.close_code, self.close_reason

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.conn.close()
            await asyncio.wait_for(self._reader, WAIT)

    @classmethod
    async def close_all(cls) -> None:
        while cls.opened:
            await cls.opened.pop().close()


def _read_var_uint(data: bytes, pos: int) -> int:
    value, shift = 0, 0
    while True:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if byte < 0x80:
            return value
        shift += 7
