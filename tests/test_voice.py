"""Balance of voice: acts, editing stretches and characters still present, not log updates;
shares over the three trinôme parties, the facilitation apart."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map, Text

from server.archive.contributions import EDIT_IDLE_SECONDS, LogWindow, tally
from server.archive.structs import MalformedUpdate, text_runs
from server.boards import layout, method_layout, rounds
from server.store.log import StoredEntry
from tests.support.archive import NOW, open_as, valid
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient

SECTION = "power"


def section_text(doc: Doc[Any]) -> Text:
    text = doc.get(layout.AGREEMENT, type=Map)[SECTION]["text"]
    assert isinstance(text, Text)
    return text


async def type_in(client: RawClient, words: str) -> None:
    """One update per keystroke, at the end of the section's text, as a browser sends them."""
    for char in words:
        await client.edit(lambda doc, c=char: section_text(doc).insert(len(section_text(doc)), c))
    await client.wait_durable()


async def erase(client: RawClient, start: int, length: int) -> None:
    await client.edit(lambda doc: section_text(doc).__delitem__(slice(start, start + length)))
    await client.wait_durable()


def voice(atelier: AtelierServer, board: str) -> dict[str, Any]:
    return valid(
        "api/contributions.schema.json", atelier.api("GET", f"/api/boards/{board}/contributions")
    )


def person(report: dict[str, Any], name: str) -> dict[str, int]:
    counts: dict[str, int] = next(p["counts"] for p in report["participants"] if p["name"] == name)
    return counts


async def test_typing_200_characters_keystroke_by_keystroke_is_one_stretch(
    atelier: AtelierServer,
) -> None:
    board = atelier.create_board()
    marie = await open_as(atelier, board, "participant", "Marie", "etat")
    await type_in(marie, "abcdefghij" * 20)
    counts = person(voice(atelier, board), "Marie")
    assert counts["updates"] == 200
    assert counts["text_edits"] in (1, 2)
    assert counts["characters"] == 200


