-- A job is marked `printing` (committed) before its bytes go out: a printer cannot confirm a
-- job, so a job found `printing` at start was cut off by a dead process and may already be on
-- paper. It is printed again with `copy` = 1, marked "КОПИЯ"/"COPY" in its `lang`, so nobody
-- takes it for a second hand-over. `lang` is the language the document was built in (NULL
-- for jobs queued by an older version: the device's language then). SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt with its rows.
CREATE TABLE print_jobs_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    station     TEXT,
    kind        TEXT NOT NULL,
    document    TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'printed', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    printed_at  TEXT,
    lang        TEXT,
    copy        INTEGER NOT NULL DEFAULT 0 CHECK (copy IN (0, 1))
);
INSERT INTO print_jobs_new (id, station, kind, document, state, attempts, last_error, created_at, printed_at)
    SELECT id, station, kind, document, state, attempts, last_error, created_at, printed_at FROM print_jobs;
-- job ids are never reused: the new table's counter goes on from the old one's
UPDATE sqlite_sequence SET seq = max(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'print_jobs'))
    WHERE name = 'print_jobs_new';
DROP TABLE print_jobs;
ALTER TABLE print_jobs_new RENAME TO print_jobs;
CREATE INDEX print_jobs_state ON print_jobs (state, id);
