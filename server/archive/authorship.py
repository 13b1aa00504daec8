"""Who wrote the characters still in a document: clock ranges tied to log entries.

Every Yjs item carries the id of the client that created it and a clock; each client's clocks
run 0, 1, 2... with no gap. The log records, for each accepted update, the invite, name and
party that sent it. Reading the log in order, the clocks an entry adds beyond what the log
held before (its state vector against the running one) are that entry's: its author wrote
them. At the end, the document's string items (decoded by ``structs``) are matched against
those ranges, minus the delete set, so deleted characters never count.

An update the decoder cannot read (a content kind Atelier never writes, a value nested past
its bound) turns ``complete`` False: its clocks are credited to nobody, and if the final
document cannot be read either, no characters are counted at all. Every other count stays
whole, and a participant's odd update never makes the balance of voice (nor the reports,
trajectories and dashboard built on it) fail.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

from server.archive.structs import (
    MalformedUpdate,
    TextRun,
    clock_ranges,
    text_runs,
    utf16_length,
    utf16_offsets,
)

K = TypeVar("K", bound=Hashable)


class Authorship(Generic[K]):
    """Clock ranges per client and who wrote them; ``record`` each logged update in order."""

    def __init__(self, base_state: bytes | None = None) -> None:
        self._seen: dict[int, int] = {}
        self.complete = True
        """False once an update could not be decoded (its characters count for nobody)."""
        if base_state is not None:
            self._seen = {client: end for client, _, end in self._ranges_of(base_state)}
        self._starts: dict[int, list[int]] = {}
        self._ranges: dict[int, list[tuple[int, int, K]]] = {}

    def record(self, update: bytes, author: K | None) -> None:
        """The clocks ``update`` adds are ``author``'s (None: context, credited to nobody).
        Clocks the log already held (an update sent again) keep their first author."""
        for client, first, end in self._ranges_of(update):
            start = max(self._seen.get(client, 0), first)
            if end <= start:
                continue
            self._seen[client] = end
            if author is None:
                continue
            ranges = self._ranges.setdefault(client, [])
            if ranges and ranges[-1][1] == start and ranges[-1][2] == author:
                ranges[-1] = (ranges[-1][0], end, author)
                continue
            ranges.append((start, end, author))
            self._starts.setdefault(client, []).append(start)

    def _ranges_of(self, update: bytes) -> list[tuple[int, int, int]]:
        try:
            return list(clock_ranges(update))
        except MalformedUpdate:
            self.complete = False
            return []

    def characters(self, state: bytes) -> Counter[K]:
        """Characters of ``state`` (a full update) still present, per recorded author."""
        try:
            runs, deleted = text_runs(state)
        except MalformedUpdate:
            self.complete = False
            return Counter()
        merged = {client: _merged(spans) for client, spans in deleted.items()}
        found: Counter[K] = Counter()
        for run in runs:
            if run.text and run.client in self._ranges:
                self._credit(run, merged.get(run.client, []), found)
        return found

    def _credit(self, run: TextRun, deleted: list[tuple[int, int]], found: Counter[K]) -> None:
        units = utf16_length(run.text)
        offsets = utf16_offsets(run.text) if len(run.text) != units else None
        end = run.clock + units
        starts, ranges = self._starts[run.client], self._ranges[run.client]
        first = max(bisect.bisect_right(starts, run.clock) - 1, 0)
        for low, high, author in ranges[first:]:
            if low >= end:
                break
            for a, b in _alive(max(low, run.clock), min(high, end), deleted):
                found[author] += _chars(a - run.clock, b - run.clock, offsets)


def _chars(a: int, b: int, offsets: list[int] | None) -> int:
    """Characters between UTF-16 offsets ``a`` and ``b`` of a run."""
    if b <= a:
        return 0
    if offsets is None:
        return b - a
    return bisect.bisect_left(offsets, b) - bisect.bisect_left(offsets, a)


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Deleted ``(clock, length)`` spans as sorted, disjoint ``[start, end)`` intervals."""
    out: list[tuple[int, int]] = []
    for start, end in sorted((clock, clock + length) for clock, length in spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _alive(a: int, b: int, deleted: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[a, b)`` minus the deleted intervals."""
    pieces: list[tuple[int, int]] = []
    index = max(bisect.bisect_right(deleted, (a, a)) - 1, 0)
    for start, end in deleted[index:]:
        if start >= b:
            break
        if end <= a:
            continue
        if start > a:
            pieces.append((a, start))
        a = max(a, end)
    if a < b:
        pieces.append((a, b))
    return pieces
