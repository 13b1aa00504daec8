"""The y-websocket wire format: decode a binary frame into a message, encode replies.

No I/O and no state. Anything that is not a well-formed message raises ``MalformedMessage``
before a byte of it reaches the document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

MAX_VARUINT_BYTES = 10

MSG_SYNC = 0
MSG_AWARENESS = 1
MSG_AUTH = 2
MSG_QUERY_AWARENESS = 3
MSG_DURABLE_ACK = 100
"""Atelier extension, sent only to connections that asked with ``acks=1``."""
MSG_NOTICE = 101
"""Atelier extension: a JSON notice (storage degraded, write refused), only with ``acks=1``."""

SYNC_STEP1 = 0
SYNC_STEP2 = 1
SYNC_UPDATE = 2


class MalformedMessage(ValueError):
    """The frame does not follow the y-websocket protocol."""


@dataclass(frozen=True, slots=True)
class SyncStep1:
    state_vector: bytes


@dataclass(frozen=True, slots=True)
class SyncStep2:
    update: bytes


@dataclass(frozen=True, slots=True)
class Update:
    update: bytes


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    client_id: int
    clock: int
    state_json: str
    """The raw JSON text; ``"null"`` means the client is gone."""

    @property
    def removed(self) -> bool:
        return self.state_json == "null"


@dataclass(frozen=True, slots=True)
class Awareness:
    entries: tuple[AwarenessEntry, ...]


@dataclass(frozen=True, slots=True)
class QueryAwareness:
    pass


Message = SyncStep1 | SyncStep2 | Update | Awareness | QueryAwareness


class ByteReader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def var_uint(self) -> int:
        pos, data = self.pos, self.data
        if pos < len(data) and data[pos] < 0x80:  # one byte: message kinds, most lengths
            self.pos = pos + 1
            return data[pos]
        return self._long_var_uint()

    def _long_var_uint(self) -> int:
        value = 0
        shift = 0
        for _ in range(MAX_VARUINT_BYTES):
            if self.pos >= len(self.data):
                raise MalformedMessage("truncated varint")
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
        raise MalformedMessage("varint longer than 10 bytes")

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        end = self.pos + length
        if end > len(self.data):
            raise MalformedMessage(
                f"length prefix {length} exceeds the {len(self.data) - self.pos} bytes left"
            )
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def at_end(self) -> bool:
        return self.pos == len(self.data)


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedMessage("string is not valid UTF-8") from exc


def decode(frame: bytes, *, max_awareness_bytes: int = 64 * 1024) -> Message:
    """Decode one binary WebSocket message, or raise ``MalformedMessage``."""
    reader = ByteReader(frame)
    kind = reader.var_uint()
    match kind:
        case 0:
            message = _decode_sync(reader)
        case 1:
            message = Awareness(_decode_awareness(reader.var_bytes(), max_awareness_bytes))
        case 3:
            message = QueryAwareness()
        case 2:
            raise MalformedMessage("auth messages are sent by the server only")
        case _:
            raise MalformedMessage(f"unknown message type {kind}")
    if not reader.at_end():
        raise MalformedMessage("trailing bytes after the message")
    return message


def _decode_sync(reader: ByteReader) -> Message:
    sub = reader.var_uint()
    payload = reader.var_bytes()
    match sub:
        case 0:
            return SyncStep1(payload)
        case 1:
            return SyncStep2(payload)
        case 2:
            return Update(payload)
        case _:
            raise MalformedMessage(f"unknown sync message type {sub}")


def _decode_awareness(payload: bytes, max_state_bytes: int) -> tuple[AwarenessEntry, ...]:
    reader = ByteReader(payload)
    count = reader.var_uint()
    if count > len(payload):
        raise MalformedMessage(f"awareness claims {count} entries in {len(payload)} bytes")
    entries = []
    for _ in range(count):
        client_id = reader.var_uint()
        clock = reader.var_uint()
        raw = reader.var_bytes()
        if len(raw) > max_state_bytes:  # bytes, not characters: UTF-8 takes up to 4 each
            raise MalformedMessage(f"awareness state over {max_state_bytes} bytes")
        state = _utf8(raw)
        try:
            json.loads(state)
        except RecursionError as exc:  # nested deeper than the parser's recursion allows
            raise MalformedMessage("awareness state is nested too deeply") from exc
        except ValueError as exc:
            raise MalformedMessage("awareness state is not JSON") from exc
        entries.append(AwarenessEntry(client_id, clock, state))
    if not reader.at_end():
        raise MalformedMessage("trailing bytes after awareness entries")
    return tuple(entries)


def var_uint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def _var_bytes(data: bytes) -> bytes:
    return var_uint(len(data)) + data


def encode_sync_step1(state_vector: bytes) -> bytes:
    return bytes((MSG_SYNC, SYNC_STEP1)) + _var_bytes(state_vector)


def encode_sync_step2(update: bytes) -> bytes:
    return bytes((MSG_SYNC, SYNC_STEP2)) + _var_bytes(update)


def encode_update(update: bytes) -> bytes:
    return bytes((MSG_SYNC, SYNC_UPDATE)) + _var_bytes(update)


def encode_awareness(entries: list[AwarenessEntry] | tuple[AwarenessEntry, ...]) -> bytes:
    body = bytearray(var_uint(len(entries)))
    for entry in entries:
        body += var_uint(entry.client_id) + var_uint(entry.clock)
        body += _var_bytes(entry.state_json.encode("utf-8"))
    return bytes((MSG_AWARENESS,)) + _var_bytes(bytes(body))


def encode_durable_ack(count: int) -> bytes:
    """How many update frames of this connection are durable (or held nothing new)."""
    return var_uint(MSG_DURABLE_ACK) + var_uint(count)


def encode_notice(kind: str, ok: bool, message: str) -> bytes:
    text = json.dumps({"kind": kind, "ok": ok, "message": message}, ensure_ascii=False)
    return var_uint(MSG_NOTICE) + _var_bytes(text.encode("utf-8"))
