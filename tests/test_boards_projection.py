"""The JSON projection of a board: shape, derived statuses, and problems instead of crashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pycrdt import Array, Doc, Map, Text

from server.boards import continuum, layout
from server.boards.agreement import text_hash
from server.boards.labels import (
    COLORS,
    ITEM_TIERS,
    LEVELS,
    PARTIES,
    SECTIONS,
    STATUSES,
    TEMPLATE_PARTS,
    ZONES,
)
from server.boards.problems import MESSAGES
from server.boards.projection import project
from tests.support.documents import random_document

SCHEMA = json.loads(
    (Path(__file__).resolve().parent.parent / "schemas" / "board.schema.json").read_text()
)
VALIDATOR = Draft202012Validator(SCHEMA)
AT = "2025-10-14T09:30:00.000Z"
LATER = "2025-10-14T10:15:00.000Z"
TRINOME = ("etat", "collectivite", "societe_civile")


def seeded(template: str = "workshop") -> Doc[Any]:
    doc: Doc[Any] = Doc()
    layout.seed_board(doc, template, "Château-Thierry")
    return doc


def valid(projection: Any) -> Any:
    errors = [e.message for e in VALIDATOR.iter_errors(projection)]
    assert errors == []
    return projection


def problems(doc: Doc[Any]) -> list[tuple[str, str]]:
    return [(p["path"], p["code"]) for p in valid(project(doc))["problems"]]


def note(doc: Doc[Any], note_id: str = "n1", **overrides: Any) -> None:
    """A note written raw, as any client could; `None` removes a field."""
    fields: dict[str, Any] = {
        "text": Text("Réunion mensuelle"),
        "level": "coexistence",
        "x": 10.0,
        "y": 20.0,
        "color": "yellow",
        "authorId": "p1",
        "authorName": "Marie",
        "party": "collectivite",
        "createdAt": AT,
        "votes": Map(),
    }
    fields.update(overrides)
    entry = {k: v for k, v in fields.items() if v is not None}
    layout.root(doc, "notes")[note_id] = Map(entry)


def item(doc: Doc[Any], item_id: str, tier: Any = "direct", **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "tier": tier,
        "text": Text(f"Changement {item_id}"),
        "authorId": "p2",
        "authorName": "Ali",
        "party": "societe_civile",
        "createdAt": AT,
        "order": 1.0,
    }
    fields.update(overrides)
    entry = {k: v for k, v in fields.items() if v is not None}
    layout.root(doc, "chain")["items"][item_id] = Map(entry)


def chain_of_three(doc: Doc[Any]) -> None:
    for item_id, tier in (("d", "direct"), ("i", "intermediate"), ("u", "ultimate")):
        item(doc, item_id, tier)


def section(doc: Doc[Any], section_id: str = "power") -> Any:
    return valid(project(doc))["agreement"]["sections"][[s.id for s in SECTIONS].index(section_id)]


def approve(doc: Doc[Any], *parties: str, section_id: str = "power") -> None:
    for party in parties:
        layout.approve_section(doc, section_id, party, f"Personne {party}", AT, invite=f"i-{party}")


# --- shape -------------------------------------------------------------------


@pytest.mark.parametrize("template", list(TEMPLATE_PARTS))
def test_a_freshly_seeded_board_projects_without_problems(template: str) -> None:
    projection = valid(project(seeded(template)))
    assert projection["problems"] == []
    assert projection["meta"] == {
        "title": "Château-Thierry",
        "template": template,
        "layoutVersion": layout.LAYOUT_VERSION,
        "parts": list(TEMPLATE_PARTS[template]),
        "locks": [],
    }


def test_a_board_without_the_agreement_part_has_no_sections() -> None:
    projection = project(seeded("continuum"))
    assert projection["agreement"] == {"sections": []}
    assert projection["chain"] == {"vision": "", "items": [], "links": []}


def test_a_board_with_the_agreement_lists_five_draft_sections_in_order() -> None:
    sections = project(seeded("agreement"))["agreement"]["sections"]
    assert [s["id"] for s in sections] == [s.id for s in SECTIONS]
    assert {s["status"] for s in sections} == {"draft"}
    assert sections[0]["textHash"] == text_hash("")


def test_a_note_projects_with_author_position_and_votes() -> None:
    doc = seeded()
    layout.add_note(
        doc, "n1", "Réunion mensuelle", "coexistence", "p1", "Marie", "collectivite",
        x=10, y=20.5, color="green", created_at=AT,
    )  # fmt: skip
    layout.vote(doc, "n1", "p3")
    layout.vote(doc, "n1", "p2")
    assert valid(project(doc))["notes"] == [
        {
            "id": "n1",
            "text": "Réunion mensuelle",
            "level": "coexistence",
            "x": 10,
            "y": 20.5,
            "color": "green",
            "author": {"id": "p1", "name": "Marie", "party": "collectivite"},
            "createdAt": AT,
            "votes": {"count": 2, "voters": ["p2", "p3"]},
        }
    ]


def test_whole_numbers_project_as_integers_like_javascript_prints_them() -> None:
    doc = seeded()
    note(doc, x=10.0, y=2.5)
    projected = project(doc)["notes"][0]
    assert (type(projected["x"]), type(projected["y"])) == (int, float)


def test_a_chain_projects_its_vision_items_and_links() -> None:
    doc = seeded()
    layout.set_vision(doc, "Un quartier où chacun trouve sa place")
    chain_of_three(doc)
    layout.link(doc, "l1", "d", "i")
    layout.link(doc, "l2", "u", "vision")
    chain = valid(project(doc))["chain"]
    assert chain["vision"] == "Un quartier où chacun trouve sa place"
    assert [(i["id"], i["tier"]) for i in chain["items"]] == [
        ("d", "direct"),
        ("i", "intermediate"),
        ("u", "ultimate"),
    ]
    assert chain["items"][0]["author"] == {"id": "p2", "name": "Ali", "party": "societe_civile"}
    assert chain["links"] == [
        {"id": "l1", "from": "d", "to": "i"},
        {"id": "l2", "from": "u", "to": "vision"},
    ]


def test_chain_items_read_bottom_tier_first_then_by_order() -> None:
    doc = seeded()
    item(doc, "a", "ultimate", order=1.0)
    item(doc, "b", "direct", order=2.0)
    item(doc, "c", "direct", order=1.0)
    item(doc, "d", "direct", order=None)
    ids = [i["id"] for i in project(doc)["chain"]["items"]]
    assert ids == ["c", "b", "d", "a"]


def test_a_link_may_skip_a_tier() -> None:
    doc = seeded()
    chain_of_three(doc)
    layout.link(doc, "l1", "d", "u")
    layout.link(doc, "l2", "i", "vision")
    assert problems(doc) == []


def test_locks_project_as_a_sorted_list() -> None:
    doc = seeded()
    layout.set_lock(doc, "vision", "Fred", AT)
    layout.set_lock(doc, "board")
    assert valid(project(doc))["meta"]["locks"] == [
        {"zone": "board", "by": None, "at": None},
        {"zone": "vision", "by": "Fred", "at": AT},
    ]


def test_a_lock_names_its_person_only_when_recorded() -> None:
    """Locks written before names keep their projection, so archived snapshots verify."""
    doc = seeded()
    layout.set_lock(doc, "continuum", "inv-claire", AT, name="Claire")
    layout.set_lock(doc, "chain", "inv-old", AT)
    assert valid(project(doc))["meta"]["locks"] == [
        {"zone": "chain", "by": "inv-old", "at": AT},
        {"zone": "continuum", "by": "inv-claire", "name": "Claire", "at": AT},
    ]


def test_the_projection_is_the_same_whatever_the_order_of_writing() -> None:
    first, second = seeded(), seeded()
    for note_id in ("a", "b", "c"):
        note(first, note_id)
    for note_id in ("c", "a", "b"):
        note(second, note_id)
    for doc in (first, second):
        chain_of_three(doc)
    assert json.dumps(project(first), sort_keys=True) == json.dumps(project(second), sort_keys=True)


def test_a_document_rebuilt_from_its_update_projects_the_same() -> None:
    doc = seeded()
    note(doc)
    chain_of_three(doc)
    layout.link(doc, "l1", "d", "i")
    approve(doc, "etat")
    copy: Doc[Any] = Doc()
    copy.apply_update(doc.get_update())
    assert project(copy) == project(doc)


def test_projecting_writes_nothing_to_the_document() -> None:
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    project(doc)
    assert updates == []


def test_an_empty_document_projects_with_its_missing_meta_reported() -> None:
    assert problems(Doc()) == [
        ("/meta/layoutVersion", "missing_field"),
        ("/meta/template", "missing_field"),
        ("/meta/title", "missing_field"),
    ]


# --- agreement status --------------------------------------------------------


def test_a_section_nobody_approved_is_a_draft() -> None:
    doc = seeded()
    layout.set_section_text(doc, "power", "Le comité décide.")
    assert section(doc)["status"] == "draft"


def test_a_section_one_party_approved_is_proposed() -> None:
    doc = seeded()
    layout.set_section_text(doc, "power", "Le comité décide.")
    approve(doc, "societe_civile")
    found = section(doc)
    assert found["status"] == "proposed"
    assert found["pending"] == ["etat", "collectivite"]


def test_a_section_is_agreed_when_the_three_parties_approved_the_current_text() -> None:
    doc = seeded()
    layout.set_section_text(doc, "power", "Le comité décide.")
    approve(doc, *TRINOME)
    found = section(doc)
    assert found["status"] == "agreed"
    assert found["pending"] == []
    assert [a["current"] for a in found["approvals"]] == [True, True, True]


def test_two_parties_are_not_enough_even_if_the_third_never_wrote_on_the_board() -> None:
    doc = seeded("agreement")
    layout.set_section_text(doc, "power", "Le comité décide.")
    approve(doc, "etat", "collectivite")
    assert section(doc)["status"] == "proposed"


def test_an_edit_after_agreement_reopens_the_section_to_proposed() -> None:
    doc = seeded()
    layout.set_section_text(doc, "power", "Le comité décide.")
    approve(doc, *TRINOME)
    layout.set_section_text(doc, "power", "Le comité décide à la majorité.")
    found = section(doc)
    assert found["status"] == "proposed"
    assert [a["current"] for a in found["approvals"]] == [False, False, False]
    assert found["pending"] == list(TRINOME)


def test_re_approving_the_new_text_counts_again() -> None:
    doc = seeded()
    layout.set_section_text(doc, "power", "Le comité décide.")
    approve(doc, *TRINOME)
    layout.set_section_text(doc, "power", "Le comité décide à la majorité.")
    approve(doc, "etat")
    found = section(doc)
    assert found["status"] == "proposed"
    assert found["pending"] == ["collectivite", "societe_civile"]


def test_restoring_the_approved_text_restores_the_agreement() -> None:
    doc = seeded()
    layout.set_section_text(doc, "power", "Le comité décide.")
    approve(doc, *TRINOME)
    layout.set_section_text(doc, "power", "Autre chose.")
    layout.set_section_text(doc, "power", "Le comité décide.")
    assert section(doc)["status"] == "agreed"


def test_a_facilitation_approval_is_shown_but_does_not_count() -> None:
    doc = seeded()
    layout.set_section_text(doc, "power", "Le comité décide.")
    approve(doc, "facilitation")
    found = section(doc)
    assert found["status"] == "draft"
    assert [a["party"] for a in found["approvals"]] == ["facilitation"]


def test_approvals_are_listed_in_party_order_with_what_they_approved() -> None:
    doc = seeded()
    layout.set_section_text(doc, "power", "Le comité décide.")
    approve(doc, "societe_civile", "etat")
    assert section(doc)["approvals"] == [
        {
            "party": "etat",
            "by": "Personne etat",
            "invite": "i-etat",
            "at": AT,
            "textHash": text_hash("Le comité décide."),
            "current": True,
        },
        {
            "party": "societe_civile",
            "by": "Personne societe_civile",
            "invite": "i-societe_civile",
            "at": AT,
            "textHash": text_hash("Le comité décide."),
            "current": True,
        },
    ]


def test_an_approval_without_a_hash_does_not_count() -> None:
    doc = seeded()
    approvals = layout.root(doc, "agreement")["power"]["approvals"]
    approvals["etat"] = {"by": "Paul", "at": AT}
    for party in ("collectivite", "societe_civile"):
        approve(doc, party)
    assert section(doc)["status"] == "proposed"
    assert problems(doc) == [("/agreement/power/approvals/etat/textHash", "missing_field")]


# --- problems: notes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"level": "harmonie"}, [("/notes/n1/level", "unknown_level")]),
        ({"level": 3.0}, [("/notes/n1/level", "wrong_type")]),
        ({"level": None}, [("/notes/n1/level", "missing_field")]),
        ({"text": None}, [("/notes/n1/text", "note_without_text")]),
        ({"text": Text("   ")}, [("/notes/n1/text", "note_without_text")]),
        ({"text": "Réunion"}, [("/notes/n1/text", "wrong_type")]),
        (
            {"text": 12.0},
            [("/notes/n1/text", "note_without_text"), ("/notes/n1/text", "wrong_type")],
        ),
        ({"x": "left"}, [("/notes/n1/x", "wrong_type")]),
        ({"x": True}, [("/notes/n1/x", "wrong_type")]),
        ({"y": float("nan")}, [("/notes/n1/y", "not_finite")]),
        ({"x": float("inf")}, [("/notes/n1/x", "not_finite")]),
        ({"y": None}, [("/notes/n1/y", "missing_field")]),
        ({"color": "turquoise"}, [("/notes/n1/color", "unknown_color")]),
        ({"party": "entreprise"}, [("/notes/n1/party", "unknown_party")]),
        ({"party": None}, [("/notes/n1/party", "missing_field")]),
        ({"authorId": None}, [("/notes/n1/authorId", "missing_field")]),
        ({"authorName": 7.0}, [("/notes/n1/authorName", "wrong_type")]),
        ({"createdAt": "hier"}, [("/notes/n1/createdAt", "invalid_date")]),
        ({"createdAt": None}, [("/notes/n1/createdAt", "missing_field")]),
        ({"votes": None}, [("/notes/n1/votes", "missing_field")]),
        ({"votes": {"p2": True}}, [("/notes/n1/votes", "wrong_type")]),
        ({"votes": Map({"p2": True, "p3": 2.0})}, [("/notes/n1/votes/p3", "invalid_vote")]),
    ],
)
def test_a_broken_note_is_reported_at_its_path(
    overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    doc = seeded()
    note(doc, **overrides)
    assert problems(doc) == expected


def test_a_note_without_colour_uses_the_default_without_complaint() -> None:
    doc = seeded()
    note(doc, color=None)
    assert problems(doc) == []
    assert project(doc)["notes"][0]["color"] is None


def test_a_plain_string_note_text_is_still_shown() -> None:
    doc = seeded()
    note(doc, text="Réunion")
    assert project(doc)["notes"][0]["text"] == "Réunion"


def test_a_broken_field_is_projected_as_null_and_the_note_is_kept() -> None:
    doc = seeded()
    note(doc, level="harmonie", x=float("nan"))
    projected = project(doc)["notes"][0]
    assert (projected["level"], projected["x"], projected["text"]) == (
        None,
        None,
        "Réunion mensuelle",
    )


def test_a_note_that_is_not_a_map_is_left_out_and_reported() -> None:
    doc = seeded()
    layout.root(doc, "notes")["n1"] = "Réunion"
    assert problems(doc) == [("/notes/n1", "wrong_type")]
    assert project(doc)["notes"] == []


def test_invalid_votes_are_not_counted() -> None:
    doc = seeded()
    note(doc, votes=Map({"p2": True, "p3": "yes"}))
    assert project(doc)["notes"][0]["votes"] == {"count": 1, "voters": ["p2"]}


def test_ids_are_escaped_in_problem_paths() -> None:
    doc = seeded()
    note(doc, "a/b~c", level="harmonie")
    assert problems(doc) == [("/notes/a~1b~0c/level", "unknown_level")]


def test_problem_messages_are_in_french_and_english() -> None:
    doc = seeded()
    note(doc, level="harmonie")
    message = project(doc)["problems"][0]["message"]
    assert message["fr"].startswith("Niveau inconnu «\u00a0harmonie\u00a0»\u00a0: la note")
    assert message["en"].startswith("Unknown level “harmonie”")


# --- problems: chain ---------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"tier": "sideways"}, [("/chain/items/c1/tier", "unknown_tier")]),
        ({"tier": "vision"}, [("/chain/items/c1/tier", "unknown_tier")]),
        ({"tier": None}, [("/chain/items/c1/tier", "missing_field")]),
        ({"text": Text("")}, [("/chain/items/c1/text", "item_without_text")]),
        ({"order": None}, [("/chain/items/c1/order", "missing_field")]),
        ({"order": "first"}, [("/chain/items/c1/order", "wrong_type")]),
        ({"party": "entreprise"}, [("/chain/items/c1/party", "unknown_party")]),
        ({"authorName": None}, []),
    ],
)
def test_a_broken_chain_item_is_reported_at_its_path(
    overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    doc = seeded()
    item(doc, "c1", **overrides)
    assert problems(doc) == expected


def test_an_item_may_not_take_the_vision_id() -> None:
    doc = seeded()
    item(doc, "vision")
    assert problems(doc) == [("/chain/items/vision", "reserved_id")]


@pytest.mark.parametrize(
    ("source", "target"),
    [("u", "d"), ("i", "d"), ("u", "i"), ("vision", "u"), ("vision", "d")],
)
def test_a_link_going_backwards_is_kept_and_reported(source: str, target: str) -> None:
    doc = seeded()
    chain_of_three(doc)
    layout.link(doc, "l1", source, target)
    assert problems(doc) == [("/chain/links/l1", "link_backwards")]
    assert project(doc)["chain"]["links"] == [{"id": "l1", "from": source, "to": target}]


def test_a_backward_link_message_names_both_tiers() -> None:
    doc = seeded()
    chain_of_three(doc)
    layout.link(doc, "l1", "u", "d")
    message = project(doc)["problems"][0]["message"]["en"]
    assert message.startswith(
        "Backward link: “Changement u” (Ultimate change) → “Changement d” (Direct change)."
    )


def test_a_link_within_one_tier_is_reported() -> None:
    doc = seeded()
    item(doc, "a", "intermediate")
    item(doc, "b", "intermediate")
    layout.link(doc, "l1", "a", "b")
    assert problems(doc) == [("/chain/links/l1", "link_same_tier")]


def test_a_link_to_a_missing_item_is_reported_at_the_missing_end() -> None:
    doc = seeded()
    item(doc, "d", "direct")
    layout.link(doc, "l1", "d", "gone")
    layout.link(doc, "l2", "gone", "vision")
    assert problems(doc) == [
        ("/chain/links/l1/to", "link_dangling"),
        ("/chain/links/l2/from", "link_dangling"),
    ]


def test_a_loop_is_reported_once_on_the_link_that_closes_it() -> None:
    doc = seeded()
    chain_of_three(doc)
    layout.link(doc, "l1", "d", "i")
    layout.link(doc, "l2", "i", "u")
    layout.link(doc, "l3", "u", "d")
    layout.link(doc, "l4", "u", "vision")
    assert problems(doc) == [
        ("/chain/links/l3", "link_backwards"),
        ("/chain/links/l3", "link_cycle"),
    ]


def test_a_loop_message_walks_the_loop_from_where_its_closing_link_leads() -> None:
    doc = seeded()
    chain_of_three(doc)
    layout.link(doc, "l1", "u", "d")  # found first from the closing link, then from the others
    layout.link(doc, "l2", "d", "i")
    layout.link(doc, "l3", "i", "u")
    messages = [p["message"] for p in project(doc)["problems"] if p["code"] == "link_cycle"]
    assert [m["en"] for m in messages] == [
        "This link closes a loop: “Changement d” → “Changement i” → “Changement u” → "
        "“Changement d”. A change cannot lead back to itself, even through others: remove "
        "this link or point it higher up the chain."
    ]
    assert messages[0]["fr"].startswith("Ce lien referme une boucle\u00a0: «\u00a0Changement d")


def test_two_loops_are_two_problems() -> None:
    doc = seeded()
    chain_of_three(doc)
    item(doc, "d2", "direct")
    layout.link(doc, "l1", "d", "i")
    layout.link(doc, "l2", "i", "d")
    layout.link(doc, "l3", "d2", "u")
    layout.link(doc, "l4", "u", "d2")
    assert [p for p in problems(doc) if p[1] == "link_cycle"] == [
        ("/chain/links/l2", "link_cycle"),
        ("/chain/links/l4", "link_cycle"),
    ]


def test_a_link_to_itself_is_a_loop_within_one_tier() -> None:
    doc = seeded()
    item(doc, "a", "direct")
    layout.link(doc, "l1", "a", "a")
    assert problems(doc) == [
        ("/chain/links/l1", "link_cycle"),
        ("/chain/links/l1", "link_same_tier"),
    ]


def test_links_to_an_item_of_unknown_tier_are_not_judged_twice() -> None:
    doc = seeded()
    item(doc, "a", "sideways")
    item(doc, "b", "direct")
    layout.link(doc, "l1", "a", "b")
    assert problems(doc) == [("/chain/items/a/tier", "unknown_tier")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("d->i", [("/chain/links/l1", "wrong_type")]),
        ({"from": "d"}, [("/chain/links/l1/to", "missing_field")]),
        ({"from": "d", "to": 4.0}, [("/chain/links/l1/to", "wrong_type")]),
    ],
)
def test_a_malformed_link_is_left_out_and_reported(value: Any, expected: Any) -> None:
    doc = seeded()
    chain_of_three(doc)
    layout.root(doc, "chain")["links"]["l1"] = value
    assert problems(doc) == expected
    assert project(doc)["chain"]["links"] == []


def test_a_link_written_as_a_shared_map_is_accepted() -> None:
    doc = seeded()
    chain_of_three(doc)
    layout.root(doc, "chain")["links"]["l1"] = Map({"from": "d", "to": "i"})
    assert problems(doc) == []
    assert project(doc)["chain"]["links"] == [{"id": "l1", "from": "d", "to": "i"}]


def test_broken_chain_containers_are_reported() -> None:
    doc = seeded()
    chain = layout.root(doc, "chain")
    chain["vision"] = 3.0
    chain["items"] = Array([1.0])
    del chain["links"]
    assert problems(doc) == [
        ("/chain/items", "wrong_type"),
        ("/chain/links", "missing_field"),
        ("/chain/vision", "wrong_type"),
    ]


def test_a_missing_vision_is_reported() -> None:
    doc = seeded()
    del layout.root(doc, "chain")["vision"]
    assert problems(doc) == [("/chain/vision", "missing_field")]


# --- problems: agreement -----------------------------------------------------


def test_a_missing_section_is_reported_and_shown_as_an_empty_draft() -> None:
    doc = seeded()
    del layout.root(doc, "agreement")["talents"]
    assert problems(doc) == [("/agreement/talents", "missing_section")]
    assert section(doc, "talents")["status"] == "draft"


def test_an_unknown_section_is_reported() -> None:
    doc = seeded()
    layout.root(doc, "agreement")["budget"] = Map({"text": Text("x"), "approvals": Map()})
    assert problems(doc) == [("/agreement/budget", "unknown_section")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", [("/agreement/power", "wrong_type")]),
        (Map({"approvals": Map()}), [("/agreement/power/text", "missing_field")]),
        (Map({"text": Text("x")}), [("/agreement/power/approvals", "missing_field")]),
        (Map({"text": "x", "approvals": Map()}), [("/agreement/power/text", "wrong_type")]),
    ],
)
def test_a_broken_section_is_reported(value: Any, expected: Any) -> None:
    doc = seeded()
    layout.root(doc, "agreement")["power"] = value
    assert problems(doc) == expected


@pytest.mark.parametrize(
    ("party", "value", "expected"),
    [
        ("entreprise", {"by": "X", "at": AT, "textHash": text_hash("")}, "unknown_party"),
        ("etat", "yes", "wrong_type"),
        ("etat", {"by": "X", "at": AT, "textHash": "abc"}, "invalid_hash"),
        ("etat", {"by": "X", "at": "demain", "textHash": text_hash("")}, "invalid_date"),
        ("etat", {"at": AT, "textHash": text_hash("")}, "missing_field"),
    ],
)
def test_a_broken_approval_is_reported(party: str, value: Any, expected: str) -> None:
    doc = seeded()
    layout.root(doc, "agreement")["power"]["approvals"][party] = value
    assert [code for _, code in problems(doc)] == [expected]


def test_a_broken_approval_never_counts() -> None:
    doc = seeded()
    approvals = layout.root(doc, "agreement")["power"]["approvals"]
    approvals["etat"] = {"by": "X", "at": AT, "textHash": "abc"}
    approve(doc, "collectivite", "societe_civile")
    assert section(doc)["status"] == "proposed"


# --- problems: meta ----------------------------------------------------------


def test_an_unknown_template_is_reported_and_parts_follow_the_content() -> None:
    doc = seeded()
    layout.root(doc, "meta")["template"] = "kanban"
    projection = valid(project(doc))
    assert [(p["path"], p["code"]) for p in projection["problems"]] == [
        ("/meta/template", "unknown_template")
    ]
    assert projection["meta"]["parts"] == ["chain", "agreement", "conditions", "support"]


def test_an_unsupported_layout_version_is_reported() -> None:
    doc = seeded()
    layout.root(doc, "meta")["layoutVersion"] = float(layout.LAYOUT_VERSION + 1)
    assert problems(doc) == [("/meta/layoutVersion", "unsupported_layout_version")]
    assert project(doc)["meta"]["layoutVersion"] == layout.LAYOUT_VERSION + 1


def test_an_unknown_lock_zone_is_reported() -> None:
    doc = seeded()
    layout.root(doc, "meta")["locks"]["notes"] = {}
    assert problems(doc) == [("/meta/locks/notes", "unknown_zone")]


def test_a_malformed_lock_is_reported() -> None:
    doc = seeded()
    layout.root(doc, "meta")["locks"]["vision"] = True
    assert problems(doc) == [("/meta/locks/vision", "wrong_type")]


def test_content_outside_the_template_is_projected_and_reported() -> None:
    doc = seeded("chain")
    note(doc)
    projection = valid(project(doc))
    assert [(p["path"], p["code"]) for p in projection["problems"]] == [
        ("/notes", "unexpected_part")
    ]
    assert projection["meta"]["parts"] == ["continuum", "chain"]
    assert len(projection["notes"]) == 1


def test_a_title_of_the_wrong_type_is_reported() -> None:
    doc = seeded()
    layout.root(doc, "meta")["title"] = 3.0
    assert problems(doc) == [("/meta/title", "wrong_type")]
    assert project(doc)["meta"]["title"] == ""


# --- schema and vocabulary agree ---------------------------------------------


def _enum(name: str) -> list[str]:
    values: list[str] = SCHEMA["$defs"][name]["enum"]
    return values


def test_the_schema_names_the_same_words_as_the_catalog() -> None:
    assert _enum("level") == [lv.id for lv in LEVELS]
    assert _enum("tier") == list(ITEM_TIERS)
    assert _enum("party") == [p.id for p in PARTIES]
    assert _enum("trinomeParty") == list(TRINOME)
    assert _enum("color") == [c.id for c in COLORS]
    assert _enum("template") == list(TEMPLATE_PARTS)
    assert _enum("zone") == [z.id for z in ZONES]
    assert _enum("section") == [s.id for s in SECTIONS]
    assert _enum("status") == [s.id for s in STATUSES]


def test_the_schema_lists_every_problem_code() -> None:
    codes = SCHEMA["$defs"]["problem"]["properties"]["code"]["enum"]
    assert sorted(codes) == sorted(MESSAGES)


def test_the_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def test_a_lively_workshop_board_validates() -> None:
    doc = seeded()
    layout.set_title(doc, "Atelier n°2")
    for index, level in enumerate(lv.id for lv in LEVELS):
        layout.add_note(
            doc, f"n{index}", f"Note {index}", level, f"p{index}", "Marie", PARTIES[index % 4].id,
            x=index * 10, y=0.5, color=COLORS[index % 6].id, created_at=AT,
        )  # fmt: skip
        layout.vote(doc, f"n{index}", "p9")
    layout.set_vision(doc, "Vivre ensemble")
    chain_of_three(doc)
    layout.link(doc, "l1", "d", "i")
    layout.link(doc, "l2", "i", "u")
    layout.link(doc, "l3", "u", "vision")
    for section_id in (s.id for s in SECTIONS):
        layout.set_section_text(doc, section_id, f"Nous convenons de {section_id}.")
        approve(doc, "etat", "facilitation", section_id=section_id)
    layout.set_lock(doc, "chain", "Fred", LATER)
    projection = valid(project(doc))
    assert projection["problems"] == []
    assert {s["status"] for s in projection["agreement"]["sections"]} == {"proposed"}


def test_an_unexpected_failure_costs_one_entry_and_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    doc = seeded()
    note(doc, "n1")
    note(doc, "n2")
    real = continuum._project_note

    def flaky(note_id: str, *args: Any) -> Any:
        if note_id == "n1":
            raise RuntimeError("a case the projection missed")
        return real(note_id, *args)

    monkeypatch.setattr(continuum, "_project_note", flaky)
    projection = valid(project(doc))
    assert [n["id"] for n in projection["notes"]] == ["n2"]
    assert [(p["path"], p["code"]) for p in projection["problems"]] == [("/notes/n1", "unreadable")]
    assert "unreadable board content at /notes/n1" in caplog.text


# --- fuzz --------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(300))
def test_any_document_projects_to_valid_json_without_raising(seed: int) -> None:
    doc = random_document(seed)
    projection = valid(project(doc))
    dumped = json.dumps(projection, sort_keys=True, allow_nan=False)
    assert json.dumps(project(doc), sort_keys=True, allow_nan=False) == dumped
    assert "unreadable" not in {p["code"] for p in projection["problems"]}


def test_fuzzed_documents_do_exercise_the_problem_codes() -> None:
    seen = {p["code"] for seed in range(300) for p in project(random_document(seed))["problems"]}
    assert seen >= set(MESSAGES) - {"unreadable", "unsupported_layout_version"}


def test_roots_used_as_another_shared_type_are_reported() -> None:
    doc: Doc[Any] = Doc()
    layout.seed_board(doc, "workshop", "T")
    other: Doc[Any] = Doc()
    other["notes"] = Array([1.0, Map({"a": 1.0})])
    other["chain"] = Text("vision?")
    doc.apply_update(other.get_update())
    projection = valid(project(doc))
    assert [(p["path"], p["code"]) for p in projection["problems"]] == [
        ("/chain", "wrong_type"),
        ("/notes", "wrong_type"),
    ]
    assert projection["chain"] == {"vision": "", "items": [], "links": []}


def test_three_parties_approving_with_one_invite_do_not_agree_a_section() -> None:
    """One person holding three connections cannot produce a three-party agreement."""
    doc = seeded()
    for party in TRINOME:
        layout.approve_section(doc, "power", party, "Paul", AT, invite="i-paul")
    found = section(doc)
    assert found["status"] == "proposed"
    assert found["pending"] == list(TRINOME)


def test_an_approval_naming_no_invite_does_not_count() -> None:
    doc = seeded()
    approve(doc, "etat", "collectivite")
    layout.approve_section(doc, "power", "societe_civile", "Ali", AT)
    found = section(doc)
    assert (found["status"], found["pending"]) == ("proposed", ["societe_civile"])


def test_three_invites_of_the_three_parties_agree_a_section() -> None:
    doc = seeded()
    approve(doc, *TRINOME)
    assert section(doc)["status"] == "agreed"
