-- +goose Up
-- An applicant may decline an offer (issue 14): the grant becomes
-- 'declined', its budget is released as for a lapse, and the reason given
-- (if any) is kept with it.
ALTER TABLE grants DROP CONSTRAINT grants_status_check;
ALTER TABLE grants ADD CONSTRAINT grants_status_check
    CHECK (status IN ('offered', 'active', 'lapsed', 'declined', 'completed', 'suspended', 'terminated'));
ALTER TABLE grants ADD COLUMN declined_at timestamptz, ADD COLUMN decline_reason text;

-- +goose Down
ALTER TABLE grants DROP COLUMN declined_at, DROP COLUMN decline_reason;
ALTER TABLE grants DROP CONSTRAINT grants_status_check;
ALTER TABLE grants ADD CONSTRAINT grants_status_check
    CHECK (status IN ('offered', 'active', 'lapsed', 'completed', 'suspended', 'terminated'));
