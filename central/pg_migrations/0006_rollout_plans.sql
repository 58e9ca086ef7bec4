-- The staged rollouts (central/rollout_plans.py): each plan with its signed release, so any hub
-- of the group publishes the next stage without the release key, and what happened to it.
CREATE TABLE rollout_plans (
    plan_id      TEXT PRIMARY KEY,
    package      TEXT NOT NULL,
    version      TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    sites        TEXT NOT NULL,
    stages       TEXT NOT NULL,
    every_s      DOUBLE PRECISION NOT NULL,
    max_failures DOUBLE PRECISION NOT NULL,
    release      TEXT NOT NULL,
    stage        INTEGER NOT NULL,
    published    INTEGER NOT NULL,  -- the last stage whose publishes the broker acknowledged
    state        TEXT NOT NULL,
    devices      TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    stage_at     TIMESTAMPTZ NOT NULL
);
CREATE TABLE rollout_history (
    id           BIGSERIAL PRIMARY KEY,
    plan_id      TEXT NOT NULL REFERENCES rollout_plans (plan_id),
    at           TIMESTAMPTZ NOT NULL,
    event        TEXT NOT NULL,
    stage        INTEGER NOT NULL,
    detail       TEXT NOT NULL
);
CREATE INDEX rollout_history_plan ON rollout_history (plan_id, id);
