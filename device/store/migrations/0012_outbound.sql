-- Parcels that leave through the point (issue 15): a seller's drop-off shipment (kind 'dropoff',
-- listed by a drop-off manifest) and a customer's send (kind 'send', created at the counter) wait
-- for the courier ('outbound'), go into an outbound bag ('dispatching') and are handed over
-- ('dispatched'). A send's weight and sides are kept as measured. `dropoff` names the drop-off
-- manifest a shipment came on. SQLite changes a CHECK constraint only by rebuilding the table.
CREATE TABLE parcels_new (
    id              INTEGER PRIMARY KEY,
    barcode         TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL DEFAULT 'delivery'
                        CHECK (kind IN ('delivery', 'customer_return', 'dropoff', 'send')),
    order_id        TEXT REFERENCES orders (id),
    supply_id       TEXT REFERENCES supplies (id),
    package         TEXT REFERENCES packages (barcode),
    size            TEXT NOT NULL DEFAULT 'M' CHECK (size IN ('S', 'M', 'L', 'XL')),
    deadline        TEXT,
    cod_kopecks     INTEGER NOT NULL DEFAULT 0 CHECK (cod_kopecks >= 0),
    age_restricted  INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL CHECK (state IN (
                        'expected', 'accepted', 'stored', 'issued', 'missing',
                        'to_return', 'returning', 'returned',
                        'outbound', 'dispatching', 'dispatched')),
    cell_id         INTEGER REFERENCES cells (id),
    surplus         INTEGER NOT NULL DEFAULT 0,
    damaged         INTEGER NOT NULL DEFAULT 0,
    return_reason   TEXT,
    returned_from   TEXT,
    bag             TEXT,
    issued_at       TEXT,
    updated_at      TEXT NOT NULL,
    dropoff         TEXT,
    weight_g        INTEGER CHECK (weight_g IS NULL OR weight_g > 0),
    length_mm       INTEGER CHECK (length_mm IS NULL OR length_mm > 0),
    width_mm        INTEGER CHECK (width_mm IS NULL OR width_mm > 0),
    height_mm       INTEGER CHECK (height_mm IS NULL OR height_mm > 0),
    -- a parcel is in at most one cell: while stored, or due for return and not yet picked
    CHECK (cell_id IS NULL OR state IN ('stored', 'to_return'))
);
INSERT INTO parcels_new (id, barcode, kind, order_id, supply_id, package, size, deadline, cod_kopecks,
                         age_restricted, state, cell_id, surplus, damaged, return_reason, returned_from,
                         bag, issued_at, updated_at)
SELECT id, barcode, kind, order_id, supply_id, package, size, deadline, cod_kopecks,
       age_restricted, state, cell_id, surplus, damaged, return_reason, returned_from,
       bag, issued_at, updated_at
FROM parcels;
DROP TABLE parcels;
ALTER TABLE parcels_new RENAME TO parcels;

CREATE INDEX parcels_order ON parcels (order_id);
CREATE INDEX parcels_supply_state ON parcels (supply_id, state);
CREATE INDEX parcels_cell ON parcels (cell_id);
CREATE INDEX parcels_state ON parcels (state);
CREATE INDEX parcels_package ON parcels (package);
CREATE INDEX parcels_deadline ON parcels (deadline) WHERE state IN ('accepted', 'stored');
CREATE INDEX parcels_bag ON parcels (bag) WHERE bag IS NOT NULL;
CREATE INDEX parcels_supply_progress ON parcels (supply_id, surplus, state);
CREATE INDEX parcels_package_progress ON parcels (package, surplus, state);
CREATE INDEX parcels_dropoff ON parcels (dropoff, state) WHERE dropoff IS NOT NULL;

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

-- One queue for everything that went wrong (issue 15): each exception is a ticket with a local id,
-- its kind, the parcel and order, the clerk and station, and an evidence window (the station's
-- camera and the wall-clock times from and to, UTC text) so that a dispute finds the right minute
-- of video. `ticket_id` is unique across the fleet (<device>-<id>); `detail` is JSON. Central may
-- answer with a resolution, which the device records and shows.
CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    ticket_id       TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN (
                        'unknown_barcode', 'damaged', 'refused', 'not_found', 'door', 'hardware', 'note')),
    parcel          TEXT,
    order_id        TEXT,
    clerk           TEXT,
    station         TEXT,
    camera          TEXT,
    evidence_from   TEXT NOT NULL,
    evidence_to     TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    opened_at       TEXT NOT NULL,
    resolved_at     TEXT,
    resolution      TEXT
);
CREATE INDEX tickets_open ON tickets (opened_at) WHERE state = 'open';
