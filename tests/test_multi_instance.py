"""Two instances over PostgreSQL and Redis behave as one server for the official Yjs client."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from server.core.errors import CloseCode
from tests.support.atelier_server import AtelierServer
from tests.support.proxy import FailoverProxy
from tests.support.raw_client import RawClient
from tests.support.services import RedisServer, create_database
from tests.support.yjs_driver import YjsDriver


@dataclass
class Cluster:
    a: AtelierServer
    b: AtelierServer
    redis: RedisServer
    database_url: str

    def logged_by(self, board: str) -> dict[str, int]:
        """Log entries per author name (the server's own, e.g. the seed, under '')."""
        with psycopg.connect(self.database_url) as conn:
            rows = conn.execute(
                "SELECT coalesce(author_name, ''), count(*) FROM updates"
                " WHERE board_id = %s GROUP BY 1",
                (board,),
            ).fetchall()
        return {name: count for name, count in rows}


@pytest.fixture
def cluster(
    postgres_admin_url: str, redis_server: RedisServer, tmp_path: Path
) -> Iterator[Cluster]:
    yield from two_instances(postgres_admin_url, redis_server, tmp_path)


@pytest.fixture
def tls_cluster(postgres_admin_url: str, tmp_path: Path) -> Iterator[Cluster]:
    """Two instances whose Redis speaks TLS only (``rediss://``, a private authority)."""
    redis = RedisServer(tls=True)
    redis.start()
    yield from two_instances(postgres_admin_url, redis, tmp_path)
    redis.close()


def two_instances(
    postgres_admin_url: str, redis_server: RedisServer, tmp_path: Path
) -> Iterator[Cluster]:
    database = create_database(postgres_admin_url, f"multi_{secrets.token_hex(5)}")
    env = {
        "DATABASE_URL": database,
        "REDIS_URL": redis_server.url,
        "ATELIER_MIGRATE_ON_START": "1",
        "ATELIER_PING_INTERVAL_SECONDS": "1",
        "ATELIER_PING_TIMEOUT_SECONDS": "1",
    }
    a = AtelierServer(tmp_path / "a", env=env)
    b = AtelierServer(tmp_path / "b", env=env)
    a.start()
    b.start()
    _wait_redis(a)
    _wait_redis(b)
    yield Cluster(a, b, redis_server, database)
    for server in (a, b):
        if server.process is not None:
            server.kill9()


def _wait_redis(server: AtelierServer, connected: bool = True) -> None:
    for _ in range(200):
        ready = httpx.get(f"{server.base_url}/readyz", timeout=5).json()
        if ready["checks"].get("redis_connected") is connected:
            return
        import time

        time.sleep(0.05)
    raise AssertionError(f"redis_connected never became {connected}")


@pytest.fixture
async def js() -> AsyncIterator[YjsDriver]:
    async with YjsDriver.start() as driver:
        yield driver


async def connect(
    js: YjsDriver, server: AtelierServer, board: str, client: str, url: str | None = None
) -> None:
    token = await asyncio.to_thread(server.invite, board, "participant", "etat")
    await js.connect(
        client,
        url=url or server.ws_url,
        room=board,
        params={"token": token, "name": client, "party": "etat"},
        options={"max_backoff_ms": 300},
    )
    await js.wait_synced(client)


async def ana_on_a_and_bob_on_b(js: YjsDriver, cluster: Cluster) -> str:
    """A new board with one client synced on each instance; returns the board's id."""
    board = cluster.a.create_board()
    await connect(js, cluster.a, board, "ana")
    await connect(js, cluster.b, board, "bob")
    return board


async def test_clients_on_two_instances_converge(cluster: Cluster, js: YjsDriver) -> None:
    await ana_on_a_and_bob_on_b(js, cluster)
    await js.map_set("ana", "m", "from-a", 1)
    await js.text_insert("bob", "t", 0, "bonjour")
    await js.map_set("bob", "m", "from-b", 2)
    await js.wait_equal(["ana", "bob"])
    assert (await js.doc("ana"))["m"] == {"from-a": 1, "from-b": 2}


async def test_instances_meet_through_a_redis_that_speaks_tls_only(
    tls_cluster: Cluster, js: YjsDriver
) -> None:
    await ana_on_a_and_bob_on_b(js, tls_cluster)
    await js.map_set("ana", "m", "from-a", 1)
    await js.wait_equal(["ana", "bob"])
    assert (await js.doc("bob"))["m"] == {"from-a": 1}


async def test_two_instances_log_each_edit_exactly_once(cluster: Cluster, js: YjsDriver) -> None:
    board = await ana_on_a_and_bob_on_b(js, cluster)
    for i in range(20):
        await js.map_set("ana", "m", f"a{i}", i)
        await js.map_set("bob", "m", f"b{i}", i)
    await js.wait_equal(["ana", "bob"])
    await connect(js, cluster.b, board, "late")  # another join on B: a catch-up, no copy
    await js.wait_equal(["ana", "bob", "late"])
    assert cluster.logged_by(board) == {"": 1, "ana": 20, "bob": 20}


async def test_presence_crosses_instances(cluster: Cluster, js: YjsDriver) -> None:
    await ana_on_a_and_bob_on_b(js, cluster)
    await js.awareness_set("ana", {"user": {"name": "Ana"}})
    await js.wait_awareness("bob", {"has_name": "Ana"}, timeout_ms=3000)


async def test_revoking_on_one_instance_closes_the_connection_on_the_other(
    cluster: Cluster, js: YjsDriver
) -> None:
    board = cluster.a.create_board()
    invite = cluster.a.invite_record(board)
    await js.connect("bob", url=cluster.b.ws_url, room=board, params={"token": invite["token"]})
    await js.wait_synced("bob")
    cluster.a.api("DELETE", f"/api/invites/{invite['id']}")
    assert (await js.wait_close("bob", timeout_ms=1000))["code"] == 4403


async def test_an_invite_revoked_on_one_instance_cannot_reconnect_to_the_other(
    cluster: Cluster, js: YjsDriver
) -> None:
    """B verified the token once for the first connection; A's revocation reaches B."""
    board = cluster.a.create_board()
    invite = cluster.a.invite_record(board)
    await js.connect("bob", url=cluster.b.ws_url, room=board, params={"token": invite["token"]})
    await js.wait_synced("bob")
    cluster.a.api("DELETE", f"/api/invites/{invite['id']}")
    await js.wait_close("bob", timeout_ms=1000)
    again = await RawClient.open(cluster.b.ws_url, board, invite["token"])
    assert await again.closed() == (CloseCode.FORBIDDEN, "this invite has been revoked")


async def test_killing_an_instance_moves_its_clients_with_nothing_lost(
    cluster: Cluster, js: YjsDriver
) -> None:
    board = cluster.a.create_board()
    async with FailoverProxy([cluster.a.port, cluster.b.port]) as proxy:
        url = f"ws://127.0.0.1:{proxy.port}/ws/boards"
        await connect(js, cluster.a, board, "ana", url=url)
        await connect(js, cluster.b, board, "bob")
        for i in range(10):
            await js.map_set("ana", "m", f"before{i}", i)
        await js.wait_equal(["ana", "bob"])
        cluster.a.kill9()
        # Until ana's client sees its connection drop, an edit would go to the dead instance
        # and come back with the next one in a single resync (one log entry, not two).
        await js.wait_status("ana", "disconnected", timeout_ms=5_000)
        await js.map_set("ana", "m", "offline", 1)  # made while its instance is gone
        await js.wait_status("ana", "synced", timeout_ms=15_000)  # back, through B
        await js.map_set("ana", "m", "after", 1)
        await js.wait_equal(["ana", "bob"], timeout_ms=15_000)
        await connect(js, cluster.b, board, "fresh")
        await js.wait_equal(["ana", "bob", "fresh"])
    assert cluster.logged_by(board) == {"": 1, "ana": 12}


@pytest.mark.parametrize(
    "connections",
    ["normal", "pubsub"],
    ids=["publishing connections", "subscriptions"],
)
async def test_an_edit_made_as_redis_closes_connections_still_crosses(
    cluster: Cluster, js: YjsDriver, connections: str
) -> None:
    await ana_on_a_and_bob_on_b(js, cluster)
    await js.map_set("ana", "m", "before", 1)
    await js.wait_equal(["ana", "bob"])
    closed = await asyncio.to_thread(cluster.redis.kill_clients, connections)
    assert closed >= 2, "one of each instance at least"
    await js.map_set("ana", "m", "after", 1)
    await js.wait_equal(["ana", "bob"], timeout_ms=10_000)
    assert (await js.doc("bob"))["m"] == {"before": 1, "after": 1}


async def test_a_redis_restart_mid_session_loses_nothing(cluster: Cluster, js: YjsDriver) -> None:
    board = await ana_on_a_and_bob_on_b(js, cluster)
    cluster.redis.stop()
    await asyncio.to_thread(_wait_redis, cluster.a, False)
    await js.map_set("ana", "m", "during-outage-a", 1)
    await js.map_set("bob", "m", "during-outage-b", 1)
    cluster.redis.start()
    await js.wait_equal(["ana", "bob"], timeout_ms=20_000)
    assert (await js.doc("bob"))["m"] == {"during-outage-a": 1, "during-outage-b": 1}
    assert cluster.logged_by(board) == {"": 1, "ana": 1, "bob": 1}
