-- The hub's central store on PostgreSQL: the same tables as the SQLite file (central/hub_store.py,
-- central/hub_tickets.py). Event ids are unique across every hub process sharing the database.
CREATE TABLE events (
    event_id     TEXT PRIMARY KEY,
    device       TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    ts           TEXT NOT NULL,
    station      TEXT,
    clerk        TEXT,
    kind         TEXT NOT NULL,
    parcel       TEXT,
    from_state   TEXT,
    to_state     TEXT,
    cell         TEXT,
    data         TEXT NOT NULL,  -- as the device wrote it (json would be re-checked, jsonb reordered)
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX events_device_seq ON events (device, seq);

CREATE TABLE devices (
    device     TEXT PRIMARY KEY,
    site       TEXT NOT NULL,
    acked_seq  BIGINT NOT NULL DEFAULT 0,
    batches    BIGINT NOT NULL DEFAULT 0,
    last_seen  TIMESTAMPTZ NOT NULL
);

CREATE TABLE manifest_outcomes (
    id           BIGSERIAL PRIMARY KEY,
    site         TEXT NOT NULL,
    device       TEXT NOT NULL,
    message_id   TEXT,
    outcome      TEXT NOT NULL,
    code         TEXT,
    path         TEXT,
    reason       TEXT,
    counts       TEXT NOT NULL,
    ts           TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (device, message_id, outcome, ts)
);
CREATE INDEX manifest_outcomes_device ON manifest_outcomes (device, ts);

CREATE TABLE tickets (
    ticket_id      TEXT PRIMARY KEY,
    site           TEXT NOT NULL,
    device         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    parcel         TEXT,
    order_id       TEXT,
    station        TEXT,
    clerk          TEXT,
    camera         TEXT,
    evidence_from  TEXT NOT NULL,
    evidence_to    TEXT NOT NULL,
    detail         TEXT NOT NULL,
    opened_at      TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'open',  -- open, answered (sent to the device), resolved
    resolution     TEXT,
    answered_at    TEXT,
    sent_at        TEXT,
    resolved_at    TEXT
);
CREATE INDEX tickets_unsent ON tickets (answered_at) WHERE sent_at IS NULL;
