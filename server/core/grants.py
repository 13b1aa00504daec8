"""Verified grants kept between connections, so a reconnection costs no database query.

A board connection's token check is two queries in a worker thread; a workshop's
connections come and go all hour with the same few tokens. A grant is kept here once the
database has verified it, and dropped when its invite changes. That is correct only while
every change to an invite reaches ``forget_invite`` on every instance: an invite changes in
two ways only (revoked, or given its party), and both close the invite's connections with a
kick that Redis carries to every instance (``sync.rooms``). A broker that was away may have
dropped kicks, so a reconnection to it forgets everything; ``ttl_seconds`` bounds how long
any grant is trusted without the database, whatever happens.

An expired grant is never returned (its expiry is checked at every use), unknown tokens
are never kept (each costs the database its lookup, as before), and a lookup that began
before an invalidation does not store its possibly stale answer (``generation``).

Boards are neither deleted nor moved to another site, so a board's site is kept until the
entry is pushed out by newer ones.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from server.core.auth import Grant


@dataclass(frozen=True, slots=True)
class _Kept:
    grant: Grant
    until: float


class GrantCache:
    """Grants by token hash, and boards' sites, each bounded to ``max_entries`` (oldest out)."""

    def __init__(
        self,
        *,
        max_entries: int = 10_000,
        ttl_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_entries
        self._ttl = ttl_seconds
        self._clock = clock
        self._grants: OrderedDict[str, _Kept] = OrderedDict()
        self._token_of_invite: dict[str, str] = {}
        self._sites: OrderedDict[str, str | None] = OrderedDict()
        self.generation = 0
        """Bumped by every invalidation: an answer read before it may be stale."""

    def __len__(self) -> int:
        return len(self._grants)

    def grant(self, token_hash: str, now_wall: float) -> Grant | None:
        """The grant kept for this token, if still trusted and not expired at ``now_wall``."""
        kept = self._grants.get(token_hash)
        if kept is None:
            return None
        if kept.until <= self._clock() or kept.grant.expired(now_wall):
            self._drop(token_hash)
            return None
        return kept.grant

    def remember(self, token_hash: str, grant: Grant, generation: int) -> None:
        """Keep a grant the database verified, unless an invalidation came since the lookup
        began (``generation`` read before it)."""
        if generation != self.generation:
            return
        self._drop(token_hash)
        self._grants[token_hash] = _Kept(grant, self._clock() + self._ttl)
        self._token_of_invite[grant.invite_id] = token_hash
        while len(self._grants) > self._max:
            self._drop(next(iter(self._grants)))

    def forget_invite(self, invite_id: str) -> None:
        """The invite changed (revoked, or given a party): verify it again next time."""
        self.generation += 1
        token_hash = self._token_of_invite.get(invite_id)
        if token_hash is not None:
            self._drop(token_hash)

    def forget_all(self) -> None:
        self.generation += 1
        self._grants.clear()
        self._token_of_invite.clear()

    def site_of(self, board_id: str) -> tuple[str | None] | None:
        """``(site id,)`` of a board seen before (a site id of None: on no site), else None."""
        if board_id not in self._sites:
            return None
        return (self._sites[board_id],)

    def remember_site(self, board_id: str, site_id: str | None) -> None:
        self._sites[board_id] = site_id
        while len(self._sites) > self._max:
            self._sites.popitem(last=False)

    def _drop(self, token_hash: str) -> None:
        kept = self._grants.pop(token_hash, None)
        if kept is not None and self._token_of_invite.get(kept.grant.invite_id) == token_hash:
            del self._token_of_invite[kept.grant.invite_id]
