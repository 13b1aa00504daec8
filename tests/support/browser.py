"""Driving Debian's Chromium with Playwright against a real ``atelier serve``.

No browser is ever downloaded: Playwright launches ``/usr/bin/chromium`` (installed by
``make test``). axe-core comes from the web client's npm lockfile and is evaluated in each
page. Screenshots go to ``tests/artifacts/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.support.atelier_server import AtelierServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts"
PARTY_WORDS = {
    "etat": "État",
    "collectivite": "Collectivité",
    "societe_civile": "Société civile",
    "facilitation": "Facilitation",
    "": "aucune partie",
}
"""How the French join page names the party an invite speaks for."""
TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
"""A phone held upright (CSS pixels), opened as a mobile browser: the page's viewport rule
applies, and a page wider than the screen makes it zoom out."""

expect.set_options(timeout=TIMEOUT_MS)


def launch(playwright: Playwright) -> Browser:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)


def chromium() -> Iterator[Browser]:
    """One browser per test module; each person gets a fresh context (own storage)."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


class Person:
    """One participant in their own browser context, with what the page printed."""

    def __init__(self, browser: Browser, name: str, *, phone: bool = False) -> None:
        self.name = name
        screen: dict[str, Any] = (
            {"viewport": PHONE, "is_mobile": True, "has_touch": True}
            if phone
            else {"viewport": VIEWPORT}
        )
        self.context: BrowserContext = browser.new_context(locale="fr-FR", **screen)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def join(self, url: str, party: str | None = None, board: str | None = None) -> Page:
        """Open an invite link, give a name (and a board of the site), enter; ``party``: the
        party the join page must show (it is the invite's, never chosen)."""
        page = self.page
        page.goto(url)
        if board is not None:
            page.select_option("#join-board", label=board)
        page.fill("#join-name", self.name)
        if party is not None:
            expect(page.locator("#join-party")).to_contain_text(PARTY_WORDS[party])
        page.click("#join-form button[type=submit]")
        page.wait_for_url(re.compile(r"/boards/[a-z0-9_-]+"))
        self.wait_saved()
        return page

    def wait_saved(self) -> None:
        expect(self.page.locator("#save-status")).to_have_attribute("data-status", "saved")

    def tab(self, view: str) -> None:
        self.page.click(f"#tab-{view}")
        expect(self.page.locator(f"#panel-{view}")).to_be_visible()

    def evaluate(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def close(self) -> None:
        assert not self.errors, f"{self.name}'s page raised: {self.errors}"
        self.context.close()


def invite_link(atelier: AtelierServer, board: str, role: str, party: str | None = None) -> str:
    """The join link of a new invite (participants speak for ``party``)."""
    body = {"party": party} if party else {}
    return str(atelier.invite_record(board, role, **body)["url"])


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


SERIOUS = ("serious", "critical")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core findings (WCAG 2.1 A and AA rules) on the page as it is."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
        })""",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    )
    return [v for v in result["violations"] if v.get("impact") in SERIOUS]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [node["target"] for node in violation["nodes"][:3]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} {targets}")
    return json.dumps(lines, ensure_ascii=False, indent=1)
