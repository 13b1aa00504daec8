"""What the record shows of a workshop, in Chromium: who locked and who took the snapshots,
the evidence check in the page's language, a revocation in French, and a backward link that
stands out on the chain."""

from __future__ import annotations

from contextlib import closing

from playwright.sync_api import Page, expect

from tests.support.archive import database, drop_immutability
from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person, axe_violations, describe, screenshot
from tests.support.bundles import flip_byte


def join_as_facilitator(atelier: AtelierServer, person: Person, board_id: str) -> Page:
    invite = atelier.invite_record(board_id, "facilitator", label="Animateur (démonstration)")
    return person.join(str(invite["url"]))


def hold_a_short_session(atelier: AtelierServer, claire: Person) -> tuple[str, Page]:
    """On a new board Claire facilitates: start a session, lock the continuum and unlock it,
    take a snapshot, end the session. The board's id and Claire's page."""
    board_id = atelier.create_board()
    page = join_as_facilitator(atelier, claire, board_id)
    claire.tab("facilitator")
    page.fill("#session-title", "Séance de novembre")
    page.click("text=Démarrer la séance")
    expect(page.locator(".panel-status")).to_contain_text("Séance démarrée")
    row = page.locator(".lock-list li", has_text="Échelle de coopération")
    row.get_by_role("button", name="Verrouiller", exact=False).click()
    expect(row.locator(".lock-state")).to_contain_text("verrouillé")
    row.get_by_role("button", name="Déverrouiller", exact=False).click()
    expect(row.locator(".lock-state")).not_to_contain_text("verrouillé")
    page.fill("#snapshot-label", "Après le tour de table")
    page.click("text=Prendre un instantané")
    expect(page.locator(".panel-status")).to_have_text("Instantané enregistré.")
    page.click("text=Terminer la séance")
    expect(page.locator(".panel-status")).to_contain_text("Séance terminée")
    return board_id, page


def test_replay_and_archive_name_the_facilitator_who_locked_and_took_the_snapshots(
    atelier: AtelierServer, claire: Person
) -> None:
    board_id, page = hold_a_short_session(atelier, claire)
    page.goto(f"{atelier.base_url}/boards/{board_id}/replay")
    captions = page.locator("#replay-captions")
    locking = captions.locator("li", has_text="\u00a0» verrouillée par Claire")
    expect(locking).to_have_count(1)
    expect(locking.locator(".caption__who")).to_contain_text("Claire")
    expect(captions.locator("li", has_text="déverrouillée par Claire")).to_have_count(1)
    expect(captions).not_to_contain_text("sans effet visible")
    screenshot(page, "replay-locks", full_page=True)
    page.goto(f"{atelier.base_url}/boards/{board_id}/archive")
    takers = page.locator("#archive-root table").nth(1).locator("tbody td:nth-child(2)")
    expect(takers).to_have_count(3)
    expect(takers).to_have_text(["Claire", "Claire", "Claire"])


def test_the_evidence_check_reads_in_the_pages_language(
    atelier: AtelierServer, claire: Person
) -> None:
    board_id, page = hold_a_short_session(atelier, claire)
    page.goto(f"{atelier.base_url}/boards/{board_id}/archive")
    page.get_by_role("button", name="Vérifier les preuves", exact=False).click()
    checks = page.locator(".checks")
    expect(checks.locator('[data-check="chain"]')).to_contain_text(
        "Chaîne des instantanés — Les 3 instantanés de la séance se suivent"
    )
    for english in ("chained from", "None", "valid against", "schema.json", "updates match"):
        expect(checks).not_to_contain_text(english)
    expect(checks.locator("details")).to_have_count(0)  # nothing failed: no technical detail
    screenshot(page, "archive-verification-fr", full_page=True)
    assert describe(axe_violations(page)) == "[]"
    page.click("#lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Verify the evidence", exact=False).click()
    expect(page.locator('.checks [data-check="chain"]')).to_contain_text(
        "Snapshot chain — The session's 3 snapshots follow one another"
    )


