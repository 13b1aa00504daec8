"""A room in process, with a fake log writer: what it applies, refuses, logs and relays.

The same behaviours are proven end to end against a real server and real Yjs clients in
``test_access.py``, ``test_durability.py`` and ``test_interop_yjs.py``; these run in
milliseconds and pin the room's own rules.
"""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc

from server.boards import layout, rounds
from server.boards.document import doc_from_updates, seed_update
from server.core.auth import Role
from server.core.errors import CloseCode, Overloaded
from server.sync import protocol
from server.sync.crdt import InvalidUpdate
from server.sync.room import Room
from server.sync.sink import Author
from server.sync.zones import ZoneWatcher
from tests.support.fakes import Sink, Socket, peer_on

AT = "2025-10-14T09:30:00.000Z"
SEED = seed_update("workshop", "Atelier")


def board_room(sink: Sink, **options: Any) -> Room:
    return Room("b", doc_from_updates([SEED]), sink, **options)


def client_edit(change: Any) -> bytes:
    """What a client replica holding the seeded board sends after ``change(doc)``."""
    doc = doc_from_updates([SEED])
    before = doc.get_state()
    change(doc)
    return doc.get_update(before)


def a_note(doc: Doc[Any]) -> None:
    layout.add_note(
        doc, "n1", "Partager nos données", "collaboration", "i", "Marie", "etat", created_at=AT
    )


def notes_of(room: Room) -> list[str]:
    return sorted(layout.root(room.doc, layout.NOTES).keys())


def updates_in(socket: Socket) -> list[protocol.Message]:
    return [m for m in map(protocol.decode, socket.frames()) if isinstance(m, protocol.Update)]


def test_an_accepted_update_is_logged_with_its_author() -> None:
    sink = Sink()
    room = board_room(sink)
    writer = peer_on(Socket(), invite="inv-marie", name="Marie", party="etat")
    room.join(writer)
    room.receive(writer, protocol.Update(client_edit(a_note)))
    assert notes_of(room) == ["n1"]
    [entry] = sink.submitted
    assert (entry.board_id, entry.invite_id, entry.author_name, entry.party) == (
        "b",
        "inv-marie",
        "Marie",
        "etat",
    )


def test_others_receive_an_update_only_once_it_is_durable() -> None:
    sink = Sink()
    room = board_room(sink)
    writer, reader_socket = peer_on(Socket()), Socket()
    for peer in (writer, peer_on(reader_socket, invite="other")):
        room.join(peer)
    room.receive(writer, protocol.Update(client_edit(a_note)))
    assert updates_in(reader_socket) == []
    sink.make_durable()
    assert len(updates_in(reader_socket)) == 1


def test_an_observers_write_is_refused_and_not_applied() -> None:
    sink = Sink()
    room = board_room(sink)
    observer = peer_on(Socket(), role=Role.OBSERVER)
    room.join(observer)
    room.receive(observer, protocol.Update(client_edit(a_note)))
    assert notes_of(room) == []
    assert sink.submitted == []
    assert observer.refused_writes == 1


def test_repeated_refusals_close_the_sender_with_4403() -> None:
    socket = Socket()
    room = board_room(Sink(), refused_writes_before_close=2)
    observer = peer_on(socket, role=Role.OBSERVER)
    room.join(observer)
    for _ in range(2):
        room.receive(observer, protocol.Update(client_edit(a_note)))
    assert socket.closed_with == CloseCode.FORBIDDEN


def test_a_locked_zone_refuses_participants_but_not_the_facilitator() -> None:
    room = board_room(Sink(), locks=frozenset({"continuum"}))
    participant = peer_on(Socket(), invite="p")
    facilitator = peer_on(Socket(), invite="f", role=Role.FACILITATOR)
    room.receive(participant, protocol.Update(client_edit(a_note)))
    assert notes_of(room) == []
    room.receive(facilitator, protocol.Update(client_edit(a_note)))
    assert notes_of(room) == ["n1"]


def test_an_approval_for_another_party_is_refused() -> None:
    room = board_room(Sink())
    etat = peer_on(Socket(), party="etat")
    approve = client_edit(
        lambda doc: layout.approve_section(doc, "principles", "collectivite", "i", AT)
    )
    room.receive(etat, protocol.Update(approve))
    assert etat.refused_writes == 1


def test_a_write_to_the_servers_meta_zone_is_refused() -> None:
    room = board_room(Sink())
    facilitator = peer_on(Socket(), role=Role.FACILITATOR)
    room.receive(facilitator, protocol.Update(client_edit(lambda d: layout.set_title(d, "X"))))
    assert facilitator.refused_writes == 1


def test_bytes_the_engine_rejects_raise_and_leave_the_board_unchanged() -> None:
    room = board_room(Sink())
    before = room.doc.get_update()
    with pytest.raises(InvalidUpdate):
        room.receive(peer_on(Socket()), protocol.Update(b"\x01\xff\xff\xff\xff\x0f"))
    assert room.doc.get_update() == before


