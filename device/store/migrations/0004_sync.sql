-- Sync over MQTT: downstream messages applied once (keyed by message id), the newest
-- version of each document, commands with their stored replies, rejection counters,
-- and pickup codes that the central side rotated (the previous one stays valid a while).

CREATE TABLE inbox_messages (
    id           TEXT PRIMARY KEY,
    topic        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    version      INTEGER,
    received_at  TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('applied', 'stale', 'rejected')),
    reason       TEXT
);

-- The newest version applied per document ("supply:<id>", "order:<id>", "config"), so an
-- older version arriving late never overwrites a newer one.
CREATE TABLE document_versions (
    key      TEXT PRIMARY KEY,
    version  INTEGER NOT NULL
);

CREATE TABLE commands (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('running', 'done')),
    reply        TEXT,
    received_at  TEXT NOT NULL,
    finished_at  TEXT
);

CREATE TABLE sync_counters (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL DEFAULT 0
);

ALTER TABLE orders ADD COLUMN prev_pickup_code_hmac TEXT;
ALTER TABLE orders ADD COLUMN prev_valid_until TEXT;
ALTER TABLE orders ADD COLUMN cancelled_at TEXT;
CREATE INDEX orders_prev_pickup ON orders (prev_pickup_code_hmac) WHERE prev_pickup_code_hmac IS NOT NULL;
