-- Each device's latest telemetry, with how far its clock was from the hub's when it arrived.
CREATE TABLE device_telemetry (
    device       TEXT PRIMARY KEY,
    site         TEXT NOT NULL,
    body         TEXT NOT NULL,
    clock_skew_s DOUBLE PRECISION,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Alerts raised and cleared by the hub's rules (central/alerts.py): at most one open per device and rule.
CREATE TABLE alerts (
    id           BIGSERIAL PRIMARY KEY,
    site         TEXT NOT NULL,
    device       TEXT NOT NULL,
    rule         TEXT NOT NULL,
    raised_at    TIMESTAMPTZ NOT NULL,
    cleared_at   TIMESTAMPTZ,
    detail       TEXT NOT NULL
);
CREATE UNIQUE INDEX alerts_open ON alerts (device, rule) WHERE cleared_at IS NULL;
CREATE INDEX alerts_raised ON alerts (raised_at);
