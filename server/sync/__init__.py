"""Layer 3: live boards: wire protocol, rooms, peers, zones, fan-out, board transport."""
