"""Who a logged update is from, as the log recorded it when the update was accepted."""

from __future__ import annotations

from dataclasses import dataclass

from server.store.log import StoredEntry


@dataclass(frozen=True, slots=True)
class Author:
    """The invite, display name and party of an update (all None: the server itself)."""

    invite_id: str | None
    name: str | None
    party: str | None

    @classmethod
    def of(cls, entry: StoredEntry) -> Author:
        return cls(entry.invite_id, entry.author_name, entry.party)

    def to_json(self) -> dict[str, str | None] | None:
        if self.invite_id is None and self.name is None:
            return None
        return {"invite_id": self.invite_id, "name": self.name, "party": self.party}
