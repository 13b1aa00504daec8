"""Memory returns to baseline after thousands of boards were opened and left.

    .venv/bin/python bench/rooms_memory.py [--boards 2000]

Starts Atelier with a short idle time, then, for several rounds of different boards: for
each board connect one client, make one edit, wait for it to be durable, disconnect.
Reports the server's RSS at each round's peak and after its idle boards were unloaded: a
plateau that does not grow round after round means unloaded boards are really freed.
Only 127.0.0.1 is contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.atelier_server import AtelierServer  # noqa: E402
from tests.support.raw_client import RawClient  # noqa: E402


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def metric(server: AtelierServer, name: str) -> float:
    for line in httpx.get(f"{server.base_url}/metrics", timeout=10).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise RuntimeError(name)


async def open_and_leave(server: AtelierServer, board_id: str, token: str) -> None:
    client = await RawClient.open(server.ws_url, board_id, token, acks="1")
    await client.sync()
    await client.set_key("note", "x" * 60)
    await client.wait_durable()
    await client.close()


async def wait_unloaded(server: AtelierServer) -> None:
    deadline = time.monotonic() + 120
    # Polls another process's metrics: there is no event to await here.
    while metric(server, "atelier_rooms") > 0 and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.5)
    await asyncio.sleep(1)


async def main(boards: int, rounds: int, idle: float) -> None:
    data = Path(tempfile.mkdtemp(prefix="atelier-rooms-"))
    env = {"ATELIER_ROOM_IDLE_SECONDS": str(idle), "ATELIER_SWEEP_INTERVAL_SECONDS": "0.5"}
    server = AtelierServer(data, env=env)
    server.start()
    try:
        total = boards * rounds
        ids = [server.create_board(board_id=f"m{i}") for i in range(total)]
        tokens = [server.invite(board_id) for board_id in ids]
        await wait_unloaded(server)
        baseline = rss_kb(server.pid)
        print(f"{rounds} rounds of {boards} different boards, each opened, edited and left")
        print(
            "| round | peak RSS KB (boards loaded) | RSS KB after idle unload | after - baseline |"
        )
        print("|---|---|---|---|")
        print(f"| baseline | {baseline} (0) | | |")
        for round_ in range(rounds):
            first = round_ * boards
            for start in range(first, first + boards, 50):
                pairs = zip(ids[start : start + 50], tokens[start : start + 50], strict=True)
                await asyncio.gather(*(open_and_leave(server, b, t) for b, t in pairs))
            peak, loaded = rss_kb(server.pid), int(metric(server, "atelier_rooms"))
            await wait_unloaded(server)
            after = rss_kb(server.pid)
            print(f"| {round_ + 1} | {peak} ({loaded}) | {after} | {after - baseline} |")
    finally:
        server.kill9()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=2000, help="boards per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=float, default=5.0, help="ATELIER_ROOM_IDLE_SECONDS")
    args = parser.parse_args()
    asyncio.run(main(args.boards, args.rounds, args.idle))
