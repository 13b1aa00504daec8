"""Replay checkpoints and timeline steps built ahead, in the background, as boards' logs grow.

Without checkpoints the first lookup into a long board replays its whole log (seconds for
100,000 updates); without stored steps a history page replays the steps it shows (about a
millisecond each). The log writer tells ``ReplayAhead`` every update it commits; once a board
has logged ``REPLAY_MIN_UPDATES`` more and they have settled, one task builds that board's
missing replay checkpoints, then its new steps, in a worker thread, with the same code and
rules as a lookup (``replay.state_at``, ``history.build_steps``): the checkpoints are the ones
a lookup would have stored, the steps' entries the ones a replayed page shows. Nothing depends
on it for correctness: a restart loses only the counts, and whatever was not built ahead is
replayed by the next lookup, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from types import TracebackType

from server.archive import history, replay
from server.store.db import Engine

logger = logging.getLogger("atelier.replay")


class ReplayAhead:
    """Async context manager owning the one task; leaving it cancels a build under way (what
    was stored stays, each checkpoint being its own transaction)."""

    def __init__(
        self,
        engine: Engine,
        *,
        every: int = replay.REPLAY_MIN_UPDATES,
        settle_seconds: float = replay.SETTLE_SECONDS,
    ) -> None:
        self._engine = engine
        self._every = every
        self._settle = settle_seconds
        self._counts: dict[str, int] = {}
        self._due: dict[str, float] = {}
        """Board -> monotonic time from which its counted updates have all settled."""
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.built = 0
        """Build passes done."""
        self._pass_done = asyncio.Event()

    def logged(self, board_id: str, seq: int) -> None:
        """Called by the log writer for each committed update: counts only."""
        count = self._counts.get(board_id, 0) + 1
        self._counts[board_id] = count
        if count >= self._every and board_id not in self._due:
            self._due[board_id] = time.monotonic() + self._settle
            self._wake.set()

    async def wait_built(self, passes: int) -> None:
        """Return once ``passes`` build passes are done (for tests and the benchmark)."""
        while self.built < passes:
            self._pass_done.clear()
            await self._pass_done.wait()

    async def __aenter__(self) -> ReplayAhead:
        self._task = asyncio.create_task(self._run(), name="atelier-replay-ahead")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            if not self._due:
                self._wake.clear()
                await self._wake.wait()
                continue
            board_id, due = min(self._due.items(), key=lambda item: item[1])
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            del self._due[board_id]
            self._counts[board_id] = 0
            try:
                await asyncio.to_thread(self._build, board_id)
            except Exception as exc:  # the next lookup replays instead
                logger.warning("building the replay of %s ahead failed: %s", board_id, exc)
            self.built += 1
            self._pass_done.set()

    def _build(self, board_id: str) -> None:
        replay.state_at(self._engine, board_id)
        history.build_steps(self._engine, board_id, settle_seconds=self._settle)
