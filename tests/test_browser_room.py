"""The room as the facilitator sees it, in Chromium: who is here (party, tab, idle), who has
not contributed since the session started, « Amener tout le monde ici » and the way back, a
participant's forged summon ignored; others' carets in a section, and what changed since my
party approved it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person, axe_violations, describe, invite_link, screenshot

IDLE_SECONDS = 6
"""The idle threshold these browsers use (their `atelier.idleSeconds` setting)."""


@pytest.fixture
def trio(browser: Browser) -> Iterator[tuple[Person, Person, Person]]:
    people = (Person(browser, "Claire"), Person(browser, "Marie"), Person(browser, "Paul"))
    for person in people:
        person.context.add_init_script(
            f"try {{ localStorage.setItem('atelier.idleSeconds', '{IDLE_SECONDS}') }} catch {{}}"
        )
    yield people
    for person in people:
        person.close()


def violations_in(page: Page, scope: str) -> list[dict[str, Any]]:
    """Serious axe findings on elements inside ``scope`` (the rest of the panel belongs to
    other features, checked by their own tests)."""
    inside = """([targets, scope]) => targets.some((target) => {
        const el = document.querySelector(target)
        return Boolean(el && el.closest(scope))
    })"""
    return [
        v
        for v in axe_violations(page)
        if any(page.evaluate(inside, [node["target"], scope]) for node in v["nodes"])
    ]


def gather(atelier: AtelierServer, trio: tuple[Person, Person, Person]) -> str:
    """A board with an open session: Claire leads, Marie (État) and Paul (Collectivité) join."""
    claire, marie, paul = trio
    board = atelier.create_board()
    claire.join(invite_link(atelier, board, "facilitator"))
    started = atelier.api("POST", f"/api/boards/{board}/sessions", json={"title": "Atelier 1"})
    assert started.status_code == 201, started.text
    marie.join(invite_link(atelier, board, "participant", "etat"), "etat")
    paul.join(invite_link(atelier, board, "participant", "collectivite"), "collectivite")
    return board


def test_the_facilitator_sees_who_is_here_with_their_party_and_tab(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, marie, _ = trio
    gather(atelier, trio)
    marie.tab("agreement")
    claire.tab("facilitator")
    row_marie = claire.page.locator('#room-list li[data-person="Marie"]')
    row_paul = claire.page.locator('#room-list li[data-person="Paul"]')
    expect(row_marie).to_contain_text("État")
    expect(row_marie).to_have_attribute("data-tab", "agreement")
    expect(row_marie).to_contain_text("onglet « Entente")
    expect(row_paul).to_contain_text("Collectivité")
    expect(row_paul).to_have_attribute("data-tab", "continuum")
    expect(row_paul).to_have_attribute("data-state", "connected")
    screenshot(claire.page, "room-card")
    violations = violations_in(claire.page, ".card--room")
    assert not violations, describe(violations)


def test_a_person_without_activity_shows_as_idle_until_they_act(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, marie, _ = trio
    gather(atelier, trio)
    claire.tab("facilitator")
    row_marie = claire.page.locator('#room-list li[data-person="Marie"]')
    row_paul = claire.page.locator('#room-list li[data-person="Paul"]')
    expect(row_paul).to_have_attribute("data-idle", "false")
    expect(row_paul).to_have_attribute("data-idle", "true", timeout=4 * IDLE_SECONDS * 1000)
    expect(row_paul).to_contain_text("inactif·ve depuis")
    expect(row_marie).to_have_attribute("data-idle", "true", timeout=4 * IDLE_SECONDS * 1000)
    marie.page.keyboard.press("Tab")
    expect(row_marie).to_have_attribute("data-idle", "false")
    expect(row_paul).to_have_attribute("data-idle", "true")


def test_a_person_who_left_shows_as_gone(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, _, paul = trio
    gather(atelier, trio)
    claire.tab("facilitator")
    row_paul = claire.page.locator('#room-list li[data-person="Paul"]')
    expect(row_paul).to_have_attribute("data-state", "connected")
    paul.page.goto("about:blank")
    expect(row_paul).to_have_attribute("data-state", "gone")
    expect(row_paul).to_contain_text("parti·e")
    expect(claire.page.locator('#room-silent li[data-person="Paul"]')).to_have_count(0)


def test_who_typed_has_contributed_and_who_did_not_is_listed(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, marie, _ = trio
    gather(atelier, trio)
    claire.tab("facilitator")
    silent = claire.page.locator("#room-silent")
    expect(silent).to_contain_text("Marie")
    expect(silent).to_contain_text("Paul")
    expect(claire.page.locator("#room-silent-note")).to_contain_text("début de la séance")
    marie.tab("agreement")
    marie.page.locator("#section-text-principles").click()
    marie.page.keyboard.type("Nous décidons ensemble.")
    marie.wait_saved()
    expect(silent.locator('li[data-person="Marie"]')).to_have_count(0)
    expect(silent.locator('li[data-person="Paul"]')).to_contain_text("n'a pas encore contribué")


def test_bringing_everyone_here_moves_both_participants_with_a_way_back(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, marie, paul = trio
    gather(atelier, trio)
    marie.tab("agreement")
    claire.tab("chain")
    claire.tab("facilitator")
    expect(claire.page.locator("#room-tab")).to_have_value("chain")
    claire.page.click("#room-summon")
    expect(claire.page.locator("#panel-chain")).to_be_visible()
    for page in (marie.page, paul.page):
        expect(page.locator("#panel-chain")).to_be_visible()
        note = page.locator('[data-key="summon-note"]')
        expect(note).to_contain_text("L'animateur·rice vous a amené·e ici")
    screenshot(marie.page, "room-summoned")
    violations = axe_violations(marie.page)
    assert not violations, describe(violations)
    marie.page.click('[data-key="summon-back"]')
    expect(marie.page.locator("#panel-agreement")).to_be_visible()
    expect(marie.page.locator('[data-key="summon-note"]')).to_have_count(0)


def test_a_participants_forged_summon_moves_nobody(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    _, marie, paul = trio
    gather(atelier, trio)
    marie.tab("agreement")
    # Paul's page claims to be a facilitator's and summons everyone to the chain
    paul.evaluate(
        """() => {
            const awareness = window.atelier.provider.awareness
            const user = {...awareness.getLocalState().user, role: 'facilitator'}
            awareness.setLocalState({...awareness.getLocalState(), user, forged: true,
                summon: {tab: 'chain', target: null, at: Date.now()}})
        }"""
    )
    seen = """() => Array.from(window.atelier.provider.awareness.getStates().values())
        .find((state) => state && state.forged) || null"""
    marie.page.wait_for_function(seen)
    state = marie.evaluate(seen)
    assert "summon" not in state  # the server dropped it
    assert state["user"]["role"] == "facilitator"  # the rest is relayed as written
    expect(marie.page.locator("#panel-agreement")).to_be_visible()
    expect(marie.page.locator('[data-key="summon-note"]')).to_have_count(0)


def test_the_facilitators_card_speaks_english(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    claire, _, _ = trio
    board = gather(atelier, trio)
    claire.page.goto(f"{atelier.base_url}/boards/{board}?lang=en#facilitator")
    expect(claire.page.locator("#fac-room")).to_have_text("Who is here")
    expect(claire.page.locator("#room-summon")).to_have_text("Bring everyone here")
    expect(claire.page.locator('#room-list li[data-person="Marie"]')).to_contain_text("connected")


# -- shared text -----------------------------------------------------------------------------


def test_a_participants_caret_shows_to_another_in_the_same_section(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    _, marie, paul = trio
    gather(atelier, trio)
    marie.tab("agreement")
    paul.tab("agreement")
    marie.page.locator("#section-text-principles").click()
    marie.page.keyboard.type("Première ligne")
    marie.page.keyboard.press("Enter")
    marie.page.keyboard.type("Deuxième")
    where = paul.page.locator('[data-carets="section-principles"]')
    expect(where).to_have_text("Marie écrit ici (ligne 2)")
    marker = paul.page.locator("#section-principles .caret-name")
    expect(marker).to_have_text("Marie")
    expect(marker).to_be_visible()
    # the bar sits on the second line, after « Deuxième »
    field = paul.page.locator("#section-text-principles").bounding_box()
    bar = paul.page.locator("#section-principles .caret-marker").bounding_box()
    assert field is not None
    assert bar is not None
    assert field["y"] + 10 < bar["y"] < field["y"] + field["height"]
    screenshot(paul.page, "carets")
    marie.page.locator("#tab-agreement").focus()
    expect(where).to_be_hidden()


def approved_by_marie(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> tuple[Person, Person]:
    """Marie (État) writes the principles and approves them; Paul has the text too."""
    _, marie, paul = trio
    gather(atelier, trio)
    marie.tab("agreement")
    paul.tab("agreement")
    marie.page.locator("#section-text-principles").fill("Nous décidons ensemble.")
    marie.page.click('[data-key="approve-principles"]')
    marie.wait_saved()
    expect(paul.page.locator("#section-text-principles")).to_have_value("Nous décidons ensemble.")
    return marie, paul


def test_what_changed_since_my_partys_approval_is_marked(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    marie, paul = approved_by_marie(atelier, trio)
    paul.page.locator("#section-text-principles").click()
    paul.page.keyboard.press("End")
    paul.page.keyboard.press("ArrowLeft")
    paul.page.keyboard.type(" chaque mois")
    paul.wait_saved()
    since = marie.page.locator("#since-principles")
    expect(since).to_be_visible()
    expect(since).to_contain_text("Changé depuis votre approbation")
    expect(since.locator("ins")).to_have_count(1)
    expect(since.locator("ins")).to_contain_text("chaque mois")
    expect(since).to_contain_text("2 mots ajoutés et 0 mot supprimé")
    expect(since.locator("del")).to_have_count(0)
    expect(paul.page.locator("#since-principles")).to_be_hidden()  # Paul's party approved nothing
    screenshot(marie.page, "since-approval")
    violations = axe_violations(marie.page)
    assert not violations, describe(violations)


def test_a_replaced_word_shows_deleted_and_inserted_until_approved_again(
    atelier: AtelierServer, trio: tuple[Person, Person, Person]
) -> None:
    marie, paul = approved_by_marie(atelier, trio)
    paul.page.locator("#section-text-principles").fill("Nous choisissons ensemble.")
    paul.wait_saved()
    since = marie.page.locator("#since-principles")
    expect(since.locator("del")).to_contain_text("décidons")
    expect(since.locator("ins")).to_contain_text("choisissons")
    expect(since).to_contain_text("1 mot ajouté et 1 mot supprimé")
    marie.page.click('[data-key="approve-principles"]')
    expect(since).to_be_hidden()
