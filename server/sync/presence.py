"""A board's presence: awareness states, who owns each client id, and what they weigh.

Bounded against any token holder: a connection announces at most ``max_awareness_ids``
client ids (4400 past that), and the board holds at most ``max_presence_bytes`` of states.
Half of that is split evenly between the board's connections and half is shared: a
connection within its even share is never refused, one that needs the shared half when it
is spent is closed with 1013. A newcomer's first presence frame is bounded by the total.

An id belongs to the first connection that announces it. When that connection goes, the
id stays reserved, for as long as the board is loaded, to the owner's invite (its tab
reconnecting keeps its client id). What another connection says about an owned or reserved
id, or about one shown by another instance, is ignored: the official client echoes every
state and removal it hears back to the server, so this is routine, never a reason to close.
An id seen from another instance is taken over only with a newer clock than the one seen
(its owner's tab moving here renews with a higher clock; an echo never does).

A ``summon`` field (the facilitator bringing everyone to a tab) is kept only in states from
a facilitator's connection: states are the clients' own words, so a participant could
otherwise move every page on the board. It is dropped from anyone else's state.
"""

from __future__ import annotations

import json
import logging
from collections import deque

from server.core.auth import Role
from server.core.errors import AtelierError, CloseCode, Overloaded
from server.sync.limits import LiveLimits
from server.sync.peer import Peer
from server.sync.protocol import AwarenessEntry

logger = logging.getLogger("atelier.room")


def weight(entry: AwarenessEntry) -> int:
    """What a state costs the board: its JSON text in UTF-8."""
    return len(entry.state_json.encode("utf-8"))


SUMMON = "summon"
"""The one awareness field only a facilitator's connection may set."""


def trusted(peer: Peer, entry: AwarenessEntry) -> AwarenessEntry:
    """``entry`` as the board may relay it from ``peer``: without a ``summon`` field unless
    the connection is a facilitator's. The JSON is parsed only when the key may be in it:
    spelt out, or hidden behind an escape (``"\\u0073ummon"``)."""
    text = entry.state_json
    if peer.grant.role is Role.FACILITATOR or (f'"{SUMMON}"' not in text and "\\" not in text):
        return entry
    state = json.loads(text)
    if not isinstance(state, dict) or SUMMON not in state:
        return entry
    del state[SUMMON]
    logger.debug("dropped a summon from a %s connection", peer.grant.role)
    kept = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
    return AwarenessEntry(entry.client_id, entry.clock, kept)


