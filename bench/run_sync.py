#!/usr/bin/env python3
"""Sync-core benchmark: Atelier vs the reference y-websocket server, in the same run.

    .venv/bin/python bench/run_sync.py                       # all scenarios, --repeat 3
    .venv/bin/python bench/run_sync.py --scenarios iii,iv --repeat 1
    .venv/bin/python bench/run_sync.py --servers reference,reference   # noise check
    .venv/bin/python bench/run_sync.py --scenarios iii --transport both   # WS and HTTP fallback

Each (repeat, scenario, server) gets a freshly started server pinned to CPU 0, and the
load generator (bench/loadgen.mjs, official y-websocket client) pinned to CPU 1. The load
generator stops at phase boundaries ("barriers"); this script samples the server's CPU
time and RSS there. Medians over the repeats are printed as a markdown table and every
raw figure is written to bench/results/. Every child process is killed on exit, Ctrl-C
included. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import hashlib
import http.client
import json
import os
import platform
import queue
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
HOST = "127.0.0.1"
SERVER_CPU = 0
LOADGEN_CPU = 1
LOADGEN_NODE = ["node", "--expose-gc", "--max-semi-space-size=64"]
"""The load generator's Node: a young generation large enough for (iii)'s garbage between two
scavenges, and ``gc()`` for a full collection before the measured phase. With V8's defaults its
own pauses (about 1 s of the 10 s measured, major collections of 10-15 ms among them) made most
of both servers' p99: the late deliveries came in bursts right after them, for either server."""
BOARD_TITLE = "bench"
BOARD_TEMPLATE = "workshop"


@functools.cache
def board_seed() -> str:
    """A new Atelier board's content as a Yjs update (base64). The reference server's rooms
    start from it, so both servers, and the load generator's documents, hold the same board:
    the load generator's own garbage collection grows with what its documents hold, and it
    weighs on the latency figures of whichever server it measures."""
    sys.path.insert(0, str(ROOT))
    from pycrdt import Doc

    from server.boards.layout import seed_board

    doc: Doc[Any] = Doc()
    seed_board(doc, BOARD_TEMPLATE, BOARD_TITLE)
    return base64.b64encode(doc.get_update()).decode()


# --------------------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    mode: str
    rooms: int
    clients_per_room: int
    updates: int = 0
    rate: float = 0.0
    warmup: int = 0  # unmeasured updates per client before the measured phase
    extra: dict[str, Any] = field(default_factory=dict)


SCENARIOS: dict[str, Scenario] = {
    s.key: s
    for s in [
        Scenario("i", "(i) 1 room x 2 clients x 500, closed loop", "closed", 1, 2, 500, warmup=500),
        Scenario("ii", "(ii) 1 room x 20 clients x 50 @ 10/s", "rate", 1, 20, 50, 10, warmup=10),
        Scenario("iii", "(iii) 50 rooms x 10 clients x 20 @ 2/s", "rate", 50, 10, 20, 2, warmup=2),
        Scenario("iv", "(iv) 2,000 idle connections in 200 rooms", "idle", 200, 10),
        Scenario(
            "v",
            "(v) 20 clients join a cold room at once",
            "cold",
            1,
            0,
            extra={"prefill": 300, "joiners": 20, "join_timeout_s": 15},
        ),
        Scenario(
            "churn",
            "(churn) 10 rooms x 6 clients x 30 @ 2/s, a connection ended every 200 ms",
            "churn",
            10,
            6,
            30,
            2,
            extra={
                "churn_interval_ms": 200,
                "churn_offline_ms": [100, 500],
                "final_timeout_s": 30,
                "verify_grace_s": 5,
            },
        ),
    ]
}


# --------------------------------------------------------------------------- process helpers
CHILDREN: list[subprocess.Popen[Any]] = []


