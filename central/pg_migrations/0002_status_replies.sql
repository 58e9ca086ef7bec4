-- Each device's latest status and the devices' answers to fleet commands (central/hub_state.py).
CREATE TABLE device_status (
    device       TEXT PRIMARY KEY,
    site         TEXT NOT NULL,
    body         TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE command_replies (
    id           BIGSERIAL PRIMARY KEY,
    site         TEXT NOT NULL,
    device       TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    command_id   TEXT NOT NULL,  -- '' when the answer names none
    ok           BOOLEAN,
    body         TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (device, nonce, command_id)
);
CREATE INDEX command_replies_device ON command_replies (device, received_at);
