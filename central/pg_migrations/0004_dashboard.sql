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

-- Fleet commands and desired config pushes as the hub's group read them on the devices' cmd and
-- config topics, whoever sent them (`fleet cmd`, `fleet config push`, the dashboard), with the
-- dashboard's operator when it sent them; their answers are command_replies and the statuses.
CREATE TABLE fleet_requests (
    id           BIGSERIAL PRIMARY KEY,
    site         TEXT NOT NULL,
    device       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    operator     TEXT,
    detail       TEXT NOT NULL,
    sent_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (device, kind, request_id)
);
CREATE INDEX fleet_requests_sent ON fleet_requests (sent_at);