def test_a_failed_check_reads_in_french_with_its_detail_one_click_away(
    atelier: AtelierServer, claire: Person
) -> None:
    board_id, page = hold_a_short_session(atelier, claire)
    with closing(database(atelier)) as conn, conn:
        drop_immutability(conn)
        row = conn.execute(
            "SELECT id, state FROM snapshots WHERE board_id = ? AND kind = 'session_end'",
            (board_id,),
        ).fetchone()
        conn.execute("UPDATE snapshots SET state = ? WHERE id = ?", (flip_byte(row[1], 3), row[0]))
    page.goto(f"{atelier.base_url}/boards/{board_id}/archive")
    page.get_by_role("button", name="Vérifier les preuves", exact=False).click()
    expect(page.locator("#archive-root h3")).to_contain_text("vérification en échec")
    bad = page.locator('.checks [data-check="snapshot_states"]')
    expect(bad).to_contain_text("Un état du tableau manque ou ne correspond plus à son instantané.")
    detail = bad.locator("details")
    expect(detail.locator("code")).to_be_hidden()
    detail.locator("summary").click()
    expect(detail.locator("code")).to_contain_text("does not match state_sha256")
    screenshot(page, "archive-verification-failed-fr", full_page=True)
    assert describe(axe_violations(page)) == "[]"


def test_a_revoked_participant_reads_why_in_french_only(
    atelier: AtelierServer, marie: Person
) -> None:
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id, "participant", party="etat")
    page = marie.join(str(invite["url"]), "etat")
    response = atelier.api("DELETE", f"/api/invites/{invite['id']}")
    assert response.status_code == 200, response.text
    banner = page.locator("#banner")
    expect(banner).to_contain_text("ce lien d'invitation a été révoqué par l'animateur·rice")
    expect(banner).not_to_contain_text("revoked")
    expect(page.locator("#save-status")).to_have_attribute("data-status", "closed")


CHAIN_SCRIPT = """() => {
  const over = document.querySelector('svg.links--over')
  const path = over && over.querySelector('path.link--problem')
  const item = document.querySelector('.tier--direct .item')
  if (!path || !item) return null
  const style = getComputedStyle(path)
  return {
    overZ: Number(getComputedStyle(over).zIndex),
    tierZ: Number(getComputedStyle(item.closest('.tier')).zIndex),
    dashed: style.strokeDasharray !== 'none',
    width: parseFloat(style.strokeWidth),
    stroke: style.stroke,
  }
}"""


def test_a_backward_link_stands_out_on_the_chain_and_its_loop_is_told_once(
    atelier: AtelierServer, marie: Person
) -> None:
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id, "participant", party="etat")
    page = marie.join(str(invite["url"]), "etat")
    marie.tab("chain")
    page.click('[data-key="add-direct"]')
    page.keyboard.type("Connaître les dispositifs de chacun")
    page.click('[data-key="add-intermediate"]')
    page.keyboard.type("Des réunions inter-services régulières")
    page.click('[data-key="add-ultimate"]')
    page.keyboard.type("Un accueil commun des habitants")
    direct = page.locator(".tier--direct .item").first
    middle = page.locator(".tier--intermediate .item").first
    top = page.locator(".tier--ultimate .item").first
    for source, target in (
        (direct, "« Des réunions inter-services régulières »"),
        (middle, "« Un accueil commun des habitants »"),
        (top, "« Connaître les dispositifs de chacun »"),  # backwards, closing a loop
    ):
        source.locator("select").first.select_option(label=target)
        source.get_by_role("button", name="Relier", exact=False).click()
    problems = page.locator(".problems li")
    expect(problems).to_have_count(2)  # the backward link, and its loop once
    expect(problems.nth(0)).to_contain_text("Lien à rebours")
    expect(problems.nth(1)).to_contain_text("referme une boucle")
    expect(top.locator(".item__warning")).to_have_text(
        "⚠ 2 points à vérifier, détaillés en haut de la vue"
    )
    expect(page.locator("svg.links--over path.link--problem")).to_have_count(1)
    drawn = marie.evaluate(CHAIN_SCRIPT)
    assert drawn is not None
    assert drawn["overZ"] > drawn["tierZ"], drawn  # above the cards, not behind them
    assert drawn["dashed"], drawn
    assert drawn["width"] >= 3, drawn
    assert drawn["stroke"] == "rgb(206, 5, 0)", drawn
    page.locator("#panel-chain").scroll_into_view_if_needed()
    screenshot(page, "chain-backward-link", full_page=True)
    assert describe(axe_violations(page)) == "[]"
