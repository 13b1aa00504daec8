"""Changes between two projections, captioned in workshop words in French and English."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, get_args

import pytest
from pycrdt import Doc

from server.boards import layout, method_layout
from server.boards.diff import Actor, Change, ChangeKind, diff
from server.boards.labels import french_spacing
from server.boards.projection import project
from tests.support.documents import random_document

AT = "2025-10-14T09:30:00.000Z"
MARIE = Actor("Marie", "collectivite")
TRINOME = ("etat", "collectivite", "societe_civile")

Edit = Callable[[Doc[Any]], None]


def fr(text: str) -> str:
    """Expected French captions are written with plain spaces, as one would type them."""
    return french_spacing(text)


def board() -> Doc[Any]:
    doc: Doc[Any] = Doc()
    layout.seed_board(doc, "workshop", "Atelier")
    layout.add_note(
        doc, "n1", "Réunion mensuelle", "coexistence", "p1", "Marie", "collectivite",
        x=10, y=20, created_at=AT,
    )  # fmt: skip
    for item_id, tier, text in (
        ("d", "direct", "Les élus connaissent le conseil citoyen"),
        ("i", "intermediate", "Réunions communes"),
    ):
        layout.add_chain_item(
            doc, item_id, tier, text, "p2", "Ali", "societe_civile", order=1, created_at=AT
        )
    layout.set_section_text(doc, "power", "Le comité décide.")
    return doc


def changes(edit: Edit, actor: Actor | None = None, doc: Doc[Any] | None = None) -> list[Change]:
    doc = doc or board()
    before = project(doc)
    edit(doc)
    return diff(before, project(doc), actor)


def only(edit: Edit, actor: Actor | None = None, doc: Doc[Any] | None = None) -> Change:
    found = changes(edit, actor, doc)
    assert len(found) == 1, [c.kind for c in found]
    return found[0]


def approved(*parties: str) -> Doc[Any]:
    doc = board()
    for party in parties:
        layout.approve_section(doc, "power", party, f"Personne {party}", AT, invite=f"i-{party}")
    return doc


# --- no change ---------------------------------------------------------------


def test_equal_projections_have_no_changes() -> None:
    projection = project(board())
    assert diff(projection, projection) == []


def test_a_part_that_appears_empty_is_not_a_change() -> None:
    before, after = Doc(), Doc()
    layout.seed_board(before, "continuum", "Atelier")
    layout.seed_board(after, "workshop", "Atelier")
    assert diff(project(before), project(after)) == []


# --- meta --------------------------------------------------------------------


def test_renaming_the_board() -> None:
    change = only(lambda d: layout.set_title(d, "Atelier n°2"), MARIE)
    assert (change.kind, change.before, change.after) == ("board_renamed", "Atelier", "Atelier n°2")
    assert change.caption == {
        "fr": fr("Tableau renommé : « Atelier n°2 » par Marie (Collectivité)"),
        "en": "Board renamed: “Atelier n°2” by Marie (Local authority)",
    }


def test_locking_a_zone_names_the_person_who_locked_it() -> None:
    change = only(
        lambda d: layout.set_lock(d, "agreement.power", "5068a87ff13c1b55", AT, name="Claire")
    )
    assert (change.kind, change.subject, change.path) == (
        "zone_locked",
        "agreement.power",
        "/meta/locks/agreement.power",
    )
    assert change.caption == {
        "fr": fr("Zone « Section Pouvoir » verrouillée par Claire"),
        "en": "Zone “Power section” locked by Claire",
    }


def test_a_lock_recorded_without_a_name_never_shows_the_invite_id() -> None:
    change = only(lambda d: layout.set_lock(d, "continuum", "5068a87ff13c1b55", AT))
    assert change.caption == {
        "fr": fr("Zone « Échelle de coopération » verrouillée"),
        "en": "Zone “Cooperation continuum” locked",
    }


def test_unlocking_a_zone() -> None:
    doc = board()
    layout.set_lock(doc, "board")
    change = only(lambda d: layout.clear_lock(d, "board"), doc=doc)
    assert change.kind == "zone_unlocked"
    assert change.caption["fr"] == fr("Zone « Tout le tableau » déverrouillée")


def test_an_unlock_does_not_credit_the_person_who_had_locked() -> None:
    doc = board()
    layout.set_lock(doc, "continuum", "inv-claire", AT, name="Claire")
    change = only(lambda d: layout.clear_lock(d, "continuum"), doc=doc)
    assert change.caption["fr"] == fr("Zone « Échelle de coopération » déverrouillée")


# --- notes -------------------------------------------------------------------


def test_adding_a_note_credits_its_recorded_author() -> None:
    def add(doc: Doc[Any]) -> None:
        layout.add_note(doc, "n2", "Café partagé", "assistance", "p3", "Zoé", "etat", created_at=AT)

    change = only(add)
    assert (change.kind, change.subject, change.path) == ("note_added", "n2", "/notes/n2")
    assert change.actor == Actor("Zoé", "etat")
    assert change.caption == {
        "fr": fr("Note « Café partagé » ajoutée dans Assistance par Zoé (État)"),
        "en": "Note “Café partagé” added to Assistance by Zoé (State)",
    }
    assert isinstance(change.after, dict)
    assert change.after["level"] == "assistance"


def test_removing_a_note() -> None:
    change = only(lambda d: layout.remove_note(d, "n1"), MARIE)
    assert change.kind == "note_removed"
    assert change.caption["fr"] == fr(
        "Note « Réunion mensuelle » retirée de Coexistence par Marie (Collectivité)"
    )


def test_moving_a_note_to_another_level() -> None:
    change = only(lambda d: layout.move_note(d, "n1", "coordination", x=300, y=20), MARIE)
    assert (change.kind, change.before, change.after) == (
        "note_moved",
        "coexistence",
        "coordination",
    )
    assert change.caption == {
        "fr": fr(
            "Note « Réunion mensuelle » déplacée de Coexistence vers Coordination "
            "par Marie (Collectivité)"
        ),
        "en": "Note “Réunion mensuelle” moved from Coexistence to Coordination "
        "by Marie (Local authority)",
    }


def test_dragging_a_note_within_its_level() -> None:
    change = only(lambda d: layout.place_note(d, "n1", 15, 25))
    assert (change.kind, change.before, change.after) == (
        "note_repositioned",
        {"x": 10, "y": 20},
        {"x": 15, "y": 25},
    )
    assert change.caption["en"] == "Note “Réunion mensuelle” moved within Coexistence"


def test_editing_a_note_shows_old_and_new_text() -> None:
    change = only(lambda d: layout.set_note_text(d, "n1", "Réunion trimestrielle"), MARIE)
    assert (change.kind, change.before, change.after) == (
        "note_edited",
        "Réunion mensuelle",
        "Réunion trimestrielle",
    )
    assert change.caption["fr"] == fr(
        "Texte de la note modifié : « Réunion mensuelle » → « Réunion trimestrielle » "
        "par Marie (Collectivité)"
    )


def test_long_note_texts_are_shortened_in_captions() -> None:
    long_text = "Une très longue note qui raconte toute l'histoire du quartier depuis 1970"
    change = only(lambda d: layout.set_note_text(d, "n1", long_text))
    assert change.after == long_text
    assert change.caption["en"].endswith("→ “Une très longue note qui raconte toute…”")


def test_recolouring_a_note() -> None:
    change = only(lambda d: layout.recolor_note(d, "n1", "green"), MARIE)
    assert (change.kind, change.before, change.after) == ("note_recoloured", "yellow", "green")
    assert change.caption == {
        "fr": fr("Note « Réunion mensuelle » passée en vert par Marie (Collectivité)"),
        "en": "Note “Réunion mensuelle” turned green by Marie (Local authority)",
    }


def test_voting_for_a_note() -> None:
    change = only(lambda d: layout.vote(d, "n1", "p7"), Actor("Karim", "etat"))
    assert (change.kind, change.path, change.after) == ("note_voted", "/notes/n1/votes/p7", "p7")
    assert change.caption["fr"] == fr("Vote pour la note « Réunion mensuelle » par Karim (État)")


def test_withdrawing_a_vote() -> None:
    doc = board()
    layout.vote(doc, "n1", "p7")
    change = only(lambda d: layout.unvote(d, "n1", "p7"), doc=doc)
    assert (change.kind, change.before, change.after) == ("note_vote_withdrawn", "p7", None)
    assert change.caption["en"] == "Vote withdrawn from note “Réunion mensuelle”"


def test_several_edits_of_one_note_come_in_a_fixed_order() -> None:
    def edit(doc: Doc[Any]) -> None:
        layout.vote(doc, "n1", "p7")
        layout.recolor_note(doc, "n1", "pink")
        layout.move_note(doc, "n1", "integration")
        layout.set_note_text(doc, "n1", "Fusion")

    kinds = [c.kind for c in changes(edit)]
    assert kinds == ["note_edited", "note_moved", "note_recoloured", "note_voted"]


# --- chain -------------------------------------------------------------------


def test_editing_the_vision() -> None:
    change = only(lambda d: layout.set_vision(d, "Un quartier solidaire"), MARIE)
    assert (change.kind, change.path, change.after) == (
        "vision_edited",
        "/chain/vision",
        "Un quartier solidaire",
    )
    assert change.caption["fr"] == fr(
        "Vision modifiée : « Un quartier solidaire » par Marie (Collectivité)"
    )


def test_adding_a_chain_item_names_its_tier() -> None:
    def add(doc: Doc[Any]) -> None:
        layout.add_chain_item(
            doc, "u", "ultimate", "Vivre ensemble", "p3", "Zoé", "etat", order=1, created_at=AT
        )

    change = only(add)
    assert change.kind == "chain_item_added"
    assert change.caption == {
        "fr": fr("Changement ultime « Vivre ensemble » ajouté par Zoé (État)"),
        "en": "Ultimate change “Vivre ensemble” added by Zoé (State)",
    }


def test_removing_a_chain_item_also_reports_its_links() -> None:
    doc = board()
    layout.link(doc, "l1", "d", "i")
    found = changes(lambda d: layout.remove_chain_item(d, "i"), doc=doc)
    assert [c.kind for c in found] == ["chain_item_removed", "link_removed"]
    assert found[0].caption["en"] == "Intermediate change “Réunions communes” removed"
    assert found[1].caption["fr"] == fr(
        "Lien retiré : « Les élus connaissent le conseil citoyen » → « Réunions communes »"
    )


def test_editing_a_chain_item() -> None:
    change = only(lambda d: layout.set_chain_item_text(d, "i", "Réunions mensuelles communes"))
    assert change.kind == "chain_item_edited"
    assert change.caption["en"] == (
        "Intermediate change rewritten: “Réunions communes” → “Réunions mensuelles communes”"
    )


def test_moving_a_chain_item_to_another_tier() -> None:
    change = only(lambda d: layout.move_chain_item(d, "i", tier="ultimate", order=4), MARIE)
    assert (change.kind, change.before, change.after) == (
        "chain_item_retiered",
        "intermediate",
        "ultimate",
    )
    assert change.caption == {
        "fr": fr(
            "Changement « Réunions communes » déplacé de Changements intermédiaires "
            "vers Changement ultime par Marie (Collectivité)"
        ),
        "en": "Change “Réunions communes” moved from Intermediate changes to Ultimate change "
        "by Marie (Local authority)",
    }


def test_reordering_a_chain_item_within_its_tier() -> None:
    change = only(lambda d: layout.move_chain_item(d, "i", order=0.5))
    assert (change.kind, change.before, change.after) == ("chain_item_reordered", 1, 0.5)
    assert change.caption["fr"] == fr(
        "Changement intermédiaire « Réunions communes » déplacé dans sa colonne"
    )


def test_adding_a_link() -> None:
    change = only(lambda d: layout.link(d, "l1", "d", "i"))
    assert (change.kind, change.after) == ("link_added", {"id": "l1", "from": "d", "to": "i"})
    assert change.caption == {
        "fr": fr(
            "Lien ajouté : « Les élus connaissent le conseil citoyen » → « Réunions communes »"
        ),
        "en": "Link added: “Les élus connaissent le conseil citoyen” → “Réunions communes”",
    }


def test_a_link_to_the_vision_names_the_vision() -> None:
    change = only(lambda d: layout.link(d, "l1", "i", "vision"), MARIE)
    assert (
        change.caption["en"]
        == "Link added: “Réunions communes” → Vision by Marie (Local authority)"
    )


def test_a_link_to_a_missing_item_names_its_id() -> None:
    change = only(lambda d: layout.link(d, "l1", "i", "gone"))
    assert change.caption["en"] == "Link added: “Réunions communes” → “gone”"


def test_removing_a_link() -> None:
    doc = board()
    layout.link(doc, "l1", "d", "i")
    change = only(lambda d: layout.unlink(d, "l1"), doc=doc)
    assert (change.kind, change.before, change.after) == (
        "link_removed",
        {"id": "l1", "from": "d", "to": "i"},
        None,
    )


def test_rerouting_a_link_reads_as_removed_then_added() -> None:
    doc = board()
    layout.link(doc, "l1", "d", "i")
    found = changes(lambda d: layout.link(d, "l1", "d", "vision"), doc=doc)
    assert [(c.kind, c.subject) for c in found] == [("link_removed", "l1"), ("link_added", "l1")]


# --- agreement ---------------------------------------------------------------


def test_editing_a_section() -> None:
    change = only(lambda d: layout.set_section_text(d, "principles", "Confiance."), MARIE)
    assert (change.kind, change.subject, change.after) == (
        "section_edited",
        "principles",
        "Confiance.",
    )
    assert change.caption == {
        "fr": fr("Section Principes de fonctionnement modifiée par Marie (Collectivité)"),
        "en": "Operating principles section edited by Marie (Local authority)",
    }


def test_a_first_approval_proposes_the_section() -> None:
    found = changes(lambda d: layout.approve_section(d, "power", "societe_civile", "Ali", AT))
    assert [c.kind for c in found] == ["section_approved", "section_status_changed"]
    approval, status = found
    assert approval.caption == {
        "fr": "Section Pouvoir approuvée par la Société civile",
        "en": "Power section approved by civil society",
    }
    assert approval.actor == Actor("Ali", "societe_civile")
    assert approval.path == "/agreement/power/approvals/societe_civile"
    assert (status.before, status.after) == ("draft", "proposed")
    assert status.caption == {
        "fr": fr("Section Pouvoir : Brouillon → Proposée"),
        "en": "Power section: Draft → Proposed",
    }


def test_the_last_approval_agrees_the_section() -> None:
    doc = approved("etat", "collectivite")
    found = changes(
        lambda d: layout.approve_section(d, "power", "societe_civile", "Ali", AT, invite="i-ali"),
        doc=doc,
    )
    assert [c.kind for c in found] == ["section_approved", "section_status_changed"]
    assert found[1].caption == {
        "fr": "Section Pouvoir validée par toutes les parties",
        "en": "Power section agreed by all parties",
    }


def test_an_edit_after_agreement_reopens_the_section() -> None:
    doc = approved(*TRINOME)
    found = changes(lambda d: layout.set_section_text(d, "power", "Le bureau décide."), doc=doc)
    assert [c.kind for c in found] == ["section_edited", "section_status_changed"]
    assert (found[1].before, found[1].after) == ("agreed", "proposed")
    assert found[1].caption == {
        "fr": fr("Section Pouvoir rouverte : Validée → Proposée"),
        "en": "Power section reopened: Agreed → Proposed",
    }


def test_approving_the_new_text_again_is_a_new_approval() -> None:
    doc = approved("etat")
    layout.set_section_text(doc, "power", "Le bureau décide.")
    found = changes(lambda d: layout.approve_section(d, "power", "etat", "Paul", AT), doc=doc)
    assert [c.kind for c in found] == ["section_approved"]


def test_withdrawing_an_approval() -> None:
    doc = approved("etat")
    found = changes(lambda d: layout.withdraw_approval(d, "power", "etat"), doc=doc)
    assert [c.kind for c in found] == ["section_approval_withdrawn", "section_status_changed"]
    assert found[0].caption == {
        "fr": fr("Section Pouvoir : approbation retirée par l'État"),
        "en": "Power section: approval withdrawn by the State",
    }


# --- actors and shape --------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "fr_suffix", "en_suffix"),
    [
        (
            Actor("Marie", "collectivite"),
            " par Marie (Collectivité)",
            " by Marie (Local authority)",
        ),
        (Actor(None, "etat"), " par l'État", " by the State"),
        (Actor("Marie"), " par Marie", " by Marie"),
        (Actor("Marie", "entreprise"), " par Marie", " by Marie"),
        (Actor(), "", ""),
        (None, "", ""),
    ],
)
def test_captions_name_the_actor_as_far_as_known(
    actor: Actor | None, fr_suffix: str, en_suffix: str
) -> None:
    change = only(lambda d: layout.recolor_note(d, "n1", "blue"), actor)
    assert change.caption["fr"] == fr(f"Note « Réunion mensuelle » passée en bleu{fr_suffix}")
    assert change.caption["en"] == f"Note “Réunion mensuelle” turned blue{en_suffix}"


def test_changes_come_meta_first_then_notes_chain_and_agreement() -> None:
    def edit(doc: Doc[Any]) -> None:
        layout.approve_section(doc, "power", "etat", "Paul", AT)
        layout.link(doc, "l1", "d", "i")
        layout.remove_note(doc, "n1")
        layout.set_title(doc, "Atelier n°2")

    kinds = [c.kind for c in changes(edit)]
    assert kinds == [
        "board_renamed",
        "note_removed",
        "link_added",
        "section_approved",
        "section_status_changed",
    ]


def test_a_change_serialises_to_json() -> None:
    change = only(lambda d: layout.move_note(d, "n1", "coordination"), MARIE)
    assert json.loads(json.dumps(change.to_json())) == {
        "kind": "note_moved",
        "subject": "n1",
        "path": "/notes/n1",
        "before": "coexistence",
        "after": "coordination",
        "actor": {"name": "Marie", "party": "collectivite"},
        "caption": change.caption,
    }


def test_every_change_kind_is_produced_by_some_workshop_edit() -> None:
    doc = board()
    layout.vote(doc, "n1", "p1")
    layout.link(doc, "l0", "d", "i")
    layout.approve_section(doc, "talents", "etat", "Paul", AT)
    layout.set_lock(doc, "vision", "Fred", AT)

    def first_round(d: Doc[Any]) -> None:
        layout.set_title(d, "Atelier n°2")
        layout.clear_lock(d, "vision")
        layout.set_lock(d, "chain", "Fred", AT)
        layout.add_note(d, "n2", "Nouveau", "assistance", "p3", "Zoé", "etat", created_at=AT)
        layout.set_note_text(d, "n1", "Réunion trimestrielle")
        layout.move_note(d, "n1", "coordination")
        layout.unvote(d, "n1", "p1")
        layout.set_vision(d, "Vivre ensemble")
        layout.add_chain_item(
            d, "u", "ultimate", "Culture", "p3", "Zoé", "etat", order=1, created_at=AT
        )
        layout.set_chain_item_text(d, "d", "Les élus savent")
        layout.move_chain_item(d, "i", order=3)
        layout.unlink(d, "l0")
        layout.link(d, "l1", "u", "vision")
        layout.set_section_text(d, "power", "Le bureau décide.")
        layout.approve_section(d, "power", "etat", "Paul", AT)
        layout.withdraw_approval(d, "talents", "etat")
        method_layout.set_score(d, "urgency", 2)
        method_layout.set_criterion_text(d, "urgency", "evidence", "Les inondations")
        method_layout.set_role_party(d, "trust", "collectivite")
        method_layout.set_role_text(d, "trust", "who", "Comité")
        method_layout.set_role_score(d, "trust", 3)

    def second_round(d: Doc[Any]) -> None:
        layout.recolor_note(d, "n2", "blue")
        layout.place_note(d, "n2", 50, 60)
        layout.vote(d, "n2", "p1")
        layout.remove_note(d, "n1")
        layout.remove_chain_item(d, "u")
        layout.move_chain_item(d, "d", tier="intermediate")
        method_layout.set_role_party(d, "trust", "collectivite", carries=False)

    kinds = {c.kind for c in changes(first_round, doc=doc) + changes(second_round, doc=doc)}
    upgrade = {"layout_upgraded"}  # written by the server only: tests/test_layout_upgrade.py
    rounds = {"round_revealed", "round_answer_revealed", "round_agreed"}  # test_boards_rounds.py
    assert kinds | upgrade | rounds == set(get_args(ChangeKind))


@pytest.mark.parametrize("seed", range(0, 200, 2))
def test_any_two_documents_can_be_compared(seed: int) -> None:
    before, after = project(random_document(seed)), project(random_document(seed + 1))
    for change in diff(before, after, MARIE) + diff(after, before):
        assert change.caption["fr"]
        assert change.caption["en"]
        json.dumps(change.to_json(), allow_nan=False)
