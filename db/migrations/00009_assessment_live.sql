-- +goose Up
-- One definition of a live assessment (issue 13): assigned or scored. A
-- live assessment counts towards its assessor's load, gives its assessor
-- access to the application and may still be scored, released or marked
-- a conflict. The queries say assessment_is_live(status) rather than
-- listing the statuses; Go says workflows.AssessmentLive. The function is
-- immutable and plain SQL, so the planner inlines it (and the partial
-- index below still serves the queries).
-- +goose StatementBegin
CREATE FUNCTION assessment_is_live(status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT status IN ('assigned', 'scored') $$;
-- +goose StatementEnd
DROP INDEX assessments_round_load;
CREATE INDEX assessments_round_load ON assessments (round_id, assessor_id) WHERE assessment_is_live(status);

-- +goose Down
DROP INDEX assessments_round_load;
CREATE INDEX assessments_round_load ON assessments (round_id, assessor_id) WHERE status IN ('assigned', 'scored');
DROP FUNCTION assessment_is_live(text);
