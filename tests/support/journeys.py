"""Sites that have lived through sessions: position rounds answered by each party, revealed
and agreed, with their sessions' lengths set as if they had lasted hours."""

from __future__ import annotations

from contextlib import closing
from typing import Any

from tests.support.archive import database, end_session, start_session, valid
from tests.support.atelier_server import AtelierServer

PARTIES = ("etat", "collectivite", "societe_civile")


class Site:
    """A site with one workshop board, its facilitator and one participant per party."""

    def __init__(self, atelier: AtelierServer, title: str = "Pays de Bray") -> None:
        self.atelier = atelier
        self.id = atelier.api("POST", "/api/sites", json={"title": title}).json()["id"]
        body = {"title": "Atelier", "template": "workshop", "site": self.id}
        self.board = atelier.api("POST", "/api/boards", json=body).json()["id"]
        self.facilitator = atelier.invite(self.board, "facilitator")
        self.participants = {p: atelier.invite(self.board, "participant", p) for p in PARTIES}

    def positioning_session(
        self, title: str, answers: dict[str, str], agreed: str, hours: float | None = None
    ) -> dict[str, Any]:
        """A session in which each party answers a position round and the group agrees;
        ``hours`` rewrites its end in the database as if it had lasted that long (its
        evidence then no longer verifies: the hashed snapshots say otherwise)."""
        session = start_session(self.atelier, self.board, self.facilitator, title)
        api, rounds = self.atelier.api, f"/api/boards/{self.board}/rounds"
        opened = api("POST", rounds, self.facilitator, json={"kind": "position"})
        assert opened.status_code == 201, opened.text
        round_id = opened.json()["id"]
        for party, level in answers.items():
            answer = {"name": f"Personne {party}", "level": level}
            response = api(
                "PUT", f"/api/rounds/{round_id}/answers/mine", self.participants[party], json=answer
            )
            assert response.status_code == 200, response.text
        assert api("POST", f"/api/rounds/{round_id}/reveal", self.facilitator).status_code == 200
        agree = api(
            "POST", f"/api/rounds/{round_id}/agree", self.facilitator, json={"level": agreed}
        )
        assert agree.status_code == 200, agree.text
        ended = end_session(self.atelier, session["id"], self.facilitator)
        if hours is None:
            return ended
        with closing(database(self.atelier)) as conn, conn:
            conn.execute(
                "UPDATE sessions SET ended_at = started_at + ? WHERE id = ?",
                (hours * 3600, session["id"]),
            )
        return ended

    def trajectory(self, token: str | None = None) -> dict[str, Any]:
        response = self.atelier.api("GET", f"/api/sites/{self.id}/trajectory", token)
        return valid("api/trajectory.schema.json", response)
