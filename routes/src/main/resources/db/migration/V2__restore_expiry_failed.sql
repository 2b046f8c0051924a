-- A restore is an action of its own (verb 'restore') pointing at the suspension it reverses.
ALTER TABLE action ADD COLUMN restores_action_id uuid REFERENCES action (id);
-- Someone confirmed the suspension: its expiry no longer restores it.
ALTER TABLE action ADD COLUMN confirmed_at timestamptz;
ALTER TABLE action ADD COLUMN confirmed_by text;
-- One live restore per suspension; a failed or refused restore may be requested again.
CREATE UNIQUE INDEX action_one_live_restore ON action (restores_action_id)
    WHERE restores_action_id IS NOT NULL AND state NOT IN ('failed', 'refused');
CREATE INDEX action_expiring ON action (expires_at)
    WHERE verb = 'suspend' AND state = 'succeeded' AND expires_at IS NOT NULL AND confirmed_at IS NULL;

-- A plan whose actions ended with a failure stays visibly failed.
ALTER TABLE plan DROP CONSTRAINT plan_state_check;
ALTER TABLE plan ADD CONSTRAINT plan_state_check
    CHECK (state IN ('no-match', 'dispatching', 'awaiting-approval', 'completed', 'failed'));
