"""The `conditions` and `support` parts as JSON, in the programme's order.

Unlike the other parts these carry their labels (the brief of the projection asks for
them): a criterion or role and its score read the same in exports without the catalogue.
Once the site has begun the support structure (something said about any role), a role
nobody carries (no party ticked and nothing under « qui / quel lieu ») is listed in the
problems, as something the site has to settle.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TypedDict

from .labels import PARTIES, PARTY_BY_ID, Localized
from .method import CRITERIA, CRITERION_BY_ID, ROLE_BY_ID, ROLES, SCORE_BY_VALUE, Criterion, Role
from .problems import pointer, problem
from .reading import Fields, Path, ProblemReport

CONDITIONS = "conditions"
SUPPORT = "support"


class CriterionOut(TypedDict):
    id: str
    kind: str
    label: Localized
    score: int | None
    score_label: Localized | None
    evidence: str
    next: str
    scoredBy: str | None
    scoredAt: str | None


class RoleOut(TypedDict):
    id: str
    label: Localized
    parties: list[str]
    who: str
    score: int | None
    score_label: Localized | None
    notes: str


def project_conditions(fields: Fields, problems: ProblemReport) -> list[CriterionOut]:
    """The 3 preconditions then the 5 conditions, whatever the document holds."""
    _unknown(fields, CRITERION_BY_ID, CONDITIONS, "unknown_criterion", problems)
    found = []
    for criterion in CRITERIA:
        path = (CONDITIONS, criterion.id)
        read = partial(_criterion, criterion, fields.get(criterion.id), path, problems)
        found.append(problems.guard(path, read) or _empty_criterion(criterion))
    return found


def project_support(fields: Fields, problems: ProblemReport) -> list[RoleOut]:
    """The 7 roles in the programme's order; the uncarried ones are reported once the
    support structure is begun."""
    _unknown(fields, ROLE_BY_ID, SUPPORT, "unknown_role", problems)
    found = []
    for role in ROLES:
        path = (SUPPORT, role.id)
        read = partial(_role, role, fields.get(role.id), path, problems)
        found.append(problems.guard(path, read) or _empty_role(role))
    if any(_started(entry) for entry in found):
        for entry in found:
            if not entry["parties"] and not entry["who"].strip():
                where = pointer(SUPPORT, entry["id"])
                problems.report(
                    problem(where, "uncarried_role", role=ROLE_BY_ID[entry["id"]].label)
                )
    return found


def _started(role: RoleOut) -> bool:
    """Something was said about the role: a fresh board is work to do, not seven problems."""
    return bool(role["parties"] or role["who"].strip() or role["notes"].strip()) or (
        role["score"] is not None
    )


def _unknown(
    fields: Fields, known: Mapping[str, object], root: str, code: str, problems: ProblemReport
) -> None:
    for key in sorted(fields):
        if key not in known:
            problems.report(problem(pointer(root, key), code, value=key))


def _criterion(
    criterion: Criterion, value: object, path: Path, problems: ProblemReport
) -> CriterionOut:
    entry = _empty_criterion(criterion)
    fields = _entry(value, path, problems)
    if fields is None:
        return entry
    entry["score"] = score = _score(fields, path, problems)
    entry["score_label"] = _score_label(score)
    entry["evidence"] = problems.text(fields, path, "evidence") or ""
    entry["next"] = problems.text(fields, path, "next") or ""
    entry["scoredBy"] = problems.string(fields, path, "scoredBy", required=False)
    entry["scoredAt"] = problems.date(fields, path, "scoredAt") if "scoredAt" in fields else None
    return entry


def _role(role: Role, value: object, path: Path, problems: ProblemReport) -> RoleOut:
    entry = _empty_role(role)
    fields = _entry(value, path, problems)
    if fields is None:
        return entry
    parties = problems.child_map(fields, path, "parties") or {}
    for party in sorted(parties):
        if party not in PARTY_BY_ID:
            problems.report(problem(pointer(*path, "parties", party), "unknown_party", value=party))
    entry["parties"] = [p.id for p in PARTIES if parties.get(p.id) is True]
    entry["who"] = problems.text(fields, path, "who") or ""
    entry["score"] = score = _score(fields, path, problems)
    entry["score_label"] = _score_label(score)
    entry["notes"] = problems.text(fields, path, "notes") or ""
    return entry


def _entry(value: object, path: Path, problems: ProblemReport) -> Fields | None:
    if value is None:
        problems.report(problem(pointer(*path), "missing_entry"))
        return None
    return problems.fields(value, path)


def _score(fields: Fields, path: Path, problems: ProblemReport) -> int | None:
    """A step of the scale; absent means not scored yet."""
    if "score" not in fields:
        return None
    value = problems.number(fields, path, "score")
    if value is None:
        return None
    if value not in SCORE_BY_VALUE:
        problems.report(problem(pointer(*path, "score"), "invalid_score", value=str(value)))
        return None
    return int(value)


def _score_label(score: int | None) -> Localized | None:
    return None if score is None else _copy(SCORE_BY_VALUE[score].label)


def _copy(label: Localized) -> Localized:
    """A fresh dict: a projection is handed to callers who may change it."""
    return {"fr": label["fr"], "en": label["en"]}


def _empty_criterion(criterion: Criterion) -> CriterionOut:
    return {
        "id": criterion.id,
        "kind": criterion.kind,
        "label": _copy(criterion.label),
        "score": None,
        "score_label": None,
        "evidence": "",
        "next": "",
        "scoredBy": None,
        "scoredAt": None,
    }


def _empty_role(role: Role) -> RoleOut:
    return {
        "id": role.id,
        "label": _copy(role.label),
        "parties": [],
        "who": "",
        "score": None,
        "score_label": None,
        "notes": "",
    }
