"""The facilitator's small controls in Chromium: locks shown on tabs and headings, « +1 min »
and the end-of-timer beep, a confirmed and undoable deletion of another party's note, the
chain on one printed page; French first, English with ?lang=en, nothing serious for axe."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pypdf import PdfReader

from server.core.clock import parse_iso
from tests.support.atelier_server import AtelierServer
from tests.support.browser import (
    ARTIFACTS,
    Person,
    axe_violations,
    describe,
    invite_link,
    screenshot,
)

RUNNING = re.compile(r"^0[4-6]:\d\d$")
OSCILLATOR_SPY = """
window.__oscillators = 0
const started = OscillatorNode.prototype.start
OscillatorNode.prototype.start = function (...args) {
  window.__oscillators += 1
  return started.apply(this, args)
}
"""
"""Counts the WebAudio tones the page starts (headless Chromium plays them to no one)."""


@pytest.fixture
def paul(browser: Browser) -> Iterator[Person]:
    person = Person(browser, "Paul")
    yield person
    person.close()


def in_english(link: str) -> str:
    return link + ("&" if "?" in link else "?") + "lang=en"


def lock_row(page: Page, zone: str) -> None:
    """Lock or unlock ``zone`` from the facilitator's panel."""
    page.locator(".lock-list li", has_text=zone).locator("button").click()


def note_card(page: Page, text: str) -> Locator:
    handle = page.locator(f'.note__handle[aria-label*="{text}"]')
    return page.locator(".note").filter(has=handle)


def add_note(page: Page, level: str, text: str) -> None:
    page.click(f'[data-key="add-{level}"]')
    page.keyboard.type(text)
    page.keyboard.press("Escape")


# -- locks on tabs and headings -----------------------------------------------------------


def test_a_locked_chain_shows_on_the_participants_tab_and_headings_until_unlocked(
    atelier: AtelierServer, claire: Person, marie: Person
) -> None:
    board = atelier.create_board()
    claire.join(invite_link(atelier, board, "facilitator"))
    marie.join(invite_link(atelier, board, "participant", "etat"), "etat")
    claire.tab("facilitator")
    lock_row(claire.page, "Stratégie de changement")
    tab = marie.page.get_by_role("tab", name=re.compile(r"^Stratégie de changement\W+verrouillé$"))
    expect(tab).to_be_visible()
    expect(tab.locator(".lock-mark")).to_have_text(", verrouillé")
    marie.tab("chain")
    expect(marie.page.locator("#tier-direct")).to_contain_text("verrouillé")
    expect(marie.page.locator("#vision-title .lock-mark")).to_have_count(0)  # its own zone
    expect(marie.page.get_by_role("tab", name="Échelle de coopération")).not_to_contain_text(
        "verrouillé"
    )
    screenshot(marie.page, "controls-lock-marks")
    violations = axe_violations(marie.page)
    assert not violations, describe(violations)
    lock_row(claire.page, "Stratégie de changement")
    expect(marie.page.locator("#tab-chain .lock-mark")).to_have_count(0)
    expect(marie.page.locator("#tier-direct .lock-mark")).to_have_count(0)


def test_a_board_lock_marks_every_tab_and_a_section_lock_marks_the_agreement_in_part(
    atelier: AtelierServer, claire: Person, marie: Person
) -> None:
    board = atelier.create_board()
    claire.join(invite_link(atelier, board, "facilitator"))
    marie.join(in_english(invite_link(atelier, board, "participant", "etat")))
    section = atelier.api("POST", f"/api/boards/{board}/lock", json={"zone": "agreement.power"})
    assert section.status_code == 200
    expect(marie.page.locator("#tab-agreement .lock-mark")).to_have_text(", partly locked")
    marie.tab("agreement")
    expect(marie.page.locator("#section-power .section__head h3")).to_contain_text("locked")
    expect(marie.page.locator("#section-places .lock-mark")).to_have_count(0)
    assert atelier.api("POST", f"/api/boards/{board}/lock", json={}).status_code == 200
    for view in ("continuum", "chain", "agreement", "conditions", "support"):
        expect(marie.page.locator(f"#tab-{view} .lock-mark")).to_have_text(", locked")


# -- the timer ----------------------------------------------------------------------------


