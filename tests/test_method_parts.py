"""The `conditions` and `support` parts: layout, validation, projection, problems, zone
locks (enforced against the official Yjs client), captions and diffs, and the catalogue."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pycrdt import Doc, Map, Text

from server.boards import layout, method_layout
from server.boards.diff import Actor, diff
from server.boards.method import CRITERIA, ROLES, SCORES
from server.boards.projection import project
from server.boards.vocabulary import templates_catalog
from tests.support.archive import end_session, start_session
from tests.support.atelier_server import AtelierServer
from tests.support.yjs_driver import YjsDriver

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
VALIDATOR = Draft202012Validator(json.loads((SCHEMAS / "board.schema.json").read_text()))
AT = "2026-03-02T09:30:00.000Z"
WAIT_SECONDS = 10.0


def seeded(template: str = "workshop") -> Doc[Any]:
    doc: Doc[Any] = Doc()
    layout.seed_board(doc, template, "Soissons")
    return doc


def valid(projection: Any) -> Any:
    assert [e.message for e in VALIDATOR.iter_errors(projection)] == []
    return projection


def codes(doc: Doc[Any]) -> list[tuple[str, str]]:
    return [(p["path"], p["code"]) for p in valid(project(doc))["problems"]]


# -- layout and projection -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "keys"),
    [("workshop", {"conditions", "support"}), ("conditions", {"conditions"}),
     ("support", {"support"}), ("chain", set())],
)  # fmt: skip
def test_a_template_projects_the_method_parts_it_has(template: str, keys: set[str]) -> None:
    projection = valid(project(seeded(template)))
    assert {"conditions", "support"} & projection.keys() == keys
    assert keys <= set(projection["meta"]["parts"])
    assert projection["problems"] == []


def test_the_conditions_part_lists_the_eight_criteria_with_the_seeds_labels() -> None:
    conditions = valid(project(seeded("conditions")))["conditions"]
    assert [c["id"] for c in conditions] == [c.id for c in CRITERIA]
    assert [c["kind"] for c in conditions] == ["precondition"] * 3 + ["condition"] * 5
    assert conditions[0]["label"] == {"fr": "Sentiment d'urgence", "en": "Sense of urgency"}
    assert conditions[3]["label"]["fr"] == "Engagement inclusif"
    assert {c["score"] for c in conditions} == {None}


def test_the_support_part_lists_the_seven_roles_with_the_seeds_labels() -> None:
    support = valid(project(seeded("support")))["support"]
    assert [r["label"]["fr"] for r in support][:2] == [
        "Guider la vision et la stratégie d'ensemble",
        "Cultiver la confiance",
    ]
    assert len(support) == len(ROLES) == 7


def test_the_server_seeds_shared_texts_for_every_criterion_and_role() -> None:
    doc = seeded()
    urgency = layout.root(doc, "conditions")["urgency"]
    trust = layout.root(doc, "support")["trust"]
    assert {type(urgency["evidence"]), type(urgency["next"]), type(trust["who"])} == {Text}
    assert isinstance(trust["parties"], Map)


def test_a_scored_criterion_projects_its_level_its_words_and_who_scored_it() -> None:
    doc = seeded()
    method_layout.set_score(doc, "inclusive_engagement", 3, by="Marie", at=AT)
    method_layout.set_criterion_text(doc, "inclusive_engagement", "evidence", "12 structures")
    method_layout.set_criterion_text(doc, "inclusive_engagement", "next", "Inviter les jeunes")
    entry = valid(project(doc))["conditions"][3]
    assert entry == {
        "id": "inclusive_engagement",
        "kind": "condition",
        "label": {"fr": "Engagement inclusif", "en": "Inclusive engagement"},
        "score": 3,
        "score_label": {"fr": "en développement", "en": "developing"},
        "evidence": "12 structures",
        "next": "Inviter les jeunes",
        "scoredBy": "Marie",
        "scoredAt": AT,
    }


def test_a_role_projects_its_parties_in_the_programmes_order() -> None:
    doc = seeded()
    method_layout.set_role_party(doc, "trust", "societe_civile")
    method_layout.set_role_party(doc, "trust", "etat")
    method_layout.set_role_text(doc, "trust", "who", "Le comité de pilotage")
    method_layout.set_role_score(doc, "trust", 2)
    role = valid(project(doc))["support"][1]
    assert role["parties"] == ["etat", "societe_civile"]
    assert (role["who"], role["score"], role["score_label"]["fr"]) == (
        "Le comité de pilotage",
        2,
        "émergente",
    )


@pytest.mark.parametrize("score", [0, 5, 2.5, True, "3", float("nan")])
def test_a_score_off_the_scale_is_refused(score: Any) -> None:
    with pytest.raises(ValueError, match="score"):
        method_layout.set_score(seeded(), "urgency", score)


def test_unknown_criteria_roles_and_parties_are_refused() -> None:
    doc = seeded()
    with pytest.raises(ValueError, match="criterion"):
        method_layout.set_score(doc, "luck", 2)
    with pytest.raises(ValueError, match="role"):
        method_layout.set_role_party(doc, "mascot", "etat")
    with pytest.raises(ValueError, match="party"):
        method_layout.set_role_party(doc, "trust", "everyone")


def test_writing_into_a_board_without_the_part_creates_nothing() -> None:
    doc = seeded("chain")
    with pytest.raises(ValueError, match="seed or upgrade"):
        method_layout.set_score(doc, "urgency", 2)
    assert "conditions" not in valid(project(doc))


def test_a_score_written_off_the_scale_by_a_client_is_a_problem() -> None:
    doc = seeded()
    layout.root(doc, "conditions")["urgency"]["score"] = 7.0
    assert codes(doc) == [("/conditions/urgency/score", "invalid_score")]
    assert project(doc)["conditions"][0]["score"] is None


def test_once_the_support_structure_is_begun_uncarried_roles_are_problems() -> None:
    doc = seeded()
    method_layout.set_role_party(doc, "trust", "collectivite")
    method_layout.set_role_text(doc, "policy", "who", "Conseil municipal")
    found = [p for p in valid(project(doc))["problems"] if p["code"] == "uncarried_role"]
    assert [p["path"] for p in found] == sorted(
        f"/support/{r.id}" for r in ROLES if r.id not in ("trust", "policy")
    )
    found = [p for p in found if p["path"] == "/support/vision_strategy"]
    assert found[0]["message"]["fr"].startswith("Le rôle «\u00a0Guider la vision")
    assert found[0]["message"]["en"].startswith("Nobody carries the role “Guide vision")


def test_a_role_carried_only_by_a_place_is_carried() -> None:
    doc = seeded("support")
    for role in ROLES:
        method_layout.set_role_text(doc, role.id, "who", "Le forum des habitants")
    assert codes(doc) == []


# -- captions and diffs ----------------------------------------------------------------------


def changed(doc: Doc[Any], edit: Any, actor: Actor | None = None) -> list[Any]:
    before = project(doc)
    edit(doc)
    return diff(before, project(doc), actor)


def test_a_score_change_is_captioned_in_the_methods_words() -> None:
    doc = seeded()
    method_layout.set_score(doc, "inclusive_engagement", 2)
    found = changed(
        doc,
        lambda d: method_layout.set_score(d, "inclusive_engagement", 3),
        Actor("Marie", "collectivite"),
    )
    assert [(c.kind, c.path, c.before, c.after) for c in found] == [
        ("criterion_scored", "/conditions/inclusive_engagement/score", 2, 3)
    ]
    assert found[0].caption["fr"] == (
        "Score de «\u00a0Engagement inclusif\u00a0» passé de émergente à en développement "
        "par Marie (Collectivité)"
    )
    assert found[0].caption["en"] == (
        "Score of “Inclusive engagement” changed from emerging to developing by Marie "
        "(Local authority)"
    )


def test_a_first_score_names_who_recorded_it() -> None:
    found = changed(seeded(), lambda d: method_layout.set_score(d, "urgency", 1, by="Karim"))
    assert (
        found[0].caption["fr"]
        == "Score de «\u00a0Sentiment d'urgence\u00a0» fixé à absente par Karim"
    )


def test_a_party_taking_a_role_is_captioned() -> None:
    found = changed(seeded(), lambda d: method_layout.set_role_party(d, "trust", "collectivite"))
    assert [(c.kind, c.after) for c in found] == [("role_carried", "collectivite")]
    assert (
        found[0].caption["fr"] == "Rôle «\u00a0Cultiver la confiance\u00a0» porté par Collectivité"
    )
    assert found[0].caption["en"] == "Role “Cultivate trust” carried by Local authority"


def test_a_party_leaving_a_role_is_captioned_with_who_unticked_it() -> None:
    doc = seeded()
    method_layout.set_role_party(doc, "trust", "etat")
    found = changed(
        doc,
        lambda d: method_layout.set_role_party(d, "trust", "etat", carries=False),
        Actor("Paul", "etat"),
    )
    assert found[0].kind == "role_dropped"
    assert found[0].caption["fr"] == (
        "Rôle «\u00a0Cultiver la confiance\u00a0» n'est plus porté par État, "
        "décoché par Paul (État)"
    )


@pytest.mark.parametrize(
    ("edit", "kind", "path", "start"),
    [
        (lambda d: method_layout.set_criterion_text(d, "urgency", "evidence", "Crue"),
         "criterion_edited", "/conditions/urgency/evidence", "«\u00a0Ce qui le montre\u00a0» de"),
        (lambda d: method_layout.set_criterion_text(d, "urgency", "next", "Crue"),
         "criterion_edited", "/conditions/urgency/next", "«\u00a0Prochaines étapes\u00a0» de"),
        (lambda d: method_layout.set_role_text(d, "trust", "who", "Crue"),
         "role_edited", "/support/trust/who", "«\u00a0Qui / quel lieu\u00a0» du rôle"),
        (lambda d: method_layout.set_role_text(d, "trust", "notes", "Crue"),
         "role_edited", "/support/trust/notes", "Notes du rôle"),
    ],
)  # fmt: skip
def test_text_edits_are_captioned_with_their_field(
    edit: Any, kind: str, path: str, start: str
) -> None:
    found = changed(seeded(), edit)
    assert [(c.kind, c.path, c.after) for c in found] == [(kind, path, "Crue")]
    assert found[0].caption["fr"].startswith(start)
    assert found[0].caption["fr"].endswith("«\u00a0Crue\u00a0»")


def test_a_board_gaining_nothing_in_the_parts_has_no_method_changes() -> None:
    doc = seeded()
    assert changed(doc, lambda d: layout.set_vision(d, "Vivre ensemble"))[0].kind == "vision_edited"
    assert len(changed(doc, lambda d: None)) == 0


# -- the catalogue ---------------------------------------------------------------------------


def test_the_catalogue_serves_the_method_under_its_own_key() -> None:
    method = templates_catalog()["method"]
    assert [c["id"] for c in method["criteria"]] == [c.id for c in CRITERIA]
    assert all(c["question"]["fr"] and c["question"]["en"] for c in method["criteria"])
    assert method["criteria"][0]["description"]["fr"] == "Un sentiment qui pousse à agir."
    assert [s["label"]["fr"] for s in method["scores"]] == [s.label["fr"] for s in SCORES]
    assert [r["id"] for r in method["roles"]] == [r.id for r in ROLES]
    assert method["fields"]["evidence"]["fr"] == "Ce qui le montre"
    assert method["fields"]["who"]["fr"] == "Qui / quel lieu"


def test_the_workshop_template_has_the_five_parts() -> None:
    templates = {t["id"]: t["parts"] for t in templates_catalog()["templates"]}
    assert templates["workshop"] == ["continuum", "chain", "agreement", "conditions", "support"]
    assert (templates["conditions"], templates["support"]) == (["conditions"], ["support"])


# -- on a live server ------------------------------------------------------------------------


@pytest.fixture
async def js() -> AsyncIterator[YjsDriver]:
    async with YjsDriver.start() as driver:
        yield driver


async def notices(js: YjsDriver, client: str) -> list[dict[str, Any]]:
    async def heard() -> list[dict[str, Any]]:
        while True:
            seen: list[dict[str, Any]] = (await js.raw_messages(client))["connection"]["notices"]
            if any(n.get("kind") == "write_refused" for n in seen):
                return seen
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(heard(), WAIT_SECONDS)


async def connect(js: YjsDriver, atelier: AtelierServer, board: str, client: str) -> None:
    token = await asyncio.to_thread(atelier.invite, board, "participant", "etat")
    params = {"token": token, "name": "Marie", "acks": "1"}
    await js.connect(client, url=atelier.ws_url, room=board, params=params)
    await js.wait_synced(client)


def test_boards_are_created_from_the_new_templates(atelier: AtelierServer) -> None:
    for template in ("conditions", "support"):
        board = atelier.create_board(template=template)
        content = atelier.api("GET", f"/api/boards/{board}/content").json()
        assert valid(content)["meta"]["parts"] == [template]


async def test_a_locked_conditions_zone_refuses_an_official_clients_score(
    js: YjsDriver, atelier: AtelierServer
) -> None:
    board = atelier.create_board()
    await connect(js, atelier, board, "a")
    locked = atelier.api("POST", f"/api/boards/{board}/lock", json={"zone": "conditions"})
    assert locked.status_code == 200, locked.text
    assert locked.json()["zone_locks"] == ["conditions"]
    await js.call("deep_set", client="a", path=["conditions", "urgency"], entries={"score": 4})
    refused = [n for n in await notices(js, "a") if n["kind"] == "write_refused"]
    assert refused[0]["message"] == "locked by the facilitator: conditions"
    content = atelier.api("GET", f"/api/boards/{board}/content").json()
    assert content["conditions"][0]["score"] is None


async def test_an_unlocked_support_zone_takes_an_official_clients_party(
    js: YjsDriver, atelier: AtelierServer
) -> None:
    board = atelier.create_board()
    atelier.api("POST", f"/api/boards/{board}/lock", json={"zone": "conditions"})
    await connect(js, atelier, board, "b")
    await js.call(
        "deep_set", client="b", path=["support", "trust", "parties"], entries={"etat": True}
    )
    await js.wait_acked("b", 1)
    content = atelier.api("GET", f"/api/boards/{board}/content").json()
    assert content["support"][1]["parties"] == ["etat"]


async def test_a_client_may_not_add_a_criterion(js: YjsDriver, atelier: AtelierServer) -> None:
    board = atelier.create_board()
    await connect(js, atelier, board, "c")
    await js.call("deep_set", client="c", path=["conditions"], entries={"luck": {"$map": {}}})
    refused = [n for n in await notices(js, "c") if n["kind"] == "write_refused"]
    assert "created by the server only" in refused[0]["message"]


async def test_the_session_report_lists_scores_and_roles(
    js: YjsDriver, atelier: AtelierServer
) -> None:
    board = atelier.create_board()
    await connect(js, atelier, board, "d")
    writes = [
        (["conditions", "inclusive_engagement"], {"score": 3, "scoredBy": "Marie"}),
        (["support", "trust", "parties"], {"collectivite": True}),
    ]
    for path, entries in writes:
        await js.call("deep_set", client="d", path=path, entries=entries)
    await js.call(
        "deep_text_insert", client="d", path=["conditions", "inclusive_engagement"],
        key="evidence", index=0, content="Douze structures",
    )  # fmt: skip
    await js.wait_acked("d", 3)
    token = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, token, "Atelier 4")
    end_session(atelier, session["id"], token)
    report = atelier.api("GET", f"/api/sessions/{session['id']}/export?format=html", token).text
    assert "<h2>Préconditions et conditions</h2>" in report
    assert "Engagement inclusif" in report
    assert "3/4 — en développement (Marie)" in report
    assert "Douze structures" in report
    assert "<h2>Structure de soutien</h2>" in report
    assert "Cultiver la confiance" in report
    assert "<strong>Parties qui le portent</strong>\u00a0: Collectivité</div>" in report
