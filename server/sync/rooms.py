"""The registry of live boards: each board loads once however many join at once, and an
idle board is unloaded once everything it accepted is durable."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from types import TracebackType

from server.core import memory
from server.core.errors import CloseCode
from server.core.grants import GrantCache
from server.sync.fanout import RESYNC, Fanout, LocalFanout
from server.sync.limits import InviteLedger, LiveLimits
from server.sync.loader import Loader, RecentReader
from server.sync.room import Room
from server.sync.sink import UpdateSink

logger = logging.getLogger("atelier.rooms")


CATCH_UP_WINDOW_SECONDS = 30.0
TRIM_AFTER_UNLOADS = 200
"""Unloaded boards after which freed memory is handed back to the OS."""


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
        fanout: Fanout | None = None,
        read_recent: RecentReader | None = None,
        limits: LiveLimits | None = None,
        grants: GrantCache | None = None,
    ) -> None:
        self._limits = limits or LiveLimits()
        self.invites = InviteLedger(self._limits)
        """Connections and bytes per invite, over every board of this instance."""
        self._grants = GrantCache() if grants is None else grants
        """Verified grants of the connection check: an invite kicked is verified again."""
        self._sink = sink
        self._loader = loader
        self._fanout: Fanout = fanout or LocalFanout()
        self._read_recent = read_recent
        self._catch_ups: set[asyncio.Task[None]] = set()
        self._unloaded_since_trim = 0
        self._idle_seconds = idle_seconds
        self._sweep_interval = sweep_interval
        self._checkpoint_every = checkpoint_every
        self._refusals = refused_writes_before_close
        self._rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Task[Room]] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self.loads = 0
        self.load_seconds = 0.0
        """Time spent loading boards, from the request to the rebuilt document (all loads)."""

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
        started = time.monotonic()
        loaded = await self._loader(board_id)
        self.loads += 1
        self.load_seconds += time.monotonic() - started
        room = Room(
            board_id,
            loaded.doc,
            self._sink,
            site_id=loaded.site_id,
            locks=loaded.locks,
            checkpoint_every=self._checkpoint_every,
            updates_since_checkpoint=loaded.updates_since_checkpoint,
            refused_writes_before_close=self._refusals,
            publisher=self._fanout,
            limits=self._limits,
            invites=self.invites,
            size=loaded.size,
        )
        room.last_seq = loaded.last_seq
        self._rooms[board_id] = room
        self._fanout.watch(board_id)
        upgrade = loaded.upgrade
        if upgrade is not None:  # logged like any server change; identical on every instance
            room.apply_server_change(lambda doc: doc.apply_update(upgrade))
            logger.info("board %s: layout upgraded", board_id, extra={"board": board_id})
        return room

    @property
    def distributed(self) -> bool:
        return self._fanout.distributed

    async def enter(self, board_id: str) -> Room:
        """The room a new connection joins; with several instances, caught up first.

        The room is pinned (not idle) while it catches up so the sweeper cannot unload it
        between the load and the caller's synchronous ``join``."""
        room = await self.get(board_id)
        if not self.distributed:
            return room
        room.idle_since = None
        try:
            await self.catch_up(room)
        finally:
            if not room.peers:
                room.idle_since = time.monotonic()
        return room

    async def catch_up(self, room: Room) -> None:
        """Apply what other instances logged for this board and this one has not seen."""
        if self._read_recent is None:
            return
        since = time.time() - CATCH_UP_WINDOW_SECONDS
        for seq, update in await self._read_recent(room.board_id, room.last_seq, since):
            room.apply_remote(update)
            room.last_seq = max(room.last_seq, seq)

    def on_remote_update(self, board_id: str, update: bytes) -> None:
        room = self._rooms.get(board_id)
        if room is not None:
            room.apply_remote(update)

    def on_remote_awareness(self, board_id: str, frame: bytes) -> None:
        room = self._rooms.get(board_id)
        if room is not None:
            room.apply_remote_awareness(frame)

    def on_control(self, message: dict[str, object]) -> None:
        """Revocations and locks decided on another instance."""
        if message.get("kind") == "kick":
            self._kick_local(str(message.get("invite")), str(message.get("reason", "")))
        elif message.get("kind") == "notice":
            board, kind = str(message.get("board")), str(message.get("notice"))
            self._notify_local(board, kind, str(message.get("message", "")))
        elif message.get("kind") == RESYNC["kind"]:  # another instance's publishes may be lost
            self.on_reconnected()
        elif message.get("kind") == "lock":
            room = self._rooms.get(str(message.get("board")))
            if room is not None:
                zone = str(message.get("zone"))
                (room.locks.add if message.get("locked") else room.locks.discard)(zone)

    def on_reconnected(self) -> None:
        """The broker came back (here, or another instance asks, ``fanout.RESYNC``):
        whatever it dropped meanwhile is in the shared log, and kicks it dropped may have
        changed invites."""
        self._grants.forget_all()
        for room in list(self._rooms.values()):
            task = asyncio.get_running_loop().create_task(self.catch_up(room))
            self._catch_ups.add(task)
            task.add_done_callback(self._catch_ups.discard)

    def set_lock(
        self,
        board_id: str,
        zone: str,
        locked: bool,
        by: str | None,
        at: str,
        name: str | None = None,
    ) -> None:
        """Apply a lock decided here to the live room (if any) and to the other instances."""
        room = self._rooms.get(board_id)
        if room is not None:
            room.set_lock(zone, locked, by, at, name)
        self._fanout.publish_control(
            {"kind": "lock", "board": board_id, "zone": zone, "locked": locked}
        )

    def kick_invite(self, invite_id: str, reason: str) -> int:
        """Close every connection opened with this invite, here and on other instances."""
        self._fanout.publish_control({"kind": "kick", "invite": invite_id, "reason": reason})
        return self._kick_local(invite_id, reason)

    def _kick_local(self, invite_id: str, reason: str) -> int:
        self._grants.forget_invite(invite_id)
        kicked = 0
        for room in self._rooms.values():
            for peer in list(room.peers):
                if peer.grant.invite_id == invite_id:
                    peer.close(CloseCode.FORBIDDEN, reason)
                    kicked += 1
        return kicked

    def notify_board(self, board_id: str, kind: str, message: str) -> None:
        """A notice to the board's connections here and on the other instances (e.g. that a
        private round opened: never its answers)."""
        self._notify_local(board_id, kind, message)
        self._fanout.publish_control(
            {"kind": "notice", "board": board_id, "notice": kind, "message": message}
        )

    def _notify_local(self, board_id: str, kind: str, message: str) -> None:
        room = self._rooms.get(board_id)
        if room is not None:
            room.notify(kind, True, message)

    def notify_all(self, kind: str, ok: bool, message: str) -> None:
        for room in self._rooms.values():
            room.notify(kind, ok, message)

    def sweep(self, now_monotonic: float | None = None, now_wall: float | None = None) -> None:
        """Unload idle, fully durable rooms; close connections whose invite has expired;
        forget invite budgets that have refilled."""
        mono = time.monotonic() if now_monotonic is None else now_monotonic
        wall = time.time() if now_wall is None else now_wall
        unloaded = 0
        for board_id, room in list(self._rooms.items()):
            for peer in list(room.peers):
                if peer.grant.expired(wall):
                    peer.close(CloseCode.UNAUTHENTICATED, "this invite has expired")
            idle = room.idle_since is not None and mono - room.idle_since >= self._idle_seconds
            if idle and not room.peers and room.pending == 0:
                del self._rooms[board_id]
                room.unload()
                self._fanout.unwatch(board_id)
                unloaded += 1
                logger.debug("board %s unloaded", board_id)
        self.invites.prune()
        self._unloaded_since_trim += unloaded
        if self._unloaded_since_trim >= TRIM_AFTER_UNLOADS or (unloaded and not self._rooms):
            memory.trim()
            self._unloaded_since_trim = 0

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
        for task in [*self._loading.values(), *self._catch_ups]:
            task.cancel()

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_interval)
            try:
                self.sweep()
            except Exception:
                logger.exception("room sweep failed")
