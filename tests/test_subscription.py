"""The Redis subscriber (server/sync/subscription.py) against a real redis-server."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator

import hiredis
import pytest
import redis

from server.sync.subscription import MessageTooBig, Subscription, command
from tests.support.services import RedisServer


@pytest.fixture
def locked_redis() -> Iterator[RedisServer]:
    server = RedisServer(password="s3cret")
    server.start()
    yield server
    server.close()


@pytest.fixture
def tls_redis() -> Iterator[RedisServer]:
    server = RedisServer(tls=True)
    server.start()
    yield server
    server.close()


class Inbox:
    """Messages received, awaitable one by one."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[bytes, bytes]] = asyncio.Queue()

    def __call__(self, channel: bytes, payload: bytes) -> None:
        self.queue.put_nowait((channel, payload))

    async def next(self) -> tuple[bytes, bytes]:
        return await asyncio.wait_for(self.queue.get(), 5)


def publish(server: RedisServer, channel: str, payload: bytes) -> int:
    with redis.Redis.from_url(server.url) as client:
        return int(client.publish(channel, payload))


def test_commands_are_written_in_resp() -> None:
    assert command("SUBSCRIBE", "é") == b"*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\n\xc3\xa9\r\n"


async def test_messages_of_subscribed_channels_arrive_in_order(redis_server: RedisServer) -> None:
    inbox = Inbox()
    subscription = await Subscription.open(redis_server.url, inbox, ["one"])
    for payload in (b"a", b"b\r\n\x00binary"):
        assert await asyncio.to_thread(publish, redis_server, "one", payload) == 1
    assert await inbox.next() == (b"one", b"a")
    assert await inbox.next() == (b"one", b"b\r\n\x00binary")
    subscription.close()
    await subscription.closed


async def test_channels_are_added_and_dropped_while_connected(redis_server: RedisServer) -> None:
    inbox = Inbox()
    subscription = await Subscription.open(redis_server.url, inbox, ["one"])
    subscription.subscribe(["two"])
    subscription.unsubscribe(["one"])
    while await asyncio.to_thread(publish, redis_server, "two", b"x") == 0:
        await asyncio.sleep(0.01)  # the subscription is taken in order; poll until it is
    assert await inbox.next() == (b"two", b"x")
    assert await asyncio.to_thread(publish, redis_server, "one", b"gone") == 0
    subscription.close()


@pytest.mark.parametrize(
    "server", ["locked_redis", "tls_redis"], ids=["its password", "its TLS authority"]
)
async def test_the_url_s_connection_settings_are_used(
    server: str, request: pytest.FixtureRequest
) -> None:
    redis_server: RedisServer = request.getfixturevalue(server)
    inbox = Inbox()
    subscription = await Subscription.open(redis_server.url, inbox, ["one"])
    await asyncio.to_thread(publish, redis_server, "one", b"in")
    assert await inbox.next() == (b"one", b"in")
    subscription.close()


async def test_a_wrong_password_is_refused_with_redis_s_error(locked_redis: RedisServer) -> None:
    url = locked_redis.url.replace("s3cret", "wrong")
    with pytest.raises(hiredis.ReplyError, match=r"WRONGPASS|invalid"):
        await Subscription.open(url, Inbox(), ["one"])


async def test_a_subscription_redis_closes_says_so(redis_server: RedisServer) -> None:
    subscription = await Subscription.open(redis_server.url, Inbox(), ["one"])
    assert await asyncio.to_thread(redis_server.kill_clients, "pubsub") == 1
    await asyncio.wait_for(subscription.closed, 5)


async def test_a_rediss_server_of_an_unknown_authority_is_refused(tls_redis: RedisServer) -> None:
    url = tls_redis.url.split("?")[0]  # the system's authorities only
    with pytest.raises(ssl.SSLCertVerificationError):
        await Subscription.open(url, Inbox(), ["one"])


async def test_no_redis_to_reach_raises_at_once() -> None:
    with pytest.raises(ConnectionRefusedError):
        await Subscription.open("redis://127.0.0.1:1/0", Inbox(), ["one"])


async def test_a_message_past_the_bound_ends_the_subscription(redis_server: RedisServer) -> None:
    subscription = await Subscription.open(redis_server.url, Inbox(), ["one"], 64 * 1024)
    await asyncio.to_thread(publish, redis_server, "one", b"x" * 1024 * 1024)  # many reads
    await asyncio.wait_for(subscription.closed, 5)
    assert isinstance(subscription.failure, MessageTooBig)


async def test_messages_within_the_bound_pass_however_many(redis_server: RedisServer) -> None:
    inbox = Inbox()
    subscription = await Subscription.open(redis_server.url, inbox, ["one"], 64 * 1024)
    for n in range(20):  # 1.2 MB in all, each message under the bound
        await asyncio.to_thread(publish, redis_server, "one", bytes([n]) * 60_000)
    for n in range(20):
        assert await inbox.next() == (b"one", bytes([n]) * 60_000)
    assert subscription.failure is None
    subscription.close()
