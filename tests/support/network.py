"""A weak line for Chromium (DevTools network emulation), shared by the slow-line browser
test and ``bench/page_weight.py``: what a town hall's or a social centre's line gives."""

from __future__ import annotations

from playwright.sync_api import CDPSession, Page

SLOW_3G = {
    "offline": False,
    "latency": 400,  # ms added to each round trip
    "downloadThroughput": 400_000 / 8,  # 400 kbit/s, in bytes per second
    "uploadThroughput": 400_000 / 8,
}
"""About DevTools' "Slow 3G": 400 kbit/s each way, 400 ms round trip."""


def emulate(page: Page, conditions: dict[str, float | bool] | None = None) -> CDPSession:
    """Throttle the page's network (HTTP and, in current Chromium, its WebSockets too)."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", conditions or SLOW_3G)
    return session
