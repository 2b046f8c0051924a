-- A plan may wait for approval with no channel configured: operators decide it through the API.
ALTER TABLE approval_request ALTER COLUMN channel_instance DROP NOT NULL;
