-- Wrong pickup codes, counted per station and never per order (a per-order limit would let a
-- stranger lock a customer out of their own order): the run of wrong codes since the last
-- right one, and the pause it earned, which starts at `paused_at` (UTC) and lasts `pause_s`.
-- Kept in the store so that a restart does not reset them.
CREATE TABLE wrong_codes (
    station    TEXT PRIMARY KEY,
    failures   INTEGER NOT NULL CHECK (failures > 0),
    last_at    TEXT NOT NULL,
    paused_at  TEXT,
    pause_s    INTEGER NOT NULL DEFAULT 0 CHECK (pause_s >= 0)
);
