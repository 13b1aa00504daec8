"""A bounded reader of the Yjs update format (v1): the text runs a document state holds, with
the client that wrote each, and its delete set.

pycrdt applies and merges updates but does not tell which client wrote which characters; the
balance of voice needs exactly that, so this reads the structs of a full state itself
(lib0 varints, the item info byte, each content kind). Only what the count needs is kept:
string contents with their client and clock. Anything that does not follow the format
raises ``MalformedUpdate``; nesting and counts are bounded by the bytes left.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ANY_DEPTH = 64
MAX_VARUINT_BYTES = 10

GC, DELETED, JSON, BINARY, STRING, EMBED, FORMAT, TYPE, ANY, DOC, SKIP = range(11)
HAS_ORIGIN, HAS_RIGHT_ORIGIN, HAS_PARENT_SUB = 0x80, 0x40, 0x20
NAMED_TYPES = {3, 5}
"""Type refs followed by a name: XmlElement (its tag) and XmlHook."""
PLAIN_TYPES = {0, 1, 2, 4, 6}
"""Array, Map, Text, XmlFragment, XmlText."""
FIXED_ANY = {124: 4, 123: 8, 122: 8}
"""lib0 ``any`` tags followed by a fixed number of bytes: float32, float64, bigint64."""


class MalformedUpdate(ValueError):
    """The bytes are not a Yjs v1 update."""


@dataclass(frozen=True, slots=True)
class TextRun:
    """A string item: ``text`` was written by ``client`` at clocks ``clock`` onwards (one clock
    per UTF-16 unit, as Yjs counts)."""

    client: int
    clock: int
    text: str


Ranges = dict[int, list[tuple[int, int]]]
"""Per client, ``(clock, length)`` ranges."""


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def var_uint(self) -> int:
        value = shift = 0
        for _ in range(MAX_VARUINT_BYTES):
            byte = self.u8()
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
        raise MalformedUpdate("varint longer than 10 bytes")

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        self.skip(length)
        return self.data[self.pos - length : self.pos]

    def u8(self) -> int:
        if self.pos >= len(self.data):
            raise MalformedUpdate("truncated update")
        byte = self.data[self.pos]
        self.pos += 1
        return byte

    def skip(self, count: int) -> None:
        if self.pos + count > len(self.data):
            raise MalformedUpdate("truncated update")
        self.pos += count

    def string(self) -> str:
        return self.var_bytes().decode("utf-8", "replace")

    def var_int(self) -> None:
        """Skip a lib0 signed varint (its value is never needed here)."""
        byte = self.u8()
        for _ in range(MAX_VARUINT_BYTES):
            if byte < 0x80:
                return
            byte = self.u8()
        raise MalformedUpdate("varint longer than 10 bytes")

    def count(self) -> int:
        """A count of things that each take at least one byte."""
        value = self.var_uint()
        if value > len(self.data) - self.pos:
            raise MalformedUpdate(f"count {value} exceeds the bytes left")
        return value


def clock_ranges(update: bytes) -> list[tuple[int, int, int]]:
    """The ``(client, first clock, end clock)`` of each client's structs in ``update``
    (a skipped stretch, a gap the sender did not fill, is counted in: the client is the same)."""
    reader = _Reader(update)
    found = []
    for _ in range(reader.count()):
        structs, client, clock = reader.count(), reader.var_uint(), reader.var_uint()
        end = clock
        for _ in range(structs):
            end += _struct(reader)[0]
        found.append((client, clock, end))
    return found


def text_runs(update: bytes) -> tuple[list[TextRun], Ranges]:
    """The string items of ``update`` and its delete set."""
    reader = _Reader(update)
    runs: list[TextRun] = []
    for _ in range(reader.count()):
        structs, client, clock = reader.count(), reader.var_uint(), reader.var_uint()
        for _ in range(structs):
            length, text = _struct(reader)
            if text is not None:
                runs.append(TextRun(client, clock, text))
            clock += length
    deleted: Ranges = {}
    for _ in range(reader.count()):
        client = reader.var_uint()
        deleted[client] = [(reader.var_uint(), reader.var_uint()) for _ in range(reader.count())]
    return runs, deleted


def _struct(reader: _Reader) -> tuple[int, str | None]:
    """One struct: its clock length and, for a string item, its text."""
    info = reader.u8()
    ref = info & 0x1F
    if ref in (GC, SKIP):
        return reader.var_uint(), None
    if info & HAS_ORIGIN:
        reader.var_uint(), reader.var_uint()
    if info & HAS_RIGHT_ORIGIN:
        reader.var_uint(), reader.var_uint()
    if not info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN):
        if reader.var_uint() == 1:
            reader.var_bytes()  # the root's name
        else:
            reader.var_uint(), reader.var_uint()  # the parent item's id
        if info & HAS_PARENT_SUB:
            reader.var_bytes()
    return _content(reader, ref)


def _content(reader: _Reader, ref: int) -> tuple[int, str | None]:
    if ref == STRING:
        text = reader.string()
        return utf16_length(text), text
    if ref == DELETED:
        return reader.var_uint(), None
    if ref == JSON:
        items = reader.count()
        for _ in range(items):
            reader.var_bytes()
        return items, None
    if ref in (BINARY, EMBED):
        reader.var_bytes()
    elif ref == FORMAT:
        reader.var_bytes(), reader.var_bytes()
    elif ref == TYPE:
        _type_ref(reader)
    elif ref == ANY:
        items = reader.count()
        for _ in range(items):
            _any(reader, 0)
        return items, None
    elif ref == DOC:
        reader.var_bytes()
        _any(reader, 0)
    else:
        raise MalformedUpdate(f"unknown content kind {ref}")
    return 1, None


def _type_ref(reader: _Reader) -> None:
    kind = reader.var_uint()
    if kind in NAMED_TYPES:
        reader.var_bytes()
    elif kind not in PLAIN_TYPES:
        raise MalformedUpdate(f"unknown shared type {kind}")


def _any(reader: _Reader, depth: int) -> None:
    """Skip one lib0 ``any`` value."""
    if depth > MAX_ANY_DEPTH:
        raise MalformedUpdate("value nested too deep")
    tag = reader.u8()
    if tag in (127, 126, 121, 120):  # undefined, null, false, true
        return
    if tag == 125:
        reader.var_int()
    elif tag in FIXED_ANY:
        reader.skip(FIXED_ANY[tag])
    elif tag in (119, 116):  # string, bytes
        reader.var_bytes()
    elif tag == 118:  # object
        for _ in range(reader.count()):
            reader.var_bytes()
            _any(reader, depth + 1)
    elif tag == 117:  # array
        for _ in range(reader.count()):
            _any(reader, depth + 1)
    else:
        raise MalformedUpdate(f"unknown value tag {tag}")


def utf16_length(text: str) -> int:
    """Yjs clocks count UTF-16 units: characters beyond the BMP take two."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def utf16_offsets(text: str) -> list[int]:
    """The UTF-16 offset at which each character of ``text`` starts, and the end."""
    offsets = [0]
    for char in text:
        offsets.append(offsets[-1] + (2 if ord(char) > 0xFFFF else 1))
    return offsets
