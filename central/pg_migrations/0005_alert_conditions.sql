-- Since when each (device, rule) condition has held (central/alerts.py): kept in the store, not in
-- one hub's memory, so a restarted hub and every hub of the group count "for N minutes" alike.
CREATE TABLE alert_conditions (
    device       TEXT NOT NULL,
    rule         TEXT NOT NULL,
    since        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (device, rule)
);
