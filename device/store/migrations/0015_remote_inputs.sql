-- Inputs from the site's remote stations (docs/site.md), each by the id the station gave it,
-- written in the same transaction as the input's decision: a retried input (its answer was
-- lost) is answered from here, never decided twice. `feedback` is the answer as JSON (the level,
-- the message and its details); `jobs` the print jobs it queued (JSON list). Rows older than
-- [site] keep_answers_h are deleted.
CREATE TABLE remote_inputs (
    id        TEXT PRIMARY KEY,
    station   TEXT NOT NULL,
    device    TEXT NOT NULL,
    feedback  TEXT NOT NULL,
    jobs      TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX remote_inputs_at ON remote_inputs (at);
