"""A vote round in Chromium: the facilitator opens a secret vote with a budget of two, two
participants vote with « + » on the continuum's notes and see « il vous reste » go down,
nobody sees a total before the reveal, the facilitator reveals and everyone sees the ranked
results and each note's count; no serious axe violation while voting or after."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person, axe_violations, describe, invite_link, screenshot

FIRST, SECOND = "Comité mensuel", "Fête de quartier"


def add_note(page: Page, level: str, text: str) -> None:
    page.click(f'[data-key="add-{level}"]')
    page.keyboard.type(text)
    page.keyboard.press("Escape")


def give(page: Page, text: str) -> Locator:
    return page.get_by_role("button", name=re.compile(f"Donner une voix à .*{text}"))


def voted(person: Person) -> None:
    """Every click of this person has reached the server."""
    expect(person.page.locator("#vote-mode")).to_have_attribute("data-pending", "0")


def test_a_secret_vote_from_opening_to_the_ranked_results(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, marie, paul = trio
    board = atelier.create_board("continuum")
    claire.join(invite_link(atelier, board, "facilitator"))
    add_note(claire.page, "coordination", FIRST)
    add_note(claire.page, "coexistence", SECOND)
    claire.wait_saved()
    marie.join(invite_link(atelier, board, "participant", "etat"), "etat")
    paul.join(invite_link(atelier, board, "participant", "collectivite"), "collectivite")

    claire.tab("facilitator")
    claire.page.select_option("#round-kind", "vote")
    claire.page.fill("#vote-budget", "2")
    expect(claire.page.locator("#vote-secret")).to_be_checked()
    claire.page.fill("#round-title", "Par quoi commencer ?")
    claire.page.click("#round-open")

    left = marie.page.locator("#vote-left")
    expect(left).to_have_text(re.compile(r"il vous reste 2 voix", re.IGNORECASE))
    expect(marie.page.locator("#vote-privacy")).to_have_text(
        "Vos votes restent secrets jusqu'à la révélation."
    )
    give(marie.page, FIRST).click()
    expect(left).to_have_text(re.compile(r"il vous reste 1 voix", re.IGNORECASE))
    give(marie.page, FIRST).click()
    expect(left).to_have_text(re.compile(r"il vous reste 0 voix", re.IGNORECASE))
    expect(give(marie.page, SECOND)).to_be_disabled()
    voted(marie)
    violations = axe_violations(marie.page)
    assert not violations, describe(violations)
    screenshot(marie.page, "vote-open")

    give(paul.page, SECOND).click()
    give(paul.page, FIRST).click()
    expect(paul.page.locator("#vote-left")).to_contain_text("0 voix")
    voted(paul)
    expect(paul.page.locator(".vote-ballot__total:visible")).to_have_count(0)  # secret

    answered = claire.page.locator("#round-answered")
    expect(answered).to_contain_text("Marie (État)")
    expect(answered).to_contain_text("Paul (Collectivité)")
    claire.page.click("#round-reveal")

    for person in trio:
        results = person.page.locator("#vote-results li")
        expect(results).to_have_count(2)
        expect(results.nth(0)).to_contain_text(FIRST)
        expect(results.nth(0)).to_contain_text("3 voix")
        expect(results.nth(1)).to_contain_text(SECOND)
        expect(results.nth(1)).to_contain_text("1 voix")
    counts = marie.page.locator(".vote-ballot__total:visible")  # lanes left to right
    expect(counts).to_have_text(["1 voix", "3 voix"])
    screenshot(marie.page, "vote-revealed", full_page=True)
    violations = axe_violations(marie.page)
    assert not violations, describe(violations)


def test_an_open_vote_in_english_shows_the_running_totals_to_a_participant(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, marie, _ = trio
    board = atelier.create_board("continuum")
    claire.join(invite_link(atelier, board, "facilitator"))
    add_note(claire.page, "coordination", FIRST)
    claire.wait_saved()
    link = invite_link(atelier, board, "participant", "etat")
    marie.join(link + ("&" if "?" in link else "?") + "lang=en")
    created = atelier.api(
        "POST", f"/api/boards/{board}/rounds", json={"kind": "vote", "budget": 3, "secret": False}
    )
    assert created.status_code == 201, created.text

    expect(marie.page.locator("#vote-left")).to_have_text("You have 3 votes left out of 3")
    expect(marie.page.locator("#vote-privacy")).to_contain_text("Open vote")
    marie.page.get_by_role("button", name=re.compile(f"Give a vote to .*{FIRST}")).click()
    expect(marie.page.locator("#vote-left")).to_have_text("You have 2 votes left out of 3")
    voted(marie)
    marie.page.reload()  # the total comes from the server, not from this page's clicks
    expect(marie.page.locator(".vote-ballot__total")).to_have_text("Total: 1")
    expect(marie.page.locator("#vote-left")).to_have_text("You have 2 votes left out of 3")
    violations = axe_violations(marie.page)
    assert not violations, describe(violations)
