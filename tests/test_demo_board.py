"""The first-run demo board shows the product at work: a small workshop already under way."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.support.atelier_server import AtelierServer


def demo_content(server: AtelierServer) -> dict[str, Any]:
    match = re.search(r"Facilitator link \(keep it private\): \S+/join/(\S+)", server.log())
    assert match is not None, server.log()
    response = server.api("GET", "/api/boards/atelier-demo/content", token=match.group(1))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_demo_board_holds_a_small_workshop_that_projects_with_no_problem(
    start_atelier: Callable[..., AtelierServer],
) -> None:
    content = demo_content(start_atelier())
    assert content["problems"] == []
    levels = {note["level"] for note in content["notes"]}
    assert len(levels) >= 4, levels
    parties = {note["author"]["party"] for note in content["notes"]}
    assert parties == {"etat", "collectivite", "societe_civile"}
    assert all(note["author"]["name"] for note in content["notes"])
    chain = content["chain"]
    assert chain["vision"]
    tiers = [item["tier"] for item in chain["items"]]
    assert (tiers.count("ultimate"), tiers.count("intermediate"), tiers.count("direct")) == (
        1,
        2,
        3,
    )
    assert len(chain["links"]) >= 5
    assert any(link["to"] == "vision" for link in chain["links"])
    drafted = [s for s in content["agreement"]["sections"] if s["text"].strip()]
    assert [s["id"] for s in drafted] == ["principles"]
