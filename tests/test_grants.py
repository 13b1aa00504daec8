"""The verified-grant cache of board connections: what it returns, and when it forgets."""

from __future__ import annotations

import asyncio

from sqlalchemy import event

from server.boards.document import seed_update
from server.core.auth import Grant, Role
from server.core.errors import Forbidden
from server.core.grants import GrantCache
from server.http.access import board_connection_authorizer
from server.store import catalog
from server.store.db import Engine

SEED = seed_update("workshop", "Atelier")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def grant(invite_id: str = "inv1", expires_at: float | None = None) -> Grant:
    return Grant(invite_id, Role.PARTICIPANT, "board", None, expires_at, "etat")


def test_a_remembered_grant_is_returned() -> None:
    cache = GrantCache()
    cache.remember("hash1", grant(), cache.generation)
    assert cache.grant("hash1", now_wall=0.0) == grant()


def test_an_unknown_token_has_no_grant() -> None:
    assert GrantCache().grant("hash1", now_wall=0.0) is None


def test_a_grant_is_not_trusted_past_the_ttl() -> None:
    clock = Clock()
    cache = GrantCache(ttl_seconds=60.0, clock=clock)
    cache.remember("hash1", grant(), cache.generation)
    clock.now = 60.0
    assert cache.grant("hash1", now_wall=0.0) is None
    assert len(cache) == 0


def test_an_expired_grant_is_never_returned() -> None:
    cache = GrantCache()
    cache.remember("hash1", grant(expires_at=100.0), cache.generation)
    assert cache.grant("hash1", now_wall=99.0) is not None
    assert cache.grant("hash1", now_wall=100.0) is None


def test_forgetting_an_invite_drops_its_grant_only() -> None:
    cache = GrantCache()
    cache.remember("hash1", grant("inv1"), cache.generation)
    cache.remember("hash2", grant("inv2"), cache.generation)
    cache.forget_invite("inv1")
    assert cache.grant("hash1", now_wall=0.0) is None
    assert cache.grant("hash2", now_wall=0.0) == grant("inv2")


def test_a_lookup_begun_before_a_revocation_is_not_kept() -> None:
    cache = GrantCache()
    before = cache.generation
    cache.forget_invite("inv1")  # the kick arrives while the database is being read
    cache.remember("hash1", grant("inv1"), before)
    assert cache.grant("hash1", now_wall=0.0) is None


def test_forgetting_all_drops_every_grant() -> None:
    cache = GrantCache()
    cache.remember("hash1", grant("inv1"), cache.generation)
    cache.forget_all()
    assert len(cache) == 0


def test_the_cache_keeps_at_most_max_entries_oldest_out() -> None:
    cache = GrantCache(max_entries=2)
    for i in range(3):
        cache.remember(f"hash{i}", grant(f"inv{i}"), cache.generation)
    assert cache.grant("hash0", now_wall=0.0) is None
    assert cache.grant("hash2", now_wall=0.0) == grant("inv2")
    assert len(cache) == 2


def test_a_boards_site_is_kept_none_included() -> None:
    cache = GrantCache()
    assert cache.site_of("board") is None
    cache.remember_site("board", None)
    assert cache.site_of("board") == (None,)


def statements_on(engine: Engine) -> list[str]:
    """Every SQL statement the engine runs from now on."""
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


async def test_simultaneous_connections_of_one_token_are_verified_once(engine: Engine) -> None:
    board = catalog.create_board(engine, "b", "Atelier", "workshop", SEED, None)
    _, token = catalog.create_invite(
        engine, board_id=board.id, site_id=None, role=Role.PARTICIPANT, label=None, expires_in=None
    )
    authorize = board_connection_authorizer(engine, GrantCache())
    statements = statements_on(engine)
    grants = await asyncio.gather(*(authorize("b", token) for _ in range(10)))
    assert len({g.invite_id for g in grants}) == 1
    assert len(statements) == 2  # the token, then the board's site
    await authorize("b", token)  # a reconnection: nothing asked of the database
    assert len(statements) == 2


async def test_simultaneous_connections_of_a_revoked_token_are_all_refused(engine: Engine) -> None:
    board = catalog.create_board(engine, "b", "Atelier", "workshop", SEED, None)
    invite, token = catalog.create_invite(
        engine, board_id=board.id, site_id=None, role=Role.PARTICIPANT, label=None, expires_in=None
    )
    catalog.revoke_invite(engine, invite.id)
    authorize = board_connection_authorizer(engine, GrantCache())
    results = await asyncio.gather(
        *(authorize("b", token) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, Forbidden) for r in results)
