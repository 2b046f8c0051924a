-- A plan waiting for people: where it was posted, who may decide, until when.
CREATE TABLE approval_request (
    plan_id          uuid PRIMARY KEY REFERENCES plan (id),
    correlation_id   uuid        NOT NULL,
    channel_instance text        NOT NULL,
    message_channel  text,
    message_id       text,
    approvers        jsonb       NOT NULL,
    approvals_needed int         NOT NULL CHECK (approvals_needed >= 1),
    deadline         timestamptz NOT NULL,
    on_timeout       text        NOT NULL CHECK (on_timeout IN ('deny', 'approve')),
    state            text        NOT NULL CHECK (state IN ('awaiting', 'approved', 'denied', 'expired')),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX approval_open ON approval_request (deadline) WHERE state = 'awaiting';

-- One decision per person per plan: a second click by the same person changes nothing.
CREATE TABLE approval_decision (
    plan_id   uuid        NOT NULL REFERENCES approval_request (plan_id),
    user_id   text        NOT NULL,
    user_name text,
    approve   boolean     NOT NULL,
    at        timestamptz NOT NULL,
    PRIMARY KEY (plan_id, user_id)
);

ALTER TABLE plan DROP CONSTRAINT plan_state_check;
ALTER TABLE plan ADD CONSTRAINT plan_state_check
    CHECK (state IN ('no-match', 'dispatching', 'awaiting-approval', 'completed', 'failed', 'denied', 'expired'));
ALTER TABLE action DROP CONSTRAINT action_state_check;
ALTER TABLE action ADD CONSTRAINT action_state_check
    CHECK (state IN ('pending', 'awaiting-approval', 'in-flight', 'succeeded', 'already-done', 'refused', 'failed',
                     'dry-run', 'blocked', 'denied', 'expired'));
