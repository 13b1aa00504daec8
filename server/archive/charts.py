"""Diagrams drawn by the server as SVG, so a PDF carries them without a browser: a site's
trajectory on the continuum across sessions, and its change chain on one page.

Every text is escaped; each diagram has a title and a description (``role="img"``), and the
reports print the same figures as tables beside them for screen readers.
"""

from __future__ import annotations

from html import escape
from typing import Any

from server.boards.labels import LEVELS, TIERS, TRINOME, Localized, pick

PARTY_MARKS: dict[str, tuple[str, str]] = {
    "etat": ("#000091", "square"),
    "collectivite": ("#18753c", "diamond"),
    "societe_civile": ("#b34000", "triangle"),
}
"""Colour and shape per party: told apart without colour too."""
AGREED_COLOUR = "#161616"
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 680, 280, 130, 60, 20, 40


def _text(x: float, y: float, words: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(words)}</text>'


def _mark(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
    else:
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
    return f'<polygon points="{points}" fill="{colour}"/>'


def trajectory_svg(sessions: list[dict[str, Any]], words: dict[str, str], lang: str) -> str:
    """The continuum level per session: the agreed one as a line, each party's revealed
    positions as marks beside it. ``words``: title, desc and the parties' names."""
    rank = {level.id: index for index, level in enumerate(LEVELS)}
    count = max(len(sessions), 1)

    def x(index: int) -> float:
        span = WIDTH - LEFT - RIGHT
        return LEFT + (span / 2 if count == 1 else index * span / (count - 1))

    def y(level: str) -> float:
        return TOP + (1 - rank[level] / (len(LEVELS) - 1)) * (HEIGHT - TOP - BOTTOM)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="traj-title traj-desc">',
        f'<title id="traj-title">{escape(words["title"])}</title>',
        f'<desc id="traj-desc">{escape(words["desc"])}</desc>',
    ]
    for level in LEVELS:
        yy = y(level.id)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e5e5e5"/>'
        )
        parts.append(
            _text(LEFT - 8, yy + 4, pick(level.label, lang), text_anchor="end", font_size="10")
        )
    for index in range(len(sessions)):
        parts.append(
            _text(x(index), HEIGHT - 18, str(index + 1), text_anchor="middle", font_size="10")
        )
    agreed = [
        (x(i), y(s["position"]["agreed"]))
        for i, s in enumerate(sessions)
        if s["position"]["agreed"]
    ]
    if agreed:
        points = " ".join(f"{px:.1f},{py:.1f}" for px, py in agreed)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{AGREED_COLOUR}" stroke-width="2.5"/>'
        )
        parts += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{AGREED_COLOUR}"/>'
            for px, py in agreed
        ]
    for index, session in enumerate(sessions):
        for offset, party in enumerate(TRINOME):
            colour, shape = PARTY_MARKS[party]
            for level in session["position"]["parties"].get(party, []):
                parts.append(_mark(shape, x(index) + 10 + offset * 10, y(level), colour))
    parts.append(_legend(words))
    parts.append("</svg>")
    return "".join(parts)


def _legend(words: dict[str, str]) -> str:
    items = [f'<circle cx="{LEFT + 5}" cy="{HEIGHT - 5}" r="5" fill="{AGREED_COLOUR}"/>']
    items.append(_text(LEFT + 14, HEIGHT - 1, words["agreed"], font_size="10"))
    left = LEFT + 120
    for party in TRINOME:
        colour, shape = PARTY_MARKS[party]
        items.append(_mark(shape, left + 5, HEIGHT - 5, colour))
        items.append(_text(left + 14, HEIGHT - 1, words[party], font_size="10"))
        left += 140
    return "".join(items)


CARD_W, CARD_H, GAP_X, GAP_Y, CHARS = 150, 54, 40, 10, 24


def chain_svg(
    chain: dict[str, Any], words: dict[str, str], tier_labels: dict[str, Localized], lang: str
) -> str:
    """The change chain on one page: a column per tier (direct changes on the left, the vision
    on the right), a card per item, and its links (a backward one dashed red)."""
    columns = [tier for tier in reversed(TIERS)]
    by_tier: dict[str, list[dict[str, Any]]] = {tier.id: [] for tier in columns}
    for item in chain["items"]:
        by_tier.setdefault(str(item["tier"]), []).append(item)
    by_tier["vision"] = [{"id": "vision", "text": chain["vision"]}]
    rows = max(len(items) for items in by_tier.values())
    width = len(columns) * (CARD_W + GAP_X) + GAP_X
    height = 40 + rows * (CARD_H + GAP_Y) + GAP_Y
    place: dict[str, tuple[float, float, int]] = {}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="chain-title chain-desc">',
        f'<title id="chain-title">{escape(words["chain_title"])}</title>',
        f'<desc id="chain-desc">{escape(words["chain_desc"])}</desc>',
    ]
    for column, tier in enumerate(columns):
        cx = GAP_X + column * (CARD_W + GAP_X)
        parts.append(
            _text(cx, 24, pick(tier_labels[tier.id], lang), font_size="11", font_weight="bold")
        )
        for row, item in enumerate(by_tier[tier.id]):
            cy = 40 + row * (CARD_H + GAP_Y)
            place[str(item["id"])] = (cx, cy, column)
            parts.append(_card(cx, cy, str(item["text"]) or "…"))
    for link in chain["links"]:
        parts.append(_arrow(place.get(link["from"]), place.get(link["to"])))
    parts.append("</svg>")
    return "".join(parts)


def _card(x: float, y: float, text: str) -> str:
    lines = _wrap(text, CHARS, 3)
    body = "".join(
        _text(x + 6, y + 15 + 13 * i, line, font_size="10") for i, line in enumerate(lines)
    )
    frame = f'x="{x}" y="{y}" width="{CARD_W}" height="{CARD_H}" rx="4"'
    return f'<rect {frame} fill="#f6f6f6" stroke="#929292"/>{body}'


def _arrow(start: tuple[float, float, int] | None, end: tuple[float, float, int] | None) -> str:
    if start is None or end is None:
        return ""
    backward = end[2] <= start[2]
    x1, y1 = start[0] + (0 if backward else CARD_W), start[1] + CARD_H / 2
    x2, y2 = end[0] + (CARD_W if backward else 0), end[1] + CARD_H / 2
    colour = "#ce0500" if backward else "#000091"
    dashes = ' stroke-dasharray="5 3"' if backward else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"'
        f'{dashes} stroke-width="1.5"/><circle cx="{x2:.1f}" cy="{y2:.1f}" r="3" fill="{colour}"/>'
    )


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """At most ``lines`` lines of ``width`` characters, the last one ending with … if cut."""
    out: list[str] = []
    current = ""
    for word in text.split():
        if len(current) + len(word) + 1 > width and current:
            out.append(current)
            current = ""
        current = f"{current} {word}".strip()[: width * 2]
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return [line[:width] for line in out]
