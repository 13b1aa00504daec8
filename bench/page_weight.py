#!/usr/bin/env python3
"""First load of a board over a weak line: bytes transferred, and time until it is editable.

    .venv/bin/python bench/page_weight.py              # 3 runs per line, medians
    .venv/bin/python bench/page_weight.py --runs 1 --json bench/results/page-weight.json

A fresh Atelier server (SQLite in a temp directory) and Debian's Chromium, driven by
Playwright; each run is a fresh browser profile (cold cache) that opens an invite link, gives
a name, enters the board and waits until it can write (saved, "add a note" enabled). Bytes are
what the network carried for HTTP (``encodedDataLength`` of every response: compressed bodies
plus headers), WebSocket frames counted apart. Then the same profile opens the board again
(warm cache: the hashed bundles are not fetched again). Lines: unthrottled loopback, and
DevTools emulation of a slow 3G line (400 kbit/s each way, 400 ms round trip). Only
127.0.0.1 is contacted. The README's budget is checked: exit 1 past it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, CDPSession, Page, sync_playwright

from tests.support.atelier_server import AtelierServer
from tests.support.browser import launch
from tests.support.network import SLOW_3G, emulate

BUDGET_BYTES = 120 * 1024
"""Join link to editable board, cold cache, everything the network carries for HTTP."""
LINES: dict[str, dict[str, float | bool] | None] = {"loopback": None, "slow-3g": SLOW_3G}
EDITABLE = '[data-key="add-coexistence"]:enabled'
TIMEOUT_MS = 120_000


class Meter:
    """Sums what the network carried for one page, from the DevTools protocol's events."""

    def __init__(self, session: CDPSession) -> None:
        self.http = 0
        self.requests = 0
        self.ws = 0
        self.by_type: dict[str, int] = {}
        self.types: dict[str, str] = {}
        session.on("Network.responseReceived", self.response)
        session.on("Network.loadingFinished", self.finished)
        session.on("Network.webSocketFrameReceived", self.frame)
        session.on("Network.webSocketFrameSent", self.frame)

    def response(self, event: dict[str, Any]) -> None:
        self.types[event["requestId"]] = event.get("type", "Other")

    def finished(self, event: dict[str, Any]) -> None:
        size = int(event["encodedDataLength"])
        self.http += size
        self.requests += 1
        kind = self.types.get(event["requestId"], "Other")
        self.by_type[kind] = self.by_type.get(kind, 0) + size

    def frame(self, event: dict[str, Any]) -> None:
        payload = event["response"]["payloadData"]
        opcode = event["response"].get("opcode", 2)
        self.ws += len(payload) * 3 // 4 if opcode == 2 else len(payload.encode("utf-8"))


def editable(page: Page) -> None:
    page.wait_for_selector('#save-status[data-status="saved"]', timeout=TIMEOUT_MS)
    page.wait_for_selector(EDITABLE, timeout=TIMEOUT_MS)


def one_run(browser: Browser, url: str, line: dict[str, float | bool] | None) -> dict[str, Any]:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    session = emulate(page, line) if line else page.context.new_cdp_session(page)
    if not line:
        session.send("Network.enable")
    meter = Meter(session)
    started = time.perf_counter()
    page.goto(url, timeout=TIMEOUT_MS)
    page.fill("#join-name", "Mesure")
    page.click("#join-form button[type=submit]")
    editable(page)
    cold_seconds = time.perf_counter() - started
    cold = {"http": meter.http, "requests": meter.requests, "ws": meter.ws, **meter.by_type}
    warm_meter = Meter(session)
    started = time.perf_counter()
    page.reload(timeout=TIMEOUT_MS)
    editable(page)
    warm_seconds = time.perf_counter() - started
    context.close()
    return {
        "cold_seconds": cold_seconds,
        "cold": cold,
        "warm_seconds": warm_seconds,
        "warm": {"http": warm_meter.http, "requests": warm_meter.requests, "ws": warm_meter.ws},
    }


def kib(value: float) -> str:
    return f"{value / 1024:.1f} KiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write every run's figures there")
    args = parser.parse_args()
    results: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as data, sync_playwright() as playwright:
        server = AtelierServer(Path(data))
        server.start()
        browser = launch(playwright)
        try:
            board_id = server.create_board()
            for name, line in LINES.items():
                results[name] = []
                for _ in range(args.runs):
                    url = str(server.invite_record(board_id, "participant", party="etat")["url"])
                    results[name].append(one_run(browser, url, line))
        finally:
            browser.close()
            server.stop()
    columns = ["line", "cold: HTTP bytes", "requests", "WS bytes", "join → editable"]
    columns += ["warm: HTTP bytes", "reopen → editable"]
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|---|---|")
    worst = 0
    for name, runs in results.items():
        med = statistics.median
        cold_http = med(r["cold"]["http"] for r in runs)
        worst = max(worst, max(r["cold"]["http"] for r in runs))
        print(
            f"| {name} | {kib(cold_http)} | {med(r['cold']['requests'] for r in runs):.0f} "
            f"| {kib(med(r['cold']['ws'] for r in runs))} "
            f"| {med(r['cold_seconds'] for r in runs):.2f} s "
            f"| {kib(med(r['warm']['http'] for r in runs))} "
            f"| {med(r['warm_seconds'] for r in runs):.2f} s |"
        )
    kinds = {k: v for k, v in results["loopback"][0]["cold"].items() if k[0].isupper()}
    print("cold HTTP bytes by type (first loopback run):", {k: kib(v) for k, v in kinds.items()})
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    if worst > BUDGET_BYTES:
        print(f"over budget: {kib(worst)} > {kib(BUDGET_BYTES)}")
        return 1
    print(f"within budget: {kib(worst)} <= {kib(BUDGET_BYTES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
