-- How far the audit feed (the Kafka audit topic) has been published, in chain order. Its row is locked while a
-- replica publishes, so one publishes at a time; a crash before the update republishes (at least once, same rows).
CREATE TABLE audit_feed (
    id             int PRIMARY KEY CHECK (id = 1),
    published_seq  bigint      NOT NULL,
    updated_at     timestamptz NOT NULL
);
INSERT INTO audit_feed (id, published_seq, updated_at) VALUES (1, 0, now());
