-- Customer data kept minimal (workflows/customer.py, docs/protocol.md "What the device keeps"):
-- the masked name ("Иван П.") and the phone's last four digits, nothing more, and both erased
-- with the order's code hashes N days after the order was issued or returned
-- (device/privacy/purge.py). A purged order keeps its id and parcels for the reports, with
-- customer '' and purged_at set.

ALTER TABLE orders ADD COLUMN phone_tail TEXT
    CHECK (phone_tail IS NULL OR (length(phone_tail) = 4 AND phone_tail GLOB '[0-9][0-9][0-9][0-9]'));
ALTER TABLE orders ADD COLUMN purged_at TEXT;

-- Names stored before this migration are masked here by the rule of workflows/customer.py's
-- masked_name: the first word whole, the initial of the second, the rest dropped.
UPDATE orders SET customer = (
    WITH n (c) AS (SELECT trim(customer)),
         w (first, rest) AS (
             SELECT substr(c, 1, instr(c || ' ', ' ') - 1), ltrim(substr(c, instr(c || ' ', ' ')))
             FROM n
         )
    SELECT CASE WHEN rest = '' THEN first ELSE first || ' ' || substr(rest, 1, 1) || '.' END FROM w
);

-- The purge looks for orders not yet purged; issued and returned parcels by their order.
CREATE INDEX orders_unpurged ON orders (id) WHERE purged_at IS NULL;
