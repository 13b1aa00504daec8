"""A Redis pub/sub subscription read by hiredis's parser straight from an asyncio protocol.

Why not redis-py's ``PubSub``: measured here on one core, its ``get_message`` loop costs
~105 µs of CPU per message that arrives on its own (a wake-up, a timeout, the retry and
health-check layers), this ~27 µs; every instance receives every update of its boards once,
its own echoes included, so that difference was the largest part of an instance's cost in
``bench/run_cluster.py``. redis-py still parses the URL and publishes (``fanout``); this
module only speaks the subscriber's part of the protocol (AUTH, SUBSCRIBE, UNSUBSCRIBE,
PING), through hiredis, the parser redis-py itself uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Callable, Iterable
from typing import Any, cast

import hiredis
from redis.asyncio.connection import SSLConnection, UnixDomainSocketConnection, parse_url

CONNECT_TIMEOUT_SECONDS = 2.0
PING_EVERY_SECONDS = 5.0
"""An idle subscription is pinged this often, and given up after twice that in silence."""
MESSAGE_MAX_BYTES = 64 * 1024 * 1024
"""Bytes a message may take in the parser before it is complete: more than anything an
instance publishes (a board is at most 16 MiB). hiredis buffers a reply until it is whole
and has no limit of its own, so a stray or hostile sender on the channel could otherwise
grow the process without bound; past it the subscription closes (and the fan-out
reconnects and catches up from the log)."""

OnMessage = Callable[[bytes, bytes], None]
"""(channel, payload) of each message published on a subscribed channel."""


def command(*words: str | bytes) -> bytes:
    """One command in RESP, the form Redis reads."""
    parts = [f"*{len(words)}\r\n".encode()]
    for word in words:
        data = word.encode() if isinstance(word, str) else word
        parts += [f"${len(data)}\r\n".encode(), data, b"\r\n"]
    return b"".join(parts)


class MessageTooBig(Exception):
    """A message on the subscription passed ``MESSAGE_MAX_BYTES`` before it was whole."""


class Subscription(asyncio.Protocol):
    """One subscriber connection; ``closed`` resolves when it ends, for whatever reason."""

    def __init__(self, on_message: OnMessage, max_message_bytes: int = MESSAGE_MAX_BYTES) -> None:
        self._on_message = on_message
        self._reader = hiredis.Reader()
        self._max_buffered = max_message_bytes
        self.failure: Exception | None = None
        """Why the subscription ended itself, if it did: a broken reply or one too big."""
        self._transport: asyncio.Transport | None = None
        self._heard = time.monotonic()
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[None] = loop.create_future()
        """Resolved at the first subscription's confirmation (the connection works)."""
        self.ready.add_done_callback(_retrieved)  # a failure nobody awaits is no warning
        self.closed: asyncio.Future[None] = loop.create_future()
        self._pinger = loop.call_later(PING_EVERY_SECONDS, self._ping)

    @classmethod
    async def open(
        cls,
        url: str,
        on_message: OnMessage,
        channels: Iterable[str],
        max_message_bytes: int = MESSAGE_MAX_BYTES,
    ) -> Subscription:
        """Connect, authenticate and subscribe to ``channels``; raises when Redis cannot
        be reached or refuses (the caller retries)."""
        subscription = cls(on_message, max_message_bytes)
        try:
            await subscription._connect(dict(parse_url(url)), channels)
        except BaseException:
            subscription.close()
            raise
        return subscription

    async def _connect(self, options: dict[str, Any], channels: Iterable[str]) -> None:
        loop, kind = asyncio.get_running_loop(), options.get("connection_class")
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
            if kind is UnixDomainSocketConnection:
                await loop.create_unix_connection(lambda: self, options["path"])
            else:
                secure = _tls_context(options) if kind is SSLConnection else None
                host, port = options.get("host", "localhost"), options.get("port", 6379)
                await loop.create_connection(lambda: self, host, port, ssl=secure)
            if options.get("password") is not None:
                user = options.get("username")
                words = [user, options["password"]] if user else [options["password"]]
                self._write(command("AUTH", *words))
            self.subscribe(channels)
            await asyncio.shield(self.ready)

    def subscribe(self, channels: Iterable[str]) -> None:
        names = list(channels)
        if names:
            self._write(command("SUBSCRIBE", *names))

    def unsubscribe(self, channels: Iterable[str]) -> None:
        names = list(channels)
        if names:
            self._write(command("UNSUBSCRIBE", *names))

    def close(self, error: Exception | None = None) -> None:
        """End the subscription; ``error`` is what ``ready`` raises if it was not yet."""
        self._pinger.cancel()
        if self._transport is not None:
            self._transport.close()
        if not self.ready.done():
            self.ready.set_exception(error or ConnectionError("the Redis subscription closed"))

    # -- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._heard = time.monotonic()
        try:
            self._reader.feed(data)
            while (reply := self._reader.gets()) is not False:
                self._handle(reply)
            if self._reader.len() > self._max_buffered:  # the parser's buffer, in bytes
                raise MessageTooBig(f"a Redis message passed {self._max_buffered} bytes")
        except Exception as exc:  # broken protocol or a refusal (hiredis.ReplyError)
            self.failure = exc
            self.close(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self._pinger.cancel()
        if not self.ready.done():
            self.ready.set_exception(exc or ConnectionError("Redis closed the connection"))
        if not self.closed.done():
            self.closed.set_result(None)

    # -- internals ------------------------------------------------------------------------

    def _handle(self, reply: Any) -> None:
        if isinstance(reply, hiredis.ReplyError):
            raise reply
        if not isinstance(reply, list) or not reply:
            return  # AUTH's OK
        kind = reply[0]
        if kind == b"message":
            self._on_message(reply[1], reply[2])
        elif kind == b"subscribe" and not self.ready.done():
            self.ready.set_result(None)

    def _write(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)

    def _ping(self) -> None:
        """Redis answers a PING even in subscriber mode; a connection silent for two
        rounds is taken as dead (a peer gone without closing, a half-open link)."""
        if time.monotonic() - self._heard > 2 * PING_EVERY_SECONDS:
            self.close()
            return
        self._write(command("PING"))
        self._pinger = asyncio.get_running_loop().call_later(PING_EVERY_SECONDS, self._ping)


def _tls_context(options: dict[str, Any]) -> ssl.SSLContext:
    """The TLS settings of a ``rediss://`` URL (``ssl_ca_certs``, ``ssl_cert_reqs``,
    ``ssl_certfile``…) read as redis-py reads them for the publishing connection, so both
    connections trust the same server."""
    settings = {key: value for key, value in options.items() if key != "connection_class"}
    context: ssl.SSLContext = SSLConnection(**settings).ssl_context.get()
    return context


def _retrieved(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


async def close_quietly(subscription: Subscription | None) -> None:
    """Close and wait for the end (bounded), for a clean shutdown."""
    if subscription is None:
        return
    subscription.close()
    with contextlib.suppress(Exception):
        async with asyncio.timeout(1):
            await subscription.closed
