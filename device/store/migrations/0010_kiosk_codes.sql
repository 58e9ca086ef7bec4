-- Wrong codes at a kiosk (workflows/code_limit.py): the keypad locks after a run of wrong codes,
-- and each further lock is longer. A right code ends the run but not the lock level, so an
-- attacker holding one real order cannot buy fresh guesses with it: `failures` may now be 0
-- while `locks` remembers the level; `last_at` (the last wrong code) tells when it is forgotten.
-- Counters stay per station, never per order. SQLite cannot change a CHECK, so the table is
-- rebuilt with its rows.
CREATE TABLE wrong_codes_new (
    station    TEXT PRIMARY KEY,
    failures   INTEGER NOT NULL CHECK (failures >= 0),
    locks      INTEGER NOT NULL DEFAULT 0 CHECK (locks >= 0),
    last_at    TEXT NOT NULL,
    paused_at  TEXT,
    pause_s    INTEGER NOT NULL DEFAULT 0 CHECK (pause_s >= 0)
);
INSERT INTO wrong_codes_new (station, failures, locks, last_at, paused_at, pause_s)
    SELECT station, failures, 0, last_at, paused_at, pause_s FROM wrong_codes;
DROP TABLE wrong_codes;
ALTER TABLE wrong_codes_new RENAME TO wrong_codes;
