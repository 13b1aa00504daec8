"""The change chain: a vision, changes on three tiers, and "leads to" links.

Links must climb the chain of effects, direct → intermediate → ultimate → vision.
A link that goes backwards, stays within a tier, points at nothing or closes a
loop is kept in the projection (people must see it to fix it) and reported.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from functools import partial
from typing import TypedDict

from .labels import TIER_BY_ID, TIER_RANK, Localized, loc, quote
from .problems import Problem, pointer, problem
from .reading import AuthorOut, Fields, Path, ProblemReport, sorted_entries

VISION = "vision"
"""Link endpoint that stands for the chain's vision (items may not use this id)."""

ROOT: Path = ("chain",)


class ItemOut(TypedDict):
    id: str
    tier: str | None
    text: str
    author: AuthorOut
    createdAt: str | None
    order: int | float | None


LinkOut = TypedDict("LinkOut", {"id": str, "from": str, "to": str})


class ChainOut(TypedDict):
    vision: str
    items: list[ItemOut]
    links: list[LinkOut]


def empty_chain() -> ChainOut:
    return {"vision": "", "items": [], "links": []}


def project_chain(fields: Fields, problems: ProblemReport) -> ChainOut:
    vision = problems.text(fields, ROOT, "vision")
    if vision is None:
        problems.report(problem(pointer(*ROOT, "vision"), "missing_field", field="vision"))
    items_root = problems.child_map(fields, ROOT, "items")
    links_root = problems.child_map(fields, ROOT, "links")
    items = _project_items(items_root, problems) if items_root is not None else []
    links = _project_links(links_root, problems) if links_root is not None else []
    for found in link_problems(items, links):
        problems.report(found)
    return {"vision": vision or "", "items": items, "links": links}


def _project_items(root: Fields, problems: ProblemReport) -> list[ItemOut]:
    items: list[ItemOut] = []
    for item_id, value in sorted_entries(root):
        path = (*ROOT, "items", item_id)
        item = problems.guard(path, partial(_project_item, item_id, value, path, problems))
        if item is not None:
            items.append(item)
    return sorted(items, key=_reading_order)


def _reading_order(item: ItemOut) -> tuple[int, bool, int | float, str]:
    """Bottom of the chain first, then each tier's own order, then id to settle ties."""
    rank = TIER_RANK.get(item["tier"] or "", len(TIER_RANK))
    order = item["order"]
    return (rank, order is None, order or 0, item["id"])


def _project_item(
    item_id: str, value: object, path: Path, problems: ProblemReport
) -> ItemOut | None:
    fields = problems.fields(value, path)
    if fields is None:
        return None
    if item_id == VISION:
        problems.report(problem(pointer(*path), "reserved_id", value=item_id))
    text = problems.text(fields, path, "text") or ""
    if not text.strip():
        problems.report(problem(pointer(*path, "text"), "item_without_text"))
    return {
        "id": item_id,
        "tier": _item_tier(fields, path, problems),
        "text": text,
        "author": problems.author(fields, path, name_required=False),
        "createdAt": problems.date(fields, path, "createdAt"),
        "order": problems.number(fields, path, "order"),
    }


def _item_tier(fields: Fields, path: Path, problems: ProblemReport) -> str | None:
    """Items live on the three change tiers; the vision is not an item."""
    tier = problems.choice(fields, path, "tier", TIER_BY_ID, "unknown_tier")
    if tier == VISION:
        problems.report(problem(pointer(*path, "tier"), "unknown_tier", value=tier))
        return None
    return tier


def _project_links(root: Fields, problems: ProblemReport) -> list[LinkOut]:
    links: list[LinkOut] = []
    for link_id, value in sorted_entries(root):
        path = (*ROOT, "links", link_id)
        link = problems.guard(path, partial(_project_link, link_id, value, path, problems))
        if link is not None:
            links.append(link)
    return links


def _project_link(
    link_id: str, value: object, path: Path, problems: ProblemReport
) -> LinkOut | None:
    """A link is {from, to}: a plain object as the layout says, or a shared map."""
    fields = problems.fields(value, path, expected="object")
    if fields is None:
        return None
    source = problems.string(fields, path, "from")
    target = problems.string(fields, path, "to")
    if source is None or target is None:
        return None
    return {"id": link_id, "from": source, "to": target}


