-- Each device's outbox depth, one sample a minute, for the dashboard's chart; pruned by the hub
-- after [dashboard] history_days. Hubs of one group sample the same minute: the first row stays.
CREATE TABLE outbox_history (
    site         TEXT NOT NULL,
    device       TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    depth        INTEGER NOT NULL,
    PRIMARY KEY (device, at)
);
CREATE INDEX outbox_history_at ON outbox_history (at);
