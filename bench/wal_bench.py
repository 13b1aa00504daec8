#!/usr/bin/env python3
"""How long a durable commit waits for SQLite's WAL checkpoints, at a steady rate.

    .venv/bin/python bench/wal_bench.py                 # 500 commits/s for 16 s per bound
    .venv/bin/python bench/wal_bench.py --bounds 0 1024 4096 8192 --seconds 12

The log writer checkpoints the WAL in a worker thread, beside the commits. A WAL only
restarts after a checkpoint no commit overtook, so past ``wal_frames_max`` pages the
commits wait for one. Bound 0 runs one before every commit.
Prints, per bound, the time from ``submit`` to durable (p50, p99, p99.9, max), how many
checkpoints held the commits and the WAL's size on disk at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.store import migrate  # noqa: E402
from server.store.db import open_engine  # noqa: E402
from server.store.writer import LogWriter  # noqa: E402
from server.sync.sink import LogEntry  # noqa: E402

BOARDS = 50
UPDATE = bytes(120)  # about one sticky note's edit


async def run(bound: int, seconds: float, rate: float) -> str:
    folder = Path(tempfile.mkdtemp(prefix="atelier-wal-"))
    engine = open_engine(f"sqlite:///{folder / 'atelier.db'}")
    migrate.upgrade(engine)
    waits: list[float] = []

    def durable_after(submitted: float) -> Callable[[int], None]:
        return lambda _seq: waits.append(time.perf_counter() - submitted)

    async with LogWriter(engine, wal_frames_max=bound) as writer:
        start = time.perf_counter()
        sent = 0
        while time.perf_counter() - start < seconds:
            submitted = time.perf_counter()
            entry = LogEntry(f"b{sent % BOARDS}", time.time(), "i", "Nom", "etat", UPDATE)
            writer.submit(entry, durable_after(submitted))
            sent += 1
            await asyncio.sleep(max(0.0, start + sent / rate - time.perf_counter()))
        held = writer.checkpoints_held
    wal_bytes = (folder / "atelier.db-wal").stat().st_size
    engine.dispose()
    waits.sort()

    def ms(share: float) -> float:
        return waits[int(share * (len(waits) - 1))] * 1000

    return (
        f"bound {bound:5d} pages  n={len(waits)}  p50 {ms(0.5):.2f}  p99 {ms(0.99):.2f}  "
        f"p99.9 {ms(0.999):.2f}  max {waits[-1] * 1000:.1f} ms  held {held}  "
        f"WAL {wal_bytes / 1e6:.1f} MB"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bounds", type=int, nargs="+", default=[0, 1024, 4096, 8192])
    parser.add_argument("--seconds", type=float, default=16.0)
    parser.add_argument("--rate", type=float, default=500.0, help="commits per second")
    args = parser.parse_args()
    for bound in args.bounds:
        print(await run(bound, args.seconds, args.rate), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