def test_one_more_minute_moves_the_end_of_the_timer_for_a_participant_too(
    atelier: AtelierServer, claire: Person, marie: Person
) -> None:
    board = atelier.create_board()
    claire.join(invite_link(atelier, board, "facilitator"))
    marie.join(invite_link(atelier, board, "participant", "etat"), "etat")
    claire.tab("facilitator")
    add = claire.page.get_by_role("button", name="Ajouter une minute au minuteur")
    expect(add).to_be_disabled()  # nothing to extend yet
    claire.page.fill("#timer-minutes", "5")
    claire.page.click("text=Lancer le minuteur")
    timer = marie.page.locator("#timer")
    expect(timer).to_have_text(RUNNING)
    shown = str(timer.get_attribute("data-ends-at"))
    expect(add).to_have_text("+1 min")
    add.click()
    expect(claire.page.locator(".panel-status")).to_have_text("Une minute ajoutée au minuteur.")
    expect(timer).not_to_have_attribute("data-ends-at", shown)
    moved = parse_iso(str(timer.get_attribute("data-ends-at"))) - parse_iso(shown)
    assert moved == pytest.approx(60, abs=0.01)
    expect(timer).to_have_text(re.compile(r"^0[56]:\d\d$"))
    violations = axe_violations(claire.page)  # the timer card with its new controls
    assert not violations, describe(violations)


def test_the_sound_at_the_end_is_off_by_default_kept_and_beeps_at_zero(
    atelier: AtelierServer, claire: Person, marie: Person
) -> None:
    board = atelier.create_board()
    for person in (claire, marie):
        person.context.add_init_script(OSCILLATOR_SPY)
    claire.join(invite_link(atelier, board, "facilitator"))
    marie.join(invite_link(atelier, board, "participant", "etat"), "etat")
    claire.tab("facilitator")
    sound = claire.page.get_by_label("Son à la fin")
    expect(sound).not_to_be_checked()
    sound.check()
    claire.page.reload()
    claire.wait_saved()
    claire.tab("facilitator")
    expect(claire.page.get_by_label("Son à la fin")).to_be_checked()  # kept by this browser
    started = atelier.api("POST", f"/api/boards/{board}/timer", json={"seconds": 2})
    assert started.status_code == 200
    expect(claire.page.locator("html")).to_have_attribute("data-timer-beeps", "1")
    assert claire.evaluate("() => window.__oscillators") == 2  # two short tones
    expect(marie.page.locator("#timer")).to_have_text("Temps écoulé")
    assert marie.evaluate("() => window.__oscillators") == 0  # Marie did not ask for sound
    expect(marie.page.locator("html")).not_to_have_attribute("data-timer-beeps", "1")


# -- deleting another party's note --------------------------------------------------------