class Presence:
    def __init__(self, board_id: str, limits: LiveLimits) -> None:
        self._board_id = board_id
        self._max_ids = limits.max_awareness_ids
        self._max_bytes = limits.max_presence_bytes
        self._share = limits.max_presence_bytes // 2 // max(1, limits.max_peers_per_board)
        self._pool = limits.max_presence_bytes - self._share * limits.max_peers_per_board
        self._keep_reserved = limits.max_awareness_ids * limits.max_connections_per_invite
        self._keep_remote = 4 * limits.max_awareness_ids * limits.max_peers_per_board
        self.states: dict[int, AwarenessEntry] = {}
        self._owners: dict[int, Peer] = {}
        self._reserved: dict[int, str] = {}
        """Client id -> invite of the connection that owned it and left."""
        self._reserved_by_invite: dict[str, deque[int]] = {}
        self._pool_used = 0
        """Bytes held beyond their even share, summed over the connections."""
        self._remote_bytes = 0
        self._remote_clocks: dict[int, int] = {}
        """Client id -> latest clock seen from another instance (removals included)."""

    def current(self) -> list[AwarenessEntry]:
        return [entry for entry in self.states.values() if not entry.removed]

    def accept(self, peer: Peer, entries: tuple[AwarenessEntry, ...]) -> list[AwarenessEntry]:
        """The entries of ``peer`` to store and relay; raises the refusal that closes it."""
        accepted = []
        for sent in entries:
            entry = trusted(peer, sent)
            if not self._claim(peer, entry):
                continue
            current = self.states.get(entry.client_id)
            if current is not None and entry.clock < current.clock:
                continue
            self._weigh(peer, weight(entry) - (0 if current is None else weight(current)))
            self.states[entry.client_id] = entry
            accepted.append(entry)
        return accepted

    def _claim(self, peer: Peer, entry: AwarenessEntry) -> bool:
        """Whether ``peer`` may write this client id, claiming it if it is free."""
        client_id = entry.client_id
        owner = self._owners.get(client_id)
        if owner is peer:
            return True
        if owner is not None or entry.removed:
            return False
        reserved = self._reserved.get(client_id)
        if reserved is not None and reserved != peer.grant.invite_id:
            logger.debug("board %s: awareness client %s is reserved", self._board_id, client_id)
            return False
        if entry.clock <= self._remote_clocks.get(client_id, -1):
            return False
        if len(peer.awareness_ids) >= self._max_ids:
            raise AtelierError(
                f"a connection may announce at most {self._max_ids} awareness client ids",
                close_code=CloseCode.MALFORMED,
            )
        self._unreserve(client_id)
        if self._remote_clocks.pop(client_id, None) is not None:  # moved here from another
            remote = self.states.pop(client_id, None)
            if remote is not None:
                self._remote_bytes -= weight(remote)
        self._owners[client_id] = peer
        peer.awareness_ids.add(client_id)
        return True

    def _weigh(self, peer: Peer, delta: int) -> None:
        before = peer.awareness_bytes
        after = before + delta
        extra = max(0, after - self._share) - max(0, before - self._share)
        if extra > 0 and self._pool_used + extra > self._pool:
            raise Overloaded(
                f"this board's presence is full ({self._max_bytes} bytes); send a smaller state"
            )
        self._pool_used += extra
        peer.awareness_bytes = after

    def release(self, peer: Peer) -> list[AwarenessEntry]:
        """Forget what ``peer`` held; its ids stay reserved to its invite. Returns the
        removals to tell the others."""
        gone = []
        for client_id in peer.awareness_ids:
            self._owners.pop(client_id, None)
            self._reserve(client_id, peer.grant.invite_id)
            entry = self.states.pop(client_id, None)
            if entry is not None and not entry.removed:
                gone.append(AwarenessEntry(client_id, entry.clock + 1, "null"))
        peer.awareness_ids.clear()
        self._pool_used -= max(0, peer.awareness_bytes - self._share)
        peer.awareness_bytes = 0
        return gone

    def _reserve(self, client_id: int, invite_id: str) -> None:
        kept = self._reserved_by_invite.setdefault(invite_id, deque())
        kept.append(client_id)
        self._reserved[client_id] = invite_id
        while len(kept) > self._keep_reserved:
            oldest = kept.popleft()
            if self._reserved.get(oldest) == invite_id:
                del self._reserved[oldest]

    def _unreserve(self, client_id: int) -> None:
        invite_id = self._reserved.pop(client_id, None)
        if invite_id is None:
            return
        kept = self._reserved_by_invite.get(invite_id)
        if kept is not None and client_id in kept:
            kept.remove(client_id)
            if not kept:
                del self._reserved_by_invite[invite_id]

    def remember_remote(self, entries: tuple[AwarenessEntry, ...]) -> None:
        """States relayed by another instance (which bounds its own connections, and keeps
        its own reservations); kept within the same total, so a newcomer's first frame stays
        bounded."""
        for entry in entries:
            client_id = entry.client_id
            if client_id in self._owners:
                continue
            self._remote_clocks.pop(client_id, None)
            self._remote_clocks[client_id] = entry.clock  # the newest last
            if len(self._remote_clocks) > self._keep_remote:
                self._forget_remote(next(iter(self._remote_clocks)))
            current = self.states.pop(client_id, None)
            if current is not None:
                self._remote_bytes -= weight(current)
            if entry.removed or self._remote_bytes + weight(entry) > self._max_bytes:
                continue
            self.states[client_id] = entry
            self._remote_bytes += weight(entry)

    def _forget_remote(self, client_id: int) -> None:
        del self._remote_clocks[client_id]
        entry = self.states.pop(client_id, None)
        if entry is not None:
            self._remote_bytes -= weight(entry)
