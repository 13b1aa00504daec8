"""What any token holder, observers included, may make the live layer hold.

``LiveLimits`` gathers the settings the rooms enforce. ``InviteLedger`` counts per invite,
over every board of this instance, the open connections and the bytes sent in the last
minute: both outlive a connection, so reconnecting resets neither.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from server.core.errors import AtelierError, CloseCode, Overloaded
from server.core.settings import Settings


@dataclass(frozen=True, slots=True)
class LiveLimits:
    """The limits of rooms and invites (see ``Settings`` for each one's meaning; the defaults
    are the settings' own)."""

    max_awareness_ids: int = Settings.max_awareness_ids_per_connection
    max_presence_bytes: int = Settings.max_presence_bytes_per_board
    max_peers_per_board: int = Settings.max_peers_per_board
    max_board_bytes: int = Settings.max_board_bytes
    max_connections_per_invite: int = Settings.max_connections_per_invite
    invite_bytes_per_minute: int = Settings.invite_bytes_per_minute

    @classmethod
    def from_settings(cls, settings: Settings) -> LiveLimits:
        return cls(
            max_awareness_ids=settings.max_awareness_ids_per_connection,
            max_presence_bytes=settings.max_presence_bytes_per_board,
            max_peers_per_board=settings.max_peers_per_board,
            max_board_bytes=settings.max_board_bytes,
            max_connections_per_invite=settings.max_connections_per_invite,
            invite_bytes_per_minute=settings.invite_bytes_per_minute,
        )


class ByteBudget:
    """Bytes per minute, a minute's worth at once at most; refilled lazily. Spending past
    zero leaves a debt, so a client that overdrew waits for it to be paid back."""

    __slots__ = ("_capacity", "_last", "_per_second", "tokens")

    def __init__(self, per_minute: int, now: float) -> None:
        self._capacity = float(per_minute)
        self._per_second = per_minute / 60.0
        self.tokens = self._capacity
        self._last = now

    def refill(self, now: float) -> None:
        elapsed, self._last = now - self._last, now
        self.tokens = min(self._capacity, self.tokens + elapsed * self._per_second)

    def spend(self, size: int, now: float) -> bool:
        self.refill(now)
        self.tokens -= size
        return self.tokens >= 0

    def full(self, now: float) -> bool:
        self.refill(now)
        return self.tokens >= self._capacity

    def seconds_to_positive(self) -> int:
        return int(-self.tokens / self._per_second) + 1 if self.tokens <= 0 else 0


class InviteLedger:
    """Per invite on this instance: open connections and the byte budget of the minute."""

    def __init__(self, limits: LiveLimits) -> None:
        self._max_connections = limits.max_connections_per_invite
        self._per_minute = limits.invite_bytes_per_minute
        self._open: dict[str, int] = {}
        self._budgets: dict[str, ByteBudget] = {}

    def connections(self, invite_id: str) -> int:
        return self._open.get(invite_id, 0)

    def opened(self, invite_id: str) -> None:
        self._open[invite_id] = self._open.get(invite_id, 0) + 1

    def closed(self, invite_id: str) -> None:
        left = self._open.get(invite_id, 0) - 1
        if left > 0:
            self._open[invite_id] = left
        else:
            self._open.pop(invite_id, None)

    def refusal(self, invite_id: str) -> AtelierError | None:
        """Why a new connection of this invite is refused now, if it is."""
        if self.connections(invite_id) >= self._max_connections:
            return Overloaded(
                f"this invite already has {self._max_connections} open connections;"
                " close one and retry"
            )
        budget = self._budgets.get(invite_id)
        if budget is not None:
            budget.refill(time.monotonic())
            if budget.tokens <= 0:
                return AtelierError(
                    f"this invite sent over {self._per_minute} bytes in a minute;"
                    f" retry in {budget.seconds_to_positive()} s",
                    close_code=CloseCode.RATE_LIMITED,
                )
        return None

    def spend(self, invite_id: str, size: int) -> bool:
        """Charge ``size`` received bytes to the invite; False once its minute is spent."""
        now = time.monotonic()
        budget = self._budgets.get(invite_id)
        if budget is None:
            budget = self._budgets[invite_id] = ByteBudget(self._per_minute, now)
        return budget.spend(size, now)

    def prune(self) -> None:
        """Forget full budgets: they hold nothing a fresh one would not."""
        now = time.monotonic()
        for invite_id in [i for i, b in self._budgets.items() if b.full(now)]:
            del self._budgets[invite_id]