def link_problems(items: list[ItemOut], links: list[LinkOut]) -> list[Problem]:
    """Every rule a link can break: missing ends, wrong direction, loops."""
    tiers: dict[str, str | None] = {item["id"]: item["tier"] for item in items}
    tiers[VISION] = VISION
    names = _names(items)
    found: list[Problem] = []
    for link in links:
        found.extend(_link_problems(link, tiers, names))
    found.extend(_cycle_problems(links, tiers, names))
    return found


def _names(items: Iterable[ItemOut]) -> dict[str, Localized]:
    names = {item["id"]: quote(item["text"]) for item in items}
    names[VISION] = loc("Vision", "Vision")
    return names


def _link_problems(
    link: LinkOut, tiers: dict[str, str | None], names: dict[str, Localized]
) -> list[Problem]:
    path = ("chain", "links", link["id"])
    source, target = link["from"], link["to"]
    dangling = [
        problem(pointer(*path, end), "link_dangling", value=item_id)
        for end, item_id in (("from", source), ("to", target))
        if item_id not in tiers
    ]
    if dangling:
        return dangling
    source_tier, target_tier = tiers[source], tiers[target]
    if source_tier is None or target_tier is None:
        return []  # an item without a known tier is reported on its own
    step = TIER_RANK[target_tier] - TIER_RANK[source_tier]
    ends = {"source": names[source], "target": names[target]}
    if step == 0:
        return [problem(pointer(*path), "link_same_tier", tier=_tier_label(source_tier), **ends)]
    if step < 0:
        return [
            problem(
                pointer(*path),
                "link_backwards",
                from_tier=_tier_label(source_tier),
                to_tier=_tier_label(target_tier),
                **ends,
            )
        ]
    return []


def _tier_label(tier: str) -> Localized:
    return TIER_BY_ID[tier].item_label


def _cycle_problems(
    links: list[LinkOut], tiers: dict[str, str | None], names: dict[str, Localized]
) -> list[Problem]:
    """One problem per loop, however many links it has: a loop found from each of its links
    is the same loop, rotated. It is reported on the link that closes it (the first that
    does not climb the chain, which is already reported for that), read from that link's
    target round to it."""
    joined = [link for link in links if link["from"] in tiers and link["to"] in tiers]
    graph: dict[str, list[str]] = {}
    for link in joined:
        graph.setdefault(link["from"], []).append(link["to"])
    for targets in graph.values():
        targets.sort()
    seen: set[tuple[str, ...]] = set()
    found: list[Problem] = []
    for link in joined:
        loop = _path_between(graph, link["to"], link["from"])
        if loop is None:
            continue
        nodes = _rotated([link["from"], *loop[:-1]])
        if nodes in seen:
            continue
        seen.add(nodes)
        closing = _closing_link(nodes, joined, tiers)
        at = nodes.index(closing["to"])
        cycle = [*nodes[at:], *nodes[:at], closing["to"]]
        found.append(
            problem(
                pointer("chain", "links", closing["id"]),
                "link_cycle",
                cycle=_arrow_list([names[node] for node in cycle]),
            )
        )
    return found


def _rotated(nodes: list[str]) -> tuple[str, ...]:
    """A loop's nodes from its smallest id: the same loop found from any link is equal."""
    start = nodes.index(min(nodes))
    return tuple(nodes[start:] + nodes[:start])


def _closing_link(
    nodes: tuple[str, ...], links: list[LinkOut], tiers: dict[str, str | None]
) -> LinkOut:
    """The loop's first link (by id) that goes backwards or stays in its tier; every loop has
    one unless an item's tier is unknown, and then its first link by id."""
    steps = {(a, b) for a, b in zip(nodes, nodes[1:] + nodes[:1], strict=True)}
    members = sorted(
        (link for link in links if (link["from"], link["to"]) in steps), key=lambda x: x["id"]
    )
    for link in members:
        source, target = tiers[link["from"]], tiers[link["to"]]
        if source is not None and target is not None and TIER_RANK[target] <= TIER_RANK[source]:
            return link
    return members[0]


def _path_between(graph: dict[str, list[str]], start: str, goal: str) -> list[str] | None:
    """Shortest path from start to goal (both included), breadth first, in id order."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return _walk_back(previous, goal)
        for nxt in graph.get(node, []):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return None


def _walk_back(previous: dict[str, str | None], goal: str) -> list[str]:
    path = [goal]
    step = previous[goal]
    while step is not None:
        path.append(step)
        step = previous[step]
    return path[::-1]


def _arrow_list(names: list[Localized]) -> Localized:
    return loc(" → ".join(n["fr"] for n in names), " → ".join(n["en"] for n in names))
