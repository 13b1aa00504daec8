"""Scenario (iii) over two instances with PostgreSQL and Redis, against one SQLite instance,
in the same run.

    .venv/bin/python bench/run_cluster.py [--repeat 3]

(iii): 50 boards x 10 clients x 20 updates at 2/s (official y-websocket clients, from
bench/loadgen.mjs). In the cluster, the clients of every board alternate between instance A
and instance B, so 5 of the 9 deliveries of each update cross instances through Redis.
Reports, per configuration (median of the repeats): deliveries per second, propagation
latency p50/p99 (sender's change to each receiver seeing it), and server CPU per delivered
update for the Atelier processes (and, for the cluster, PostgreSQL and Redis on top),
sampled over the measured phase as run_sync.py does for (iii) (after 2 unmeasured warm-up
updates per client); the connecting phase is reported apart, as CPU per connection, and the
whole run (connecting included) per delivery.
Servers share CPU 0; the load generator runs on CPU 1. Only 127.0.0.1 is contacted.

    .venv/bin/python bench/run_cluster.py --backing-cpu 1

puts PostgreSQL and Redis on CPU 1, beside the load generator, rather than on the instances'
CPU: what the instances cost when their database and broker do not take turns with them on
one core, as on their own hosts (a diagnostic: the load generator then shares its core).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run_sync import proc_fields, run_loadgen  # noqa: E402
from tests.support.atelier_server import AtelierServer  # noqa: E402
from tests.support.services import RedisServer, create_database, postgres_server  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
ROOMS, CLIENTS, UPDATES, RATE, WARMUP = 50, 10, 20, 2, 2
SHARED_INVITE = {"ATELIER_MAX_CONNECTIONS_PER_INVITE": "100000"}
"""All the clients of a room share its one invite, which a person's invite never would."""


