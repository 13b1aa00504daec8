"""Replay and archive pages in Chromium: scrub back to an earlier state, sessions, snapshots,
their diff, the balance of voices, exports and the evidence check."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person, axe_violations, describe, screenshot


def join_as_facilitator(atelier: AtelierServer, person: Person, board_id: str) -> None:
    person.join(str(atelier.invite_record(board_id, "facilitator")["url"]))


def test_the_replay_slider_shows_the_board_as_it_was(
    atelier: AtelierServer, browser: Browser, claire: Person
) -> None:
    board_id = atelier.create_board()
    join_as_facilitator(atelier, claire, board_id)
    page = claire.page
    page.click('[data-key="add-coexistence"]')
    page.keyboard.type("Chacun dans son coin")
    claire.wait_saved()
    marie = Person(browser, "Marie")  # another author: the move is a step of its own
    invite = atelier.invite_record(board_id, "participant", party="etat")
    marie.join(str(invite["url"]), "etat")
    marie.page.locator(".note__handle").first.focus()
    for _ in range(4):
        marie.page.keyboard.press("ArrowRight")
    marie.wait_saved()
    marie.close()
    page.goto(f"{atelier.base_url}/boards/{board_id}/replay")
    board = page.locator("#replay-board")
    lane = board.locator(".lane")
    expect(lane.filter(has_text="Collaboration")).to_contain_text("Chacun dans son coin")
    slider = page.locator("#replay-slider")
    slider.focus()
    page.keyboard.press("Home")
    expect(page.locator("#replay-position")).to_contain_text("Étape 1 sur")
    expect(board).not_to_contain_text("Chacun dans son coin")
    expect(page.locator("#replay-captions")).to_contain_text("Marie")
    added = page.locator("#replay-captions li", has_text="ajoutée").first
    added.locator("button").click()
    expect(lane.filter(has_text="Coexistence")).to_contain_text("Chacun", timeout=10_000)
    expect(lane.filter(has_text="Collaboration")).not_to_contain_text("Chacun")
    screenshot(page, "replay", full_page=True)
    page.locator("#replay-play").click()
    expect(lane.filter(has_text="Collaboration")).to_contain_text("Chacun dans son coin")
    assert describe(axe_violations(page)) == "[]"


def test_the_archive_compares_snapshots_exports_them_and_verifies_the_evidence(
    atelier: AtelierServer, claire: Person
) -> None:
    board_id = atelier.create_board()
    join_as_facilitator(atelier, claire, board_id)
    page = claire.page
    claire.tab("facilitator")
    page.fill("#session-title", "Séance d'octobre")
    page.click("text=Démarrer la séance")
    expect(page.locator(".panel-status")).to_contain_text("Séance démarrée")
    claire.tab("continuum")
    page.click('[data-key="add-coordination"]')
    page.keyboard.type("Un comité commun")
    claire.wait_saved()
    claire.tab("facilitator")
    page.fill("#snapshot-label", "Après le tour de table")
    page.click("text=Prendre un instantané")
    expect(page.locator(".panel-status")).to_have_text("Instantané enregistré.")
    page.click("text=Terminer la séance")
    expect(page.locator(".panel-status")).to_contain_text("Séance terminée")
    page.goto(f"{atelier.base_url}/boards/{board_id}/archive")
    expect(page.locator("#archive-root")).to_contain_text("Séance d'octobre")
    expect(page.locator("#archive-root")).to_contain_text("Après le tour de table")
    page.select_option("#diff-from", index=0)
    page.select_option("#diff-to", index=2)
    page.click("text=Comparer")
    expect(page.locator(".diff-result")).to_contain_text("Un comité commun")
    page.get_by_role("button", name="Vérifier les preuves", exact=False).click()
    expect(page.locator("#archive-root")).to_contain_text("tout est vérifié")
    facilitation = page.locator("#archive-voice + * table tr", has_text="Facilitation")
    expect(facilitation).to_contain_text("à part")  # apart from the parties' shares
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter en JSON", exact=False).first.click()
    assert download.value.suggested_filename.endswith(".json")
    screenshot(page, "archive", full_page=True)
    assert describe(axe_violations(page)) == "[]"
