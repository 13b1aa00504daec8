"""The « Préconditions et conditions » and « Structure de soutien » tabs in Chromium: a score
and « ce qui le montre » reach the other participant, a party ticked on a role is saved, a
locked part reads only, and axe finds nothing serious."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person, axe_violations, describe


@pytest.fixture
def paul(browser: Browser) -> Iterator[Person]:
    person = Person(browser, "Paul")
    yield person
    person.close()


def invite_url(atelier: AtelierServer, board_id: str, role: str, party: str | None = None) -> str:
    body = {"party": party} if party else {}
    return str(atelier.invite_record(board_id, role, **body)["url"])


def content(atelier: AtelierServer, board_id: str) -> dict[str, Any]:
    response = atelier.api("GET", f"/api/boards/{board_id}/content")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_score_and_its_evidence_reach_the_other_participant(
    atelier: AtelierServer, marie: Person, paul: Person
) -> None:
    board_id = atelier.create_board()
    marie.join(invite_url(atelier, board_id, "participant", "collectivite"), "collectivite")
    paul.join(invite_url(atelier, board_id, "participant", "etat"), "etat")
    for person in (marie, paul):
        expect(person.page.locator("#tab-conditions")).to_have_text("Préconditions et conditions")
        person.tab("conditions")
    criterion = marie.page.locator("#criterion-inclusive_engagement")
    expect(criterion).to_contain_text("La participation d'un large éventail d'acteurs")
    criterion.get_by_role("radio", name="3 — en développement").check()
    marie.page.fill("#field-evidence-inclusive_engagement", "Douze structures au comité")
    marie.wait_saved()
    other = paul.page.locator("#criterion-inclusive_engagement")
    expect(other.get_by_role("radio", name="3 — en développement")).to_be_checked()
    expect(paul.page.locator("#field-evidence-inclusive_engagement")).to_have_value(
        "Douze structures au comité"
    )
    expect(other).to_contain_text("Niveau fixé par Marie")
    entry = content(atelier, board_id)["conditions"][3]
    assert (entry["score"], entry["evidence"], entry["scoredBy"]) == (
        3,
        "Douze structures au comité",
        "Marie",
    )


def test_a_party_ticked_on_a_role_is_saved_and_shown_to_the_other(
    atelier: AtelierServer, marie: Person, paul: Person
) -> None:
    board_id = atelier.create_board()
    marie.join(invite_url(atelier, board_id, "participant", "collectivite"), "collectivite")
    paul.join(invite_url(atelier, board_id, "participant", "etat"), "etat")
    for person in (marie, paul):
        expect(person.page.locator("#tab-support")).to_have_text("Structure de soutien")
        person.tab("support")
    role = marie.page.locator("#role-trust")
    expect(role).to_contain_text("Personne ne porte ce rôle pour l'instant.")
    role.get_by_role("checkbox", name="Collectivité").check()
    marie.page.fill("#field-who-trust", "Le comité de pilotage")
    marie.wait_saved()
    expect(
        paul.page.locator("#role-trust").get_by_role("checkbox", name="Collectivité")
    ).to_be_checked()
    expect(paul.page.locator("#role-trust .role__carried")).to_be_hidden()
    entry = content(atelier, board_id)["support"][1]
    assert (entry["parties"], entry["who"]) == (["collectivite"], "Le comité de pilotage")


def test_a_locked_conditions_part_reads_only(atelier: AtelierServer, marie: Person) -> None:
    board_id = atelier.create_board()
    marie.join(invite_url(atelier, board_id, "participant", "collectivite"), "collectivite")
    marie.tab("conditions")
    expect(marie.page.locator("#score-urgency-2")).to_be_enabled()
    atelier.api("POST", f"/api/boards/{board_id}/lock", json={"zone": "conditions"})
    expect(marie.page.locator("#panel-conditions .lock-banner")).to_be_visible()
    expect(marie.page.locator("#score-urgency-2")).to_be_disabled()
    expect(marie.page.locator("#field-evidence-urgency")).to_have_attribute("readonly", "")
    marie.tab("support")
    expect(marie.page.locator("#role-trust-etat")).to_be_enabled()


def test_the_tabs_read_in_english_with_lang_en(atelier: AtelierServer, marie: Person) -> None:
    board_id = atelier.create_board(template="conditions")
    url = invite_url(atelier, board_id, "participant", "etat")
    marie.join(url + ("&" if "?" in url else "?") + "lang=en")
    expect(marie.page.locator("#tab-conditions")).to_have_text("Preconditions and conditions")
    expect(marie.page.locator("#criterion-urgency")).to_contain_text("Sense of urgency")
    expect(marie.page.locator("#criterion-urgency")).to_contain_text("2 — emerging")


def test_axe_finds_nothing_serious_on_either_tab(atelier: AtelierServer, marie: Person) -> None:
    board_id = atelier.create_board()
    marie.join(invite_url(atelier, board_id, "participant", "collectivite"), "collectivite")
    for view in ("conditions", "support"):
        marie.tab(view)
        violations = axe_violations(marie.page)
        assert not violations, describe(violations)


def test_the_replay_shows_the_score_and_its_caption(atelier: AtelierServer, marie: Person) -> None:
    board_id = atelier.create_board()
    marie.join(invite_url(atelier, board_id, "participant", "collectivite"), "collectivite")
    marie.tab("conditions")
    marie.page.locator("#criterion-inclusive_engagement").get_by_role(
        "radio", name="3 — en développement"
    ).check()
    marie.wait_saved()
    marie.page.goto(f"{atelier.base_url}/boards/{board_id}/replay")
    board = marie.page.locator("#replay-board")
    expect(board).to_contain_text("Préconditions et conditions")
    expect(board).to_contain_text("Niveau : 3/4 — en développement (Marie)")
    expect(board).to_contain_text("Structure de soutien")
    expect(marie.page.locator("#replay-captions")).to_contain_text(
        "Score de «\u00a0Engagement inclusif\u00a0» fixé à en développement par Marie"
    )
