"""The board's copy in the browser (IndexedDB), in Debian's Chromium against a real server: an
edit made offline survives the closed tab and is saved once, a visited board opens before the
server answers, and a deleted board, a revoked link or a server restored from an older backup
are each handled as the README says, never by re-uploading the copy silently."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import WebSocketRoute, expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person, axe_violations, describe
from tests.support.offline import (
    SECTION,
    backup,
    delete_board,
    flush_local_copy,
    invite_url,
    pending_shown,
    reopen,
    restore,
    section_text,
    type_in_section,
    wait_unloaded,
)

WRITTEN_OFFLINE = "Écrit hors ligne, puis onglet fermé."


def write_offline_and_close(person: Person, text: str = WRITTEN_OFFLINE) -> None:
    """Go offline, write in the talents section, see it pending, close the tab."""
    person.context.set_offline(True)
    expect(person.page.locator("#save-status")).to_have_attribute("data-status", "offline")
    type_in_section(person, text)
    pending_shown(person.page)
    flush_local_copy(person)


def test_an_edit_made_offline_survives_the_closed_tab_and_is_saved_exactly_once(
    atelier: AtelierServer, marie: Person, claire: Person
) -> None:
    board_id = atelier.create_board()
    url = invite_url(atelier, board_id, party="collectivite")
    marie.join(url)
    claire.join(invite_url(atelier, board_id, party="etat"))
    write_offline_and_close(marie)
    violations = axe_violations(marie.page)
    assert not violations, describe(violations)
    assert WRITTEN_OFFLINE not in section_text(atelier, board_id)
    # back online, the server first out of reach: the copy and its pending count are there
    held: list[WebSocketRoute] = []
    released: list[bool] = []

    def hold(route: WebSocketRoute) -> None:
        if released:
            route.connect_to_server()
        else:
            held.append(route)

    marie.context.route_web_socket(re.compile(r"/ws/boards/"), hold)
    marie.context.set_offline(False)
    page = reopen(marie, f"{atelier.base_url}/boards/{board_id}")
    marie.tab("agreement")
    expect(page.locator(SECTION)).to_have_value(WRITTEN_OFFLINE)
    pending_shown(page, len(WRITTEN_OFFLINE))  # one modification per typed character
    released.append(True)
    for route in held:
        route.close(code=1001, reason="line back")
    marie.wait_saved()
    expect(page.locator("#pending-count")).to_be_hidden()
    assert section_text(atelier, board_id).count(WRITTEN_OFFLINE) == 1
    claire.tab("agreement")
    expect(claire.page.locator(SECTION)).to_have_value(WRITTEN_OFFLINE)
    page.reload()  # acknowledged: nothing is pending any more, nothing is sent twice
    marie.wait_saved()
    expect(page.locator("#pending-count")).to_be_hidden()
    assert section_text(atelier, board_id).count(WRITTEN_OFFLINE) == 1


def test_the_pending_count_is_said_in_english_when_the_page_is_english(
    atelier: AtelierServer, marie: Person
) -> None:
    board_id = atelier.create_board()
    marie.join(invite_url(atelier, board_id, party="etat"))
    marie.page.goto(f"{atelier.base_url}/boards/{board_id}?lang=en")
    marie.wait_saved()
    marie.context.set_offline(True)
    type_in_section(marie, "ab")
    expect(marie.page.locator("#pending-count")).to_have_text("2 changes waiting to be saved")


def test_a_visited_board_opens_from_the_local_copy_before_the_server_answers(
    atelier: AtelierServer, marie: Person
) -> None:
    board_id = atelier.create_board()
    marie.join(invite_url(atelier, board_id, party="etat"))
    type_in_section(marie, "Déjà enregistré.")
    marie.wait_saved()
    flush_local_copy(marie)
    held: list[WebSocketRoute] = []
    # the board's WebSocket opens but the server never answers (a line that stalls)
    marie.context.route_web_socket(re.compile(r"/ws/boards/"), lambda r: held.append(r))
    page = reopen(marie, f"{atelier.base_url}/boards/{board_id}")
    marie.tab("agreement")
    expect(page.locator(SECTION)).to_have_value("Déjà enregistré.")
    for _ in range(100):  # then it tries the server (the route handler runs while we wait)
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page did try the server"
    assert page.locator("#save-status").get_attribute("data-status") != "saved"


def test_a_deleted_board_says_so_offers_the_unsent_text_then_forgets_the_copy(
    atelier: AtelierServer, marie: Person
) -> None:
    board_id = atelier.create_board()
    marie.join(invite_url(atelier, board_id, party="etat"))
    write_offline_and_close(marie)
    delete_board(atelier, board_id)
    marie.context.set_offline(False)
    page = reopen(marie, f"{atelier.base_url}/boards/{board_id}")
    banner = page.locator("#banner")
    expect(banner).to_contain_text("Ce tableau n'existe pas (ou plus).")
    expect(banner).to_contain_text("a été effacée")
    with page.expect_download() as download:
        banner.get_by_role("button", name="Télécharger votre copie (texte)").click()
    assert WRITTEN_OFFLINE in Path(download.value.path()).read_text(encoding="utf-8")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    names = page.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)")
    assert f"atelier.board.{board_id}" not in names


def test_a_revoked_link_keeps_the_unsent_edits_sends_nothing_and_offers_the_text(
    atelier: AtelierServer, marie: Person
) -> None:
    board_id = atelier.create_board()
    invite = atelier.invite_record(board_id, "participant", party="etat")
    marie.join(str(invite["url"]))
    write_offline_and_close(marie)
    assert atelier.api("DELETE", f"/api/invites/{invite['id']}").status_code == 200
    marie.context.set_offline(False)
    page = reopen(marie, f"{atelier.base_url}/boards/{board_id}")
    banner = page.locator("#banner")
    expect(banner).to_contain_text("révoqué")
    expect(banner).to_contain_text("restent dans ce navigateur")
    expect(page.locator("#save-status")).to_have_attribute("data-status", "closed")
    expect(page.locator("#reconnect")).to_be_hidden()
    with page.expect_download() as download:
        banner.get_by_role("button", name="Télécharger votre copie (texte)").click()
    assert WRITTEN_OFFLINE in Path(download.value.path()).read_text(encoding="utf-8")
    assert WRITTEN_OFFLINE not in section_text(atelier, board_id)
    assert page.evaluate("() => window.atelier.local.pending") == len(WRITTEN_OFFLINE)
    # a new link opened in this browser sends what was kept
    marie.join(invite_url(atelier, board_id, party="etat"))
    assert section_text(atelier, board_id).count(WRITTEN_OFFLINE) == 1


def test_a_server_restored_from_an_older_backup_is_not_sent_the_copy_without_asking(
    start_atelier: Callable[..., AtelierServer], marie: Person, tmp_path: Path
) -> None:
    atelier = start_atelier()
    board_id = atelier.create_board()
    url = invite_url(atelier, board_id, party="etat")
    backup(atelier, tmp_path / "backup")
    marie.join(url)
    type_in_section(marie, "Enregistré après la sauvegarde.")
    marie.wait_saved()
    flush_local_copy(marie)
    marie.page.close()
    restore(atelier, tmp_path / "backup")
    page = reopen(marie, f"{atelier.base_url}/boards/{board_id}")
    banner = page.locator("#banner")
    expect(banner).to_contain_text("plus ancienne")
    expect(page.locator("#save-status")).to_have_attribute("data-status", "closed")
    assert section_text(atelier, board_id) == ""
    violations = axe_violations(page)
    assert not violations, describe(violations)
    banner.get_by_role("button", name="Renvoyer ma copie au serveur").click()
    marie.wait_saved()
    assert section_text(atelier, board_id).count("Enregistré après la sauvegarde.") == 1


def test_a_board_created_again_under_the_same_id_does_not_merge_the_old_copy(
    start_atelier: Callable[..., AtelierServer], marie: Person
) -> None:
    atelier = start_atelier(ATELIER_ROOM_IDLE_SECONDS="0.2")
    board_id = atelier.create_board()
    marie.join(invite_url(atelier, board_id, party="etat"))
    type_in_section(marie, "Texte de l'ancien tableau.")
    marie.wait_saved()
    flush_local_copy(marie)
    marie.page.close()
    wait_unloaded(atelier)
    delete_board(atelier, board_id)
    atelier.create_board(board_id=board_id)  # same id, new board (the invite still names it)
    page = reopen(marie, f"{atelier.base_url}/boards/{board_id}")
    expect(page.locator("#banner")).to_contain_text("a été recréé")
    marie.wait_saved()
    marie.tab("agreement")
    expect(page.locator(SECTION)).to_have_value("")
    assert section_text(atelier, board_id) == ""
