-- Signals as accepted: stored before the source gets its 2xx. One row per (source instance, dedupe key).
CREATE TABLE signal (
    id              uuid PRIMARY KEY,
    correlation_id  uuid        NOT NULL UNIQUE,
    source_instance text        NOT NULL,
    source_type     text        NOT NULL,
    dedupe_key      text        NOT NULL,
    detection       text        NOT NULL,
    severity        text        NOT NULL,
    detected_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL,
    identities      jsonb       NOT NULL,
    link            text,
    raw_payload     text        NOT NULL,
    raw_sha256      text        NOT NULL,
    state           text        NOT NULL CHECK (state IN ('accepted', 'planned')),
    CONSTRAINT signal_dedupe UNIQUE (source_instance, dedupe_key)
);
CREATE INDEX signal_unplanned ON signal (received_at) WHERE state = 'accepted';

-- One plan per signal (the unique signal_id is what makes a redelivered or re-planned signal plan once).
CREATE TABLE plan (
    id             uuid PRIMARY KEY,
    correlation_id uuid        NOT NULL,
    signal_id      uuid        NOT NULL UNIQUE REFERENCES signal (id),
    policy         text,
    mode           text        NOT NULL CHECK (mode IN ('auto', 'approval', 'dry-run', 'none')),
    state          text        NOT NULL CHECK (state IN ('no-match', 'dispatching', 'awaiting-approval', 'completed')),
    reasons        jsonb       NOT NULL DEFAULT '[]',
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX plan_by_correlation ON plan (correlation_id);

-- One row per action; the idempotency key is unique so a retried or re-planned action exists once.
CREATE TABLE action (
    id              uuid PRIMARY KEY,
    plan_id         uuid        NOT NULL REFERENCES plan (id),
    correlation_id  uuid        NOT NULL,
    seq             int         NOT NULL,
    verb            text        NOT NULL,
    target_instance text        NOT NULL,
    identity        jsonb       NOT NULL,
    identity_key    text        NOT NULL,
    idempotency_key text        NOT NULL UNIQUE,
    automatic       boolean     NOT NULL,
    dry_run         boolean     NOT NULL,
    expires_at      timestamptz,
    state           text        NOT NULL CHECK (state IN ('pending', 'awaiting-approval', 'in-flight', 'succeeded',
                                                          'already-done', 'refused', 'failed', 'dry-run', 'blocked')),
    attempts        int         NOT NULL DEFAULT 0,
    outcome         jsonb,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (plan_id, seq)
);
CREATE INDEX action_open ON action (created_at) WHERE state IN ('pending', 'in-flight');
CREATE INDEX action_automatic_recent ON action (created_at) WHERE automatic;
CREATE INDEX action_by_correlation ON action (correlation_id);

-- The audit store. Rows are written in the same transaction as the change they describe and chained
-- shortly after by one chainer at a time (chain_seq, prev_hash, hash); see docs/design.md.
CREATE TABLE audit_event (
    id                 bigserial PRIMARY KEY,
    at                 timestamptz NOT NULL,
    correlation_id     uuid,
    stage              text        NOT NULL,
    actor              text        NOT NULL,
    connector_instance text,
    identity           text,
    outcome            text        NOT NULL,
    details            jsonb       NOT NULL DEFAULT '{}',
    chain_seq          bigint UNIQUE,
    prev_hash          text,
    hash               text
);
CREATE INDEX audit_by_correlation ON audit_event (correlation_id);
CREATE INDEX audit_unchained ON audit_event (id) WHERE chain_seq IS NULL;

CREATE TABLE audit_chain_head (
    id        int PRIMARY KEY CHECK (id = 1),
    chain_seq bigint NOT NULL,
    hash      text   NOT NULL
);
INSERT INTO audit_chain_head (id, chain_seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
