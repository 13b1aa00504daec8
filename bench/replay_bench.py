#!/usr/bin/env python3
"""Replay benchmark: random access to any point of a long board history.

    .venv/bin/python bench/replay_bench.py                    # 100,000 updates, 200 lookups
    .venv/bin/python bench/replay_bench.py --updates 20000 --lookups 50 --no-http

Builds one workshop board with ``--updates`` logged updates directly in a temporary SQLite
database through the store (four participants typing notes and agreement text, dragging and
moving notes, voting, adding chain items and links, approving sections), then times random
``state?seq=N`` lookups:

- build ahead: the replay checkpoints and the timeline's steps built as the log grows (a
  pass every 2,000 updates here, as ``ReplayAhead`` does in a server), then the first lookup
  at the end of the log;
- cold: the same first lookup with no replay checkpoint built ahead (it builds them all);
- warm, function: ``replay.state_at`` plus the JSON projection, as the API computes it;
- warm, HTTP: ``GET /api/boards/{id}/state?seq=N`` against a real ``atelier serve`` over the
  same database (JSON, and the Yjs binary with ``Accept: application/octet-stream``);
- a page of the timeline (``history.history``, 50 steps with their captions): from a step's
  start, as the replay screen pages (read from the steps built ahead), and from any position
  (replayed: a position inside a step starts a grouping of its own);
- baseline: the same function with no checkpoint at all (the whole log replayed from the
  start), on fewer points since it is slow.

Prints median and p99 in milliseconds and the storage the replay checkpoints and the steps
take. Everything
runs on 127.0.0.1 and in a temporary directory that is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pycrdt import Doc, Map, Text, TransactionEvent
from sqlalchemy import delete, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.archive import history, replay  # noqa: E402
from server.boards import layout  # noqa: E402
from server.boards.document import seed_update  # noqa: E402
from server.boards.labels import LEVELS, SECTIONS  # noqa: E402
from server.store import catalog, log, migrate, timeline, usage  # noqa: E402
from server.store.db import open_engine  # noqa: E402
from server.store.models import replay_checkpoints, timeline_steps  # noqa: E402
from server.sync.sink import LogEntry  # noqa: E402

PEOPLE = (
    ("Marie", "etat"),
    ("Karim", "collectivite"),
    ("Inès", "societe_civile"),
    ("Anne", "facilitation"),
)
WORDS = ("réunion", "mensuelle", "élus", "habitants", "confiance", "projet", "partage", "école")
NOW = "2026-11-28T10:00:00Z"
BOARD = "bench-board"
ADMIN = "bench-operator-token-long-enough-for-the-rule"


class Participant:
    """One person's replica: edits it, and receives everyone else's updates."""

    def __init__(self, index: int, name: str, party: str, seed: bytes) -> None:
        self.index, self.name, self.party = index, name, party
        self.doc: Doc[Any] = Doc()
        self.doc.apply_update(seed)
        self.out: list[bytes] = []
        self._receiving = False
        self.doc.observe(self._record)

    def _record(self, event: TransactionEvent) -> None:
        if not self._receiving:
            self.out.append(event.update)

    def receive(self, update: bytes) -> None:
        self._receiving = True
        try:
            self.doc.apply_update(update)
        finally:
            self._receiving = False


class Workshop:
    """A random but realistic mix of edits by four people."""

    def __init__(self, seed: bytes, rng: random.Random) -> None:
        self.rng = rng
        self.people = [Participant(i, n, p, seed) for i, (n, p) in enumerate(PEOPLE)]
        self.notes: list[str] = []
        self.items: list[str] = []
        self.tiers: dict[str, int] = {}
        self.counter = 0
        self.burst: tuple[Participant, Text, int] | None = None
        """Someone typing: the next keystrokes go to the same text (as people type)."""

    def step(self) -> tuple[Participant, list[bytes]]:
        if self.burst is not None and self.burst[2] > 0:
            who, text, left = self.burst
            self.keystroke(text)
            self.burst = (who, text, left - 1)
        else:
            who = self.rng.choice(self.people)
            self.edit(who)
        made, who.out = who.out, []
        for other in self.people:
            if other is not who:
                for update in made:
                    other.receive(update)
        return who, made

    def edit(self, who: Participant) -> None:
        doc, r = who.doc, self.rng.random()
        self.counter += 1
        if r < 0.008 or not self.notes:
            note = f"n{self.counter}"
            level = self.rng.choice(LEVELS).id
            layout.add_note(
                doc,
                note,
                "",
                level,
                f"p{who.index}",
                who.name,
                who.party,
                x=10.0,
                y=10.0,
                created_at=NOW,
            )
            self.notes.append(note)
        elif r < 0.50:
            self.type_into(layout.root(doc, "notes").get(self.rng.choice(self.notes)), "text")
        elif r < 0.58:
            layout.move_note(doc, self.rng.choice(self.notes), self.rng.choice(LEVELS).id)
        elif r < 0.72:
            layout.place_note(
                doc, self.rng.choice(self.notes), self.rng.uniform(0, 400), self.rng.uniform(0, 300)
            )
        elif r < 0.76:
            layout.vote(doc, self.rng.choice(self.notes), f"p{who.index}")
        elif r < 0.7625:
            item = f"i{self.counter}"
            tier = self.rng.choice(("direct", "intermediate", "ultimate"))
            layout.add_chain_item(
                doc,
                item,
                tier,
                self.rng.choice(WORDS),
                f"p{who.index}",
                who.name,
                who.party,
                order=float(self.counter),
                created_at=NOW,
            )
            self.items.append(item)
            self.tiers[item] = ("direct", "intermediate", "ultimate").index(tier)
        elif r < 0.765 and len(self.items) > 1:
            source, target = sorted(self.rng.sample(self.items, 2), key=self.tiers.__getitem__)
            if self.tiers[source] != self.tiers[target]:  # links climb the chain
                layout.link(doc, f"l{self.counter}", source, target)
        elif r < 0.86 and self.items:
            chain_items = layout.root(doc, "chain").get("items")
            assert isinstance(chain_items, Map)
            self.type_into(chain_items.get(self.rng.choice(self.items)), "text")
        elif r < 0.99:
            self.type_into(layout.root(doc, "agreement").get(self.rng.choice(SECTIONS).id), "text")
        else:
            section = self.rng.choice(SECTIONS).id
            if who.party != "facilitation":
                layout.approve_section(doc, section, who.party, who.name, NOW)

    def type_into(self, parent: object, key: str) -> None:
        """Start typing into a shared text: this keystroke and a few more."""
        if not isinstance(parent, Map):
            return
        text = parent.get(key)
        if not isinstance(text, Text):
            return
        self.keystroke(text)
        self.burst = (self.burst_owner(text), text, self.rng.randint(2, 20))

    def burst_owner(self, text: Text) -> Participant:
        return next(p for p in self.people if p.doc is text.doc)

    def keystroke(self, text: Text) -> None:
        """One keystroke (or a word) at the end of a shared text, or a backspace."""
        length = len(str(text).encode())
        if length and self.rng.random() < 0.1:
            last = str(text)[-1].encode()
            del text[length - len(last) : length]
        else:
            text.insert(
                length,
                self.rng.choice((" ", "a", "e", "i", "o", "s", "t"))
                if self.rng.random() < 0.9
                else " " + self.rng.choice(WORDS),
            )


def build(database: Path, updates: int, seed: int) -> tuple[Any, float, list[float]]:
    """The board's log, and the time each build-ahead pass took as it grew (what
    ``ReplayAhead`` does in a running server, every ``REPLAY_MIN_UPDATES`` updates)."""
    engine = open_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    first = seed_update("workshop", "Banc d'essai")
    catalog.create_board(engine, BOARD, "Banc d'essai", "workshop", first, None)
    workshop = Workshop(first, random.Random(seed))
    started = time.perf_counter()
    at = time.time() - updates * 0.5 - 3600  # half a second apart, all settled
    batch: list[LogEntry] = []
    ahead: list[float] = []
    made = 1
    while made < updates:
        who, produced = workshop.step()
        for update in produced[: updates - made]:
            at += 0.5
            batch.append(LogEntry(BOARD, at, f"invite-{who.index}", who.name, who.party, update))
            made += 1
        if len(batch) >= 2000 or made >= updates:
            with engine.begin() as conn:
                log.append(conn, batch, [None] * len(batch))
            batch = []
            passed = time.perf_counter()
            replay.state_at(engine, BOARD)
            history.build_steps(engine, BOARD, settle_seconds=0)  # one writer: all settled
            ahead.append((time.perf_counter() - passed) * 1000)
    return engine, time.perf_counter() - started - sum(ahead) / 1000, ahead


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    return (
        f"median {median:6.1f} ms  p99 {p99:6.1f} ms  max {ordered[-1]:6.1f} ms  (n={len(ordered)})"
    )


def report(what: str, samples: list[float]) -> None:
    print(f"{what:<44} {summary(samples)}")


def timed(points: list[int], lookup: Callable[[int], object]) -> list[float]:
    samples = []
    for seq in points:
        started = time.perf_counter()
        lookup(seq)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def by_function(engine: Any) -> Callable[[int], object]:
    def lookup(seq: int) -> object:
        point = replay.state_at(engine, BOARD, seq=seq)
        assert point is not None
        return json.dumps(point.projection())

    return lookup


def history_page(engine: Any) -> Callable[[int], object]:
    def lookup(seq: int) -> object:
        return json.dumps(history.history(engine, BOARD, from_seq=seq, limit=50))

    return lookup


def step_starts(engine: Any) -> list[int]:
    """Where the stored steps start: the positions the replay screen pages from."""
    with engine.connect() as conn:
        query = select(timeline_steps.c.first_seq).where(timeline_steps.c.board_id == BOARD)
        return [int(seq) for seq in conn.execute(query).scalars()]


def baseline(engine: Any) -> Callable[[int], object]:
    """No checkpoint: every update from the first one, then the projection."""

    def lookup(seq: int) -> object:
        doc: Doc[Any] = Doc()
        for entry in timeline.entries(engine, BOARD, after_seq=0, upto_seq=seq):
            doc.apply_update(entry.data)
        return json.dumps(replay.Point(BOARD, seq, 0.0, doc).projection())

    return lookup


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(data_dir: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "ATELIER_ADMIN_TOKEN": ADMIN}
    command = [
        sys.executable,
        "-m",
        "server.cli",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--no-demo",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def by_http(base: str, binary: bool) -> Callable[[int], object]:
    def lookup(seq: int) -> object:
        request = urllib.request.Request(f"{base}/api/boards/{BOARD}/state?seq={seq}")
        request.add_header("Authorization", f"Bearer {ADMIN}")
        if binary:
            request.add_header("Accept", "application/octet-stream")
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    return lookup


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--baseline-lookups", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="atelier-replay-bench-"))
    try:
        run(work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, args: argparse.Namespace) -> None:
    engine, built, ahead = build(work / "atelier.db", args.updates, args.seed)
    span = usage.log_span(engine, BOARD)
    assert span.first is not None
    assert span.last is not None
    print(f"board: {span.count} updates, {span.bytes / 1e6:.1f} MB of log, built in {built:.0f} s")
    rng = random.Random(args.seed)
    first, last = span.first.seq, span.last.seq
    points = [rng.randint(first, last) for _ in range(args.lookups)]
    report("build ahead, one pass per 2,000 updates", ahead)
    first = timed([last], by_function(engine))[0]
    print(f"first access, replay checkpoints built ahead: {first:.0f} ms")
    with engine.begin() as conn:
        conn.execute(delete(replay_checkpoints).where(replay_checkpoints.c.board_id == BOARD))
    cold = timed([last], by_function(engine))[0]
    checkpoints = usage.replay_checkpoint_sizes(engine, BOARD)
    point = replay.state_at(engine, BOARD)
    assert point is not None
    state = len(point.state)
    print(f"state at the end: {state / 1e3:.0f} kB, {len(point.projection()['notes'])} notes")
    print(f"cold, none built ahead (this lookup builds them): {cold:.0f} ms")
    ratio = checkpoints.bytes / span.bytes
    size = checkpoints.bytes / 1e6
    print(f"replay checkpoints: {checkpoints.count}, {size:.1f} MB ({ratio:.2f}x the log)")
    report("warm, function (state_at + projection JSON)", timed(points, by_function(engine)))
    if not args.no_http:
        engine.dispose()
        with server(work) as base:
            report("warm, HTTP GET state?seq= (JSON)", timed(points, by_http(base, False)))
            report("warm, HTTP GET state?seq= (Yjs binary)", timed(points, by_http(base, True)))
    starts = step_starts(engine)
    steps = usage.timeline_step_sizes(engine, BOARD)
    print(
        f"timeline steps built: {steps.count}, {steps.bytes / 1e6:.1f} MB"
        f" ({steps.bytes / span.bytes:.2f}x the log)"
    )
    pages = [starts[rng.randrange(len(starts))] for _ in range(args.lookups)]
    report("history page of 50 steps, from a step", timed(pages, history_page(engine)))
    anywhere = points[: args.baseline_lookups]
    report("history page of 50 steps, from anywhere", timed(anywhere, history_page(engine)))
    few = points[: args.baseline_lookups]
    report("baseline, no checkpoint (function)", timed(few, baseline(engine)))


if __name__ == "__main__":
    main()
