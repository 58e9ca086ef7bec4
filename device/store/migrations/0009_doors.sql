-- Locker doors (drivers/doors/, device/doors/). A command to open a door is a row written in
-- the same transaction as the decision that needs it (a customer's right code), and executed
-- once by the door controller after the commit:
--   pending     decided, not fired yet;
--   sent        marked before the lock is fired: found 'sent' at a start, it was in flight when
--               the power went and becomes 'interrupted', never sent again;
--   opened, already_open, jammed, not_verified   what the sensor said after the pulse;
--   failed      the lock bus did not answer; expired  not fired before `expires_at`;
--   interrupted in flight at a power cut; refused  the door holds someone else's parcel.
-- Times are UTC text (device/store/clock.py).
CREATE TABLE door_commands (
    id          INTEGER PRIMARY KEY,
    station     TEXT NOT NULL,
    cell        TEXT NOT NULL,
    door        INTEGER NOT NULL CHECK (door >= 0),
    order_id    TEXT,
    purpose     TEXT NOT NULL CHECK (purpose IN ('issue', 'reopen', 'service', 'placement')),
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN (
                    'pending', 'sent', 'opened', 'already_open', 'jammed', 'not_verified',
                    'failed', 'expired', 'interrupted', 'refused')),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    sent_at     TEXT,
    done_at     TEXT
);
CREATE INDEX door_commands_live ON door_commands (state) WHERE state IN ('pending', 'sent');

-- What the store last knew of each door, so that a start can compare it with the sensors: a door
-- open that the store believes shut (or the reverse) is an alert, never silently accepted.
CREATE TABLE doors (
    door        INTEGER PRIMARY KEY CHECK (door >= 0),
    state       TEXT NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'unknown')),
    since       TEXT NOT NULL
);
