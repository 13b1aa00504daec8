"""Roles, grants and invite tokens: what a bearer may do, decided on the server."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"
    OBSERVER = "observer"
    COORDINATOR = "coordinator"
    """The programme's national team: reads every site and board, changes none."""

    @property
    def can_edit(self) -> bool:
        return self is Role.FACILITATOR or self is Role.PARTICIPANT


@dataclass(frozen=True, slots=True)
class Grant:
    """What one verified token allows: a role on one board, on every board of a site, or (a
    coordinator's) reading every board, and the party its holder speaks for (None: no party,
    so no approvals)."""

    invite_id: str
    role: Role
    board_id: str | None
    site_id: str | None
    expires_at: float | None
    party: str | None = None

    def covers(self, board_id: str, board_site_id: str | None) -> bool:
        if self.role is Role.COORDINATOR:
            return True
        if self.board_id is not None:
            return self.board_id == board_id
        return self.site_id is not None and self.site_id == board_site_id

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


FACILITATION = "facilitation"
"""The party of every facilitator: shown beside their approvals, never counted as a party."""


def party_of(role: Role, party: str | None) -> str | None:
    """The party an invite speaks for: its own for participants, facilitation for facilitators,
    none for observers and coordinators."""
    if role is Role.FACILITATOR:
        return FACILITATION
    if role is Role.PARTICIPANT:
        return party
    return None


TOKEN_BYTES = 32


def mint_token() -> str:
    """A fresh bearer token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """Tokens are high-entropy, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
