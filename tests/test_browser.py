"""The browser client, in Debian's Chromium against a real server: people join, write together,
move notes by keyboard, lock zones, go offline and come back, in French first."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import (
    PHONE,
    Person,
    axe_violations,
    describe,
    screenshot,
)


@pytest.fixture
def people(browser: Browser) -> Iterator[dict[str, Person]]:
    """Named people, each in their own browser context; closed (and checked) after the test."""
    opened: dict[str, Person] = {}

    class Opener(dict[str, Person]):
        def __missing__(self, name: str) -> Person:
            opened[name] = self[name] = Person(browser, name)
            return opened[name]

    yield Opener()
    for person in opened.values():
        person.close()


def invite_url(
    atelier: AtelierServer,
    board_id: str,
    role: str,
    label: str | None = None,
    party: str | None = None,
) -> str:
    body = {key: value for key, value in {"label": label, "party": party}.items() if value}
    return str(atelier.invite_record(board_id, role, **body)["url"])


def note(page: Page, text: str, level: str | None = None) -> Locator:
    """The note whose text starts with `text` (its move button names it), in `level` if given."""
    where = f'.lane[data-level="{level}"] ' if level else ""
    handle = page.locator(f'.note__handle[aria-label*="{text[:40]}"]')
    return page.locator(f"{where}.note").filter(has=handle)


def content(atelier: AtelierServer, board_id: str) -> dict[str, object]:
    response = atelier.api("GET", f"/api/boards/{board_id}/content")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


# -- joining -------------------------------------------------------------------------------


def test_joining_asks_a_name_and_party_remembers_them_and_opens_the_board(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie = people["Marie"]
    page = marie.page
    page.goto(invite_url(atelier, board_id, "participant", "Collectivité", party="collectivite"))
    expect(page.locator("h1")).to_have_text("Rejoindre le tableau")
    expect(page.locator("#join-party")).to_contain_text("Collectivité")  # the invite's party
    screenshot(page, "join")
    page.click("#join-form button[type=submit]")
    expect(page.locator("#join-error")).to_contain_text("Indiquez votre nom")
    marie.join(page.url)
    assert page.url.endswith(f"/boards/{board_id}")
    expect(page.locator("#presence-list")).to_contain_text("Marie (vous)")
    expect(page.locator("#me")).to_have_text("Marie · Collectivité")
    page.goto(invite_url(atelier, board_id, "participant", party="etat"))
    expect(page.locator("#join-name")).to_have_value("Marie")  # the name is remembered,
    expect(page.locator("#join-party")).to_contain_text("État")  # the party is the invite's


def test_a_site_invite_lets_one_pick_which_of_the_sites_boards_to_open(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    site = atelier.api("POST", "/api/sites", json={"title": "Château-Thierry"}).json()["id"]
    titles = ["Échelle d'octobre", "Entente de novembre"]
    for title, template in zip(titles, ["continuum", "agreement"], strict=True):
        body = {"title": title, "template": template, "site": site}
        assert atelier.api("POST", "/api/boards", json=body).status_code == 201
    body = {"role": "participant", "party": "societe_civile"}
    invite = atelier.api("POST", f"/api/sites/{site}/invites", json=body)
    page = people["Marie"].join(invite.json()["url"], "societe_civile", "Entente de novembre")
    expect(page.locator("#board-title")).to_have_text("Entente de novembre")
    expect(page.locator("#tab-agreement")).to_be_visible()


def test_expired_revoked_and_unknown_links_get_a_clear_french_page(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    page = people["Visiteur"].page
    expiring = atelier.invite_record(board_id, "participant", expires_in=1)
    revoked = atelier.invite_record(board_id, "participant")
    assert atelier.api("DELETE", f"/api/invites/{revoked['id']}").status_code == 200
    deadline = time.monotonic() + 10  # until the one-second invite has expired
    while atelier.api("GET", "/api/me", token=expiring["token"]).status_code != 401:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    cases = [
        (expiring["url"], 410, "Ce lien d'invitation a expiré"),
        (revoked["url"], 410, "Ce lien d'invitation a été révoqué"),
        (f"{atelier.base_url}/join/not-a-token", 404, "Ce lien d'invitation n'est pas reconnu"),
        # not a slug; a well-formed unknown id gets the same page as a real board (no leak)
        (f"{atelier.base_url}/boards/Tableau%20inconnu", 404, "Ce tableau n'existe pas"),
    ]
    for url, status, heading in cases:
        response = page.goto(url)
        assert response is not None
        assert response.status == status
        expect(page.locator("h1")).to_have_text(heading)
        assert "Traceback" not in page.content()
    screenshot(page, "link-expired")


def test_the_operator_creates_a_board_from_the_home_page_and_gets_a_facilitator_link(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    page = people["Opératrice"].page
    page.goto(f"{atelier.base_url}/")
    page.fill("#operator-token", atelier.admin_token)
    page.fill("#create-title", "Mayotte — atelier de novembre")
    page.select_option("#create-template", "agreement")
    page.click("text=Créer le tableau")
    link = page.locator("#facilitator-link")
    expect(link).to_have_value(re.compile(r"/join/"))
    page.goto(link.input_value())
    expect(page.locator("#join-party")).to_contain_text("Facilitation")
    people["Opératrice"].join(page.url)
    expect(page.locator("#board-title")).to_have_text("Mayotte — atelier de novembre")
    expect(page.locator('[role="tab"]')).to_have_text(
        ["Entente de coopération", "Vue en liste", "Animation"]
    )


def test_a_labelled_invite_is_named_on_the_join_page_without_nested_parentheses(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    page = people["Claire"].page
    page.goto(invite_url(atelier, board_id, "facilitator", "Animateur (démonstration)"))
    role = page.locator("main p", has_text="Votre rôle")
    expect(role).to_contain_text("Votre rôle : animateur·rice, lien « Animateur (démonstration) ».")
    assert "))" not in role.inner_text()


# -- the continuum -------------------------------------------------------------------------


def test_a_note_added_and_moved_by_keyboard_moves_for_the_other_participant(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie, paul = people["Marie"], people["Paul"]
    marie.join(invite_url(atelier, board_id, "participant", party="collectivite"), "collectivite")
    paul.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    text = "On se parle peu entre services"
    marie.page.click('[data-key="add-coexistence"]')
    marie.page.keyboard.type(text)
    expect(note(paul.page, text, "coexistence")).to_be_visible()
    marie.page.keyboard.press("Escape")  # from the text to the note's move handle
    marie.page.keyboard.press("ArrowRight")
    marie.page.keyboard.press("ArrowRight")
    expect(note(marie.page, text, "assistance")).to_be_visible()
    moved = note(paul.page, text, "assistance")
    expect(moved).to_be_visible()
    expect(moved.locator(".note__author")).to_have_text("Marie · Collectivité")
    moved.locator(".note__vote").click()
    expect(note(marie.page, text).locator(".note__vote .count")).to_have_text("1")
    marie.wait_saved()
    notes = content(atelier, board_id)["notes"]
    assert isinstance(notes, list)
    assert len(notes) == 1
    assert (notes[0]["level"], notes[0]["text"]) == ("assistance", text)
    assert notes[0]["author"] == {
        "id": notes[0]["author"]["id"],
        "name": "Marie",
        "party": "collectivite",
    }
    assert notes[0]["votes"]["count"] == 1
    screenshot(paul.page, "continuum")


def test_a_note_is_dragged_to_another_level_recoloured_and_deleted_with_undo(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie = people["Marie"]
    page = marie.join(
        invite_url(atelier, board_id, "participant", party="societe_civile"), "societe_civile"
    )
    page.click('[data-key="add-concurrence"]')
    page.keyboard.type("Chacun pour soi")
    handle = note(page, "Chacun pour soi").locator(".note__handle")
    target = page.locator('.lane[data-level="collaboration"] .lane__body').bounding_box()
    assert target is not None
    handle.hover()
    page.mouse.down()
    page.mouse.move(target["x"] + 40, target["y"] + 120, steps=8)
    page.mouse.up()
    dragged = note(page, "Chacun pour soi", "collaboration")
    expect(dragged).to_be_visible()
    dragged.locator("select").select_option("green")
    expect(dragged).to_have_class("note note--green")
    dragged.locator(".note__delete").click()
    expect(note(page, "Chacun pour soi")).to_have_count(0)
    page.locator(".toast button").click()
    expect(note(page, "Chacun pour soi", "collaboration")).to_be_visible()


def test_a_note_that_grows_while_someone_writes_in_it_pushes_the_next_one_down(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie, paul = people["Marie"], people["Paul"]
    marie.join(invite_url(atelier, board_id, "participant", party="collectivite"), "collectivite")
    paul.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    for text in ("Première note", "Deuxième note"):
        marie.page.click('[data-key="add-coexistence"]')
        marie.page.keyboard.type(text)
    marie.page.keyboard.press("Escape")
    expect(note(paul.page, "Deuxième note")).to_be_visible()
    note(paul.page, "Première note").locator("textarea").click()
    upper, lower = note(marie.page, "Première note"), note(marie.page, "Deuxième note")
    expect(upper.locator(".note__editors")).to_have_text("✎ Paul écrit…")
    upper_box, lower_box = upper.bounding_box(), lower.bounding_box()
    assert upper_box is not None
    assert lower_box is not None
    assert upper_box["y"] + upper_box["height"] <= lower_box["y"], (upper_box, lower_box)
    screenshot(marie.page, "continuum-writing")


def test_vote_counts_read_one_vote_and_two_votes(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie, paul = people["Marie"], people["Paul"]
    marie.join(invite_url(atelier, board_id, "participant", party="collectivite"), "collectivite")
    paul.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    marie.page.click('[data-key="add-coordination"]')
    marie.page.keyboard.type("Un diagnostic partagé")
    vote = note(marie.page, "Un diagnostic partagé").locator(".note__vote")
    expect(vote).to_have_accessible_name("0 vote — voter pour cette note")
    vote.click()
    expect(vote).to_have_accessible_name(re.compile(r"^1 vote — vous avez voté"))
    note(paul.page, "Un diagnostic partagé").locator(".note__vote").click()
    expect(vote).to_have_accessible_name(re.compile(r"^2 votes — vous avez voté"))
    marie.tab("list")
    listed = marie.page.locator(".list-note", has_text="Un diagnostic partagé")
    expect(listed).to_contain_text("Marie · Collectivité · 2 votes")


# -- the agreement -------------------------------------------------------------------------


def test_two_participants_typing_in_one_agreement_section_converge_and_approvals_set_its_status(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie, paul, sofia = people["Marie"], people["Paul"], people["Sofia"]
    marie.join(invite_url(atelier, board_id, "participant", party="collectivite"), "collectivite")
    paul.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    field = "#section-text-power"
    for person in (marie, paul):
        person.tab("agreement")
        person.page.click(field)
    # interleaved typing: neither waits for the other's words before writing more
    for marie_words, paul_words in [
        ("Le comité ", "Chaque mois, "),
        ("décide ", "on fait "),
        ("ensemble.", "le point."),
    ]:
        marie.page.keyboard.type(marie_words)
        paul.page.keyboard.press("Control+Home")
        paul.page.keyboard.type(paul_words)
    for person in (marie, paul):
        person.wait_saved()
    final = marie.page.locator(field).input_value()
    expect(paul.page.locator(field)).to_have_value(final)
    for words in ("Le comité décide ensemble.", "Chaque mois,", "le point."):
        assert words.replace(" ", "") in final.replace(" ", "") or words in final
    section = marie.page.locator("#section-power")
    expect(section.locator(".badge")).to_have_text("Brouillon")
    section.get_by_role("button", name="Approuver ce texte au nom de\u00a0: Collectivité").click()
    expect(paul.page.locator("#section-power .badge")).to_have_text("Proposée")
    paul.page.locator("#section-power").get_by_role("button", name="Approuver", exact=False).click()
    sofia.join(
        invite_url(atelier, board_id, "participant", party="societe_civile"), "societe_civile"
    )
    sofia.tab("agreement")
    sofia.page.locator("#section-power").get_by_role(
        "button", name="Approuver", exact=False
    ).click()
    expect(marie.page.locator("#section-power .badge")).to_have_text("Validée")
    sofia.wait_saved()
    sections = content(atelier, board_id)["agreement"]["sections"]  # type: ignore[index]
    assert {s["id"]: s["status"] for s in sections}["power"] == "agreed"
    screenshot(marie.page, "agreement")
    marie.page.click(field)
    marie.page.keyboard.press("End")
    marie.page.keyboard.type(" Et on le dit.")
    expect(paul.page.locator("#section-power .badge")).to_have_text("Proposée")


def test_typing_a_dash_on_a_line_already_made_a_list_item_does_not_double_it(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie = people["Marie"]
    page = marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    marie.tab("agreement")
    field = page.locator("#section-text-talents")
    field.click()
    page.click('[data-key="bullets-talents"]')  # the list button, then words
    page.keyboard.type("Premier point")
    page.keyboard.press("Enter")  # Enter continues the list, then a dash out of habit
    page.keyboard.type("- Deuxième point")
    expect(field).to_have_value("- Premier point\n- Deuxième point")
    marie.wait_saved()
    sections = content(atelier, board_id)["agreement"]["sections"]  # type: ignore[index]
    assert {s["id"]: s["text"] for s in sections}["talents"] == "- Premier point\n- Deuxième point"


# -- the change chain ----------------------------------------------------------------------


def test_chain_items_are_linked_and_a_backward_link_shows_the_servers_problem(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie = people["Marie"]
    page = marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    marie.tab("chain")
    page.click("#vision-text")
    page.keyboard.type("Un quartier où chacun trouve sa place")
    page.click('[data-key="add-direct"]')
    page.keyboard.type("Connaître les dispositifs de chacun")
    page.click('[data-key="add-intermediate"]')
    page.keyboard.type("Des réunions inter-services régulières")
    direct = page.locator(".tier--direct .item").first
    middle = page.locator(".tier--intermediate .item").first
    direct.locator("select").first.select_option(label="« Des réunions inter-services régulières »")
    direct.get_by_role("button", name="Relier", exact=False).click()
    middle.locator("select").first.select_option(label="« Connaître les dispositifs de chacun »")
    middle.get_by_role("button", name="Relier", exact=False).click()
    expect(page.locator("svg.links path.link")).to_have_count(2)
    problems = page.locator(".problems")
    expect(problems).to_contain_text("Lien à rebours")  # the server's own words
    expect(problems).to_contain_text("boucle")
    closing = page.locator("svg.links path.link--problem")
    expect(closing).to_have_count(1)  # the link that closes the loop
    screenshot(page, "chain")
    middle.locator(".link-chip button").click()
    expect(problems).to_be_hidden()


# -- roles and locks -----------------------------------------------------------------------


TIMER_RUNNING = re.compile(r"^0[45]:\d\d$")
FORCE_NOTE = "() => window.atelier.doc.getMap('notes').set('forced-note', 'sneaked in')"


def test_an_observer_sees_everything_and_cannot_change_anything(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie, eva = people["Marie"], people["Eva"]
    marie.join(invite_url(atelier, board_id, "participant", party="collectivite"), "collectivite")
    marie.page.click('[data-key="add-integration"]')
    marie.page.keyboard.type("Budget commun")
    marie.wait_saved()
    page = eva.join(invite_url(atelier, board_id, "observer"), "")
    expect(page.locator("#panel-continuum .lock-banner")).to_contain_text("Lecture seule")
    for add in page.locator(".lane__add").all():
        expect(add).to_be_disabled()
    shown = note(page, "Budget commun", "integration")
    expect(shown.locator("textarea")).to_have_attribute("readonly", "")
    expect(shown.locator(".note__vote")).to_be_disabled()
    shown.locator("textarea").click()
    page.keyboard.type("vandalisme")
    expect(shown.locator("textarea")).to_have_value("Budget commun")
    eva.tab("agreement")
    expect(page.locator("#section-text-principles")).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Approuver", exact=False)).to_have_count(0)
    screenshot(page, "observer")
    with page.expect_navigation():  # a tampered client: refused, then resynchronised
        eva.evaluate(FORCE_NOTE)
        expect(page.locator("#banner")).to_contain_text("Modification refusée")
    expect(page.locator("#banner")).to_contain_text("affiche maintenant son état enregistré")
    eva.wait_saved()
    assert not eva.evaluate("() => window.atelier.doc.getMap('notes').has('forced-note')")
    assert not marie.evaluate("() => window.atelier.doc.getMap('notes').has('forced-note')")
    assert [n["text"] for n in content(atelier, board_id)["notes"]] == ["Budget commun"]  # type: ignore[union-attr]


def test_a_locked_zone_refuses_a_participant_and_reopens_on_unlock(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    claire, marie = people["Claire"], people["Marie"]
    claire.join(invite_url(atelier, board_id, "facilitator"))
    marie.join(invite_url(atelier, board_id, "participant", party="collectivite"), "collectivite")
    claire.tab("facilitator")
    row = claire.page.locator(".lock-list li", has_text="Échelle de coopération")
    row.get_by_role("button", name="Verrouiller", exact=False).click()
    expect(row.locator(".lock-state")).to_contain_text("verrouillé")
    banner = marie.page.locator("#panel-continuum .lock-banner")
    expect(banner).to_contain_text("verrouillée par l'animateur")
    expect(marie.page.locator('[data-key="add-coexistence"]')).to_be_disabled()
    marie.tab("agreement")  # the other zones stay open
    expect(marie.page.locator("#section-text-principles")).not_to_have_attribute("readonly", "")
    screenshot(claire.page, "facilitator")
    with marie.page.expect_navigation():
        marie.evaluate(FORCE_NOTE)
        expect(marie.page.locator("#banner")).to_contain_text("Modification refusée")
    marie.wait_saved()
    marie.tab("continuum")
    claire.tab("continuum")  # the facilitator still writes in a locked zone
    claire.page.click('[data-key="add-communication"]')
    claire.page.keyboard.type("Note de l'animatrice")
    expect(note(marie.page, "Note de l'animatrice", "communication")).to_be_visible()
    assert not marie.evaluate("() => window.atelier.doc.getMap('notes').has('forced-note')")
    claire.tab("facilitator")
    row.get_by_role("button", name="Déverrouiller", exact=False).click()
    expect(marie.page.locator('[data-key="add-coexistence"]')).to_be_enabled()
    expect(banner).to_be_hidden()


def test_a_revoked_invite_disconnects_its_holder_with_a_french_message(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    claire, marie = people["Claire"], people["Marie"]
    claire.join(invite_url(atelier, board_id, "facilitator"))
    marie.join(
        invite_url(atelier, board_id, "participant", "Collectivité", party="collectivite"),
        "collectivite",
    )
    claire.tab("facilitator")
    row = claire.page.locator(".invite-list tr", has_text="Collectivité")
    row.get_by_role("button", name="Révoquer", exact=False).click()
    row.get_by_role("button", name="Confirmer la révocation").click()
    expect(marie.page.locator("#banner")).to_contain_text("Accès refusé")
    expect(marie.page.locator("#save-status")).to_have_attribute("data-status", "closed")
    expect(marie.page.locator('[data-key="add-coexistence"]')).to_be_disabled()
    expect(row).to_contain_text("révoqué")


def test_revoking_asks_first_and_warns_before_revoking_ones_own_link(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    claire = people["Claire"]
    claire.join(invite_url(atelier, board_id, "facilitator", "Claire"))
    claire.tab("facilitator")
    row = claire.page.locator(".invite-list tr", has_text="votre lien")
    row.get_by_role("button", name="Révoquer", exact=False).click()
    expect(row).to_contain_text("C'est le lien que vous utilisez")
    row.get_by_role("button", name="Garder le lien").click()
    expect(row.get_by_role("button", name="Révoquer", exact=False)).to_be_focused()
    expect(claire.page.locator("#save-status")).to_have_attribute("data-status", "saved")
    invites = atelier.api("GET", f"/api/boards/{board_id}/invites").json()["invites"]
    assert all(invite["revoked_at"] is None for invite in invites)


def test_invite_links_are_created_by_role_and_copied(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    claire = people["Claire"]
    claire.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = claire.join(invite_url(atelier, board_id, "facilitator"))
    claire.tab("facilitator")
    page.select_option("#invite-role", "observer")
    page.fill("#invite-label", "Évaluation")
    page.click("text=Créer le lien")
    link = page.locator("#invite-url")
    expect(link).to_be_visible()
    url = link.input_value()
    assert url.startswith(f"{atelier.base_url}/join/")
    page.get_by_role("button", name="Copier").click()
    expect(page.locator(".panel-status")).to_have_text("Lien copié.")
    assert claire.evaluate("() => navigator.clipboard.readText()") == url
    expect(page.locator(".invite-list")).to_contain_text("Évaluation")


def test_the_facilitators_timer_counts_down_for_everyone(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    claire, marie = people["Claire"], people["Marie"]
    claire.join(invite_url(atelier, board_id, "facilitator"))
    marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    claire.tab("facilitator")
    claire.page.fill("#timer-minutes", "5")
    claire.page.click("text=Lancer le minuteur")
    expect(marie.page.locator("#timer")).to_have_text(TIMER_RUNNING)
    claire.page.click("text=Arrêter")
    expect(marie.page.locator("#timer")).to_be_hidden()


def test_presence_shows_who_is_here_their_cursors_and_follows_the_facilitator(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    claire, marie = people["Claire"], people["Marie"]
    claire.join(invite_url(atelier, board_id, "facilitator"))
    marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    expect(marie.page.locator("#presence-list")).to_contain_text("Claire")
    lane = claire.page.locator('.lane[data-level="coordination"] .lane__body').bounding_box()
    assert lane is not None
    claire.page.mouse.move(lane["x"] + 30, lane["y"] + 60)
    claire.page.mouse.move(lane["x"] + 40, lane["y"] + 80, steps=3)
    cursor = marie.page.locator('.lane[data-level="coordination"] .cursor')
    expect(cursor).to_contain_text("Claire")
    marie.page.check("#follow")
    claire.tab("agreement")
    expect(marie.page.locator("#panel-agreement")).to_be_visible()
    claire.tab("chain")
    expect(marie.page.locator("#panel-chain")).to_be_visible()


def test_the_facilitator_sees_who_is_on_the_board(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    claire, marie = people["Claire"], people["Marie"]
    claire.join(invite_url(atelier, board_id, "facilitator"))
    marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    presence = claire.page.locator("#presence-list")
    expect(presence).to_contain_text("Claire (vous)")
    expect(presence).to_contain_text("Marie")
    expect(claire.page.locator("#follow-wrapper")).to_be_hidden()  # nobody leads the leader


def test_a_locked_part_says_who_locked_it_in_the_words_of_the_rest_of_the_board(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    claire, marie = people["Claire"], people["Marie"]
    claire.join(invite_url(atelier, board_id, "facilitator"))
    marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    claire.tab("facilitator")
    row = claire.page.locator(".lock-list li", has_text="Échelle de coopération")
    row.get_by_role("button", name="Verrouiller", exact=False).click()
    expect(marie.page.locator("#panel-continuum .lock-banner")).to_have_text(
        "Cette partie est verrouillée par l'animateur·rice : lecture seule."
    )
    expect(marie.page.locator("label[for=follow]")).to_have_text("Suivre l'animateur·rice")


def test_the_refused_change_message_goes_after_a_while_when_dismissed_or_when_unlocked(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    claire, marie = people["Claire"], people["Marie"]
    claire.join(invite_url(atelier, board_id, "facilitator"))
    marie.context.clock.install()  # the page's clock runs on, and can be moved forward
    marie.join(invite_url(atelier, board_id, "participant", party="collectivite"), "collectivite")
    claire.tab("facilitator")
    row = claire.page.locator(".lock-list li", has_text="Échelle de coopération")
    row.get_by_role("button", name="Verrouiller", exact=False).click()
    expect(marie.page.locator('[data-key="add-coexistence"]')).to_be_disabled()
    banner = marie.page.locator("#banner")

    def refused() -> None:
        with marie.page.expect_navigation():  # a tampered client: refused, then resynchronised
            marie.evaluate(FORCE_NOTE)
            expect(banner).to_contain_text("Modification refusée")
        expect(banner).to_contain_text("affiche maintenant son état enregistré")
        marie.wait_saved()

    refused()
    marie.page.clock.fast_forward("00:21")
    expect(banner).to_be_hidden()
    refused()
    banner.get_by_role("button", name="Fermer ce message").click()
    expect(banner).to_be_hidden()
    refused()
    row.get_by_role("button", name="Déverrouiller", exact=False).click()
    expect(banner).to_be_hidden()  # the refusal no longer says how things are
    expect(marie.page.locator('[data-key="add-coexistence"]')).to_be_enabled()


def test_time_is_up_shows_for_a_minute_then_the_timer_goes_away(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie = people["Marie"]
    marie.context.clock.install()  # the page's clock runs on, and can be moved forward
    marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    started = atelier.api("POST", f"/api/boards/{board_id}/timer", json={"seconds": 1})
    assert started.status_code == 200, started.text
    timer = marie.page.locator("#timer")
    expect(timer).to_have_text("Temps écoulé")
    marie.page.clock.fast_forward("01:01")
    expect(timer).to_be_hidden()


# -- connection ----------------------------------------------------------------------------


def test_offline_edits_merge_when_the_connection_comes_back(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie, paul = people["Marie"], people["Paul"]
    marie.join(invite_url(atelier, board_id, "participant", party="collectivite"), "collectivite")
    paul.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    for person in (marie, paul):
        person.tab("agreement")
    marie.context.set_offline(True)
    status = marie.page.locator("#save-status")
    expect(status).to_have_text("Hors ligne — vos modifications seront envoyées à la reconnexion")
    marie.page.click("#section-text-talents")
    marie.page.keyboard.type("Écrit hors ligne.")
    paul.page.click("#section-text-talents")
    paul.page.keyboard.type("Écrit en ligne. ")
    paul.wait_saved()
    expect(marie.page.locator("#section-text-talents")).to_have_value("Écrit hors ligne.")
    screenshot(marie.page, "offline")
    marie.context.set_offline(False)
    expect(status).to_have_text("Enregistré")
    merged = marie.page.locator("#section-text-talents").input_value()
    assert "Écrit hors ligne." in merged
    assert "Écrit en ligne." in merged
    expect(paul.page.locator("#section-text-talents")).to_have_value(merged)
    sections = content(atelier, board_id)["agreement"]["sections"]  # type: ignore[index]
    assert {s["id"]: s["text"] for s in sections}["talents"] == merged


def test_an_invite_for_another_board_stops_reconnecting_with_a_clear_message(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie = people["Marie"]
    marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    # the browser keeps the invite; a page for another board it was never invited to
    other = atelier.create_board()
    copy = "([a, b]) => { localStorage[`atelier.board.${b}`] = localStorage[`atelier.board.${a}`] }"
    marie.evaluate(copy, [board_id, other])
    marie.page.goto(f"{atelier.base_url}/boards/{other}")
    expect(marie.page.locator(".gate h2")).to_have_text("Accès au tableau interrompu")
    expect(marie.page.locator("#main")).to_contain_text("Accès refusé")


# -- language ------------------------------------------------------------------------------


def test_the_board_is_french_by_default_and_switches_to_english(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie = people["Marie"]
    page = marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#tab-continuum")).to_have_text("Échelle de coopération")
    page.click("#lang-switch")
    marie.wait_saved()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#tab-continuum")).to_have_text("Cooperation continuum")
    expect(page.locator("#save-status")).to_have_text("Saved")
    screenshot(page, "continuum-en")
    page.goto(f"{atelier.base_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the choice is remembered


CUT_SELECTS = """() => [...document.querySelectorAll('select')].filter((s) => s.offsetParent)
  .flatMap((s) => {
    const shown = s.getBoundingClientRect().width
    const style = s.getAttribute('style')
    s.style.cssText += ';field-sizing: content; flex: none; min-width: 0; max-width: none'
    s.style.width = 'auto'
    const needed = s.getBoundingClientRect().width
    if (style === null) s.removeAttribute('style')
    else s.setAttribute('style', style)
    const option = s.selectedOptions[0] ? s.selectedOptions[0].text : ''
    return shown + 0.5 < needed ? [`${s.id} « ${option} »: ${shown} < ${needed} px`] : []
  })"""
"""The visible selects narrower than the option they show needs (the cut ones)."""


def test_no_select_cuts_short_the_option_it_shows_in_french_or_english(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    claire, marie = people["Claire"], people["Marie"]
    claire.join(invite_url(atelier, board_id, "facilitator"))
    page = marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    page.click('[data-key="add-communication"]')
    page.keyboard.type("Une lettre d'information commune")
    marie.tab("chain")
    page.click('[data-key="add-intermediate"]')
    page.keyboard.type("Des réunions inter-services régulières")
    cut: dict[str, list[str]] = {}
    for lang in ("fr", "en"):
        for view in ("continuum", "chain", "list"):
            marie.tab(view)
            cut[f"{lang} {view}"] = marie.evaluate(CUT_SELECTS)
        claire.tab("facilitator")
        cut[f"{lang} facilitator"] = claire.evaluate(CUT_SELECTS)
        for person in (marie, claire):
            person.page.click("#lang-switch")
            person.wait_saved()
    assert not any(cut.values()), cut


# -- accessibility -------------------------------------------------------------------------


def test_axe_finds_no_serious_violation_on_any_page(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    claire, marie = people["Claire"], people["Marie"]
    claire.join(invite_url(atelier, board_id, "facilitator"))
    page = marie.page
    page.goto(invite_url(atelier, board_id, "participant", party="collectivite"))
    checked: dict[str, str] = {"join": describe(axe_violations(page))}
    marie.join(page.url, "collectivite")
    page.click('[data-key="add-coexistence"]')
    page.keyboard.type("Une note")
    marie.tab("chain")
    page.click('[data-key="add-direct"]')
    page.keyboard.type("Un changement direct")
    for view in ("continuum", "chain", "agreement", "list"):
        marie.tab(view)
        checked[view] = describe(axe_violations(page))
        screenshot(page, f"view-{view}", full_page=view == "list")
    claire.tab("facilitator")
    checked["facilitator"] = describe(axe_violations(claire.page))
    for name, path in [
        ("home", "/"),
        ("replay", f"/boards/{board_id}/replay"),
        ("archive", f"/boards/{board_id}/archive"),
        ("not-found", "/join/nope"),
    ]:
        page.goto(f"{atelier.base_url}{path}")
        page.wait_for_load_state("networkidle")
        checked[name] = describe(axe_violations(page))
        screenshot(page, f"page-{name}", full_page=True)
    failing = {name: found for name, found in checked.items() if found != "[]"}
    assert not failing, failing


# -- on a phone ----------------------------------------------------------------------------


FIRST_SCREEN = """(first) => {
    window.scrollTo(0, 0)
    return {
        page: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
        panel: document.querySelector('.panel:not([hidden])').getBoundingClientRect().top,
        first: document.querySelector(first).getBoundingClientRect().top,
    }
}"""
"""How wide the page is and where the selected tab's panel and its first content begin."""
FIRST_CONTENT = {
    "continuum": ".lane__add",
    "chain": "#vision-text",
    "agreement": ".section",
    "list": ".list-view h3",
    "facilitator": ".panel-grid .card",
}


