"""Layer 3: history from the log, never from live rooms: replay, voice, snapshots, evidence."""