@dataclass(frozen=True)
class Usage:
    """What processes used so far: CPU, the kernel's part of it, system calls, sleeps."""

    cpu_s: float = 0.0
    kernel_s: float = 0.0
    syscalls: int = 0
    """read-like and write-like system calls (``syscr`` + ``syscw`` of ``/proc/<pid>/io``)"""
    sleeps: int = 0
    """voluntary context switches: each time a thread waited (an event loop with nothing to
    do, a reply not yet there) and was woken again"""

    def __sub__(self, other: Usage) -> Usage:
        return Usage(*(a - b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def __add__(self, other: Usage) -> Usage:
        return Usage(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


def usage(pids: list[int]) -> Usage:
    ticks = kernel = syscalls = sleeps = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # it has just ended
            for task in Path(f"/proc/{pid}/task").iterdir():
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
                kernel += int(fields[12])
                sleeps += proc_fields(str(task / "status")).get("voluntary_ctxt_switches", 0)
            io = proc_fields(f"/proc/{pid}/io")
            syscalls += io.get("syscr", 0) + io.get("syscw", 0)
    return Usage(ticks / TICKS, kernel / TICKS, syscalls, sleeps)


def children_pids(root_pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(root_pid)], capture_output=True, text=True)
    pids = [int(p) for p in out.stdout.split()]
    return [root_pid, *[q for p in pids for q in children_pids(p)]]


def pin(pid: int, cpu: int) -> None:
    subprocess.run(
        ["taskset", "-a", "-p", "-c", str(cpu), str(pid)], capture_output=True, check=False
    )


Sample = tuple[Usage, Usage]
"""What the Atelier processes used so far, and what PostgreSQL and Redis did."""


def run_load(
    urls: list[str], rooms: list[dict[str, str]], work: Path, sample: Callable[[], Sample]
) -> tuple[dict[str, Any], dict[str, Sample]]:
    """The load generator's result, and ``sample()`` taken at each of its phase barriers."""
    config = {
        "scenario": "iii",
        "mode": "rate",
        "urls": urls,
        "url": urls[0],
        "rooms": rooms,
        "clients_per_room": CLIENTS,
        "updates": UPDATES,
        "rate": RATE,
        "warmup": WARMUP,
        "barriers": True,
        "params": {"name": "bench"},
    }
    result, marks = run_loadgen(
        config,
        work,
        f"load-{secrets.token_hex(3)}",
        lambda _barrier: {"cpu": sample()},
        timeout=300,
    )
    samples = {name: mark["cpu"] for name, mark in marks.items()}
    samples["end"] = sample()
    return result, samples


def boards_on(server: AtelierServer) -> list[dict[str, str]]:
    rooms = []
    for i in range(ROOMS):
        board = server.create_board(board_id=f"c{secrets.token_hex(3)}-{i}")
        rooms.append({"name": board, "token": server.invite(board)})
    return rooms


def backing_processes() -> list[int]:
    """PostgreSQL's processes (its backends come and go with connections) and Redis's."""
    found = subprocess.run(
        ["pgrep", "-f", "postgres|redis-server"], capture_output=True, text=True
    ).stdout.split()
    return [int(pid) for pid in found]


@contextmanager
def single(work: Path) -> Iterator[tuple[list[str], list[int], bool, list[dict[str, str]]]]:
    server = AtelierServer(work / "single", env=SHARED_INVITE)
    server.start()
    try:
        pin(server.pid, 0)
        yield [server.ws_url], [server.pid], False, boards_on(server)
    finally:
        server.kill9()


@contextmanager
def cluster(
    work: Path, backing_cpu: int = 0
) -> Iterator[tuple[list[str], list[int], bool, list[dict[str, str]]]]:
    with postgres_server() as admin_url:
        redis = RedisServer()
        redis.start()
        try:
            env = {
                "DATABASE_URL": create_database(admin_url, "bench"),
                "REDIS_URL": redis.url,
                "ATELIER_MIGRATE_ON_START": "1",
                **SHARED_INVITE,
            }
            a, b = AtelierServer(work / "a", env=env), AtelierServer(work / "b", env=env)
            a.start()
            b.start()
            try:
                for pid in (a.pid, b.pid):
                    pin(pid, 0)
                for pid in backing_processes():
                    pin(pid, backing_cpu)  # the backends PostgreSQL forks later inherit it
                yield [a.ws_url, b.ws_url], [a.pid, b.pid], True, boards_on(a)
            finally:
                a.kill9()
                b.kill9()
        finally:
            redis.close()


def measure(setup: object, work: Path) -> dict[str, float]:
    with setup(work) as (urls, pids, backing, rooms):  # type: ignore[operator]
        result, marks = run_load(
            urls,
            rooms,
            work,
            lambda: (usage(pids), usage(backing_processes()) if backing else Usage()),
        )
    delivered = float(result["delivered"])
    sent = float(result["sent"])
    latency = result["latency_ms"]

    def used(start: str, end: str, with_backing: bool = False) -> Usage:
        (atelier_before, backing_before), (atelier_after, backing_after) = marks[start], marks[end]
        backing_used = backing_after - backing_before if with_backing else Usage()
        return atelier_after - atelier_before + backing_used

    active = used("active_start", "active_end")
    return {
        "delivered": delivered,
        "per_second": delivered / float(result["active_seconds"]),
        "p50_ms": float(latency["p50"]),
        "p99_ms": float(latency["p99"]),
        "us_per_delivery": active.cpu_s / delivered * 1e6,
        "kernel_us_per_delivery": active.kernel_s / delivered * 1e6,
        "syscalls_per_update": active.syscalls / sent,
        "sleeps_per_update": active.sleeps / sent,
        "us_per_delivery_with_pg_redis": used("active_start", "active_end", True).cpu_s
        / delivered
        * 1e6,
        "us_per_connection": used("connect", "active_start").cpu_s / (ROOMS * CLIENTS) * 1e6,
        "whole_run_us_per_delivery": used("connect", "end").cpu_s / delivered * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--backing-cpu", type=int, default=0, help="CPU of PostgreSQL and Redis (default 0)"
    )
    args = parser.parse_args()
    with_backing = functools.partial(cluster, backing_cpu=args.backing_cpu)
    work = Path(tempfile.mkdtemp(prefix="atelier-cluster-bench-"))
    runs: dict[str, list[dict[str, float]]] = {
        "one instance, SQLite": [],
        "two instances, PostgreSQL + Redis": [],
    }
    try:
        for _ in range(args.repeat):
            runs["one instance, SQLite"].append(measure(single, work))
            runs["two instances, PostgreSQL + Redis"].append(measure(with_backing, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    keys = [
        "per_second",
        "p50_ms",
        "p99_ms",
        "us_per_delivery",
        "kernel_us_per_delivery",
        "syscalls_per_update",
        "sleeps_per_update",
        "us_per_delivery_with_pg_redis",
        "us_per_connection",
        "whole_run_us_per_delivery",
    ]
    medians = {
        name: {k: statistics.median(r[k] for r in rs) for k in keys} for name, rs in runs.items()
    }
    print(
        f"scenario (iii), median of {args.repeat}, PostgreSQL and Redis on CPU {args.backing_cpu};"
        " delivered "
        f"{[int(r['delivered']) for rs in runs.values() for r in rs]}"
    )
    columns = [
        "configuration",
        "deliveries/s",
        "p50 ms",
        "p99 ms",
        "Atelier CPU µs/delivery",
        "of which kernel",
        "Atelier syscalls/update",
        "Atelier sleeps/update",
        "+ PostgreSQL and Redis",
        "connecting, µs/connection",
        "whole run, µs/delivery",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for name, m in medians.items():
        print(
            f"| {name} | {m['per_second']:.0f} | {m['p50_ms']:.2f} | {m['p99_ms']:.1f} |"
            f" {m['us_per_delivery']:.1f} | {m['kernel_us_per_delivery']:.1f} |"
            f" {m['syscalls_per_update']:.1f} | {m['sleeps_per_update']:.2f} |"
            f" {m['us_per_delivery_with_pg_redis']:.1f} |"
            f" {m['us_per_connection']:.0f} | {m['whole_run_us_per_delivery']:.1f} |"
        )
    pairs = list(zip(*runs.values(), strict=True))
    for label, key in [
        ("with PostgreSQL and Redis", "us_per_delivery_with_pg_redis"),
        ("Atelier's processes alone", "us_per_delivery"),
    ]:
        ratios = ", ".join(f"{b[key] / a['us_per_delivery']:.2f}" for a, b in pairs)
        print(f"cluster / one instance, CPU per delivery ({label}), per repeat: {ratios}")


if __name__ == "__main__":
    main()
