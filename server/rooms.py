"""The registry of live boards: each board loads once however many join at once, and an
idle board is unloaded once everything it accepted is durable."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from pycrdt import Doc

from server.errors import CloseCode
from server.room import Room, UpdateSink

logger = logging.getLogger("atelier.rooms")


class LoadedBoard:
    """What the loader returns: a document rebuilt from storage and the board's settings."""

    def __init__(
        self,
        doc: Doc[Any],
        *,
        site_id: str | None,
        locks: frozenset[str],
        updates_since_checkpoint: int,
        last_seq: int,
    ) -> None:
        self.doc = doc
        self.site_id = site_id
        self.locks = locks
        self.updates_since_checkpoint = updates_since_checkpoint
        self.last_seq = last_seq


Loader = Callable[[str], Awaitable[LoadedBoard]]


class Rooms:
    """Async context manager owning the sweeper task (idle rooms, expired grants)."""

    def __init__(
        self,
        sink: UpdateSink,
        loader: Loader,
        *,
        idle_seconds: float = 30.0,
        sweep_interval: float = 1.0,
        checkpoint_every: int = 500,
        refused_writes_before_close: int = 3,
    ) -> None:
        self._sink = sink
        self._loader = loader
        self._idle_seconds = idle_seconds
        self._sweep_interval = sweep_interval
        self._checkpoint_every = checkpoint_every
        self._refusals = refused_writes_before_close
        self._rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Task[Room]] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self.loads = 0

    def __len__(self) -> int:
        return len(self._rooms)

    def connections(self) -> int:
        return sum(len(room.peers) for room in self._rooms.values())

    def live(self, board_id: str) -> Room | None:
        return self._rooms.get(board_id)

    def all(self) -> list[Room]:
        return list(self._rooms.values())

    async def get(self, board_id: str) -> Room:
        """The live room, loading it once even when many connections ask at the same time."""
        room = self._rooms.get(board_id)
        if room is not None:
            return room
        task = self._loading.get(board_id)
        if task is None:
            task = asyncio.create_task(self._load(board_id), name=f"atelier-load-{board_id}")
            self._loading[board_id] = task
            task.add_done_callback(lambda _t: self._loading.pop(board_id, None))
        return await asyncio.shield(task)

    async def _load(self, board_id: str) -> Room:
        loaded = await self._loader(board_id)
        self.loads += 1
        room = Room(
            board_id,
            loaded.doc,
            self._sink,
            site_id=loaded.site_id,
            locks=loaded.locks,
            checkpoint_every=self._checkpoint_every,
            updates_since_checkpoint=loaded.updates_since_checkpoint,
            refused_writes_before_close=self._refusals,
        )
        room.last_seq = loaded.last_seq
        self._rooms[board_id] = room
        return room

    def kick_invite(self, invite_id: str, reason: str) -> int:
        """Close every live connection opened with this invite; returns how many."""
        kicked = 0
        for room in self._rooms.values():
            for peer in list(room.peers):
                if peer.grant.invite_id == invite_id:
                    peer.close(CloseCode.FORBIDDEN, reason)
                    kicked += 1
        return kicked

    def notify_all(self, kind: str, ok: bool, message: str) -> None:
        for room in self._rooms.values():
            room.notify(kind, ok, message)

    def sweep(self, now_monotonic: float | None = None, now_wall: float | None = None) -> None:
        """Unload idle, fully durable rooms; close connections whose invite has expired."""
        mono = time.monotonic() if now_monotonic is None else now_monotonic
        wall = time.time() if now_wall is None else now_wall
        for board_id, room in list(self._rooms.items()):
            for peer in list(room.peers):
                if peer.grant.expired(wall):
                    peer.close(CloseCode.UNAUTHENTICATED, "this invite has expired")
            idle = room.idle_since is not None and mono - room.idle_since >= self._idle_seconds
            if idle and not room.peers and room.pending == 0:
                del self._rooms[board_id]
                logger.debug("board %s unloaded", board_id)

    async def __aenter__(self) -> Rooms:
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="atelier-room-sweeper")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        for task in list(self._loading.values()):
            task.cancel()
        for room in self._rooms.values():
            room.close_all(CloseCode.GOING_AWAY, "the server is shutting down")

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_interval)
            try:
                self.sweep()
            except Exception:
                logger.exception("room sweep failed")
