"""Facts about Yjs v1 updates that the room needs before deciding to apply one.

Read-only connections still send harmless sync replies (an update holding nothing new); the
server must tell those apart from real writes without applying them.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, get_update

from server.boards.document import engine_guard
from server.sync.protocol import ByteReader, MalformedMessage

EMPTY_UPDATE = b"\x00\x00"
"""No items, no deletions: a replica's answer when it has nothing the server lacks (every
connection sends one as it syncs)."""


class InvalidUpdate(MalformedMessage):
    """The bytes are not a Yjs update the CRDT engine accepts."""


def _decode_delete_set(reader: ByteReader) -> dict[int, list[tuple[int, int]]]:
    clients = reader.var_uint()
    result: dict[int, list[tuple[int, int]]] = {}
    for _ in range(clients):
        client = reader.var_uint()
        ranges = reader.var_uint()
        if ranges > len(reader.data):
            raise MalformedMessage("delete set claims more ranges than it has bytes")
        result[client] = [(reader.var_uint(), reader.var_uint()) for _ in range(ranges)]
    return result


def _covered(ranges: list[tuple[int, int]], known: list[tuple[int, int]]) -> bool:
    """True when every [clock, clock+len) range lies inside the union of ``known``."""
    merged: list[tuple[int, int]] = []
    for start, length in sorted(known):
        end = start + length
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    for start, length in ranges:
        end = start + length
        if length and not any(lo <= start and end <= hi for lo, hi in merged):
            return False
    return True


def adds_anything(doc: Doc[Any], update: bytes) -> bool:
    """Whether applying ``update`` would change ``doc`` (new items or new deletions)."""
    with engine_guard("invalid update", InvalidUpdate):
        missing = get_update(update, doc.get_state())
    reader = ByteReader(missing)
    if reader.var_uint() != 0:
        return True
    theirs = _decode_delete_set(reader)
    known_reader = ByteReader(doc.get_update(doc.get_state()))
    known_reader.var_uint()
    known = _decode_delete_set(known_reader)
    return not all(_covered(ranges, known.get(client, [])) for client, ranges in theirs.items())
