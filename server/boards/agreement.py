"""The cooperation agreement: five co-written sections and each party's approval.

A section's status is derived, never stored. An approval records the SHA-256 of
the text the party approved; once the text changes the approval no longer counts.

Who must approve: "every party present on the board". Presence is judged against
the site's trinôme, not against who happened to write on this board: the
programme requires the three parties (État, Collectivité, Société civile) on every
site, and an `agreed` section is evidence for evaluators, so the silence of a
party that never opened the board must not read as consent. Facilitation may
record an approval (it is shown) but never counts: facilitators support the
agreement, they are not party to it.

Each approval names the invite that gave it (the server refuses an approval that does not
name the sender's own invite, and a party other than the invite's): an approval counts only
when it names an invite no other party's approval names, so one person can never make a
section agreed alone, whatever a document holds.

- `agreed`: each trinôme party approved the current text, from three distinct invites;
- `proposed`: at least one trinôme party approved some version of it (an edit
  after approval reopens an agreed section to `proposed`, not to `draft`);
- `draft`: otherwise.
"""

from __future__ import annotations

import hashlib
import re
from functools import partial
from typing import TypedDict

from .labels import PARTIES, PARTY_BY_ID, SECTION_BY_ID, SECTIONS, TRINOME
from .problems import pointer, problem
from .reading import Fields, Path, ProblemReport

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class ApprovalOut(TypedDict):
    party: str
    by: str | None
    invite: str | None
    at: str | None
    textHash: str | None
    current: bool


class SectionOut(TypedDict):
    id: str
    text: str
    textHash: str
    status: str
    approvals: list[ApprovalOut]
    pending: list[str]


class AgreementOut(TypedDict):
    sections: list[SectionOut]


def text_hash(text: str) -> str:
    """SHA-256 of the UTF-8 text, lowercase hex: what a party approves."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def counting_parties(approvals: list[ApprovalOut]) -> set[str]:
    """Trinôme parties whose approval counts: of the current text, naming an invite that no
    other party's approval names."""
    current = [a for a in approvals if a["current"] and a["party"] in TRINOME and a["invite"]]
    invites = [a["invite"] for a in current]
    return {a["party"] for a in current if invites.count(a["invite"]) == 1}


def section_status(approvals: list[ApprovalOut]) -> str:
    if counting_parties(approvals) >= set(TRINOME):
        return "agreed"
    if any(a["party"] in TRINOME for a in approvals):
        return "proposed"
    return "draft"


def empty_agreement() -> AgreementOut:
    return {"sections": []}


def project_agreement(fields: Fields, problems: ProblemReport) -> AgreementOut:
    """The five sections in the programme's order, whatever the document holds."""
    for key in sorted(fields):
        if key not in SECTION_BY_ID:
            problems.report(problem(pointer("agreement", key), "unknown_section", value=key))
    sections = []
    for section in SECTIONS:
        path = ("agreement", section.id)
        read = partial(_project_section, section.id, fields, path, problems)
        sections.append(problems.guard(path, read) or _section(section.id, "", []))
    return {"sections": sections}


def _project_section(
    section_id: str, agreement: Fields, path: Path, problems: ProblemReport
) -> SectionOut:
    if section_id not in agreement:
        label = SECTION_BY_ID[section_id].label
        problems.report(problem(pointer(*path), "missing_section", section=label))
        return _section(section_id, "", [])
    fields = problems.fields(agreement[section_id], path)
    if fields is None:
        return _section(section_id, "", [])
    text = problems.text(fields, path, "text")
    if text is None:
        problems.report(problem(pointer(*path, "text"), "missing_field", field="text"))
    approvals = problems.child_map(fields, path, "approvals")
    found = [] if approvals is None else _project_approvals(approvals, path, text or "", problems)
    return _section(section_id, text or "", found)


def _section(section_id: str, text: str, approvals: list[ApprovalOut]) -> SectionOut:
    counting = counting_parties(approvals)
    return {
        "id": section_id,
        "text": text,
        "textHash": text_hash(text),
        "status": section_status(approvals),
        "approvals": approvals,
        "pending": [party for party in TRINOME if party not in counting],
    }


def _project_approvals(
    entries: Fields, section_path: Path, text: str, problems: ProblemReport
) -> list[ApprovalOut]:
    for party in sorted(entries):
        if party not in PARTY_BY_ID:
            where = pointer(*section_path, "approvals", party)
            problems.report(problem(where, "unknown_party", value=party))
    approvals = []
    for party in (p.id for p in PARTIES if p.id in entries):
        path = (*section_path, "approvals", party)
        read = partial(_project_approval, party, entries[party], path, text_hash(text), problems)
        approval = problems.guard(path, read)
        if approval is not None:
            approvals.append(approval)
    return approvals


def _project_approval(
    party: str, value: object, path: Path, current_hash: str, problems: ProblemReport
) -> ApprovalOut | None:
    """An approval is {by, invite, at, textHash}: a plain object, or leniently a shared map."""
    fields = problems.fields(value, path, expected="object")
    if fields is None:
        return None
    approved_hash = _hash(fields, path, problems)
    return {
        "party": party,
        "by": problems.string(fields, path, "by"),
        "invite": problems.string(fields, path, "invite", required=False),
        "at": problems.date(fields, path, "at"),
        "textHash": approved_hash,
        "current": approved_hash == current_hash,
    }


def _hash(fields: Fields, path: Path, problems: ProblemReport) -> str | None:
    value = problems.string(fields, path, "textHash")
    if value is None or _SHA256_HEX.fullmatch(value):
        return value
    problems.report(problem(pointer(*path, "textHash"), "invalid_hash", value=value))
    return None
