"""A private round in Chromium: the facilitator opens a position round, two participants of
two parties answer alone in the focused view, the facilitator sees who answered (never
what), reveals, both positions show side by side, and the agreed position shows on the
board; no serious axe violation in the focused view or the revealed round."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person, axe_violations, describe, invite_link, screenshot


def answer(page: Page, level: str, comment: str) -> None:
    dialog = page.locator("#round-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Personne ne voit votre réponse avant la révélation")
    dialog.locator(f'input[name=round-level][value="{level}"]').check()
    dialog.locator("#round-comment").fill(comment)
    dialog.locator("#round-submit").click()
    expect(dialog).to_be_hidden()


def test_a_position_round_from_opening_to_the_agreed_position(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, marie, paul = trio
    board = atelier.create_board("continuum")
    claire.join(invite_link(atelier, board, "facilitator"))
    marie.join(invite_link(atelier, board, "participant", "etat"), "etat")
    paul.join(invite_link(atelier, board, "participant", "collectivite"), "collectivite")

    claire.tab("facilitator")
    claire.page.fill("#round-title", "Où en est notre coopération ?")
    claire.page.click("#round-open")

    expect(marie.page.locator("#round-dialog")).to_be_visible()
    screenshot(marie.page, "round-answer")
    violations = axe_violations(marie.page)
    assert not violations, describe(violations)
    answer(marie.page, "coordination", "Comité mensuel")
    answer(paul.page, "communication", "On se parle")

    answered = claire.page.locator("#round-answered")
    expect(answered).to_contain_text("2 réponses reçues")
    expect(answered).to_contain_text("Marie (État)")
    expect(answered).not_to_contain_text("Comité mensuel")
    claire.page.click("#round-reveal")

    marie.tab("rounds")
    round_card = marie.page.locator("section.round")
    expect(round_card.locator('[data-level="coordination"]')).to_contain_text("Marie (État)")
    expect(round_card.locator('[data-level="communication"]')).to_contain_text(
        "Paul (Collectivité)"
    )
    expect(round_card).to_contain_text("Écart : 2 niveaux")

    claire.page.select_option("#round-agree-level", "assistance")
    claire.page.click("#round-agree")
    expect(marie.page.locator("#agreed-position")).to_contain_text("Position retenue : Assistance")
    expect(round_card.locator(".round-level--agreed")).to_have_attribute("data-level", "assistance")
    screenshot(marie.page, "round-revealed", full_page=True)
    screenshot(claire.page, "round-facilitator", full_page=True)
    violations = axe_violations(marie.page)
    assert not violations, describe(violations)


def test_an_assessment_round_in_english_shows_each_partys_scores_and_the_gap(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, marie, paul = trio
    board = atelier.create_board("continuum")
    claire.join(invite_link(atelier, board, "facilitator"))
    for person, party in ((marie, "etat"), (paul, "collectivite")):
        link = invite_link(atelier, board, "participant", party)
        person.join(link + ("&" if "?" in link else "?") + "lang=en")
    claire.tab("facilitator")
    claire.page.select_option("#round-kind", "assessment")
    claire.page.click("#round-open")

    for person, score in ((marie, "4"), (paul, "2")):
        dialog = person.page.locator("#round-dialog")
        expect(dialog).to_contain_text("Nobody sees your answer before the reveal")
        dialog.locator("#round-score-urgency").select_option(score)
        dialog.locator("#round-submit").click()
        expect(dialog).to_be_hidden()
    expect(claire.page.locator("#round-answered")).to_contain_text("2 réponses reçues")
    claire.page.click("#round-reveal")

    marie.tab("rounds")
    row = marie.page.locator('.round-scores tr[data-criterion="urgency"]')
    expect(row).to_contain_text("4 — well established")
    expect(row).to_contain_text("2 — emerging")
    expect(row.locator(".round-gap")).to_have_text("2")
    violations = axe_violations(marie.page)
    assert not violations, describe(violations)


def test_a_private_note_lands_on_the_continuum_only_at_the_reveal(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, marie, paul = trio
    board = atelier.create_board("continuum")
    claire.join(invite_link(atelier, board, "facilitator"))
    marie.join(invite_link(atelier, board, "participant", "etat"), "etat")
    paul.join(invite_link(atelier, board, "participant", "collectivite"), "collectivite")
    claire.tab("facilitator")
    claire.page.select_option("#round-kind", "notes")
    claire.page.select_option("#round-zone", "coexistence")
    claire.page.click("#round-open")

    dialog = marie.page.locator("#round-dialog")
    dialog.locator("#round-note-0").fill("Chacun dans son coin")
    dialog.locator("#round-submit").click()
    expect(dialog).to_be_hidden()
    expect(claire.page.locator("#round-answered")).to_contain_text("Marie (État)")
    handle = '.lane[data-level="coexistence"] .note__handle[aria-label*="Chacun dans son coin"]'
    expect(paul.page.locator(handle)).to_have_count(0)
    claire.page.click("#round-reveal")
    expect(paul.page.locator(handle)).to_have_count(1)
