"""A y-websocket client over the HTTP fallback (server-sent events down, POST up), in Python.

It is a ``RawClient`` (same document, awareness, acks and waits) whose messages travel over
``/api/boards/{id}/stream`` instead of a socket, and which can also misbehave: post raw
bodies, with any token, to any session.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from typing import Any

import httpx

from server.sync import protocol
from tests.support.raw_client import WAIT, RawClient


def frame_body(*messages: bytes) -> bytes:
    """A POST body: each message as a lib0 varUint length, then its bytes."""
    body = bytearray()
    for message in messages:
        size = len(message)
        while size > 0x7F:
            body.append(0x80 | (size & 0x7F))
            size >>= 7
        body.append(size)
        body += message
    return bytes(body)


class StreamClient(RawClient):
    def __init__(
        self, base_url: str, board_id: str, token: str | None, params: dict[str, str]
    ) -> None:
        self.base_url, self.board_id, self.token = base_url, board_id, token
        self.params = params
        self.http = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(WAIT, read=None))
        self.session_id: str | None = None
        self.status: int | None = None
        self.refusal: dict[str, Any] | None = None
        self.answer_pings = True
        self.pings = 0
        self.opened = asyncio.Event()
        self.last_post: httpx.Response | None = None
        self._sending = asyncio.Lock()
        super().__init__(None)  # type: ignore[arg-type]

    @classmethod
    async def open(  # type: ignore[override]
        cls, base_url: str, board_id: str, token: str | None, **params: str
    ) -> StreamClient:
        client = cls(base_url, board_id, token, params)
        RawClient.opened.append(client)
        await asyncio.wait_for(client.opened.wait(), WAIT)
        return client

    @property
    def session_path(self) -> str:
        return f"/api/boards/{self.board_id}/stream/{self.session_id}"

    async def _read(self) -> None:
        query = {**({"token": self.token} if self.token is not None else {}), **self.params}
        path = f"/api/boards/{self.board_id}/stream"
        try:
            async with self.http.stream("GET", path, params=query) as response:
                self.status = response.status_code
                if response.status_code != 200:
                    self.refusal = json.loads(await response.aread())
                    self.close_code = self.refusal.get("close_code")
                    self.close_reason = str(self.refusal.get("detail", ""))
                    return
                await self._events(response)
        except (httpx.HTTPError, asyncio.CancelledError):
            pass
        finally:
            self.opened.set()
            async with self.changed:
                self.changed.notify_all()

    async def _events(self, response: httpx.Response) -> None:
        name, data = "message", ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
            elif line == "":
                if await self._event(name, data):
                    return
                name, data = "message", ""

    async def _event(self, name: str, data: str) -> bool:
        """Handle one event; True after ``close``."""
        if name == "session":
            self.session_id = json.loads(data)["session"]
            self.opened.set()
        elif name == "message":
            await self._handle(base64.b64decode(data))
        elif name == "ping":
            self.pings += 1
            if self.answer_pings:
                await self.post(b"")
            async with self.changed:
                self.changed.notify_all()
        elif name == "close":
            closed = json.loads(data)
            self.close_code, self.close_reason = closed["code"], closed["reason"]
            return True
        return False

    async def sync(self) -> None:
        await self.send(protocol.encode_sync_step1(self.doc.get_state()))
        await asyncio.wait_for(self.synced.wait(), WAIT)

    async def send(self, frame: bytes | str) -> None:
        assert isinstance(frame, bytes)
        if frame[:2] in (b"\x00\x01", b"\x00\x02"):
            self.sent_update_frames += 1
        await self.post(frame_body(frame))

    async def post(
        self, body: bytes, *, token: str | None = None, session_path: str | None = None
    ) -> httpx.Response:
        """POST ``body`` (already framed) to this session (or ``session_path``), with this
        client's token (or ``token``), in order with the other POSTs of this client."""
        used = self.token if token is None else token
        headers = {"Content-Type": "application/octet-stream"}
        if used:
            headers["Authorization"] = f"Bearer {used}"
        async with self._sending:
            response = await self.http.post(
                session_path or self.session_path, content=body, headers=headers
            )
        self.last_post = response
        return response

    async def closed(self, timeout: float = WAIT) -> tuple[int | None, str]:
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.close_code, self.close_reason

    async def close(self) -> None:
        """Drop the stream (what a closed tab does)."""
        self._reader.cancel()
        with contextlib.suppress(BaseException):
            await self._reader
        await self.http.aclose()
