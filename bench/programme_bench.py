"""The programme view on a realistic year: sites x sessions, a few thousand attributed updates
per session (typing, notes, moves, votes, chain, agreement), a position round in every session
and an assessment round every third one, a snapshot at each start and end. Then, against a
real server on that database: ``GET /api/programme`` (cold, then warm), a site's trajectory,
its dossier PDF, its dossier zip and the offline verification of that zip, and the server's
peak memory.

    .venv/bin/python bench/programme_bench.py                         # 30 x 12 x 2,000, SQLite
    .venv/bin/python bench/programme_bench.py --database postgres     # the same on PostgreSQL
    .venv/bin/python bench/programme_bench.py --sites 4 --sessions 3 --updates 300   # quick

Targets (issue: the programme view): dashboard ≤ 300 ms and trajectory ≤ 200 ms warm, dossier
PDF ≤ 15 s, memory bounded. The data is written straight into the store (as the server would
log it, attributed), so building a year takes minutes, not a year.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from replay_bench import Workshop, free_port  # noqa: E402

from server.archive import snapshots  # noqa: E402
from server.archive.verify import verify_bundle  # noqa: E402
from server.boards import rounds  # noqa: E402
from server.boards.document import seed_update  # noqa: E402
from server.boards.labels import LEVELS  # noqa: E402
from server.boards.method import CRITERIA  # noqa: E402
from server.core.clock import iso  # noqa: E402
from server.store import archive, catalog, log, migrate  # noqa: E402
from server.store.db import open_engine  # noqa: E402
from server.sync.sink import LogEntry  # noqa: E402

ADMIN = "bench-operator-token-long-enough-for-the-rule"
OPERATOR = snapshots.Taker(None, "operator", None)


def build_year(url: str, sites: int, sessions: int, updates: int, seed: int) -> float:
    """Write the year into the database at ``url``; returns the seconds it took."""
    engine = open_engine(url)
    migrate.upgrade(engine)
    rng = random.Random(seed)
    started = time.perf_counter()
    for s in range(sites):
        site = f"site-{s:02d}"
        catalog.create_site(engine, site, f"Site {s + 1}")
        board = f"{site}-atelier"
        first = seed_update("workshop", f"Atelier du site {s + 1}")
        catalog.create_board(engine, board, "Atelier", "workshop", first, site)
        workshop = Workshop(first, rng)
        level = rng.randrange(0, 3)
        for number in range(sessions):
            level = min(len(LEVELS) - 1, max(0, level + rng.choice((-1, 0, 1, 1))))
            _session(engine, board, workshop, number, updates, LEVELS[level].id, rng)
        print(f"  {site}: {sessions} sessions", flush=True)
    engine.dispose()
    return time.perf_counter() - started


def _session(
    engine: Any, board: str, workshop: Workshop, number: int, updates: int, agreed: str, rng: Any
) -> None:
    session = archive.Session(secrets.token_hex(8), board, f"Séance {number + 1}", 0.0,
                              None, None, None, None)  # fmt: skip
    snapshots.take_snapshot(engine, board, kind="session_start", taker=OPERATOR, session=session)
    batch: list[LogEntry] = []
    made = 0
    while made < updates:
        who, produced = workshop.step()
        for update in produced:
            batch.append(
                LogEntry(board, time.time(), f"{board}-{who.index}", who.name, who.party, update)
            )
            made += 1
    batch += _rounds(board, workshop, session.id, number, agreed, rng)
    with engine.begin() as conn:
        log.append(conn, batch, [None] * len(batch))
    snapshots.take_snapshot(engine, board, kind="session_end", taker=OPERATOR, session=session)


def _rounds(
    board: str, workshop: Workshop, session: str, number: int, agreed: str, rng: Any
) -> list[LogEntry]:
    """A revealed and agreed position round (and an assessment every third session), each
    answer logged as its author's change, as the server's reveal logs it."""
    facilitator = workshop.people[-1]
    entries: list[LogEntry] = []
    for kind in ["position"] + (["assessment"] if number % 3 == 2 else []):
        rid, at = secrets.token_hex(8), iso(time.time())
        doc = facilitator.doc
        before = doc.get_state()
        rounds.write_round(doc, rid, kind, kind, at, facilitator.name, 3)
        entries.append(_shared(board, workshop, facilitator, before))
        for person in workshop.people[:-1]:
            content = _answer(kind, rng)
            before = person.doc.get_state()
            who = (f"{board}-{person.index}", person.name, person.party, at)
            rounds.write_answer(person.doc, rid, who[0], who, content)
            entries.append(_shared(board, workshop, person, before))
        result = {"level": agreed} if kind == "position" else _answer(kind, rng)
        before = doc.get_state()
        rounds.write_agreed(
            doc, rid, {**result, "at": at, "by": facilitator.name, "session": session}
        )
        entries.append(_shared(board, workshop, facilitator, before))
    return entries


def _answer(kind: str, rng: Any) -> dict[str, Any]:
    if kind == "position":
        return {"level": rng.choice(LEVELS).id}
    return {"scores": {c.id: rng.randint(1, 4) for c in CRITERIA}}


def _shared(board: str, workshop: Workshop, who: Any, before: bytes) -> LogEntry:
    """What ``who`` just wrote since ``before``: given to the others, logged as theirs."""
    update = who.doc.get_update(before)
    for other in workshop.people:
        if other is not who:
            other.receive(update)
    who.out = []  # already shared here, not by the workshop's next step
    return LogEntry(board, time.time(), f"{board}-{who.index}", who.name, who.party, update)


@contextmanager
def serving(data_dir: Path, url: str | None) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {**os.environ, "ATELIER_ADMIN_TOKEN": ADMIN}
    if url:
        env["ATELIER_DATABASE_URL"] = url
    command = [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--data-dir",
               str(data_dir), "--no-demo", "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(base: str, path: str) -> tuple[float, bytes]:
    request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Bearer {ADMIN}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        body: bytes = response.read()
    return (time.perf_counter() - started) * 1000, body


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(base: str, pid: int, sites: int) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    cold, _ = get(base, "/api/programme")
    rows.append(
        ("GET /api/programme, first (cold: every session read once)", f"{cold:,.0f} ms", "")
    )
    warm = [get(base, "/api/programme")[0] for _ in range(7)]
    rows.append(
        ("GET /api/programme, warm (median of 7)", f"{statistics.median(warm):,.0f} ms", "≤ 300 ms")
    )
    site = f"site-{sites // 2:02d}"
    get(base, f"/api/sites/{site}/trajectory")
    traj = [get(base, f"/api/sites/{site}/trajectory")[0] for _ in range(11)]
    rows.append(
        (
            "GET /api/sites/{id}/trajectory, warm (median of 11)",
            f"{statistics.median(traj):,.1f} ms",
            "≤ 200 ms",
        )
    )
    pdf_ms, pdf = get(base, f"/api/sites/{site}/dossier?format=pdf")
    rows.append(("dossier PDF", f"{pdf_ms / 1000:,.1f} s ({len(pdf) / 1e6:.1f} MB)", "≤ 15 s"))
    zip_ms, zipped = get(base, f"/api/sites/{site}/dossier?format=zip")
    rows.append(("dossier zip", f"{zip_ms / 1000:,.1f} s ({len(zipped) / 1e6:.1f} MB)", ""))
    started = time.perf_counter()
    verdict = verify_bundle(zipped)
    took = time.perf_counter() - started
    rows.append(
        (
            "atelier verify of the zip (offline)",
            f"{took:,.1f} s, {'VERIFIED' if verdict.ok else 'NOT VERIFIED'}",
            "",
        )
    )
    rows.append(("server peak RSS (VmHWM)", f"{peak_rss_mb(pid):,.0f} MB", "bounded"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--updates", type=int, default=2000, help="attributed updates per session")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    size = f"{args.database}, {args.sites} x {args.sessions} x {args.updates}"
    with (
        tempfile.TemporaryDirectory(prefix="atelier-programme-") as tmp,
        _database(args.database, Path(tmp)) as url,
    ):
        print(f"Building {size} (sites x sessions x updates per session)…")
        took = build_year(url, args.sites, args.sessions, args.updates, args.seed)
        print(f"built in {took:,.1f} s")
        with serving(Path(tmp), None if args.database == "sqlite" else url) as (base, pid):
            rows = measure(base, pid, args.sites)
    print(f"\n| figure ({size}) | measured | target |")
    print("|---|---|---|")
    for what, value, target in rows:
        print(f"| {what} | {value} | {target} |")
    return 0


@contextmanager
def _database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'atelier.db'}"
        return
    from tests.support.services import create_database, postgres_server

    with postgres_server() as admin_url:
        yield create_database(admin_url, "programme_bench")


if __name__ == "__main__":
    sys.exit(main())
