"""The board document layout: templates seed it, helpers write into it as the browser would."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pycrdt import Doc, Map, Text

from server.boards import layout
from server.boards.agreement import text_hash
from server.boards.labels import (
    LEVELS,
    NBSP,
    PARTIES,
    SECTIONS,
    TEMPLATE_PARTS,
    TIERS,
)
from server.boards.vocabulary import templates_catalog

AT = "2025-10-14T09:30:00.000Z"


def seeded(template: str = "workshop", title: str = "Château-Thierry") -> Doc[Any]:
    doc: Doc[Any] = Doc()
    layout.seed_board(doc, template, title)
    return doc


def roots_with_content(doc: Doc[Any]) -> set[str]:
    return {name for name in doc if len(layout.root(doc, name)) > 0}


def add_marie_note(doc: Doc[Any], note_id: str = "n1", text: str = "Réunion mensuelle") -> None:
    layout.add_note(
        doc, note_id, text, "coexistence", "p1", "Marie", "collectivite", x=10, y=20, created_at=AT
    )


def add_item(doc: Doc[Any], item_id: str, tier: str = "direct") -> None:
    layout.add_chain_item(
        doc,
        item_id,
        tier,
        f"Changement {item_id}",
        "p2",
        "Ali",
        "societe_civile",
        order=1,
        created_at=AT,
    )


# --- seeding -----------------------------------------------------------------


def test_workshop_template_writes_meta() -> None:
    meta = layout.root(seeded(), "meta")
    assert meta["title"] == "Château-Thierry"
    assert meta["template"] == "workshop"
    assert meta["layoutVersion"] == layout.LAYOUT_VERSION
    assert isinstance(meta["locks"], Map)
    assert len(meta["locks"]) == 0


def test_workshop_template_seeds_the_chain_containers() -> None:
    chain = layout.root(seeded(), "chain")
    assert isinstance(chain["vision"], Text)
    assert str(chain["vision"]) == ""
    assert isinstance(chain["items"], Map)
    assert isinstance(chain["links"], Map)


def test_workshop_template_seeds_five_agreement_sections_with_text_and_approvals() -> None:
    agreement = layout.root(seeded(), "agreement")
    assert sorted(agreement.keys()) == sorted(s.id for s in SECTIONS)
    for section in SECTIONS:
        entry = agreement[section.id]
        assert isinstance(entry["text"], Text)
        assert isinstance(entry["approvals"], Map)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("workshop", {"meta", "chain", "agreement", "conditions", "support"}),
        ("continuum", {"meta"}),
        ("chain", {"meta", "chain"}),
        ("agreement", {"meta", "agreement"}),
        ("conditions", {"meta", "conditions"}),
        ("support", {"meta", "support"}),
    ],
)
def test_each_template_seeds_only_its_own_parts(template: str, expected: set[str]) -> None:
    assert roots_with_content(seeded(template)) == expected


def test_seeding_is_a_single_update() -> None:
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    layout.seed_board(doc, "workshop", "Atelier")
    assert len(updates) == 1


def test_seeding_twice_changes_nothing() -> None:
    doc = seeded()
    state = doc.get_state()
    layout.seed_board(doc, "workshop", "Another title")
    assert doc.get_state() == state
    assert layout.root(doc, "meta")["title"] == "Château-Thierry"


def test_seeding_completes_a_partly_seeded_board_without_touching_content() -> None:
    doc = seeded()
    layout.set_vision(doc, "Un quartier solidaire")
    del layout.root(doc, "agreement")["power"]
    layout.seed_board(doc, "workshop", "Atelier")
    assert "power" in layout.root(doc, "agreement")
    assert str(layout.root(doc, "chain")["vision"]) == "Un quartier solidaire"


def test_seeding_with_another_template_is_refused() -> None:
    doc = seeded("continuum")
    state = doc.get_state()
    with pytest.raises(ValueError, match="already seeded"):
        layout.seed_board(doc, "chain", "Atelier")
    assert doc.get_state() == state


def test_an_unknown_template_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown template"):
        layout.seed_board(Doc(), "kanban", "Atelier")


def test_a_seeded_board_travels_as_an_update_to_a_fresh_document() -> None:
    copy: Doc[Any] = Doc()
    copy.apply_update(seeded().get_update())
    assert isinstance(layout.root(copy, "agreement")["talents"]["text"], Text)


def test_numbers_are_stored_as_javascript_numbers() -> None:
    doc = seeded()
    add_marie_note(doc)
    note = layout.root(doc, "notes")["n1"]
    assert isinstance(note["x"], float)
    assert isinstance(layout.root(doc, "meta")["layoutVersion"], float)


# --- notes -------------------------------------------------------------------


def test_a_note_is_a_map_with_shared_text_and_a_votes_map() -> None:
    doc = seeded()
    add_marie_note(doc)
    note = layout.root(doc, "notes")["n1"]
    assert isinstance(note, Map)
    assert isinstance(note["text"], Text)
    assert isinstance(note["votes"], Map)
    assert {k: note[k] for k in ("level", "authorId", "authorName", "party", "createdAt")} == {
        "level": "coexistence",
        "authorId": "p1",
        "authorName": "Marie",
        "party": "collectivite",
        "createdAt": AT,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("level", "harmonie"), ("party", "entreprise"), ("color", "turquoise")],
)
def test_adding_a_note_refuses_words_outside_the_vocabulary(field: str, value: str) -> None:
    args: dict[str, Any] = {"level": "coexistence", "party": "etat", "color": "yellow"}
    args[field] = value
    with pytest.raises(ValueError, match=f"unknown {field}"):
        layout.add_note(
            seeded(), "n1", "x", args["level"], "p1", "Marie", args["party"],
            color=args["color"], created_at=AT,
        )  # fmt: skip


def test_dates_must_be_iso_8601() -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        layout.add_note(seeded(), "n1", "x", "coexistence", "p1", "M", "etat", created_at="hier")


def test_moving_a_note_changes_its_level_and_optionally_its_spot() -> None:
    doc = seeded()
    add_marie_note(doc)
    layout.move_note(doc, "n1", "coordination")
    note = layout.root(doc, "notes")["n1"]
    assert (note["level"], note["x"], note["y"]) == ("coordination", 10, 20)
    layout.move_note(doc, "n1", "integration", x=300, y=40)
    assert (note["level"], note["x"], note["y"]) == ("integration", 300, 40)


def test_placing_a_note_moves_it_within_its_level() -> None:
    doc = seeded()
    add_marie_note(doc)
    layout.place_note(doc, "n1", 15, 25)
    note = layout.root(doc, "notes")["n1"]
    assert (note["level"], note["x"], note["y"]) == ("coexistence", 15, 25)


def test_voting_twice_counts_once_and_unvoting_removes_the_dot() -> None:
    doc = seeded()
    add_marie_note(doc)
    layout.vote(doc, "n1", "p2")
    layout.vote(doc, "n1", "p2")
    votes = layout.root(doc, "notes")["n1"]["votes"]
    assert votes.to_py() == {"p2": True}
    layout.unvote(doc, "n1", "p2")
    layout.unvote(doc, "n1", "p2")
    assert votes.to_py() == {}


def test_recolouring_and_removing_a_note() -> None:
    doc = seeded()
    add_marie_note(doc)
    layout.recolor_note(doc, "n1", "green")
    assert layout.root(doc, "notes")["n1"]["color"] == "green"
    layout.remove_note(doc, "n1")
    assert "n1" not in layout.root(doc, "notes")


def test_writing_to_a_missing_note_raises_key_error() -> None:
    with pytest.raises(KeyError):
        layout.move_note(seeded(), "nope", "coexistence")


# --- shared text -------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Réunion mensuelle", "Réunion trimestrielle"),
        ("", "Nouveau"),
        ("Tout effacer", ""),
        ("Café 😀 partagé", "Café 🎉 partagé à l'école"),
        ("élan", "élans"),
        ("abc", "abc"),
    ],
)
def test_replacing_a_text_gives_exactly_the_new_text(old: str, new: str) -> None:
    doc = seeded()
    add_marie_note(doc, text=old)
    layout.set_note_text(doc, "n1", new)
    assert str(layout.root(doc, "notes")["n1"]["text"]) == new


def test_replacing_a_text_keeps_a_concurrent_edit_elsewhere() -> None:
    alice = seeded()
    add_marie_note(alice, text="Réunion mensuelle à la mairie")
    bob: Doc[Any] = Doc()
    bob.apply_update(alice.get_update())
    layout.set_note_text(alice, "n1", "Réunion trimestrielle à la mairie")
    layout.set_note_text(bob, "n1", "Réunion mensuelle à la mairie annexe")
    alice.apply_update(bob.get_update(alice.get_state()))
    bob.apply_update(alice.get_update(bob.get_state()))
    expected = "Réunion trimestrielle à la mairie annexe"
    assert str(layout.root(alice, "notes")["n1"]["text"]) == expected
    assert str(layout.root(bob, "notes")["n1"]["text"]) == expected


# --- chain -------------------------------------------------------------------


def test_a_chain_item_is_a_map_with_shared_text() -> None:
    doc = seeded()
    add_item(doc, "c1", "intermediate")
    item = layout.root(doc, "chain")["items"]["c1"]
    assert isinstance(item["text"], Text)
    assert (item["tier"], item["order"], item["party"]) == ("intermediate", 1, "societe_civile")


def test_the_vision_id_is_reserved() -> None:
    with pytest.raises(ValueError, match="reserved"):
        add_item(seeded(), "vision")


def test_items_live_on_the_three_change_tiers_only() -> None:
    with pytest.raises(ValueError, match="unknown tier"):
        add_item(seeded(), "c1", "vision")


def test_a_link_is_a_plain_object_from_one_end_to_the_other() -> None:
    doc = seeded()
    add_item(doc, "c1")
    layout.link(doc, "l1", "c1", "vision")
    assert layout.root(doc, "chain")["links"]["l1"] == {"from": "c1", "to": "vision"}
    layout.unlink(doc, "l1")
    assert len(layout.root(doc, "chain")["links"]) == 0


def test_moving_a_chain_item_changes_tier_and_order() -> None:
    doc = seeded()
    add_item(doc, "c1")
    layout.move_chain_item(doc, "c1", tier="ultimate", order=2.5)
    item = layout.root(doc, "chain")["items"]["c1"]
    assert (item["tier"], item["order"]) == ("ultimate", 2.5)


def test_removing_a_chain_item_removes_the_links_that_touch_it() -> None:
    doc = seeded()
    for item_id, tier in (("c1", "direct"), ("c2", "intermediate"), ("c3", "ultimate")):
        add_item(doc, item_id, tier)
    layout.link(doc, "l1", "c1", "c2")
    layout.link(doc, "l2", "c2", "c3")
    layout.link(doc, "l3", "c1", "c3")
    layout.remove_chain_item(doc, "c2")
    assert sorted(layout.root(doc, "chain")["links"].keys()) == ["l3"]


def test_chain_helpers_need_a_seeded_chain() -> None:
    with pytest.raises(ValueError, match="seed the board"):
        add_item(seeded("continuum"), "c1")


# --- agreement ---------------------------------------------------------------


def test_approving_a_section_records_the_hash_of_its_current_text() -> None:
    doc = seeded()
    layout.set_section_text(doc, "power", "Le comité de pilotage décide.")
    layout.approve_section(doc, "power", "etat", "Paul", AT)
    approval = layout.root(doc, "agreement")["power"]["approvals"]["etat"]
    assert approval == {
        "by": "Paul",
        "at": AT,
        "textHash": text_hash("Le comité de pilotage décide."),
    }


def test_the_text_hash_is_sha256_of_the_utf8_text() -> None:
    assert text_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_withdrawing_an_approval_removes_it() -> None:
    doc = seeded()
    layout.approve_section(doc, "power", "etat", "Paul", AT)
    layout.withdraw_approval(doc, "power", "etat")
    assert len(layout.root(doc, "agreement")["power"]["approvals"]) == 0


def test_an_unknown_section_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown section"):
        layout.set_section_text(seeded(), "budget", "x")


# --- meta and locks ----------------------------------------------------------


def test_locks_are_mirrored_per_zone() -> None:
    doc = seeded()
    layout.set_lock(doc, "agreement.power", "Fred", AT)
    layout.set_lock(doc, "board")
    locks = layout.root(doc, "meta")["locks"]
    assert locks.to_py() == {"agreement.power": {"by": "Fred", "at": AT}, "board": {}}
    layout.clear_lock(doc, "board")
    layout.clear_lock(doc, "agreement.power")
    assert locks.to_py() == {}


def test_an_unknown_zone_cannot_be_locked() -> None:
    with pytest.raises(ValueError, match="unknown zone"):
        layout.set_lock(seeded(), "notes", "Fred", AT)


def test_renaming_a_board() -> None:
    doc = seeded()
    layout.set_title(doc, "Atelier 2")
    assert layout.root(doc, "meta")["title"] == "Atelier 2"


# --- catalog -----------------------------------------------------------------


def _localized_texts(value: object) -> list[dict[str, str]]:
    if isinstance(value, dict):
        if set(value) == {"fr", "en"}:
            return [value]
        return [t for v in value.values() for t in _localized_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _localized_texts(v)]
    return []


def test_the_catalog_is_json_ready() -> None:
    catalog = templates_catalog()
    assert json.loads(json.dumps(catalog)) == catalog


def test_every_catalog_text_exists_in_french_and_english() -> None:
    texts = _localized_texts(templates_catalog())
    assert len(texts) > 50
    assert all(t["fr"].strip() and t["en"].strip() for t in texts)


def test_the_catalog_lists_the_seven_levels_in_order_with_meanings() -> None:
    levels = templates_catalog()["continuum"]["levels"]
    assert [lv["id"] for lv in levels] == [lv.id for lv in LEVELS]
    assert levels[0]["label"] == {"fr": "Concurrence", "en": "Competition"}
    assert levels[-1]["label"]["fr"] == "Intégration"
    assert "harmonisent" in levels[4]["meaning"]["fr"]


def test_the_catalog_gives_each_tier_its_question_and_direction() -> None:
    tiers = templates_catalog()["chain"]["tiers"]
    assert [(t["id"], t["leadsTo"]) for t in tiers] == [
        ("vision", None),
        ("ultimate", "vision"),
        ("intermediate", "ultimate"),
        ("direct", "intermediate"),
    ]
    assert len(tiers) == len(TIERS)
    assert "connaissances" in tiers[-1]["question"]["fr"]


def test_the_catalog_gives_each_section_its_guiding_questions() -> None:
    sections = {s["id"]: s for s in templates_catalog()["agreement"]["sections"]}
    assert list(sections) == ["principles", "places", "power", "communication", "talents"]
    assert sections["power"]["label"] == {"fr": "Pouvoir", "en": "Power"}
    assert [q["en"] for q in sections["power"]["questions"]] == [
        "Who decides what?",
        "How are decisions taken?",
    ]
    assert len(sections["talents"]["questions"]) == 3


def test_the_catalog_lists_the_parties_and_marks_the_trinome() -> None:
    parties = templates_catalog()["parties"]
    assert [(p["id"], p["label"]["fr"], p["trinome"]) for p in parties] == [
        ("etat", "État", True),
        ("collectivite", "Collectivité", True),
        ("societe_civile", "Société civile", True),
        ("facilitation", "Facilitation", False),
    ]
    assert [p.id for p in PARTIES] == [p["id"] for p in parties]


def test_the_catalog_gives_each_template_its_parts() -> None:
    templates = {t["id"]: t["parts"] for t in templates_catalog()["templates"]}
    assert templates == {k: list(v) for k, v in TEMPLATE_PARTS.items()}


def test_the_catalog_is_a_fresh_copy_each_time() -> None:
    templates_catalog()["continuum"]["levels"][0]["label"]["fr"] = "changed"
    assert templates_catalog()["continuum"]["levels"][0]["label"]["fr"] == "Concurrence"


def test_french_texts_use_non_breaking_spaces_before_question_marks() -> None:
    question = templates_catalog()["agreement"]["sections"][2]["questions"][0]["fr"]
    assert question == f"Qui décide de quoi{NBSP}?"