def test_deleting_another_partys_note_asks_first_can_be_undone_and_the_history_names_who(
    atelier: AtelierServer, marie: Person, paul: Person
) -> None:
    board = atelier.create_board()
    marie.join(invite_link(atelier, board, "participant", "etat"), "etat")
    paul.context.clock.install()  # the page's clock runs on, and can be moved forward
    paul.join(invite_link(atelier, board, "participant", "collectivite"), "collectivite")
    add_note(marie.page, "assistance", "Budget partagé")
    marie.wait_saved()
    shown = note_card(paul.page, "Budget partagé")
    shown.locator(".note__delete").click()
    dialog = paul.page.get_by_role("alertdialog", name="Supprimer la note d'une autre partie ?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("« Budget partagé » a été écrite par Marie (État)")
    expect(dialog.get_by_role("button", name="Garder la note")).to_be_focused()
    screenshot(paul.page, "controls-delete-confirm")
    violations = axe_violations(paul.page)
    assert not violations, describe(violations)
    dialog.get_by_role("button", name="Garder la note").click()
    expect(dialog).to_be_hidden()
    expect(note_card(marie.page, "Budget partagé")).to_have_count(1)
    shown.locator(".note__delete").click()
    dialog.get_by_role("button", name="Supprimer la note").click()
    expect(note_card(marie.page, "Budget partagé")).to_have_count(0)
    paul.wait_saved()
    history = atelier.api("GET", f"/api/boards/{board}/history").json()["entries"]
    removed = [e for e in history if "retirée" in e["caption"]["fr"]]
    assert [e["author"]["name"] for e in removed] == ["Paul"], history
    assert "par Paul" in removed[0]["caption"]["fr"]
    toast = paul.page.locator(".toast", has_text="Note supprimée.")
    paul.page.clock.fast_forward("00:25")  # still offered well past the usual toast's 9 s
    toast.get_by_role("button", name="Annuler").click()
    back = note_card(marie.page, "Budget partagé")
    expect(back).to_have_count(1)
    expect(marie.page.locator('.lane[data-level="assistance"]')).to_contain_text("Marie")


def test_ones_own_note_is_deleted_without_a_question(atelier: AtelierServer, marie: Person) -> None:
    board = atelier.create_board()
    marie.join(invite_link(atelier, board, "participant", "etat"), "etat")
    add_note(marie.page, "coexistence", "Ma propre note")
    note_card(marie.page, "Ma propre note").locator(".note__delete").click()
    expect(note_card(marie.page, "Ma propre note")).to_have_count(0)
    expect(marie.page.locator("#confirm-dialog")).to_have_count(0)
    expect(marie.page.locator(".toast")).to_contain_text("Note supprimée.")


# -- the chain on one page ----------------------------------------------------------------


def test_the_chain_overview_fits_the_screen_and_prints_on_one_a4_page(
    atelier: AtelierServer, claire: Person
) -> None:
    claire.join(
        invite_link(atelier, "atelier-demo", "facilitator")
    )  # the first run's demo workshop
    page = claire.page
    claire.tab("chain")
    middle = page.locator(".tier--intermediate .item").first
    middle.locator("select").first.select_option(
        label="« Les agents connaissent les outils de la… »"
    )
    middle.get_by_role("button", name="Relier", exact=False).click()  # backwards: a problem
    expect(page.locator("#panel-chain .problems")).to_contain_text("Lien à rebours")
    page.get_by_role("button", name="Vue d'ensemble / imprimer").click()
    overview = page.get_by_role("dialog", name="Stratégie de changement : vue d'ensemble")
    expect(overview).to_be_visible()
    drawing = overview.locator("svg.overview-chain")
    expect(drawing.locator(".overview-card")).to_have_count(7)  # the vision and six changes
    expect(drawing.locator(".overview-link--problem")).to_have_count(1)
    expect(overview.locator(".overview-problems")).to_contain_text("Lien à rebours")
    box, screen = drawing.bounding_box(), page.viewport_size
    assert box is not None
    assert screen is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= screen["width"]
    assert box["y"] + box["height"] <= screen["height"]  # fitted: nothing to scroll
    screenshot(page, "controls-chain-overview")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    printed = page.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / "controls-chain-print.pdf").write_bytes(printed)  # for a person to look at
    pdf = PdfReader(io.BytesIO(printed))
    assert len(pdf.pages) == 1
    width, height = float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    text = re.sub(r"\s+", " ", pdf.pages[0].extract_text())
    for words in ("En 2036, chaque habitant", "Une culture de la décision", "Lien à rebours"):
        assert words in text, text
    page.get_by_role("button", name="Fermer la vue d'ensemble").click()
    expect(overview).to_be_hidden()


# -- in English ---------------------------------------------------------------------------


def test_the_new_controls_read_in_english_with_lang_en(
    atelier: AtelierServer, claire: Person, marie: Person
) -> None:
    board = atelier.create_board()
    claire.join(in_english(invite_link(atelier, board, "facilitator")))
    marie.join(in_english(invite_link(atelier, board, "participant", "etat")))
    add_note(claire.page, "coexistence", "Facilitator's note")
    note_card(marie.page, "Facilitator's note").locator(".note__delete").click()
    dialog = marie.page.get_by_role("alertdialog", name="Delete another party's note?")
    expect(dialog).to_contain_text("was written by Claire")
    dialog.get_by_role("button", name="Keep the note").click()
    claire.tab("facilitator")
    expect(claire.page.get_by_role("button", name="add one minute to the timer")).to_be_visible()
    expect(claire.page.get_by_label("Sound at the end")).to_be_visible()
    claire.tab("chain")
    claire.page.get_by_role("button", name="Overview / print").click()
    expect(claire.page.get_by_role("dialog", name="Change strategy: overview")).to_be_visible()
    expect(claire.page.get_by_role("button", name="Close the overview")).to_be_visible()
