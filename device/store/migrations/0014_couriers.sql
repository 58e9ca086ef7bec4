-- Couriers central says will come to collect outbound parcels: who (code or badge, name,
-- company) and what they expect to take (parcels and bags, JSON lists). A courier's code is
-- refused at the hand-over unless a row here expects it; the hand-over marks it collected.
CREATE TABLE couriers (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    company       TEXT NOT NULL,
    parcels       TEXT NOT NULL,
    bags          TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('expected', 'collected')),
    received_at   TEXT NOT NULL,
    collected_at  TEXT
);
