#!/usr/bin/env python3
"""Where a relayed board edit's server CPU goes, part by part, in process.

    .venv/bin/python bench/sync_floor.py            # 5,000 edits, 10 peers per room

`run_sync.py` measures the whole server against the reference; this measures each part of
one edit's path with the real code (one process, one core, `time.process_time`), so the
floor is known: which parts are Atelier's own work (zones, durability, limits) and which are
the socket writes every server pays. Each part runs alone over the same edits, a
`Y.Map.set` of ~70 bytes as in scenario (iii):

- the WebSocket frame parsed by `websockets` (a masked client frame);
- the y-websocket message decoded (`sync.protocol`);
- the zone check: the update applied to the room's shadow (`sync.zones`);
- the room's whole `receive` (limits, zone check, apply, log entry), with a sink that only
  counts;
- the SQLite commit of the log writer (`store.writer`), for batches of 1, 2 and 5 entries;
- the relay to 9 peers through `Peer.enqueue` into real TCP connections on 127.0.0.1, and
  the bare `send` system call alone for comparison (the receiving ends are read between
  rounds, so the time of the readers' wake-ups is not in these figures).

Prints µs per edit (per delivery for the relay) and the sum for scenario (iii)'s shape: one
edit in, 9 deliveries out, batches of about 2 (what the writer commits at that load).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pycrdt import Map
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.boards.document import doc_from_updates, seed_update  # noqa: E402
from server.core.auth import Grant, Role  # noqa: E402
from server.store import catalog, migrate  # noqa: E402
from server.store.db import open_engine  # noqa: E402
from server.store.writer import LogWriter, Submission  # noqa: E402
from server.sync import protocol  # noqa: E402
from server.sync.peer import Peer, TokenBucket  # noqa: E402
from server.sync.room import Room  # noqa: E402
from server.sync.sink import LogEntry  # noqa: E402
from server.sync.zones import ZoneWatcher  # noqa: E402

SEED = seed_update("workshop", "Atelier")
PEERS = 10


class CountingSink:
    """The room's log writer, reduced to counting: the commit is measured on its own."""

    def __init__(self) -> None:
        self.count = 0

    def has_capacity(self) -> bool:
        return True

    def submit(self, entry: Any, on_durable: Any, checkpoint: bytes | None = None) -> None:
        self.count += 1


class SocketLink:
    """A peer's link writing each frame to a real socket, as the transport does."""

    can_write = True

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def write(self, message: bytes) -> None:
        self._sock.send(message)

    def close(self, code: int, reason: str) -> None:
        pass


def edits(count: int, doc_seed: bytes) -> list[bytes]:
    client = doc_from_updates([doc_seed])
    entries = client.get("bench", type=Map)
    made = []
    for i in range(count):
        before = client.get_state()
        entries["c1"] = f"s{i};{time.time_ns()};" + "x" * 32
        made.append(client.get_update(before))
    return made


def per_item(items: list[Any], work: Callable[[Any], object]) -> float:
    start = time.process_time()
    for item in items:
        work(item)
    return (time.process_time() - start) / len(items) * 1e6


def peer(link: Any, invite: str) -> Peer:
    return Peer(
        link,
        Grant(invite, Role.PARTICIPANT, "b", None, None),
        name="Bench",
        party="etat",
        acks=False,
        limiter=TokenBucket(1e9, 10**9, 1e12, 10**12),
        outbox_max_messages=1000,
        outbox_max_bytes=10**8,
    )


