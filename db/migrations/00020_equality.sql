-- +goose Up
-- Equality monitoring (issue 18 part 2, DESIGN §10): an organisation's
-- optional answers to the DEI Data Standard's questions (who leads it,
-- its mission, who the project is for), one row per application.
--
-- Kept APART: no query that assessors, chairs, the panel or the ranking
-- use reads this table; only the applicant's members (their own answers)
-- and the equality report (aggregates, small counts suppressed) do, and
-- the open-data export for groups that agreed to publish.
CREATE TABLE equality_answers (
    application_id text PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    answers        jsonb NOT NULL,
    publish        boolean NOT NULL DEFAULT false,
    updated_by     text NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT equality_answers_object CHECK (jsonb_typeof(answers) = 'object')
);
COMMENT ON TABLE equality_answers IS
    'Equality monitoring answers: never joined into assessment, panel, ranking or decision reads; reported only in aggregate (counts under 5 suppressed)';

-- +goose Down
DROP TABLE equality_answers;
