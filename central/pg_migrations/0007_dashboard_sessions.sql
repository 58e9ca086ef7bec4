-- The dashboard's sign-in sessions (central/dashboard/auth.py, central/hub_sessions_pg.py): kept
-- in the store, not in one hub's memory, so a restart signs no one out and every hub behind one
-- address accepts them. Only a SHA-256 of the session id is kept, never the cookie's value.
CREATE TABLE dashboard_sessions (
    sid_sha256   TEXT PRIMARY KEY,
    operator     TEXT NOT NULL,
    credential   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen    TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX dashboard_sessions_expires ON dashboard_sessions (expires_at);
-- The wrong tokens of the last minute, any hub's: the sign-in limit is the group's, so N hubs
-- behind one address do not give a guesser N times the tries.
CREATE TABLE dashboard_signin_failures (
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX dashboard_signin_failures_at ON dashboard_signin_failures (at);