def _affinity(cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") else []


def spawn(cmd: list[str], cpu: int, **kw: Any) -> subprocess.Popen[Any]:
    if not _affinity(cpu):
        kw["preexec_fn"] = lambda: os.sched_setaffinity(0, {cpu})
    # own session: a Ctrl-C in the terminal reaches only this script, which then
    # terminates the children itself (finally-blocks), in order.
    proc = subprocess.Popen(_affinity(cpu) + cmd, start_new_session=True, **kw)
    CHILDREN.append(proc)
    return proc


def kill(proc: subprocess.Popen[Any] | None, grace: float = 5.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(5)


def kill_all_children() -> None:
    for proc in reversed(CHILDREN):
        kill(proc, grace=3.0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _descendants(pid: int) -> list[int]:
    """pid and every live descendant (a server that forks workers is measured whole)."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    out, frontier = [pid], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        frontier += kids
    return out


@dataclass
class Sample:
    t: float
    cpu_ns: int  # sum over threads of /proc/<pid>/task/*/schedstat (ns resolution)
    cpu_ticks_s: float  # utime+stime from /proc/<pid>/stat (10 ms resolution)
    rss_kb: int
    hwm_kb: int
    core_busy_s: list[float]  # per CPU, from /proc/stat: everything that ran there
    system_ticks_s: float = 0.0  # stime alone: the kernel's share (its TCP work above all)
    syscalls_read: int = 0  # syscr of /proc/<pid>/io: read-like system calls (recv, read)
    syscalls_write: int = 0  # syscw: write-like system calls (send, write, writev)


def core_busy() -> list[float]:
    """Busy seconds per CPU since boot (all processes, interrupts included)."""
    hz = os.sysconf("SC_CLK_TCK")
    out: list[float] = []
    with open("/proc/stat") as f:
        for line in f:
            name, *vals = line.split()
            if name.startswith("cpu") and name != "cpu":
                v = [int(x) for x in vals]
                out.append((sum(v[:8]) - v[3] - v[4]) / hz)  # minus idle, iowait
    return out


def proc_fields(path: str) -> dict[str, int]:
    """The ``name: number …`` lines of a /proc file (``status``, ``io``), first number each."""
    fields: dict[str, int] = {}
    with open(path) as f:
        for line in f:
            name, _, rest = line.partition(":")
            first = rest.split()[:1]
            if first and first[0].isdigit():
                fields[name] = int(first[0])
    return fields


def sample(pid: int) -> Sample:
    cpu_ns = 0
    ticks = 0
    rss = hwm = syscr = syscw = system = 0
    hz = os.sysconf("SC_CLK_TCK")
    for p in _descendants(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
            system += int(fields[12])
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/schedstat") as f:
                    cpu_ns += int(f.read().split()[0])
            status = proc_fields(f"/proc/{p}/status")
            rss += status.get("VmRSS", 0)
            hwm += status.get("VmHWM", 0)
            io = proc_fields(f"/proc/{p}/io")
            syscr += io.get("syscr", 0)
            syscw += io.get("syscw", 0)
        except (OSError, ValueError, IndexError):
            continue
    return Sample(
        time.monotonic(), cpu_ns, ticks / hz, rss, hwm, core_busy(), system / hz, syscr, syscw
    )


def cpu_delta_s(a: Sample, b: Sample) -> float:
    """CPU seconds between two samples. schedstat's run time is what utime+stime is scaled
    to, at ns instead of 10 ms resolution; fall back to ticks if schedstat is unavailable."""
    if a.cpu_ns and b.cpu_ns and b.cpu_ns >= a.cpu_ns:
        return (b.cpu_ns - a.cpu_ns) / 1e9
    return b.cpu_ticks_s - a.cpu_ticks_s


def http_request(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    conn: http.client.HTTPConnection | None = None,
) -> tuple[int, bytes]:
    own = conn is None
    c = conn or http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        h = {"Content-Type": "application/json"} if data is not None else {}
        h.update(headers or {})
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        if own:
            c.close()


# --------------------------------------------------------------------------- servers
class Server:
    kind = "?"
    label = "?"

    def __init__(self, label: str, workdir: Path) -> None:
        self.label = label
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[Any] | None = None
        self.logs: list[Path] = []
        self.tag = label

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        raise NotImplementedError

    def ready(self) -> bool:
        raise NotImplementedError

    def start(self, timeout: float = 60.0) -> None:
        cmd, env, cwd = self.command()
        log = self.workdir / f"{self.tag}.server{len(self.logs)}.log"
        self.logs.append(log)
        with open(log, "wb") as out:
            self.proc = spawn(
                cmd,
                SERVER_CPU,
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.label} exited with {self.proc.returncode} on start:\n" + self.log_tail()
                )
            with contextlib.suppress(OSError, http.client.HTTPException):
                if self.ready():
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.label} not ready after {timeout}s:\n" + self.log_tail())

    def stop(self) -> None:
        kill(self.proc)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, n: int = 30) -> str:
        if not self.logs:
            return ""
        lines = self.logs[-1].read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def log_findings(self) -> dict[str, int]:
        """Count WARNING/ERROR/Traceback lines over every log of this server."""
        found: dict[str, int] = {}
        for log in self.logs:
            for line in log.read_text(errors="replace").splitlines():
                for word in ("Traceback", "ERROR", "WARNING", "Error", "Yjs was already imported"):
                    if word in line:
                        found[word] = found.get(word, 0) + 1
        return found

    def prepare(self, rooms: list[str]) -> list[dict[str, Any]]:
        return [{"name": r, "token": None, "seed": board_seed()} for r in rooms]

    def loadgen_url(self) -> str:
        raise NotImplementedError

    def loadgen_params(self) -> dict[str, str]:
        return {}


class ReferenceServer(Server):
    kind = "reference"

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        env = dict(os.environ, HOST=HOST, PORT=str(self.port))
        script = BENCH / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
        return ["node", str(script)], env, BENCH

    def ready(self) -> bool:
        status, _ = http_request(self.port, "GET", "/", timeout=1.0)
        return status == 200

    def loadgen_url(self) -> str:
        return f"ws://{HOST}:{self.port}"


def code_fingerprint() -> str:
    """Hash of Atelier's Python sources as this run starts them: a benchmark is only a
    comparison if every Atelier run of it ran the same code."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "server").rglob("*.py")):
        h.update(str(path.relative_to(ROOT)).encode())
        with contextlib.suppress(OSError):
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


@functools.cache
def serve_options(exe: str) -> list[str]:
    """Options of `atelier serve` the benchmark wants when this build has them: no first-run
    demo board (it is not part of the load)."""
    try:
        helptext = subprocess.run(
            [exe, "serve", "--help"], capture_output=True, text=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return ["--no-demo"] if "--no-demo" in helptext else []


SHARED_INVITE = {"ATELIER_MAX_CONNECTIONS_PER_INVITE": "100000"}
"""All the clients of a room share its one invite, which a person's invite never would."""


class AtelierServer(Server):
    kind = "atelier"

    def __init__(
        self, label: str, workdir: Path, exe: str, params: dict[str, str], transport: str = "ws"
    ) -> None:
        super().__init__(label, workdir)
        self.exe = exe
        self.params = params
        self.transport = transport
        """``ws``, or ``http``: every client uses the HTTP fallback (SSE down, POST up)."""
        self.admin_token = secrets.token_urlsafe(24)
        self.data_dir = Path(tempfile.mkdtemp(prefix="atelier-data-", dir=workdir))
        self.env: dict[str, str] = dict(SHARED_INVITE)
        if transport == "http":  # a stream and a POST connection per client
            self.env["ATELIER_MAX_HTTP_CONNECTIONS"] = "16384"

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        env = dict(os.environ, ATELIER_ADMIN_TOKEN=self.admin_token, **self.env)
        cmd = [
            self.exe,
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
        ]
        return cmd + serve_options(self.exe), env, ROOT

    def ready(self) -> bool:
        status, _ = http_request(self.port, "GET", "/healthz", timeout=1.0)
        return status == 200

    def prepare(self, rooms: list[str]) -> list[dict[str, Any]]:
        auth = {"Authorization": f"Bearer {self.admin_token}"}
        out = []
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            for r in rooms:
                st, body = http_request(
                    self.port,
                    "POST",
                    "/api/boards",
                    conn=conn,
                    headers=auth,
                    body={"id": r, "title": BOARD_TITLE, "template": BOARD_TEMPLATE},
                )
                if st != 201:
                    raise RuntimeError(f"POST /api/boards {r} -> {st} {body[:300]!r}")
                st, body = http_request(
                    self.port,
                    "POST",
                    f"/api/boards/{r}/invites",
                    conn=conn,
                    headers=auth,
                    body={"role": "participant"},
                )
                if st != 201:
                    raise RuntimeError(f"POST /api/boards/{r}/invites -> {st} {body[:300]!r}")
                out.append({"name": r, "token": json.loads(body)["token"]})
        finally:
            conn.close()
        return out

    def loadgen_url(self) -> str:
        return f"ws://{HOST}:{self.port}/ws/boards"

    def metric(self, name: str) -> float | None:
        """One figure from Atelier's Prometheus /metrics (None if absent)."""
        with contextlib.suppress(OSError, http.client.HTTPException, ValueError):
            status, body = http_request(self.port, "GET", "/metrics", timeout=5.0)
            if status == 200:
                for line in body.decode().splitlines():
                    if line.startswith(name + " "):
                        return float(line.split()[1])
        return None

    def loadgen_params(self) -> dict[str, str]:
        return dict(self.params)


# --------------------------------------------------------------------------- one run
class LoadgenError(RuntimeError):
    pass


def _reader(stream: Any, q: queue.Queue[str | None]) -> None:
    for line in stream:
        q.put(line)
    q.put(None)


def run_loadgen(
    cfg: dict[str, Any],
    workdir: Path,
    tag: str,
    on_barrier: Callable[[dict[str, Any]], dict[str, Any] | None],
    timeout: float,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    cfg_path = workdir / f"{tag}.json"
    cfg_path.write_text(json.dumps(cfg))
    err_path = workdir / f"{tag}.loadgen.log"
    marks: dict[str, dict[str, Any]] = {}
    with open(err_path, "wb") as err:
        proc = spawn(
            [*LOADGEN_NODE, str(BENCH / "loadgen.mjs"), str(cfg_path)],
            LOADGEN_CPU,
            cwd=BENCH,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    assert proc.stdin is not None
    assert proc.stdout is not None
    q: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, q), daemon=True).start()
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LoadgenError(f"load generator timed out after {timeout}s")
            try:
                line = q.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise LoadgenError(
                    f"load generator ended without a result (rc={proc.wait(5)}):\n"
                    + err_path.read_text(errors="replace")[-2000:]
                )
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            if msg.get("type") == "barrier":
                marks[msg["name"]] = on_barrier(msg) or {}
                proc.stdin.write("go\n")
                proc.stdin.flush()
            elif msg.get("type") == "result":
                proc.wait(30)
                return msg, marks
            elif msg.get("type") == "fatal":
                raise LoadgenError(msg.get("error", "fatal"))
    finally:
        kill(proc, grace=2.0)


def run_one(
    scn: Scenario,
    server: Server,
    rep: int,
    workdir: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    tag = f"{scn.key}-{server.label}-r{rep}"
    count = args.rooms if args.rooms and scn.mode in ("rate", "closed") else scn.rooms
    rooms = [f"b{scn.key}-{rep}-{i}" for i in range(count)]
    result: dict[str, Any] = {
        "scenario": scn.key,
        "server": server.label,
        "kind": server.kind,
        "repeat": rep,
    }
    server.tag = tag
    if scn.mode == "cold" and isinstance(server, AtelierServer) and args.cold == "evict":
        # unload the idle room quickly instead of after the default 30 s
        server.env["ATELIER_ROOM_IDLE_SECONDS"] = str(args.evict_after)
    # (churn) needs no limit raised beyond SHARED_INVITE: per room and minute its clients send
    # a few tens of KB (invite budget 16 MB), a few messages a second per connection (300/s),
    # and a dropped connection's slot is moot at 100,000 connections per invite.
    if isinstance(server, AtelierServer):
        result["atelier_code"] = code_fingerprint()
    try:
        server.start()
        t0 = time.monotonic()
        room_cfg = server.prepare(rooms)
        result["prepare_s"] = round(time.monotonic() - t0, 3)
        cfg: dict[str, Any] = {
            "scenario": scn.key,
            "mode": scn.mode,
            "transport": getattr(server, "transport", "ws"),
            "url": server.loadgen_url(),
            "rooms": room_cfg,
            "clients_per_room": scn.clients_per_room,
            "updates": scn.updates,
            "rate": scn.rate,
            "params": server.loadgen_params(),
            "warmup": 0 if args.no_warmup else scn.warmup,
            "client_deflate": not args.no_client_deflate,
            "barriers": True,
            "awareness": not args.no_awareness,
            "connect_concurrency": args.connect_concurrency,
            **scn.extra,
        }
        samples: dict[str, Sample] = {}

        def on_barrier(msg: dict[str, Any]) -> dict[str, Any]:
            name = msg["name"]
            info: dict[str, Any] = {}
            if name == "held":
                time.sleep(args.settle)  # let the allocator and the kernel settle
                samples["held"] = sample(server.pid)
                time.sleep(args.hold)
                samples["hold_end"] = sample(server.pid)
                return info
            if name == "writer_left" and isinstance(server, AtelierServer):
                if args.cold == "restart":
                    server.restart()  # the room is certainly not in memory any more
                    info["restarted"] = True
                else:  # wait (bounded) until the sweeper has unloaded the room
                    t0 = time.monotonic()
                    while time.monotonic() - t0 < args.evict_after + 20:
                        if server.metric("atelier_rooms") == 0:
                            break
                        time.sleep(0.2)
                    info["evicted"] = server.metric("atelier_rooms") == 0
                    info["evict_wait_s"] = round(time.monotonic() - t0, 2)
                info["room_loads_before_join"] = server.metric("atelier_room_loads_total")
                info["room_load_s_before_join"] = server.metric("atelier_room_load_seconds_total")
            if name == "join_end" and isinstance(server, AtelierServer):
                info["room_loads_after_join"] = server.metric("atelier_room_loads_total")
                info["room_load_s_after_join"] = server.metric("atelier_room_load_seconds_total")
            samples[name] = sample(server.pid)
            return info

        msg, marks = run_loadgen(cfg, workdir, tag, on_barrier, timeout=args.run_timeout)
        result["loadgen"] = msg
        result["marks"] = marks
        result["samples"] = {k: vars(v) for k, v in samples.items()}
        result.update(metrics(scn, msg, samples))
        before = marks.get("writer_left", {}).get("room_load_s_before_join")
        after = marks.get("join_end", {}).get("room_load_s_after_join")
        if before is not None and after is not None:  # (v): the board's load from storage
            result["join_room_load_ms"] = round((after - before) * 1e3, 2)
    except Exception as e:  # one failed run must not end the benchmark; Ctrl-C still does
        result["error"] = f"{type(e).__name__}: {e}"
        result["server_log_tail"] = server.log_tail()
        short = "\n     ".join(str(e).splitlines()[-6:])
        print(f"  !! {tag}: {type(e).__name__}: {short}", file=sys.stderr)
    finally:
        alive = server.proc is not None and server.proc.poll() is None
        result["server_alive_at_end"] = alive
        if server.proc is not None and not alive:
            result["server_exit_code"] = server.proc.returncode
            result["server_log_tail"] = server.log_tail()
        server.stop()
        result["server_log_findings"] = server.log_findings()
    return result


def interference(
    a: Sample, b: Sample, server_cpu: float, loadgen_cpu: float | None
) -> dict[str, Any]:
    """What else ran on the two cores during a phase. From /proc/stat: busy time of CPU 0 that
    is not the server's, and of CPU 1 that is not the load generator's. The kernel's loopback
    work lands there too (a few %); much more means another process shared a core (tests, a
    build) and the run's figures are suspect."""
    dur = max(b.t - a.t, 1e-9)
    if len(a.core_busy_s) <= max(SERVER_CPU, LOADGEN_CPU):
        return {}
    other0 = b.core_busy_s[SERVER_CPU] - a.core_busy_s[SERVER_CPU] - server_cpu
    out = {"server_core_other_pct": round(100 * max(other0, 0.0) / dur, 1)}
    if loadgen_cpu is not None:
        other1 = b.core_busy_s[LOADGEN_CPU] - a.core_busy_s[LOADGEN_CPU] - loadgen_cpu
        out["loadgen_core_other_pct"] = round(100 * max(other1, 0.0) / dur, 1)
    return out


def busy_fraction(interval: float = 1.0) -> list[float]:
    a = core_busy()
    time.sleep(interval)
    b = core_busy()
    return [(y - x) / interval for x, y in zip(a, b, strict=True)]


def wait_quiet(max_wait: float, threshold: float) -> float | None:
    """Wait (bounded) until no core is busier than `threshold` with work that is not ours.
    Returns the busiest core's fraction at the last check if it never got quiet."""
    deadline = time.monotonic() + max_wait
    announced = False
    while True:
        busy = busy_fraction(1.0)
        if max(busy) <= threshold:
            return None
        if time.monotonic() >= deadline:
            print(
                f"         machine still busy ({', '.join(f'{100 * b:.0f}%' for b in busy)}); "
                "running anyway",
                file=sys.stderr,
            )
            return max(busy)
        if not announced:
            print(
                f"         waiting for the machine to quiet down "
                f"(cores {', '.join(f'{100 * b:.0f}%' for b in busy)} busy)",
                file=sys.stderr,
            )
            announced = True


def noise_of(r: dict[str, Any]) -> float:
    return max(r.get("server_core_other_pct") or 0.0, r.get("loadgen_core_other_pct") or 0.0)


def is_noisy(r: dict[str, Any], args: argparse.Namespace) -> bool:
    """Another process visibly shared a core on average, or the load generator itself stalled
    (a burst of foreign work the averages miss; its own GC pauses stay well below the limit)."""
    lag = ((r.get("loadgen") or {}).get("loadgen_timer_lag_ms") or {}).get("max") or 0.0
    return bool(noise_of(r) > args.noise_limit or lag > args.lag_limit)


def run_measured(
    scn: Scenario,
    make: Callable[[], Server],
    rep: int,
    workdir: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """One run, redone (bounded) when another process visibly shared a core; the quietest
    attempt is kept, the others are kept in the JSON under "discarded"."""
    attempts: list[dict[str, Any]] = []
    for attempt in range(1 + args.retries):
        t0 = time.monotonic()
        busy = wait_quiet(min(args.quiet_wait, args.patience_left), args.quiet_threshold / 100)
        args.patience_left = max(0.0, args.patience_left - (time.monotonic() - t0))
        t0 = time.monotonic()
        r = run_one(scn, make(), rep, workdir, args)
        if attempt > 0:  # a redo spends patience too
            args.patience_left = max(0.0, args.patience_left - (time.monotonic() - t0))
        r["attempt"] = attempt
        if busy is not None:
            r["busy_before_pct"] = round(100 * busy, 1)
        attempts.append(r)
        if "error" in r or not is_noisy(r, args):
            break
        lag = r["loadgen"].get("loadgen_timer_lag_ms", {}).get("max", 0)
        print(
            f"         other work on the cores ({noise_of(r):.0f}% of a core, "
            f"load generator stalled up to {lag:.0f} ms): "
            + (
                "redoing this run"
                if attempt < args.retries and args.patience_left > 0
                else "keeping it, flagged noisy"
            ),
            file=sys.stderr,
        )
        if args.patience_left <= 0:
            break
    best = min(attempts, key=lambda x: ("error" in x, is_noisy(x, args), noise_of(x)))
    best["noisy"] = is_noisy(best, args)
    others = [a for a in attempts if a is not best]
    if others:
        best["discarded"] = others
    return best


def metrics(scn: Scenario, msg: dict[str, Any], s: dict[str, Sample]) -> dict[str, Any]:
    m: dict[str, Any] = {}
    if scn.mode in ("closed", "rate"):
        a, b = s["active_start"], s["active_end"]
        cpu = cpu_delta_s(a, b)
        delivered = msg["delivered"]
        m["server_cpu_s"] = round(cpu, 4)
        m["server_cpu_ticks_s"] = round(b.cpu_ticks_s - a.cpu_ticks_s, 2)
        m["us_per_delivery"] = round(cpu * 1e6 / delivered, 2) if delivered else None
        m["us_per_update"] = round(cpu * 1e6 / msg["sent"], 2) if msg["sent"] else None
        if delivered:
            ticks = b.cpu_ticks_s - a.cpu_ticks_s
            kernel = (b.system_ticks_s - a.system_ticks_s) / ticks if ticks else 0.0
            m["kernel_share"] = round(kernel, 3)
            m["kernel_us_per_delivery"] = round(cpu * kernel * 1e6 / delivered, 2)
            m["user_us_per_delivery"] = round(cpu * (1 - kernel) * 1e6 / delivered, 2)
            m["reads_per_delivery"] = round((b.syscalls_read - a.syscalls_read) / delivered, 3)
            m["writes_per_delivery"] = round((b.syscalls_write - a.syscalls_write) / delivered, 3)
        m["server_cpu_util"] = round(cpu / max(b.t - a.t, 1e-9), 3)
        m["delivered"] = delivered
        m["expected"] = msg["expected_deliveries"]
        m["p50_ms"] = msg["latency_ms"].get("p50")
        m["p99_ms"] = msg["latency_ms"].get("p99")
        gc = msg.get("loadgen_gc") or {}
        m["loadgen_gc_ms"] = gc.get("total_ms")
        m["loadgen_gc_max_ms"] = gc.get("max_ms")
        m["rss_mb_end"] = round(b.rss_kb / 1024, 1)
        m.update(interference(a, b, cpu, msg.get("loadgen_cpu_s")))
    elif scn.mode == "idle":
        base, held, end = s["connect"], s["held"], s["hold_end"]
        n = msg["connect"]["synced"]
        m["connected"] = n
        m["expected"] = msg["clients"]
        m["open_after_hold"] = msg["open_after_hold"]
        m["rss_mb_before"] = round(base.rss_kb / 1024, 1)
        m["rss_mb_held"] = round(held.rss_kb / 1024, 1)
        m["kb_per_conn"] = round((held.rss_kb - base.rss_kb) / n, 2) if n else None
        m["connect_cpu_us_per_conn"] = round(cpu_delta_s(base, held) * 1e6 / n, 1) if n else None
        m.update(interference(base, held, cpu_delta_s(base, held), None))
        m["idle_cpu_pct"] = round(100 * cpu_delta_s(held, end) / max(end.t - held.t, 1e-9), 2)
        m["time_to_sync_p50_ms"] = msg["connect"]["time_to_sync_ms"].get("p50")
        m["time_to_sync_p99_ms"] = msg["connect"]["time_to_sync_ms"].get("p99")
    elif scn.mode == "cold":
        m["synced"] = msg["synced"]
        m["same_content"] = msg["same_content"]
        m["joiners"] = msg["joiners"]
        m["verified_before_leave"] = msg["verified_before_leave"]
        m["time_to_sync_p50_ms"] = msg["time_to_sync_ms"].get("p50")
        m["time_to_sync_max_ms"] = msg["time_to_sync_ms"].get("max")
        m["time_to_open_p50_ms"] = (msg.get("time_to_open_ms") or {}).get("p50")
        if "join_start" in s and "join_end" in s:
            join_cpu = cpu_delta_s(s["join_start"], s["join_end"])
            m["join_cpu_ms"] = round(join_cpu * 1e3, 1)
            m.update(interference(s["join_start"], s["join_end"], join_cpu, None))
    elif scn.mode == "churn":
        a, b = s["active_start"], s["active_end"]
        m["server_cpu_s"] = round(cpu_delta_s(a, b), 4)
        m.update(interference(a, b, cpu_delta_s(a, b), None))
        m["lost"] = msg["lost"]
        m["missing_at_sync"] = msg["missing_at_sync"]
        m["written"] = msg["written"]
        m["offline_writes"] = msg["offline_writes"]
        m["churns"] = msg["churns"]
        m["reconnections"] = msg["resyncs"]
        m["clients_synced"] = msg["clients_synced"]
        m["expected"] = msg["clients"]
        m["clients_converged"] = msg["clients_converged"]
        m["fresh_synced"] = msg["fresh_synced"]
        m["final_resync_ms"] = msg["final_resync_ms"]
        m["final_converge_ms"] = msg["final_converge_ms"]
    m["close_codes"] = msg.get("close_codes")
    m["errors"] = msg.get("errors")
    m["reconnects"] = msg.get("reconnects")
    m["extensions"] = msg.get("extensions")
    return m


# --------------------------------------------------------------------------- report
ROWS: dict[str, list[tuple[str, str, str]]] = {
    # (metric key, label, how to compare: "lower" / "higher" / "")
    "closed": [
        ("us_per_delivery", "server CPU µs / delivery", "lower"),
        ("user_us_per_delivery", "  of which user space (µs)", "lower"),
        ("kernel_us_per_delivery", "  of which kernel (µs)", "lower"),
        ("reads_per_delivery", "server read syscalls / delivery", "lower"),
        ("writes_per_delivery", "server write syscalls / delivery", "lower"),
        ("p50_ms", "latency p50 (ms)", "lower"),
        ("p99_ms", "latency p99 (ms)", "lower"),
        ("delivered", "delivered", ""),
    ],
    "idle": [
        ("kb_per_conn", "RSS KB / idle connection", "lower"),
        ("connect_cpu_us_per_conn", "connect CPU µs / connection", "lower"),
        ("idle_cpu_pct", "idle server CPU %", "lower"),
        ("time_to_sync_p50_ms", "time to synced p50 (ms)", "lower"),
        ("connected", "connected & synced", ""),
    ],
    "cold": [
        ("synced", "synced (of 20)", ""),
        ("same_content", "same content (of 20)", ""),
        ("time_to_sync_p50_ms", "time to synced p50 (ms)", "lower"),
        ("time_to_sync_max_ms", "time to synced max (ms)", "lower"),
        ("time_to_open_p50_ms", "time to open p50 (ms): the 101 read", "lower"),
        ("join_cpu_ms", "server CPU for the join (ms)", "lower"),
        ("join_room_load_ms", "of the time to synced: loading the board (ms)", "lower"),
    ],
    "churn": [
        ("lost", "updates lost (must be 0)", "lower"),
        ("written", "updates written", ""),
        ("offline_writes", "of which while disconnected", ""),
        ("reconnections", "reconnections (resynced)", ""),
        ("clients_synced", "clients synced at the end", ""),
        ("final_resync_ms", "final resync: all synced (ms)", "lower"),
        ("final_converge_ms", "final resync: all converged (ms)", "lower"),
    ],
}
ROWS["rate"] = ROWS["closed"]


def median(values: list[Any]) -> Any:
    nums = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return statistics.median(nums) if nums else None


def fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 10 else f"{v:,.1f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def summarize(
    results: list[dict[str, Any]], scenarios: list[str], labels: list[str]
) -> tuple[dict[str, Any], str]:
    med: dict[str, Any] = {}
    base = labels[0]
    header = (
        "| scenario | metric | "
        + " | ".join(labels)
        + " | "
        + " | ".join(f"{lb}/{base}" for lb in labels[1:])
        + " |"
    )
    lines = [header, "|" + "---|" * (2 + 2 * len(labels) - 1)]
    for key in scenarios:
        scn = SCENARIOS[key]
        med[key] = {}
        for label in labels:
            runs = [r for r in results if r["scenario"] == key and r["server"] == label]
            ok = [r for r in runs if "error" not in r]
            med[key][label] = {m: median([r.get(m) for r in ok]) for m, _, _ in ROWS[scn.mode]} | {
                "runs": len(runs),
                "failed": len(runs) - len(ok),
                "noisy": sum(1 for r in ok if r.get("noisy")),
            }
        first = True
        for m, text, _ in ROWS[scn.mode]:
            vals = [med[key][lb][m] for lb in labels]
            if m in ("delivered", "connected", "clients_synced"):
                exp = [
                    median(
                        [
                            r.get("expected")
                            for r in results
                            if r["scenario"] == key and r["server"] == lb and "error" not in r
                        ]
                    )
                    for lb in labels
                ]
                cells = [
                    f"{fmt(v)} / {fmt(e)}" if v is not None else "—"
                    for v, e in zip(vals, exp, strict=True)
                ]
            else:
                cells = [fmt(v) for v in vals]
            ratios = []
            for v in vals[1:]:
                b = vals[0]
                ratios.append(f"{v / b:.2f}x" if isinstance(v, int | float) and b else "")
            lines.append(
                f"| {scn.title if first else ''} | {text} | "
                + " | ".join(cells)
                + " | "
                + " | ".join(ratios)
                + " |"
            )
            first = False
        for what, field_ in (("failed runs", "failed"), ("runs flagged noisy", "noisy")):
            if any(med[key][lb][field_] for lb in labels):
                lines.append(
                    f"| | {what} | "
                    + " | ".join(str(med[key][lb][field_]) for lb in labels)
                    + " |"
                    + " |" * (len(labels) - 1)
                )
    return med, "\n".join(lines)


def env_info() -> dict[str, Any]:
    def pkg_version(name: str) -> str | None:
        p = BENCH / "node_modules" / name / "package.json"
        return json.loads(p.read_text())["version"] if p.exists() else None

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "node": subprocess.run(
            ["node", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "packages": {
            n: pkg_version(n)
            for n in (
                "yjs",
                "y-websocket",
                "y-protocols",
                "ws",
                "@y/websocket-server",
                "@y/protocols",
            )
        },
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        info["git_rev"] = rev.stdout.strip() or None
    return info


# --------------------------------------------------------------------------- main
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated subset of {','.join(SCENARIOS)} (default: all)",
    )
    p.add_argument("--repeat", type=int, default=3, help="runs per scenario and server (median)")
    p.add_argument(
        "--servers",
        default="reference,atelier",
        help="comma-separated, in order; a kind may repeat (reference,reference)",
    )
    p.add_argument("--atelier-exe", default=str(ROOT / ".venv" / "bin" / "atelier"))
    p.add_argument(
        "--transport",
        choices=["ws", "http", "both"],
        default="ws",
        help="Atelier's clients use the WebSocket, the HTTP fallback (SSE + POST, label "
        "atelier-http), or both side by side in the same run",
    )
    p.add_argument(
        "--rooms",
        type=int,
        default=0,
        help="rooms of scenarios (i)-(iii) instead of their own number (a reduced run)",
    )
    p.add_argument(
        "--atelier-params",
        default="name=bench",
        help="URL params sent to Atelier besides the token (k=v,k=v)",
    )
    p.add_argument(
        "--cold",
        choices=["evict", "restart"],
        default="evict",
        help="(v) how the Atelier room is made cold: run Atelier with "
        "ATELIER_ROOM_IDLE_SECONDS=--evict-after and wait until /metrics shows "
        "no room loaded (default), or restart the server on the same data dir",
    )
    p.add_argument("--evict-after", type=float, default=1.0)
    p.add_argument("--settle", type=float, default=1.0, help="(iv) seconds before reading RSS")
    p.add_argument("--hold", type=float, default=3.0, help="(iv) seconds of idle CPU measured")
    p.add_argument(
        "--connect-concurrency",
        type=int,
        default=64,
        help="connections the load generator opens at a time",
    )
    p.add_argument(
        "--no-warmup", action="store_true", help="skip the unmeasured warm-up phase of (i)-(iii)"
    )
    p.add_argument(
        "--no-awareness",
        action="store_true",
        help="clients set no presence state (the app sets name, party, colour)",
    )
    p.add_argument(
        "--no-client-deflate",
        action="store_true",
        help="clients don't offer permessage-deflate (browsers do)",
    )
    p.add_argument(
        "--run-timeout", type=float, default=240.0, help="bound on one load-generator run, seconds"
    )
    p.add_argument(
        "--noise-limit",
        type=float,
        default=15.0,
        help="%% of a core used by other processes during a run above which it is redone",
    )
    p.add_argument(
        "--lag-limit",
        type=float,
        default=150.0,
        help="ms the load generator's event loop may stall before a run counts as noisy",
    )
    p.add_argument("--retries", type=int, default=2, help="redos of a noisy run (bounded)")
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        help="seconds to wait before each run for the machine to be quiet (bounded)",
    )
    p.add_argument(
        "--quiet-threshold", type=float, default=10.0, help="%% busy per core counted as quiet"
    )
    p.add_argument(
        "--patience",
        type=float,
        default=300.0,
        help="total seconds the whole run may spend waiting for quiet and redoing noisy runs",
    )
    p.add_argument("--out", default=str(BENCH / "results"))
    p.add_argument("--keep-logs", action="store_true", help="keep the temp dir with server logs")
    args = p.parse_args(argv)
    args.scenario_list = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    for s in args.scenario_list:
        if s not in SCENARIOS:
            p.error(f"unknown scenario {s!r}")
    args.server_list = [s.strip() for s in args.servers.split(",") if s.strip()]
    for s in args.server_list:
        if s not in ("reference", "atelier"):
            p.error(f"unknown server {s!r}")
    args.patience_left = args.patience
    if not 1 <= args.repeat <= 20:
        p.error("--repeat must be 1..20")
    return args


def make_servers(
    args: argparse.Namespace,
    workdir: Path,
) -> list[tuple[str, Callable[[], Server]]]:
    params = dict(kv.split("=", 1) for kv in args.atelier_params.split(",") if "=" in kv)
    seen: dict[str, int] = {}
    makers: list[tuple[str, Callable[[], Server]]] = []
    for kind in args.server_list:
        seen[kind] = seen.get(kind, 0) + 1
        suffix = "" if seen[kind] == 1 else f"#{seen[kind]}"
        transports = ["ws"]
        if kind == "atelier":
            transports = {"ws": ["ws"], "http": ["http"], "both": ["ws", "http"]}[args.transport]
        for transport in transports:
            label = f"{kind}{'-http' if transport == 'http' else ''}{suffix}"
            make = functools.partial(_new_server, kind, label, workdir, args, params, transport)
            makers.append((label, make))
    return makers


def _new_server(
    kind: str,
    label: str,
    workdir: Path,
    args: argparse.Namespace,
    params: dict[str, str],
    transport: str = "ws",
) -> Server:
    if kind == "reference":
        return ReferenceServer(label, workdir)
    return AtelierServer(label, workdir, args.atelier_exe, params, transport)


def ensure_node_modules() -> None:
    if (BENCH / "node_modules" / "y-websocket").exists():
        return
    print("installing bench/node_modules (npm ci)…", file=sys.stderr)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True, timeout=300)


@contextlib.contextmanager
def cleanup_on_exit() -> Iterator[None]:
    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    old = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        kill_all_children()
        signal.signal(signal.SIGTERM, old)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_node_modules()
    with contextlib.suppress(OSError):  # keep CPU 0 for the server
        os.sched_setaffinity(0, {LOADGEN_CPU})
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    workdir = Path(tempfile.mkdtemp(prefix="atelier-bench-"))
    started = time.strftime("%Y%m%d-%H%M%S")
    results: list[dict[str, Any]] = []
    labels: list[str] = []
    interrupted = False
    t_start = time.monotonic()
    with cleanup_on_exit():
        try:
            makers = make_servers(args, workdir)
            labels = [label for label, _ in makers]
            for rep in range(args.repeat):
                for key in args.scenario_list:
                    for label, make in makers:  # servers interleaved: drift hits both alike
                        print(
                            f"[{time.monotonic() - t_start:6.1f}s] rep {rep + 1}/{args.repeat} "
                            f"scenario {key} on {label}",
                            file=sys.stderr,
                        )
                        r = run_measured(SCENARIOS[key], make, rep, workdir, args)
                        results.append(r)
                        brief = {
                            k: r.get(k)
                            for k in (
                                "us_per_delivery",
                                "user_us_per_delivery",
                                "kernel_us_per_delivery",
                                "reads_per_delivery",
                                "writes_per_delivery",
                                "p50_ms",
                                "p99_ms",
                                "loadgen_gc_ms",
                                "loadgen_gc_max_ms",
                                "delivered",
                                "kb_per_conn",
                                "connected",
                                "synced",
                                "same_content",
                                "lost",
                                "reconnections",
                                "final_resync_ms",
                                "server_core_other_pct",
                                "loadgen_core_other_pct",
                                "error",
                            )
                            if r.get(k) is not None
                        }
                        print(
                            f"         {json.dumps(brief, ensure_ascii=False)[:400]}",
                            file=sys.stderr,
                        )
        except KeyboardInterrupt:
            interrupted = True
            print("interrupted: stopping every child process", file=sys.stderr)
        finally:
            kill_all_children()
            if not args.keep_logs:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                print(f"logs kept in {workdir}", file=sys.stderr)
    if not results:
        return 130 if interrupted else 1
    med, table = summarize(
        results, [s for s in args.scenario_list if any(r["scenario"] == s for r in results)], labels
    )
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"sync-{started}.json"
    out.write_text(
        json.dumps(
            {
                "started": started,
                "seconds": round(time.monotonic() - t_start, 1),
                "args": {k: v for k, v in vars(args).items()},
                "interrupted": interrupted,
                "env": env_info(),
                "medians": med,
                "table": table,
                "runs": results,
            },
            indent=1,
            ensure_ascii=False,
        )
    )
    print(
        f"\nSync-core benchmark, median of {args.repeat} "
        f"({time.monotonic() - t_start:.0f}s; server on CPU {SERVER_CPU}, "
        f"load generator on CPU {LOADGEN_CPU})\n"
    )
    print(table)
    codes = sorted({r["atelier_code"] for r in results if "atelier_code" in r})
    if len(codes) > 1:
        print(
            f"\nWARNING: Atelier's sources changed during the run ({len(codes)} versions: "
            f"{', '.join(codes)}); its figures mix them."
        )
    noisy = sum(1 for r in results if r.get("noisy"))
    if noisy:
        print(f"\nWARNING: {noisy} run(s) kept although other work shared the cores (see JSON).")
    print(f"\nraw results: {out}")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