def frame_parse(frames: list[bytes]) -> float:
    conn = ServerProtocol()
    conn.receive_data(
        b"GET /ws/boards/b HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    request = conn.events_received()[0]
    assert isinstance(request, Request)
    conn.send_response(conn.accept(request))
    conn.data_to_send()
    wire = [Frame(Opcode.BINARY, f).serialize(mask=True) for f in frames]

    def parse(data: bytes) -> None:
        conn.receive_data(data)
        conn.events_received()

    return per_item(wire, parse)


def commit_cost(batch: int, rounds: int) -> float:
    with tempfile.TemporaryDirectory() as work:
        engine = open_engine(f"sqlite:///{work}/bench.db")
        migrate.upgrade(engine)
        catalog.create_board(engine, "b", "Atelier", "workshop", SEED, None)
        writer = LogWriter(engine)
        data = b"x" * 70
        batches = [
            [
                Submission(LogEntry("b", time.time(), "inv", "Bench", "etat", data), None, print)
                for _ in range(batch)
            ]
            for _ in range(rounds)
        ]
        cost = per_item(batches, writer._commit) / batch
        asyncio.run(writer._close_connection())
        engine.dispose()
        return cost


def tcp_pair(listener: socket.socket) -> tuple[socket.socket, socket.socket]:
    """Two ends of a TCP connection on 127.0.0.1, as between the server and a client."""
    theirs = socket.create_connection(listener.getsockname())
    ours, _ = listener.accept()
    ours.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    theirs.setblocking(False)
    return ours, theirs


def relay_cost(frames: list[bytes]) -> tuple[float, float]:
    listener = socket.create_server(("127.0.0.1", 0))
    pairs = [tcp_pair(listener) for _ in range(PEERS - 1)]
    listener.close()
    peers = [peer(SocketLink(ours), f"i{n}") for n, (ours, _) in enumerate(pairs)]

    def drain() -> None:
        for _, theirs in pairs:
            while True:
                try:
                    theirs.recv(1 << 20)
                except BlockingIOError:
                    break

    spent = 0.0
    for start in range(0, len(frames), 200):
        chunk = frames[start : start + 200]
        began = time.process_time()
        for frame in chunk:
            message = protocol.encode_update(frame)
            for each in peers:
                each.enqueue(message)
        spent += time.process_time() - began
        drain()
    per_delivery = spent / (len(frames) * len(peers)) * 1e6
    sock = pairs[0][0]
    message = protocol.encode_update(frames[0])
    sends, rounds = 0.0, max(1, len(frames) // 200)
    for _ in range(rounds):
        began = time.process_time()
        for _ in range(200):
            sock.send(message)
        sends += time.process_time() - began
        drain()
    for ours, theirs in pairs:
        ours.close()
        theirs.close()
    return per_delivery, sends / rounds / 200 * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=5000)
    args = parser.parse_args()
    updates = edits(args.edits, SEED)
    frames = [protocol.encode_update(u) for u in updates]

    room = Room("b", doc_from_updates([SEED]), CountingSink())
    writer_peer = peer(SocketLink(socket.socket()), "writer")
    watcher = ZoneWatcher(doc_from_updates([SEED]))
    shadow_updates = edits(args.edits, SEED)
    rows = [
        ("frame parsed (websockets)", frame_parse(frames)),
        ("message decoded", per_item(frames, protocol.decode)),
        ("zone check (shadow apply)", per_item(shadow_updates, watcher.touched_by)),
        (
            "room receive (limits, zones, apply, log entry)",
            per_item([protocol.decode(f) for f in frames], lambda m: room.receive(writer_peer, m)),
        ),
    ]
    commits = {
        batch: commit_cost(batch, max(200, args.edits // (5 * batch))) for batch in (1, 2, 5)
    }
    relay, send = relay_cost(updates)
    print(f"{args.edits} edits of ~{len(frames[0])} bytes, {PEERS} peers per room\n")
    print("| part | µs |")
    print("|---|---|")
    for name, cost in rows:
        print(f"| {name}, per edit | {cost:.1f} |")
    for batch, cost in commits.items():
        print(f"| SQLite commit, per entry, batches of {batch} | {cost:.1f} |")
    print(f"| relay, per delivery (encode, enqueue, send) | {relay:.1f} |")
    print(f"| bare send() system call, per delivery | {send:.1f} |")
    rest = [cost for name, cost in rows if not name.startswith("zone check")]
    total = sum(rest) + commits[2] + 9 * relay
    print(
        f"\nscenario (iii)'s shape (1 edit in, 9 deliveries, batches of 2): {total:.0f} µs per "
        f"edit = {total / 9:.1f} µs per delivery, of which {send:.1f} µs the send "
        "calls alone; the zone check's shadow apply is included in the room's receive"
    )


if __name__ == "__main__":
    main()
