"""One board, live: its document, presence and peers.

``receive`` checks what the peer may do, applies its update inside a transaction, and hands
the resulting change to the log writer. The change is relayed to the other peers only once
it is durable (``_on_durable``), so nothing a peer ever received can be lost by a crash.

The document is bounded (``max_board_bytes``, its encoded state): its size is followed from
the length of each change, an over-estimate, and measured again only when a change would
pass the limit, so the check costs nothing until a board is nearly full.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, TransactionEvent

from server.boards.document import engine_guard
from server.boards.layout import BOARD_ZONE, clear_lock, set_lock
from server.core.auth import FACILITATION, Role
from server.core.errors import CloseCode, Overloaded
from server.core.metrics import counters
from server.sync import protocol
from server.sync.crdt import EMPTY_UPDATE, InvalidUpdate, adds_anything
from server.sync.fanout import LocalFanout
from server.sync.limits import InviteLedger, LiveLimits
from server.sync.peer import Peer
from server.sync.presence import Presence
from server.sync.protocol import AwarenessEntry
from server.sync.sink import Author, LogEntry, Publisher, UpdateSink
from server.sync.zones import ENTRIES_ZONE, META_ZONE, ROUNDS_ZONE, ZoneWatcher

logger = logging.getLogger("atelier.room")

QUERIES_OVER_RATE = "too many presence queries; slow down and reconnect"


@dataclass(slots=True)
class _PendingStep2:
    durable_target: int
    peer: Peer
    frame: bytes


class Room:
    def __init__(
        self,
        board_id: str,
        doc: Doc[Any],
        sink: UpdateSink,
        *,
        site_id: str | None = None,
        locks: frozenset[str] = frozenset(),
        checkpoint_every: int = 500,
        updates_since_checkpoint: int = 0,
        refused_writes_before_close: int = 3,
        publisher: Publisher | None = None,
        limits: LiveLimits | None = None,
        invites: InviteLedger | None = None,
        size: int | None = None,
    ) -> None:
        limits = limits or LiveLimits()
        self.board_id = board_id
        self._publisher: Publisher = publisher or LocalFanout()
        self.site_id = site_id
        self.doc = doc
        self.locks: set[str] = set(locks)
        """Locked zones (``board`` locks everything) for everyone but facilitators."""
        self._zones = ZoneWatcher(doc)
        self.peers: set[Peer] = set()
        self.idle_since: float | None = time.monotonic()
        self._sink = sink
        self._checkpoint_every = checkpoint_every
        self._since_checkpoint = updates_since_checkpoint
        self._refusals_before_close = refused_writes_before_close
        self._presence = Presence(board_id, limits)
        self.invites = invites or InviteLedger(limits)
        """Connections and bytes per invite, shared by every room of the instance."""
        self._max_bytes = limits.max_board_bytes
        self._size = len(doc.get_update()) if size is None else size
        """The document's encoded size, or more (see the module's docstring)."""
        self._size_measured = True
        self._captured: list[bytes] = []
        self._submitted = 0
        self._durable = 0
        self._waiting_step2: deque[_PendingStep2] = deque()
        self.last_seq = 0
        self._subscription = doc.observe(self._on_change)

    # -- membership -----------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Changes applied to the document but not yet durable."""
        return self._submitted - self._durable

    @property
    def size(self) -> int:
        """The document's encoded size, measured now."""
        return len(self.doc.get_update())

    def join(self, peer: Peer) -> None:
        self.peers.add(peer)
        self.invites.opened(peer.grant.invite_id)
        self.idle_since = None
        peer.enqueue(protocol.encode_sync_step1(self.doc.get_state()))
        states = self._presence.current()
        if states:
            peer.enqueue(protocol.encode_awareness(states))

    def leave(self, peer: Peer) -> None:
        if peer in self.peers:
            self.peers.discard(peer)
            self.invites.closed(peer.grant.invite_id)
        gone = self._presence.release(peer)
        if gone:
            frame = protocol.encode_awareness(gone)
            self._broadcast(frame, exclude=peer)
            self._publisher.publish_awareness(self.board_id, frame)
        if not self.peers:
            self.idle_since = time.monotonic()

    # -- messages ---------------------------------------------------------------------

    def receive(self, peer: Peer, message: protocol.Message) -> None:
        """Handle one decoded message; raises ``MalformedMessage`` for a bad CRDT update."""
        match message:
            case protocol.SyncStep1(state_vector):
                self._answer_step1(peer, state_vector)
            case protocol.SyncStep2(update) | protocol.Update(update):
                self._write(peer, update)
            case protocol.Awareness(entries):
                self._update_awareness(peer, entries)
            case protocol.QueryAwareness():
                self._answer_query(peer)

    def _answer_query(self, peer: Peer) -> None:
        """The board's presence, charged to the asker's byte allowance (4429 past it): a
        one-byte query must not buy a megabyte answer at the message rate."""
        frame = protocol.encode_awareness(self._presence.current())
        if peer.limiter.charge(len(frame)):
            peer.enqueue(frame)
        else:
            peer.close(CloseCode.RATE_LIMITED, QUERIES_OVER_RATE)

    def _answer_step1(self, peer: Peer, state_vector: bytes) -> None:
        with engine_guard("invalid state vector", InvalidUpdate):
            missing = self.doc.get_update(state_vector)
        frame = protocol.encode_sync_step2(missing)
        if self.pending == 0:
            peer.enqueue(frame)
        else:  # part of this state is not durable yet: hold the answer until it is
            self._waiting_step2.append(_PendingStep2(self._submitted, peer, frame))

    def _may_write(self, peer: Peer) -> str | None:
        role = peer.grant.role
        if not role.can_edit:
            return f"{role.value}s cannot change the board"
        if BOARD_ZONE in self.locks and role is not Role.FACILITATOR:
            return "the board is locked by the facilitator"
        return None

    def _zone_refusal(self, peer: Peer, zones: set[str]) -> str | None:
        if META_ZONE in zones:
            return "the board's settings (meta) are written by the server only"
        if ENTRIES_ZONE in zones:
            return "the criteria and roles of a board are created by the server only"
        if ROUNDS_ZONE in zones:
            return "revealed rounds are written by the server only"
        if self._zones.approvals - {peer.party}:
            return "an approval can only be given or withdrawn for your own party"
        if any(not _signed_by(peer, v) for v in self._zones.approval_values.values()):
            return "an approval must name the invite that gives it (its 'invite' field)"
        if peer.grant.role is not Role.FACILITATOR:
            locked = sorted(zones & self.locks)
            if locked:
                return f"locked by the facilitator: {', '.join(locked)}"
        return None

    def _write(self, peer: Peer, update: bytes) -> None:
        if update == EMPTY_UPDATE:  # changes nothing: no check, no shadow, no transaction
            peer.track_update_frame(0)
            return
        refusal = self._may_write(peer)
        if refusal is not None:
            if adds_anything(self.doc, update):
                self._refuse(peer, refusal)
            peer.track_update_frame(0)
            return
        if not self._sink.has_capacity():
            raise Overloaded("the database is behind; retry in a moment")
        if self._would_pass_limit(len(update)):
            self._refuse(peer, f"the board is full ({self._max_bytes} bytes); change not saved")
            peer.track_update_frame(0)
            return
        try:
            with engine_guard("invalid update", InvalidUpdate):
                zones = self._zones.touched_by(update)
        except InvalidUpdate:
            self._zones.resync()
            raise
        refusal = self._zone_refusal(peer, zones)
        if refusal is not None:
            self._zones.resync()
            self._refuse(peer, refusal)
            peer.track_update_frame(0)
            return
        self._apply(update, peer)

    def _would_pass_limit(self, size: int) -> bool:
        if self._size + size <= self._max_bytes:
            return False
        if not self._size_measured:
            self._size, self._size_measured = self.size, True
        return self._size + size > self._max_bytes

    def _grew(self, changes: list[bytes]) -> list[bytes]:
        if changes:
            self._size += sum(map(len, changes))
            self._size_measured = False
        return changes

    def _refuse(self, peer: Peer, reason: str) -> None:
        peer.refused_writes += 1
        counters.refused_writes += 1
        logger.info(
            "board %s: write refused (%s) for invite %s",
            self.board_id,
            reason,
            peer.grant.invite_id,
            extra={"board": self.board_id, "peer": peer.grant.invite_id},
        )
        if peer.acks:
            peer.enqueue(protocol.encode_notice("write_refused", False, reason))
        if peer.refused_writes >= self._refusals_before_close:
            peer.close(CloseCode.FORBIDDEN, reason)

    def _transact(self, change: Callable[[], object]) -> list[bytes]:
        """Run ``change`` in one transaction; returns what it changed, as updates."""
        self._captured.clear()
        try:
            with self.doc.transaction():
                change()
            return self._grew(list(self._captured))
        finally:
            self._captured.clear()

    def _integrate(self, update: bytes) -> list[bytes]:
        """``_transact`` for one update, which the engine applies in a transaction of its
        own (a second one around it costs a tenth of the room's work per edit)."""
        self._captured.clear()
        try:
            self.doc.apply_update(update)
            return self._grew(list(self._captured))
        finally:
            self._captured.clear()

    def _apply(self, update: bytes, peer: Peer) -> None:
        with engine_guard("invalid update", InvalidUpdate):
            changes = self._integrate(update)
        for change in changes:
            self._submit(change, peer)
        peer.track_update_frame(len(changes))

    def apply_server_change(
        self,
        change: Callable[[Doc[Any]], None],
        author: Author | None = None,
        on_durable: Callable[[], None] | None = None,
    ) -> int:
        """Apply a change made by the server itself (seeding, lock mirror, a revealed answer);
        logged like any, attributed to ``author`` when it writes on someone's behalf (else to
        the server). ``on_durable`` runs once per logged update; returns how many there are."""
        changes = self._transact(lambda: change(self.doc))
        for data in changes:
            self._zones.follow(data)
            self._submit(data, None, author, on_durable)
        return len(changes)

    def apply_remote(self, update: bytes) -> None:
        """An update already durable elsewhere (another instance, or the shared log):
        apply and relay it locally, never persist or republish it."""
        for data in self._integrate(update):
            self._zones.follow(data)
            self._broadcast(protocol.encode_update(data), exclude=None)

    def _on_change(self, event: TransactionEvent) -> None:
        self._captured.append(event.update)

    def _submit(
        self,
        data: bytes,
        peer: Peer | None,
        author: Author | None = None,
        then: Callable[[], None] | None = None,
    ) -> None:
        self._since_checkpoint += 1
        checkpoint = None
        if self._since_checkpoint >= self._checkpoint_every:
            checkpoint = self.doc.get_update()
            self._since_checkpoint = 0
        counters.updates_in += peer is not None
        if peer is not None:
            author = Author(peer.grant.invite_id, peer.name, peer.party)
        entry = LogEntry(
            board_id=self.board_id,
            created_at=time.time(),
            invite_id=author.invite_id if author else None,
            author_name=author.name if author else None,
            party=author.party if author else None,
            data=data,
        )
        self._sink.submit(entry, lambda seq: self._on_durable(seq, data, peer, then), checkpoint)
        self._submitted += 1

    def _on_durable(
        self, seq: int, data: bytes, source: Peer | None, then: Callable[[], None] | None
    ) -> None:
        self._durable += 1
        if then is not None:
            then()
        self.last_seq = max(self.last_seq, seq)
        self._broadcast(protocol.encode_update(data), exclude=source)
        self._publisher.publish_update(self.board_id, data)
        if source is not None:
            source.entry_durable()
        while self._waiting_step2 and self._waiting_step2[0].durable_target <= self._durable:
            held = self._waiting_step2.popleft()
            held.peer.enqueue(held.frame)

    # -- presence ---------------------------------------------------------------------

    def _update_awareness(self, peer: Peer, entries: tuple[AwarenessEntry, ...]) -> None:
        accepted = self._presence.accept(peer, entries)
        if accepted:
            # Echoed to its author too: the official client drops a connection that hears
            # nothing for 30 s, and its own presence renewals are what it hears when alone.
            frame = protocol.encode_awareness(accepted)
            self._broadcast(frame, exclude=None)
            self._publisher.publish_awareness(self.board_id, frame)

    def apply_remote_awareness(self, frame: bytes) -> None:
        """Presence relayed by another instance: remember it and show it to local peers."""
        message = protocol.decode(frame)
        if not isinstance(message, protocol.Awareness):
            return
        self._presence.remember_remote(message.entries)
        self._broadcast(frame, exclude=None)

    def set_lock(
        self, zone: str, locked: bool, by: str | None, at: str, name: str | None = None
    ) -> None:
        """Enforce a zone lock now and mirror it in the document for every client to show,
        with the invite (``by``) and the person (``name``) who locked it. A lock names them
        itself (and stays a step of its own in the history); an unlock leaves nothing behind,
        so the log attributes it to the facilitator who lifted it (None: the operator)."""
        author = None if by is None else Author(by, name, FACILITATION)
        if locked:
            self.locks.add(zone)
            self.apply_server_change(lambda doc: set_lock(doc, zone, by, at, name))
        else:
            self.locks.discard(zone)
            self.apply_server_change(lambda doc: clear_lock(doc, zone), author)

    def notify(self, kind: str, ok: bool, message: str) -> None:
        """Tell every connection that asked for acks about a server condition."""
        frame = protocol.encode_notice(kind, ok, message)
        for peer in self.peers:
            if peer.acks:
                peer.enqueue(frame)

    def _broadcast(self, frame: bytes, exclude: Peer | None) -> None:
        for peer in self.peers:
            if peer is not exclude:
                peer.enqueue(frame)

    def unload(self) -> None:
        """Drop the observers: the engine holds them outside Python's garbage collector, so
        without this the room and its documents would never be freed."""
        self.doc.unobserve(self._subscription)
        self._zones.close()


def _signed_by(peer: Peer, approval: object) -> bool:
    """An approval names the invite giving it, so evidence shows who approved, per person."""
    return isinstance(approval, dict) and approval.get("invite") == peer.grant.invite_id
