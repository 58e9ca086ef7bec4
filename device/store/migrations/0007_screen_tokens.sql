-- Station tokens of the local screen (device/screen/tokens.py): a tablet that reaches the
-- screen server from another machine shows one station only, and only with a token printed
-- for it (`pvz screen pair`). Only the token's SHA-256 is kept, so a copy of the store lets
-- nobody in; `revoked_at` cuts a lost tablet off without forgetting that it existed;
-- `last_used_at` (updated at most once a minute) tells a technician which tablets are alive.
-- Times are UTC text (device/store/clock.py).
CREATE TABLE screen_tokens (
    id            INTEGER PRIMARY KEY,
    station       TEXT NOT NULL,
    label         TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    last_used_at  TEXT
);