async def test_the_facilitator_is_apart_from_the_parties_shares(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    claire = await open_as(atelier, board, "facilitator", "Claire", "facilitation")
    paul = await open_as(atelier, board, "participant", "Paul", "etat")
    for index in range(3):
        await claire.edit(
            lambda doc, i=index: layout.add_note(
                doc, f"n{i}", "Cadre", "coexistence", "c", "Claire", "facilitation", created_at=NOW
            )
        )
    await claire.wait_durable()
    await paul.wait_until(lambda: "n2" in paul.root("notes"))
    await paul.edit(lambda doc: layout.vote(doc, "n0", "p"))
    await paul.wait_durable()
    report = voice(atelier, board)
    assert [p["party"] for p in report["parties"]] == ["etat", "collectivite", "societe_civile"]
    assert {p["party"]: p["share"] for p in report["parties"]} == {
        "etat": 1.0,
        "collectivite": 0.0,
        "societe_civile": 0.0,
    }
    assert report["facilitation"]["counts"]["notes_created"] == 3
    assert report["method"]["en"].startswith("Method: shares over the three trinôme parties")
    assert report["totals"]["notes_created"] == 3


async def test_deleted_text_does_not_count(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    marie = await open_as(atelier, board, "participant", "Marie", "etat")
    paul = await open_as(atelier, board, "participant", "Paul", "collectivite")
    await marie.edit(lambda doc: section_text(doc).insert(0, "Bonjour a tous"))
    await marie.wait_durable()
    await erase(marie, len("Bonjour"), len(" a tous"))
    await paul.wait_until(lambda: str(section_text(paul.doc)) == "Bonjour")
    await paul.edit(lambda doc: section_text(doc).insert(len(section_text(doc)), " non"))
    await paul.wait_durable()
    await erase(paul, len("Bonjour"), len(" non"))
    report = voice(atelier, board)
    assert (person(report, "Marie")["characters"], person(report, "Paul")["characters"]) == (7, 0)
    assert report["totals"]["characters"] == len("Bonjour")


async def test_two_people_alternating_on_one_text_make_a_stretch_per_turn(
    atelier: AtelierServer,
) -> None:
    board = atelier.create_board()
    marie = await open_as(atelier, board, "participant", "Marie", "etat")
    paul = await open_as(atelier, board, "participant", "Paul", "collectivite")
    written = ""
    for turn in range(4):
        client, other = (marie, paul) if turn % 2 == 0 else (paul, marie)
        await type_in(client, "xyz")
        written += "xyz"
        await other.wait_until(lambda o=other, w=written: str(section_text(o.doc)) == w)
    report = voice(atelier, board)
    assert [person(report, name)["text_edits"] for name in ("Marie", "Paul")] == [2, 2]
    assert [person(report, name)["characters"] for name in ("Marie", "Paul")] == [6, 6]
    shares = {p["party"]: p["share"] for p in report["parties"]}
    assert (shares["etat"], shares["collectivite"]) == (0.5, 0.5)


# -- the count itself, over log entries built here ------------------------------------------


def entries_of(doc: Doc[Any], steps: list[tuple[str, float, Any]]) -> list[StoredEntry]:
    """Each step (who, when, change) as a logged update attributed to that person."""
    logged = []
    for seq, (who, at, change) in enumerate(steps, start=1):
        before = doc.get_state()
        change(doc)
        invite = None if who == "server" else who
        party = {"marie": "etat", "claire": "facilitation"}.get(who)
        logged.append(
            StoredEntry("b", at, invite, who.title(), party, doc.get_update(before), seq=seq)
        )
    return logged


SEED = ("server", 0.0, lambda doc: layout.seed_board(doc, "agreement", "Atelier"))


def appended(char: str) -> Any:
    return lambda doc: section_text(doc).insert(len(section_text(doc)), char)


def test_an_idle_gap_ends_an_editing_stretch() -> None:
    gap = EDIT_IDLE_SECONDS + 1
    steps = [SEED]
    steps += [("marie", 10.0 + i, appended("a")) for i in range(5)]
    steps += [("marie", 15.0 + gap + i, appended("b")) for i in range(5)]
    report = tally("b", entries_of(Doc(), steps), LogWindow())
    marie = report["participants"][0]["counts"]
    assert (marie["text_edits"], marie["characters"], marie["updates"]) == (2, 10, 10)


def test_text_written_before_the_span_is_not_credited_to_it() -> None:
    steps = [SEED, ("marie", 1.0, appended("a")), ("marie", 2.0, appended("b"))]
    steps += [("marie", 100.0, appended("c"))]
    report = tally("b", entries_of(Doc(), steps), LogWindow(since=50.0))
    assert report["participants"][0]["counts"]["characters"] == 1


def test_round_answers_scores_and_roles_are_acts_of_their_authors() -> None:
    person_of_marie = ("marie", "Marie", "etat", NOW)
    steps = [
        ("server", 0.0, lambda doc: layout.seed_board(doc, "workshop", "Atelier")),
        ("claire", 1.0, lambda doc: rounds.write_round(doc, "r1", "notes", "Tour", NOW, "C", 1)),
        (
            "marie",
            2.0,
            lambda doc: rounds.write_answer(
                doc,
                "r1",
                "k1",
                person_of_marie,
                {"notes": [{"text": "Idée", "level": "coordination"}]},
            ),
        ),
        ("marie", 3.0, lambda doc: method_layout.set_score(doc, "urgency", 3, by="Marie")),
        ("marie", 4.0, lambda doc: method_layout.set_role_party(doc, "trust", "etat")),
        ("claire", 5.0, lambda doc: method_layout.set_score(doc, "urgency", 2, by="Claire")),
    ]
    report = tally("b", entries_of(Doc(), steps), LogWindow())
    marie = next(p["counts"] for p in report["participants"] if p["name"] == "Marie")
    assert (marie["round_answers"], marie["notes_created"]) == (1, 0)
    assert (marie["condition_scores"], marie["support_changes"]) == (1, 1)
    assert report["facilitation"]["counts"]["condition_scores"] == 1
    assert report["parties"][0]["share"] == 1.0


def test_the_update_reader_refuses_truncated_bytes_cleanly() -> None:
    doc: Doc[Any] = Doc()
    layout.seed_board(doc, "workshop", "Atelier « test »")
    layout.set_section_text(doc, SECTION, "Le comité 😀 décide")
    state = doc.get_update()
    assert text_runs(state)[0]
    for end in range(len(state) - 1):
        try:
            text_runs(state[:end])
        except MalformedUpdate:
            continue


async def test_an_update_the_counter_cannot_decode_leaves_the_other_counts_whole(
    atelier: AtelierServer,
) -> None:
    board = atelier.create_board()
    marie = await open_as(atelier, board, "participant", "Marie", "etat")
    await type_in(marie, "bonjour")
    nested: Any = "fond"
    for _ in range(80):  # deeper than the decoder follows a value
        nested = [nested]
    await marie.edit(lambda doc: doc.get(layout.NOTES, type=Map).__setitem__("odd", nested))
    await marie.wait_durable()
    report = voice(atelier, board)
    assert report["characters_complete"] is False
    assert person(report, "Marie")["text_edits"] == 1
