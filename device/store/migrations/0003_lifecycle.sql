-- The rest of the parcel's life: a parcel due for return stays in its cell until picked,
-- customer returns are parcels of their own, clerks sign in at stations and work shifts,
-- outbound bags carry returns to the sender, inventory counts keep their reports.

-- SQLite changes a CHECK constraint only by rebuilding the table.
CREATE TABLE parcels_new (
    id              INTEGER PRIMARY KEY,
    barcode         TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL DEFAULT 'delivery' CHECK (kind IN ('delivery', 'customer_return')),
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
    returned_from   TEXT,
    bag             TEXT,
    issued_at       TEXT,
    updated_at      TEXT NOT NULL,
    -- a parcel is in at most one cell: while stored, or due for return and not yet picked
    CHECK (cell_id IS NULL OR state IN ('stored', 'to_return'))
);
INSERT INTO parcels_new (id, barcode, order_id, supply_id, package, size, deadline, cod_kopecks,
                         age_restricted, state, cell_id, surplus, damaged, return_reason, updated_at)
SELECT id, barcode, order_id, supply_id, package, size, deadline, cod_kopecks,
       age_restricted, state, cell_id, surplus, damaged, return_reason, updated_at
FROM parcels;
UPDATE parcels_new SET issued_at = (
    SELECT max(j.ts) FROM journal j WHERE j.parcel = parcels_new.barcode AND j.kind = 'issued'
) WHERE state = 'issued';
DROP TABLE parcels;
ALTER TABLE parcels_new RENAME TO parcels;

CREATE INDEX parcels_order ON parcels (order_id);
CREATE INDEX parcels_supply_state ON parcels (supply_id, state);
CREATE INDEX parcels_cell ON parcels (cell_id);
CREATE INDEX parcels_state ON parcels (state);
CREATE INDEX parcels_package ON parcels (package);
CREATE INDEX parcels_deadline ON parcels (deadline) WHERE state IN ('accepted', 'stored');
CREATE INDEX parcels_bag ON parcels (bag) WHERE bag IS NOT NULL;

CREATE TRIGGER parcels_cell_capacity
BEFORE UPDATE OF cell_id ON parcels
WHEN NEW.cell_id IS NOT NULL AND NEW.cell_id IS NOT OLD.cell_id
BEGIN
    SELECT RAISE(ABORT, 'cell is full')
    WHERE (SELECT occupied FROM cells WHERE id = NEW.cell_id)
          >= (SELECT capacity FROM cells WHERE id = NEW.cell_id);
END;

CREATE TRIGGER parcels_occupancy_insert
AFTER INSERT ON parcels
WHEN NEW.cell_id IS NOT NULL
BEGIN
    UPDATE cells SET occupied = occupied + 1 WHERE id = NEW.cell_id;
END;

CREATE TRIGGER parcels_occupancy_delete
AFTER DELETE ON parcels
WHEN OLD.cell_id IS NOT NULL
BEGIN
    UPDATE cells SET occupied = occupied - 1 WHERE id = OLD.cell_id;
END;

CREATE TRIGGER parcels_occupancy_move
AFTER UPDATE OF cell_id ON parcels
WHEN NEW.cell_id IS NOT OLD.cell_id
BEGIN
    UPDATE cells SET occupied = occupied - 1 WHERE id = OLD.cell_id;
    UPDATE cells SET occupied = occupied + 1 WHERE id = NEW.cell_id;
END;

-- Which clerk is signed in at which station; survives a restart.
CREATE TABLE station_clerks (
    station       TEXT PRIMARY KEY,
    badge         TEXT NOT NULL REFERENCES clerks (badge),
    signed_in_at  TEXT NOT NULL
);

CREATE TABLE shifts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    badge       TEXT NOT NULL REFERENCES clerks (badge),
    station     TEXT NOT NULL,
    opened_at   TEXT NOT NULL,
    closed_at   TEXT
);
CREATE UNIQUE INDEX shifts_open ON shifts (badge) WHERE closed_at IS NULL;

-- Return requests that came with a manifest: the customer announced the return.
CREATE TABLE return_requests (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL,
    parcels     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    used_by     TEXT
);

-- Bags that carry parcels back to the sender.
CREATE TABLE outbound_bags (
    barcode         TEXT PRIMARY KEY,
    state           TEXT NOT NULL CHECK (state IN ('open', 'handed_over')),
    station         TEXT,
    opened_at       TEXT NOT NULL,
    handed_over_at  TEXT
);

CREATE TABLE inventory_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    station      TEXT,
    clerk        TEXT,
    started_at   TEXT NOT NULL,
    finished_at  TEXT NOT NULL,
    data         TEXT NOT NULL
);
