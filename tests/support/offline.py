"""Helpers of the offline and reconnection browser tests: a person's page reopened in the same
browser (same IndexedDB), the board's text on the server, and what the operator does to a
board behind the server's back (delete it, restore an older backup)."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import TIMEOUT_MS, Person

SECTION = "#section-text-talents"


def invite_url(atelier: AtelierServer, board_id: str, **body: Any) -> str:
    record = atelier.invite_record(board_id, "participant", **body)
    return str(record["url"])


def section_text(atelier: AtelierServer, board_id: str, section: str = "talents") -> str:
    response = atelier.api("GET", f"/api/boards/{board_id}/content")
    assert response.status_code == 200, response.text
    sections = response.json()["agreement"]["sections"]
    return str({s["id"]: s["text"] for s in sections}[section])


def type_in_section(person: Person, text: str) -> None:
    person.tab("agreement")
    person.page.click(SECTION)
    person.page.keyboard.press("End")
    person.page.keyboard.type(text)


def flush_local_copy(person: Person) -> None:
    """Wait until the page's IndexedDB writes are committed (before closing it)."""
    person.evaluate("() => window.atelier.local.flushed()")


def reopen(person: Person, url: str) -> Page:
    """Close the person's tab and open ``url`` in a new one of the same browser profile."""
    if not person.page.is_closed():
        person.page.close()
    page = person.context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: person.errors.append(str(error)))
    person.page = page
    page.goto(url)
    return page


def pending_shown(page: Page, count: int | None = None) -> None:
    pending = page.locator("#pending-count")
    expect(pending).to_be_visible()
    expect(pending).to_contain_text("en attente")
    if count is not None:
        expect(pending).to_contain_text(f"{count} modification")


def database(atelier: AtelierServer) -> Path:
    return atelier.data_dir / "atelier.db"


def delete_board(atelier: AtelierServer, board_id: str) -> None:
    """What an operator deleting a board in the database does (Atelier has no API for it);
    the invites stay, so their holders are told the board is gone, not that they are out."""
    with sqlite3.connect(database(atelier)) as conn:
        for table in ("updates", "checkpoints", "locks", "snapshots", "sessions"):
            conn.execute(f"DELETE FROM {table} WHERE board_id = ?", (board_id,))
        conn.execute("DELETE FROM boards WHERE id = ?", (board_id,))


def wait_unloaded(atelier: AtelierServer, timeout: float = 20.0) -> None:
    """Until the server holds no board in memory (run it with a short
    ``ATELIER_ROOM_IDLE_SECONDS``): what the operator changes in the database is then read."""
    deadline = time.monotonic() + timeout
    while True:
        metrics = atelier.api("GET", "/metrics").text.splitlines()
        if any(
            line.startswith("atelier_rooms ") and float(line.split()[1]) == 0 for line in metrics
        ):
            return
        assert time.monotonic() < deadline, "the server kept the board loaded"
        time.sleep(0.1)


def backup(atelier: AtelierServer, where: Path) -> None:
    """Stop the server and copy its database, as a nightly backup would; start it again."""
    atelier.stop()
    where.mkdir(parents=True, exist_ok=True)
    for file in atelier.data_dir.glob("atelier.db*"):
        shutil.copy2(file, where / file.name)
    atelier.start()


def restore(atelier: AtelierServer, where: Path) -> None:
    """Stop the server, put the backup's database back, start it again."""
    atelier.stop()
    for file in atelier.data_dir.glob("atelier.db*"):
        file.unlink()
    for file in where.glob("atelier.db*"):
        shutil.copy2(file, atelier.data_dir / file.name)
    atelier.start()
