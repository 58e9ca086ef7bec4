-- Core schema: supplies, transport packages, orders, parcels, cells, sessions, clerks,
-- the journal of events (the outbox) and the persistent print queue.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE supplies (
    id           TEXT PRIMARY KEY,
    carrier      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'accepting', 'closed')),
    version      INTEGER NOT NULL DEFAULT 1,
    imported_at  TEXT NOT NULL,
    closed_at    TEXT
);

CREATE TABLE packages (
    barcode    TEXT PRIMARY KEY,
    supply_id  TEXT NOT NULL REFERENCES supplies (id),
    kind       TEXT NOT NULL CHECK (kind IN ('box', 'bag')),
    state      TEXT NOT NULL CHECK (state IN ('expected', 'accepted', 'missing'))
);
CREATE INDEX packages_supply ON packages (supply_id);

CREATE TABLE orders (
    id                TEXT PRIMARY KEY,
    customer          TEXT NOT NULL,
    pickup_code_hmac  TEXT,
    qr_token_hmac     TEXT
);
CREATE INDEX orders_pickup ON orders (pickup_code_hmac);
CREATE INDEX orders_qr ON orders (qr_token_hmac);

CREATE TABLE cells (
    id       INTEGER PRIMARY KEY,
    address  TEXT NOT NULL UNIQUE,
    label    TEXT NOT NULL UNIQUE,
    size     TEXT NOT NULL CHECK (size IN ('S', 'M', 'L', 'XL')),
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    channel  INTEGER NOT NULL UNIQUE CHECK (channel >= 0),
    zone     TEXT NOT NULL DEFAULT 'main'
);

CREATE TABLE parcels (
    id              INTEGER PRIMARY KEY,
    barcode         TEXT NOT NULL UNIQUE,
    order_id        TEXT REFERENCES orders (id),
    supply_id       TEXT REFERENCES supplies (id),
    package         TEXT REFERENCES packages (barcode),
    size            TEXT NOT NULL DEFAULT 'M' CHECK (size IN ('S', 'M', 'L', 'XL')),
    deadline        TEXT,
    cod_kopecks     INTEGER NOT NULL DEFAULT 0 CHECK (cod_kopecks >= 0),
    age_restricted  INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL CHECK (state IN (
                        'expected', 'accepted', 'stored', 'issued', 'missing',
                        'to_return', 'returning', 'returned')),
    cell_id         INTEGER REFERENCES cells (id),
    surplus         INTEGER NOT NULL DEFAULT 0,
    damaged         INTEGER NOT NULL DEFAULT 0,
    return_reason   TEXT,
    updated_at      TEXT NOT NULL,
    -- a parcel is in at most one cell, and only while stored
    CHECK (cell_id IS NULL OR state = 'stored')
);
CREATE INDEX parcels_order ON parcels (order_id);
CREATE INDEX parcels_supply_state ON parcels (supply_id, state);
CREATE INDEX parcels_cell ON parcels (cell_id);
CREATE INDEX parcels_state ON parcels (state);

-- The store, not only the workflow, refuses a parcel into a full cell.
CREATE TRIGGER parcels_cell_capacity
BEFORE UPDATE OF cell_id ON parcels
WHEN NEW.cell_id IS NOT NULL AND NEW.cell_id IS NOT OLD.cell_id
BEGIN
    SELECT RAISE(ABORT, 'cell is full')
    WHERE (SELECT count(*) FROM parcels WHERE cell_id = NEW.cell_id)
          >= (SELECT capacity FROM cells WHERE id = NEW.cell_id);
END;

CREATE TABLE clerks (
    badge   TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    active  INTEGER NOT NULL DEFAULT 1
);

-- One open session per station: the workflow, its state and its data, so that a restart
-- resumes a half-done acceptance or issue.
CREATE TABLE sessions (
    station     TEXT PRIMARY KEY,
    workflow    TEXT NOT NULL,
    state       TEXT NOT NULL,
    data        TEXT NOT NULL,
    lights      TEXT NOT NULL DEFAULT '{}',
    clerk       TEXT,
    started_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The journal: every transition, in per-device sequence order; the outbox of sync.
CREATE TABLE journal (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT NOT NULL UNIQUE,
    device_id   TEXT NOT NULL,
    ts          TEXT NOT NULL,
    station     TEXT,
    clerk       TEXT,
    kind        TEXT NOT NULL,
    parcel      TEXT,
    from_state  TEXT,
    to_state    TEXT,
    cell        TEXT,
    data        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX journal_parcel ON journal (parcel);
CREATE INDEX journal_kind ON journal (kind);

CREATE TABLE print_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    station     TEXT,
    kind        TEXT NOT NULL,
    document    TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'printed', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    printed_at  TEXT
);
CREATE INDEX print_jobs_state ON print_jobs (state, id);

-- What each station's open session holds ("order:<id>", "parcel:<barcode>", "supply:<id>"):
-- the store decides, inside the scan's transaction, that two stations never hold the same.
CREATE TABLE claims (
    key      TEXT PRIMARY KEY,
    station  TEXT NOT NULL REFERENCES sessions (station) ON DELETE CASCADE
);
CREATE INDEX claims_station ON claims (station);