def test_on_a_phone_every_board_tab_fits_the_screen_and_starts_on_the_first_screen(
    atelier: AtelierServer, browser: Browser
) -> None:
    board_id = atelier.create_board()
    marie, claire = Person(browser, "Marie", phone=True), Person(browser, "Claire", phone=True)
    try:
        marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
        claire.join(invite_url(atelier, board_id, "facilitator"))
        marie.page.click('[data-key="add-coexistence"]')
        marie.page.keyboard.type("Une note écrite sur un téléphone")
        shown = [(marie, view) for view in ("continuum", "chain", "agreement", "list")]
        for person, view in [*shown, (claire, "facilitator")]:
            person.tab(view)
            seen = person.evaluate(FIRST_SCREEN, FIRST_CONTENT[view])
            assert seen["page"] <= min(seen["viewport"], PHONE["width"]), (view, seen)
            assert seen["panel"] <= PHONE["height"] / 3, (view, seen)  # header and tabs
            assert seen["first"] < PHONE["height"], (view, seen)
            screenshot(person.page, f"phone-{view}")
    finally:
        marie.close()
        claire.close()


def test_on_a_phone_the_undo_toast_of_a_deleted_note_is_on_the_screen(
    atelier: AtelierServer, browser: Browser
) -> None:
    board_id = atelier.create_board()
    marie = Person(browser, "Marie", phone=True)
    try:
        page = marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
        page.click('[data-key="add-coexistence"]')
        page.keyboard.type("Une note à effacer")
        note(page, "Une note à effacer").locator(".note__delete").click()
        toast = page.locator(".toast")
        expect(toast).to_contain_text("Note supprimée")
        box = toast.bounding_box()
        assert box is not None
        assert box["x"] >= 0, box
        assert box["x"] + box["width"] <= PHONE["width"], box
        assert box["y"] >= 0, box
        assert box["y"] + box["height"] <= PHONE["height"], box
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "phone-toast")
        toast.get_by_role("button", name="Annuler").click()
        expect(note(page, "Une note à effacer", "coexistence")).to_be_visible()
    finally:
        marie.close()


