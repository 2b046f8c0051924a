-- Hub-wide switches every replica reads: the kill switch that stops all target calls.
CREATE TABLE hub_state (
    name       text PRIMARY KEY,
    enabled    boolean     NOT NULL,
    changed_by text        NOT NULL,
    changed_at timestamptz NOT NULL
);
INSERT INTO hub_state (name, enabled, changed_by, changed_at) VALUES ('paused', false, 'install', now());