def test_a_full_writer_refuses_new_writes_as_overloaded() -> None:
    room = board_room(Sink(capacity=False))
    with pytest.raises(Overloaded):
        room.receive(peer_on(Socket()), protocol.Update(client_edit(a_note)))


def test_sync_step_2_waits_until_what_it_contains_is_durable() -> None:
    sink = Sink()
    room = board_room(sink)
    room.receive(peer_on(Socket()), protocol.Update(client_edit(a_note)))
    newcomer = Socket()
    room.receive(peer_on(newcomer, invite="new"), protocol.SyncStep1(b"\x00"))
    assert newcomer.frames() == []
    sink.make_durable()
    [answer] = [protocol.decode(frame) for frame in newcomer.frames()]
    assert isinstance(answer, protocol.SyncStep2)


def test_the_zone_watcher_names_the_zones_an_update_touches() -> None:
    watcher = ZoneWatcher(doc_from_updates([SEED]))
    assert watcher.touched_by(client_edit(a_note)) == {"continuum"}
    vision = client_edit(lambda doc: layout.set_vision(doc, "Un territoire solidaire"))
    assert watcher.touched_by(vision) == {"vision"}


def test_the_zone_watcher_names_the_party_an_approval_is_for() -> None:
    watcher = ZoneWatcher(doc_from_updates([SEED]))
    approve = client_edit(lambda doc: layout.approve_section(doc, "principles", "etat", "i", AT))
    assert watcher.touched_by(approve) == {"agreement.principles"}
    assert watcher.approvals == {"etat"}


def test_a_resynced_zone_watcher_forgets_a_refused_update() -> None:
    doc = doc_from_updates([SEED])
    watcher = ZoneWatcher(doc)
    watcher.touched_by(client_edit(a_note))
    watcher.resync()
    assert watcher.touched_by(client_edit(a_note)) == {"continuum"}


def test_a_room_builds_no_shadow_until_a_client_writes() -> None:
    """Readers cost one copy of the board; the shadow comes with the first write to check."""
    room = board_room(Sink())
    reader = peer_on(Socket(), invite="reader")
    room.join(reader)
    room.receive(reader, protocol.SyncStep1(b"\x00"))
    room.receive(reader, protocol.SyncStep2(b"\x00\x00"))  # its replica has nothing new
    room.set_lock("chain", True, "inv-f", AT, "Fa")
    assert not room._zones.has_shadow
    room.receive(peer_on(Socket(), invite="writer"), protocol.Update(client_edit(a_note)))
    assert room._zones.has_shadow


def lifting_the_lock_mirror(room: Room) -> bytes:
    """A participant's replica of the room clearing ``meta.locks`` itself."""
    replica = doc_from_updates([room.doc.get_update()])
    before = replica.get_state()
    layout.clear_lock(replica, "continuum")
    return replica.get_update(before)


def test_a_write_into_a_server_change_made_before_the_shadow_is_refused() -> None:
    room = board_room(Sink())
    room.set_lock("continuum", True, "inv-f", AT, "Fa")  # no client write yet: no shadow
    participant = peer_on(Socket(), invite="p")
    room.receive(participant, protocol.Update(lifting_the_lock_mirror(room)))
    assert participant.refused_writes == 1
    assert "continuum" in layout.root(room.doc, layout.META)["locks"]


def test_a_write_into_a_server_change_made_after_the_shadow_is_refused() -> None:
    room = board_room(Sink())
    participant = peer_on(Socket(), invite="p")
    room.receive(participant, protocol.Update(client_edit(a_note)))  # the shadow is built
    room.set_lock("continuum", True, "inv-f", AT, "Fa")
    room.receive(participant, protocol.Update(lifting_the_lock_mirror(room)))
    assert participant.refused_writes == 1
    assert "continuum" in layout.root(room.doc, layout.META)["locks"]


def test_a_clients_write_to_the_revealed_rounds_is_refused() -> None:
    room = board_room(Sink())
    facilitator = peer_on(Socket(), role=Role.FACILITATOR)
    forged = client_edit(lambda d: rounds.write_round(d, "r1", "position", "", AT, "X", 0))
    room.receive(facilitator, protocol.Update(forged))
    assert facilitator.refused_writes == 1
    assert "rounds" not in set(room.doc.keys()) or not layout.root(room.doc, "rounds").keys()


def test_a_server_change_written_for_someone_is_logged_as_theirs() -> None:
    sink = Sink()
    room = board_room(sink)
    durable: list[int] = []
    author = Author("inv-marie", "Marie", "etat")
    count = room.apply_server_change(a_note, author, lambda: durable.append(1))
    sink.make_durable()
    entry = sink.submitted[-1]
    assert (entry.invite_id, entry.author_name, entry.party) == ("inv-marie", "Marie", "etat")
    assert len(durable) == count == 1
