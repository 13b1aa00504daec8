"""Fan-out across server instances: a no-op locally, Redis pub/sub when ``REDIS_URL`` is set.

Each board has a channel; a message carries the sending instance's id, so an instance drops
its own echoes. Updates are published only after they are durable, and an instance that
receives one applies and relays it without persisting or republishing it. Redis pub/sub
delivers at most once: whatever is missed during an outage is recovered by the rooms, which
catch up from the shared log when the connection comes back (``Rooms.on_reconnected``).

Publishing does not wait for Redis's answers (``CLIENT REPLY OFF``): waiting for each
publish's reply, a count nobody here uses, cost three times the publish. What a broken
connection swallowed unseen is recovered from the log too: a publishing connection is
renewed as soon as Redis closes it (checked before each batch and every second when idle)
or the subscriber had to reconnect, and a new one first asks the other instances to catch
up from the log (``RESYNC``), which holds everything published before.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from server.sync.subscription import Subscription, close_quietly

logger = logging.getLogger("atelier.fanout")

KIND_UPDATE = b"u"
KIND_AWARENESS = b"a"
KIND_CONTROL = b"c"
CONTROL_CHANNEL = "atelier:control"
INSTANCE_ID_BYTES = 8
PUBLISH_QUEUE_MAX = 10_000
PUBLISH_BATCH_MAX = 500
PUBLISH_TIMEOUT_SECONDS = 5.0
"""A publishing connection whose socket stays full that long is replaced."""
PUBLISHER_CHECK_SECONDS = 1.0
"""How often an idle publishing connection is checked (see ``_next_batch``)."""
RECONNECT_MAX_SECONDS = 5.0
RESYNC = {"kind": "resync"}
"""Control message: catch every board up from the shared log (see the module's docstring)."""


def board_channel(board_id: str) -> str:
    return f"atelier:board:{board_id}"


@dataclass
class FanoutHandlers:
    """What the rooms do with what other instances send."""

    update: Callable[[str, bytes], None]
    awareness: Callable[[str, bytes], None]
    control: Callable[[dict[str, Any]], None]
    reconnected: Callable[[], None]


class Fanout(Protocol):
    distributed: bool
    connected: bool

    def publish_update(self, board_id: str, update: bytes) -> None: ...
    def publish_awareness(self, board_id: str, frame: bytes) -> None: ...
    def publish_control(self, message: dict[str, Any]) -> None: ...
    def watch(self, board_id: str) -> None: ...
    def unwatch(self, board_id: str) -> None: ...


class LocalFanout:
    """One instance: nothing to fan out."""

    distributed = False
    connected = True

    def publish_update(self, board_id: str, update: bytes) -> None:
        pass

    def publish_awareness(self, board_id: str, frame: bytes) -> None:
        pass

    def publish_control(self, message: dict[str, Any]) -> None:
        pass

    def watch(self, board_id: str) -> None:
        pass

    def unwatch(self, board_id: str) -> None:
        pass


class RedisFanout:
    """Async context manager owning the subscriber and publisher tasks."""

    distributed = True

    def __init__(self, url: str, handlers: FanoutHandlers) -> None:
        self._url = url
        self._handlers = handlers
        self.instance = secrets.token_bytes(INSTANCE_ID_BYTES)
        self.connected = False
        self._watched: set[str] = set()
        self._outbox: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue(PUBLISH_QUEUE_MAX)
        self._tasks: list[asyncio.Task[None]] = []
        self._subscription: Subscription | None = None
        self._renew_publisher = False
        """Set when the subscriber reconnected: the publishing connection may be dead too."""
        self.published = 0
        self.received = 0
        self.dropped = 0

    # -- publishing (sync, from the rooms) ------------------------------------------------

    def _publish(self, channel: str, kind: bytes, payload: bytes) -> None:
        try:
            self._outbox.put_nowait((channel, self.instance + kind + payload))
        except asyncio.QueueFull:
            self.dropped += 1  # recovered by the catch-up after reconnect

    def publish_update(self, board_id: str, update: bytes) -> None:
        self._publish(board_channel(board_id), KIND_UPDATE, update)

    def publish_awareness(self, board_id: str, frame: bytes) -> None:
        self._publish(board_channel(board_id), KIND_AWARENESS, frame)

    def publish_control(self, message: dict[str, Any]) -> None:
        self._publish(CONTROL_CHANNEL, KIND_CONTROL, json.dumps(message).encode())

    def watch(self, board_id: str) -> None:
        self._watched.add(board_id)
        if self._subscription is not None:  # else the next connection subscribes to it
            self._subscription.subscribe([board_channel(board_id)])

    def unwatch(self, board_id: str) -> None:
        self._watched.discard(board_id)
        if self._subscription is not None:
            self._subscription.unsubscribe([board_channel(board_id)])

    # -- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> RedisFanout:
        self._tasks = [
            asyncio.create_task(self._subscribe_forever(), name="atelier-fanout-subscriber"),
            asyncio.create_task(self._publish_forever(), name="atelier-fanout-publisher"),
        ]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _client(self) -> Any:
        from redis.asyncio import Redis

        return Redis.from_url(self._url, socket_connect_timeout=2, health_check_interval=5)

    async def _subscribe_forever(self) -> None:
        delay = 0.1
        while True:
            subscription = None
            try:
                boards = set(self._watched)
                channels = [CONTROL_CHANNEL, *(board_channel(b) for b in boards)]
                subscription = await Subscription.open(self._url, self._on_message, channels)
                self._subscription = subscription  # boards watched or left while it opened:
                subscription.subscribe(board_channel(b) for b in self._watched - boards)
                subscription.unsubscribe(board_channel(b) for b in boards - self._watched)
                self.connected, delay = True, 0.1
                self._renew_publisher = True
                logger.info("connected to Redis; resyncing %s boards", len(self._watched))
                self._handlers.reconnected()
                await subscription.closed
                why = f" ({subscription.failure})" if subscription.failure else ""
                logger.warning("Redis subscription lost%s; reconnecting", why)
            except (OSError, ConnectionError, TimeoutError) as exc:
                logger.warning("Redis unavailable (%s); retrying", exc)
            except Exception as exc:  # a refusal from Redis (hiredis.ReplyError), say
                logger.warning("Redis subscription failed (%s); retrying", exc)
            finally:
                self.connected = False
                self._subscription = None
                await close_quietly(subscription)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    def _on_message(self, channel: bytes, data: bytes) -> None:
        if data[:INSTANCE_ID_BYTES] == self.instance:
            return  # our own echo
        self.received += 1
        self._dispatch(channel, data[INSTANCE_ID_BYTES:])

    def _dispatch(self, channel: bytes, body: bytes) -> None:
        name = channel.decode()
        kind, payload = body[:1], body[1:]
        try:
            if kind == KIND_CONTROL:
                self._handlers.control(json.loads(payload))
                return
            board_id = name.removeprefix("atelier:board:")
            if kind == KIND_UPDATE:
                self._handlers.update(board_id, payload)
            elif kind == KIND_AWARENESS:
                self._handlers.awareness(board_id, payload)
        except Exception:
            logger.exception("could not apply a message from another instance on %s", name)

    async def _publish_forever(self) -> None:
        """Publish what has queued up in one socket write, answers off (module docstring)."""
        delay = 0.1
        client = await self._client()
        connection: Any = None
        try:
            while True:
                batch = await self._next_batch()
                if not batch and connection is None:
                    continue
                while True:
                    try:
                        if connection is None or await self._broken(connection):
                            connection = await self._publisher(client, connection)
                        if batch:
                            await self._send(connection, [("PUBLISH", *item) for item in batch])
                        self.published += len(batch)
                        delay = 0.1
                        break
                    except Exception as exc:
                        await self._release(client, connection)
                        connection = None
                        if not self.connected:
                            self.dropped += len(batch)  # recovered by catch-up on reconnect
                            break
                        logger.warning("Redis publish failed (%s); retrying", exc)
                        await asyncio.sleep(delay)
                        delay = min(delay * 2, RECONNECT_MAX_SECONDS)
        finally:
            await self._release(client, connection)
            with contextlib.suppress(Exception):
                await client.aclose()

    async def _next_batch(self) -> list[tuple[str, bytes]]:
        """What has queued up; empty when nothing came for ``PUBLISHER_CHECK_SECONDS``, so
        an idle publishing connection that Redis closed is noticed and renewed anyway."""
        batch: list[tuple[str, bytes]] = []
        if self._outbox.empty():  # the timer only when there is something to wait for
            try:
                async with asyncio.timeout(PUBLISHER_CHECK_SECONDS):
                    batch.append(await self._outbox.get())
            except TimeoutError:
                return []
        while len(batch) < PUBLISH_BATCH_MAX and not self._outbox.empty():
            batch.append(self._outbox.get_nowait())
        return batch

    async def _broken(self, connection: Any) -> bool:
        """Whether the publishing connection must be renewed: the subscriber reconnected, or
        Redis sent something on a connection that answers nothing (its close, an error)."""
        if self._renew_publisher or not connection.is_connected:
            return True
        return bool(await connection.can_read_destructive())

    @staticmethod
    async def _send(connection: Any, commands: list[tuple[str | bytes, ...]]) -> None:
        """Write the commands in one go; nothing is read back (replies are off)."""
        async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
            await connection.send_packed_command(
                connection.pack_commands(commands), check_health=False
            )

    async def _publisher(self, client: Any, previous: Any) -> Any:
        """A fresh publishing connection, told not to answer, whose first message asks the
        other instances to catch up: whatever the previous one swallowed is in the log."""
        if previous is not None:
            logger.info("renewing the Redis publishing connection; other instances catch up")
        await self._release(client, previous)
        self._renew_publisher = False
        connection = await client.connection_pool.get_connection()
        resync = self.instance + KIND_CONTROL + json.dumps(RESYNC).encode()
        await self._send(
            connection, [("CLIENT", "REPLY", "OFF"), ("PUBLISH", CONTROL_CHANNEL, resync)]
        )
        return connection

    @staticmethod
    async def _release(client: Any, connection: Any) -> None:
        """Close a publishing connection (its replies are off: it is never reused as is)."""
        if connection is None:
            return
        with contextlib.suppress(Exception):
            await connection.disconnect()
            await client.connection_pool.release(connection)