# -- replay --------------------------------------------------------------------------------


SHOWN_IN_LOG = """(li) => {
    const box = li.closest('.replay__log').getBoundingClientRect()
    const row = li.getBoundingClientRect()
    return row.top >= box.top - 1 && row.bottom <= box.bottom + 1
}"""


def test_the_replay_opens_at_its_top_and_scrubbing_by_keyboard_keeps_the_slider_in_view(
    atelier: AtelierServer, people: dict[str, Person]
) -> None:
    board_id = atelier.create_board()
    marie = people["Marie"]
    page = marie.join(invite_url(atelier, board_id, "participant", party="etat"), "etat")
    page.click('[data-key="add-coexistence"]')
    page.keyboard.type("Une note")
    marie.wait_saved()
    timer = f"/api/boards/{board_id}/timer"
    for seconds in [300, 0] * 15:  # each start and stop of the timer is a step of its own
        assert atelier.api("POST", timer, json={"seconds": seconds}).status_code == 200
    page.goto(f"{atelier.base_url}/boards/{board_id}/replay")
    slider, position = page.locator("#replay-slider"), page.locator("#replay-position")
    current = page.locator("#replay-captions li[aria-current]")
    expect(current).to_be_attached()
    total = int(slider.get_attribute("max") or 0) + 1
    expect(current).to_have_attribute("data-index", str(total - 1))  # it opens at the last step
    assert current.evaluate(SHOWN_IN_LOG)
    assert page.evaluate("window.scrollY") == 0
    log = page.locator(".replay__log")
    assert log.evaluate("(log) => log.scrollHeight > log.clientHeight")  # the list scrolls
    slider.focus()
    page.keyboard.press("Home")
    expect(position).to_contain_text(f"Étape 1 sur {total}")
    assert current.evaluate(SHOWN_IN_LOG)
    page.keyboard.press("End")
    expect(position).to_contain_text(f"Étape {total} sur {total}")
    assert current.evaluate(SHOWN_IN_LOG)
    assert page.evaluate("window.scrollY") == 0  # only the caption list scrolled
    expect(slider).to_be_in_viewport()
    expect(page.locator("h1")).to_be_in_viewport()
    screenshot(page, "replay")
