"""Comments and « Depuis votre dernière visite » in Chromium: a participant of the State
comments on a note mentioning the local authority; the local authority's participant, opening
the board later, finds it in « Depuis votre dernière visite » (mentions first) and as the
note's badge, and replies; the facilitator resolves the thread, which folds; no serious axe
violation with the panel or the thread open."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person, axe_violations, describe, invite_link, screenshot

TEXT = "Réunion mensuelle des services"
QUESTION = "Qui porte ce rendez-vous côté collectivité ?"


def no_serious_violation(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_a_mention_reaches_the_party_at_its_next_visit_then_is_answered_and_resolved(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, marie, paul = trio
    board = atelier.create_board("continuum")
    paul.join(invite_link(atelier, board, "participant", "collectivite"), "collectivite")
    board_url = paul.page.url.split("#")[0]
    paul.page.close()  # Paul's first visit is over

    marie.join(invite_link(atelier, board, "participant", "etat"), "etat")
    marie.page.click('[data-key="add-coexistence"]')
    marie.page.keyboard.type(TEXT)
    marie.wait_saved()
    button = marie.page.get_by_role("button", name="Commentaires (0)")
    button.click()
    dialog = marie.page.locator("#comment-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("#comment-new-text").fill(QUESTION)
    dialog.get_by_role("checkbox", name="Collectivité").check()
    dialog.locator("#comment-new-send").click()
    expect(dialog.locator(".comment-thread")).to_contain_text(QUESTION)
    expect(dialog.locator(".comment-thread")).to_contain_text("Mentionne : Collectivité")
    dialog.get_by_role("button", name="Fermer").click()
    expect(marie.page.get_by_role("button", name="Commentaires (1)")).to_be_visible()

    later = paul.context.new_page()
    later.goto(board_url)
    since = later.locator("#since-last-visit")
    expect(since).to_be_visible()
    expect(since.locator("h2")).to_contain_text("Depuis votre dernière visite")
    mentioned = since.locator(".since__part").first
    expect(mentioned.locator("h3")).to_have_text("On vous a mentionné·e")
    expect(mentioned).to_contain_text(QUESTION)
    expect(mentioned).to_contain_text("Marie · État")
    expect(since).to_contain_text("Ce qui a changé")
    expect(since).to_contain_text(f"Note « {TEXT} » ajoutée dans Coexistence par Marie (État)")
    badge = later.locator(".note .comment-button")
    expect(badge).to_have_accessible_name("Commentaires (1)")
    screenshot(later, "since-last-visit", full_page=True)
    no_serious_violation(later)

    badge.click()
    thread = later.locator("#comment-dialog .comment-thread")
    expect(thread).to_contain_text(QUESTION)
    reply_box = thread.locator("textarea")
    reply_box.fill("Le service jeunesse, dès janvier.")
    thread.get_by_role("button", name="Publier la réponse").click()
    expect(thread.locator(".comment")).to_have_count(2)
    expect(thread.locator("textarea")).to_have_value("")
    expect(thread).to_contain_text("Paul · Collectivité")
    expect(thread.get_by_role("button", name="Marquer comme résolu")).to_have_count(0)
    screenshot(later, "comment-thread")
    no_serious_violation(later)

    claire.join(invite_link(atelier, board, "facilitator"))
    claire.page.get_by_role("button", name="Commentaires (2)").click()
    claire.page.locator("#comment-dialog").get_by_role(
        "button", name="Marquer comme résolu"
    ).click()
    folded = claire.page.locator("#comment-dialog details.comment-thread--resolved")
    expect(folded).to_be_visible()
    expect(folded.locator("summary")).to_contain_text("Résolu par Claire")
    expect(folded.locator(".comment").first).to_be_hidden()  # folded until opened

    # Paul's open thread hears of it from the board connection and folds too
    expect(later.locator("#comment-dialog details.comment-thread--resolved")).to_be_visible()
    later.locator("#comment-dialog").get_by_role("button", name="Fermer").click()
    expect(badge).to_be_focused()
    expect(badge).to_have_accessible_name("Commentaires (2)")
    no_serious_violation(later)
    later.close()


def test_the_since_panel_and_the_comment_buttons_speak_english_with_lang_en(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    _, marie, paul = trio
    board = atelier.create_board("workshop")
    link = invite_link(atelier, board, "participant", "collectivite")
    paul.join(link + ("&" if "?" in link else "?") + "lang=en")
    board_url = paul.page.url.split("#")[0]
    paul.page.close()
    marie.join(invite_link(atelier, board, "participant", "etat"), "etat")
    marie.page.click('[data-key="add-coexistence"]')
    marie.page.keyboard.type(TEXT)
    marie.wait_saved()
    marie.page.get_by_role("button", name="Commentaires (0)").click()
    marie.page.locator("#comment-new-text").fill(QUESTION)
    marie.page.locator("#comment-new-send").click()
    expect(marie.page.locator("#comment-dialog .comment-thread")).to_be_visible()

    later = paul.context.new_page()
    later.goto(board_url)
    since = later.locator("#since-last-visit")
    expect(since.locator("h2")).to_contain_text("Since your last visit")
    expect(since).to_contain_text("New comments")
    expect(later.get_by_role("button", name="Comments (1)")).to_be_visible()
    since.get_by_role("button", name="Open the thread").click()
    expect(later.locator("#comment-dialog .comment-thread")).to_contain_text(QUESTION)
    later.locator("#comment-dialog").get_by_role("button", name="Close").click()
    since.get_by_role("button", name="Hide").click()
    expect(since).to_be_hidden()
    later.reload()
    expect(later.get_by_role("button", name="Comments (1)")).to_be_visible()
    expect(since).to_be_hidden()  # dismissed for this visit
    later.click("#tab-agreement")
    sections = later.locator("#panel-agreement .section .comment-button")
    expect(sections).to_have_count(5)
    expect(sections.first).to_have_accessible_name("Comments (0)")
    screenshot(later, "comment-sections")
    later.close()
