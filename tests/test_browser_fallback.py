"""Behind a proxy that drops the WebSocket ``Upgrade`` header, Chromium falls back to HTTP
(server-sent events and POST) by itself and the workshop goes on: notes, agreement text and
presence travel both ways, and an official Yjs WebSocket client of the board has it all."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person
from tests.support.proxy import NoUpgradeProxy, ProxyThread
from tests.support.yjs_driver import YjsDriver

FALLBACK_NOTE = "connexion de secours (HTTP)"


@pytest.fixture
def proxy(atelier: AtelierServer) -> Iterator[NoUpgradeProxy]:
    with ProxyThread(atelier.port) as running:
        yield running


@pytest.fixture
def paul(browser: Browser) -> Iterator[Person]:
    person = Person(browser, "Paul")
    yield person
    person.close()


def invite_url(atelier: AtelierServer, board_id: str, party: str, base: str | None = None) -> str:
    url = str(atelier.invite_record(board_id, "participant", party=party)["url"])
    return url.replace(atelier.base_url, base) if base else url


def note(page: Page, text: str) -> Locator:
    """The note whose text starts with ``text`` (its move button names it)."""
    return page.locator(".note").filter(has=page.locator(f'.note__handle[aria-label*="{text}"]'))


def official_client_doc(atelier: AtelierServer, board_id: str) -> dict[str, Any]:
    """The board as the official y-websocket client receives it (over WebSocket)."""

    async def read() -> dict[str, Any]:
        token = await asyncio.to_thread(atelier.invite, board_id, "observer")
        async with YjsDriver.start() as js:
            await js.connect("yjs", url=atelier.ws_url, room=board_id, params={"token": token})
            await js.wait_synced("yjs")
            return await js.doc("yjs")

    with ThreadPoolExecutor(1) as pool:  # its own event loop, away from Playwright's
        return pool.submit(asyncio.run, read()).result(60)


def test_behind_a_proxy_without_websocket_the_board_falls_back_to_http_and_works(
    atelier: AtelierServer, proxy: NoUpgradeProxy, marie: Person, paul: Person
) -> None:
    board_id = atelier.create_board()
    page = marie.join(invite_url(atelier, board_id, "collectivite", proxy.base_url), "collectivite")
    expect(page.locator("#transport-note")).to_have_text(FALLBACK_NOTE)
    assert proxy.upgrades_dropped >= 2
    assert page.evaluate("sessionStorage.getItem('atelier.transport')") == "http"
    paul.join(invite_url(atelier, board_id, "etat"), "etat")  # straight to the server, WebSocket
    expect(paul.page.locator("#transport-note")).to_have_count(0)
    expect(page.locator("#presence-list")).to_contain_text("Paul")
    expect(paul.page.locator("#presence-list")).to_contain_text("Marie")

    text = "Les services se parlent par secours"
    page.click('[data-key="add-coexistence"]')
    page.keyboard.type(text)
    page.keyboard.press("Escape")
    expect(note(paul.page, text)).to_be_visible()

    paul.page.click('[data-key="add-assistance"]')
    paul.page.keyboard.type("Réponse de Paul")
    paul.page.keyboard.press("Escape")
    expect(note(page, "Réponse de Paul")).to_be_visible()

    field = "#section-text-power"
    for person in (marie, paul):
        person.tab("agreement")
    page.click(field)
    page.keyboard.type("Le comité décide ensemble.")
    expect(paul.page.locator(field)).to_have_value("Le comité décide ensemble.")
    paul.page.click(field)
    paul.page.keyboard.press("Control+End")
    paul.page.keyboard.type(" Chaque mois.")
    expect(page.locator(field)).to_have_value("Le comité décide ensemble. Chaque mois.")
    marie.wait_saved()
    paul.wait_saved()

    seen = json.dumps(official_client_doc(atelier, board_id), ensure_ascii=False)
    for words in (text, "Réponse de Paul", "Le comité décide ensemble. Chaque mois."):
        assert words in seen

    marie.context.close()  # the tab goes: its stream ends, and so does its presence
    expect(paul.page.locator("#presence-list")).not_to_contain_text("Marie")


def test_transport_http_in_the_page_address_forces_the_fallback(
    atelier: AtelierServer, marie: Person
) -> None:
    board_id = atelier.create_board()
    page = marie.join(invite_url(atelier, board_id, "etat"), "etat")
    expect(page.locator("#transport-note")).to_have_count(0)
    page.goto(page.url.split("#")[0].split("?")[0] + "?transport=http")
    marie.wait_saved()
    expect(page.locator("#transport-note")).to_have_text(FALLBACK_NOTE)
    page.click('[data-key="add-coexistence"]')
    page.keyboard.type("Forcé en HTTP")
    page.keyboard.press("Escape")
    marie.wait_saved()
    assert "Forcé en HTTP" in json.dumps(official_client_doc(atelier, board_id), ensure_ascii=False)
    page.reload()  # the tab remembers the choice
    marie.wait_saved()
    expect(page.locator("#transport-note")).to_have_text(FALLBACK_NOTE)
