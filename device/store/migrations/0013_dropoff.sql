-- A seller's drop-off (issue 15): central lists the shipments a seller will bring, the counter scans
-- them in against that list, and they wait for the courier (parcels of kind 'dropoff', `dropoff`
-- naming the row here). `seller_name` is the name the act prints (a company, not a customer).
-- `posting` is a shipment's label (posting number) as the marketplace prints it.
CREATE TABLE dropoffs (
    id           TEXT PRIMARY KEY,
    seller_id    TEXT NOT NULL,
    seller_name  TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepting', 'closed')),
    imported_at  TEXT NOT NULL,
    closed_at    TEXT
);
ALTER TABLE parcels ADD COLUMN posting TEXT;
