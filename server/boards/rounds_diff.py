"""Private rounds in a diff: the reveal with its count, each answer as its author's, and the
agreed result ("Positions révélées : 3 réponses", "Position retenue : Coordination par …").

Kept apart from ``diff`` (which wraps these in its ``Change``) so each module stays short.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from .captions import Actor, caption, count_of, quoted, round_kind_name, round_result
from .labels import Localized, loc
from .problems import pointer
from .rounds_view import RoundOut

RoundKind = Literal["round_revealed", "round_answer_revealed", "round_agreed"]


@dataclass(frozen=True, slots=True)
class RoundChange:
    kind: RoundKind
    subject: str
    path: str
    after: object
    caption: Localized
    actor: Actor | None


def round_changes(
    before: list[RoundOut], after: list[RoundOut], actor: Actor | None
) -> Iterator[RoundChange]:
    """Rounds are only ever revealed and agreed, never removed. Answers of a round new to
    ``after`` are counted in its reveal, not listed one by one."""
    old = {entry["id"]: entry for entry in before}
    for entry in after:
        previous = old.get(entry["id"])
        if previous is None:
            yield _revealed(entry, actor)
        else:
            yield from _answers(entry, previous, actor)
        agreed = entry["agreed"]
        earlier = previous["agreed"] if previous else None
        if agreed and entry["kind"] != "notes" and agreed != earlier:
            who = actor or (Actor(agreed["by"]) if agreed["by"] else None)
            key = f"round_agreed_{entry['kind']}"
            text = caption(key, _agreed_result(entry, dict(agreed)), actor=who)
            path = pointer("rounds", entry["id"], "agreed")
            yield RoundChange("round_agreed", entry["id"], path, agreed, text, who)


def _agreed_result(entry: RoundOut, agreed: dict[str, object]) -> Localized:
    if entry["kind"] != "vote":
        return round_result(entry["kind"], agreed)
    texts = {str(r.get("note")): str(r.get("text") or "") for r in entry.get("results", [])}
    notes = agreed.get("notes")
    ids = [str(n) for n in notes] if isinstance(notes, list) else []
    listed = [quoted(loc(texts.get(n, n), texts.get(n, n))) for n in ids]
    return loc(", ".join(n["fr"] for n in listed), ", ".join(n["en"] for n in listed))


def ranking(results: list[dict[str, object]]) -> Localized:
    """ "1. « Comité » (5 voix), 2. « Fête » (1 voix)"."""
    fr, en = [], []
    for place, result in enumerate(results, 1):
        label = quoted(loc(str(result.get("text") or ""), str(result.get("text") or "")))
        votes = result.get("votes")
        count = int(votes) if isinstance(votes, int | float) else 0
        fr.append(f"{place}. {label['fr']} ({count} voix)")
        en.append(f"{place}. {label['en']} ({count} vote{'s' if count != 1 else ''})")
    return loc(", ".join(fr) or "aucune voix", ", ".join(en) or "no votes")


def _revealed(entry: RoundOut, actor: Actor | None) -> RoundChange:
    count = max(entry["answerCount"], len(entry["answers"]))
    names = (round_kind_name(entry["kind"]), count_of(count, "réponse", "answer"))
    text = caption("round_revealed", *names, actor=actor)
    if entry["kind"] == "vote":
        text = caption("round_revealed_vote", ranking(entry.get("results", [])), actor=actor)
    return RoundChange(
        "round_revealed", entry["id"], pointer("rounds", entry["id"]), count, text, actor
    )


def _answers(entry: RoundOut, previous: RoundOut, actor: Actor | None) -> Iterator[RoundChange]:
    known = {answer["key"] for answer in previous["answers"]}
    for answer in entry["answers"]:
        if answer["key"] in known:
            continue
        who = actor or Actor(answer["name"], answer["party"])
        text = caption(
            "round_answer_revealed", round_result(entry["kind"], answer["content"]), actor=who
        )
        path = pointer("rounds", entry["id"], "answers", answer["key"])
        yield RoundChange("round_answer_revealed", entry["id"], path, answer, text, who)
