-- Where each polling source instance resumes. Its row is locked while a poll runs, so with several replicas one polls.
CREATE TABLE source_checkpoint (
    source_instance text PRIMARY KEY,
    checkpoint      text,
    updated_at      timestamptz NOT NULL,
    failures        int         NOT NULL DEFAULT 0,
    last_error      text
);
