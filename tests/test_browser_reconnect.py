"""Reconnection per close code, in Debian's Chromium against real servers provoked by real
means (a restart, a flood past the rate limit, a full board, an expired or revoked link): the
page retries with a visible countdown and a "Réessayer maintenant" button, or stops and says
why; it never gives up silently."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person, axe_violations, describe
from tests.support.offline import invite_url, section_text, type_in_section

RETRY_CODES = """() => {
  window.retryCodes = []
  window.atelier.connection.on('retry', (r) => { if (r) window.retryCodes.push(r.code) })
}"""
"""Record the close code behind each scheduled retry."""


def retry_codes(page: Page) -> list[int]:
    codes: list[int] = page.evaluate("() => window.retryCodes")
    return codes


def test_a_restart_is_retried_with_a_countdown_and_a_try_now_button(
    start_atelier: Callable[..., AtelierServer], marie: Person
) -> None:
    atelier = start_atelier()
    board_id = atelier.create_board()
    page = marie.join(invite_url(atelier, board_id, party="etat"))
    page.evaluate(RETRY_CODES)
    atelier.stop()  # 1001 to the open connection, then no server at all (network errors)
    reconnect = page.locator("#reconnect")
    expect(reconnect).to_be_visible()
    expect(reconnect).to_contain_text(re.compile(r"Reconnexion dans \d+ s…"))
    violations = axe_violations(page)
    assert not violations, describe(violations)
    # backoff: the waits grow while the server is away
    expect(reconnect).to_contain_text(
        re.compile(r"Reconnexion dans ([89]|\d\d) s…"), timeout=30_000
    )
    atelier.start()
    reconnect.get_by_role("button", name="Réessayer maintenant").click()
    marie.wait_saved()
    expect(reconnect).to_be_hidden()
    codes = retry_codes(page)
    assert codes[0] == 1001
    assert codes.count(1001) < len(codes)  # the later attempts met no server at all
    type_in_section(marie, "Après le redémarrage.")
    marie.wait_saved()
    assert section_text(atelier, board_id) == "Après le redémarrage."


def test_a_flood_past_the_rate_limit_waits_then_saves_everything_typed(
    start_atelier: Callable[..., AtelierServer], marie: Person
) -> None:
    atelier = start_atelier(ATELIER_RATE_MESSAGES_PER_SECOND="2", ATELIER_RATE_BURST_MESSAGES="30")
    board_id = atelier.create_board()
    page = marie.join(invite_url(atelier, board_id, party="etat"))
    page.evaluate(RETRY_CODES)
    text = "Une phrase tapée vite, bien plus de trente messages d'affilée."
    type_in_section(marie, text)
    expect(page.locator("#reconnect")).to_be_visible()
    assert retry_codes(page) == [4429]
    marie.wait_saved()
    assert section_text(atelier, board_id).count(text) == 1


def test_a_full_board_is_retried_until_a_place_frees_up(
    start_atelier: Callable[..., AtelierServer], browser: Browser
) -> None:
    # two places, one of them kept for facilitators: one participant at a time
    atelier = start_atelier(ATELIER_MAX_PEERS_PER_BOARD="2", ATELIER_FACILITATOR_RESERVED_PEERS="1")
    board_id = atelier.create_board()
    paul, marie = Person(browser, "Paul"), Person(browser, "Marie")
    try:
        paul.join(invite_url(atelier, board_id, party="etat"))
        page = marie.page
        page.goto(invite_url(atelier, board_id, party="collectivite"))
        page.fill("#join-name", marie.name)
        page.click("#join-form button[type=submit]")
        reconnect = page.locator("#reconnect")
        expect(reconnect).to_be_visible()
        assert page.evaluate("() => window.atelier.connection.retry.code") == 1013
        paul.close()
        reconnect.get_by_role("button", name="Réessayer maintenant").click()
        marie.wait_saved()
        expect(reconnect).to_be_hidden()
    finally:
        marie.close()


def test_an_expired_link_stops_reconnecting_with_a_clear_message(
    start_atelier: Callable[..., AtelierServer], marie: Person
) -> None:
    atelier = start_atelier()
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id, "participant", party="etat", expires_in=2)
    page = marie.join(str(invite["url"]))
    deadline = time.monotonic() + 10  # until the two-second invite has expired
    while atelier.api("GET", "/api/me", token=invite["token"]).status_code != 401:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    atelier.restart()  # 1001: the page retries, and is then refused
    expect(page.locator("#banner")).to_contain_text("n'est plus valide")
    expect(page.locator("#save-status")).to_have_attribute("data-status", "closed")
    expect(page.locator("#reconnect")).to_be_hidden()
    assert page.evaluate("() => window.atelier.connection.retry") is None
    assert page.evaluate("() => window.atelier.connection.terminal.code") == 4401


def test_a_revoked_link_stops_at_once_without_retrying(
    atelier: AtelierServer, marie: Person
) -> None:
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id, "participant", party="etat")
    page = marie.join(str(invite["url"]))
    page.evaluate(RETRY_CODES)
    assert atelier.api("DELETE", f"/api/invites/{invite['id']}").status_code == 200
    expect(page.locator("#banner")).to_contain_text("révoqué")
    expect(page.locator("#save-status")).to_have_attribute("data-status", "closed")
    assert page.evaluate("() => window.atelier.connection.terminal.code") == 4403
    assert retry_codes(page) == []
    expect(page.locator("#reconnect")).to_be_hidden()
