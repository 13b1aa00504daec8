"""In-process stand-ins for a room's neighbours: a socket and a log writer.

Only for the fast unit tests of ``Peer``, ``Room`` and ``ZoneWatcher``; every behaviour that
involves a database, a broker or a real client is tested against real servers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from server.core.auth import Grant, Role
from server.sync.peer import Peer, TokenBucket
from server.sync.sink import LogEntry


class Socket:
    """A link whose send buffer can be full (``can_write`` false), like a slow reader's."""

    def __init__(self) -> None:
        self.can_write = True
        self.sent: list[bytes | int] = []

    def write(self, message: bytes) -> None:
        self.sent.append(message)

    def close(self, code: int, reason: str) -> None:
        self.sent.append(code)

    @property
    def closed_with(self) -> int | None:
        codes = [item for item in self.sent if isinstance(item, int)]
        return codes[-1] if codes else None

    def frames(self) -> list[bytes]:
        return [item for item in self.sent if isinstance(item, bytes)]


@dataclass
class Sink:
    """A log writer that keeps submissions until the test declares them durable."""

    capacity: bool = True
    submitted: list[LogEntry] = field(default_factory=list)
    _waiting: list[Callable[[int], None]] = field(default_factory=list)

    def has_capacity(self) -> bool:
        return self.capacity

    def submit(
        self, entry: LogEntry, on_durable: Callable[[int], None], checkpoint: bytes | None = None
    ) -> None:
        self.submitted.append(entry)
        self._waiting.append(on_durable)

    def make_durable(self) -> None:
        """Commit everything submitted so far, in order."""
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            callback(len(self.submitted))


def peer_on(
    socket: Socket,
    *,
    role: Role = Role.PARTICIPANT,
    party: str | None = None,
    invite: str = "i",
    name: str | None = None,
    max_messages: int = 10,
) -> Peer:
    grant = Grant(invite, role, "b", None, None)
    return Peer(
        socket,
        grant,
        name=name,
        party=party,
        acks=False,
        limiter=TokenBucket(1, 1, 1, 1),
        outbox_max_messages=max_messages,
        outbox_max_bytes=10**6,
    )
