-- +goose Up
-- Reads at scale (issue 19): the ranking pages like every list, in SQL.
--
-- applications.ranking_total is the application's total as the ranking
-- orders it (scoring.ApplicationTotal): the moderated total where a
-- manager set one, else the mean of its scored assessments' totals
-- rounded half up, in integer hundredths; NULL before anyone scored.
-- Triggers keep it: on applications when moderated_total changes, on
-- assessments after any insert, update or delete (statement-level, so a
-- bulk write recomputes each application once). A test checks it against
-- scoring.ApplicationTotal.
ALTER TABLE applications ADD COLUMN ranking_total bigint CHECK (ranking_total BETWEEN 0 AND 10000);

-- +goose StatementBegin
-- The statuses a ranking shows.
CREATE FUNCTION application_is_ranked(status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT status IN ('in_assessment', 'approved', 'rejected', 'waitlisted') $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- The ranking's first sort key, ascending: the highest total first,
-- unscored (NULL) last. Ascending, so one row comparison over
-- (key, submission time, id) is the keyset and the index serves it.
CREATE FUNCTION application_rank_key(ranking_total bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(-ranking_total, 1) $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- The submission time as the ranking orders it: never submitted (only
-- rows written directly, such as fixtures) last, as ORDER BY put NULLs.
CREATE FUNCTION application_rank_submitted(submitted_at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(submitted_at, 'infinity'::timestamptz) $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- The mean of n assessor totals summing to sum, rounded half up, as
-- scoring.Mean: floor((2·sum + n) / 2n) (totals are never negative); NULL
-- for none.
CREATE FUNCTION ranking_mean(sum numeric, n bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT div(2 * sum + n, nullif(2 * n, 0))::bigint $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- An application's ranking total from its moderated total and its scored
-- assessments: those with a total (a CHECK keeps total_hundredths set
-- exactly when scored; no condition on status, so only the
-- application's index serves the lookup).
CREATE FUNCTION application_ranking_total(application_id text, moderated bigint) RETURNS bigint
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(moderated,
        (SELECT ranking_mean(sum(s.total_hundredths), count(s.total_hundredths))
         FROM assessments s
         WHERE s.application_id = application_ranking_total.application_id))
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION applications_set_ranking_total() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.ranking_total := application_ranking_total(NEW.id, NEW.moderated_total);
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER applications_ranking_total
    BEFORE INSERT OR UPDATE OF moderated_total ON applications
    FOR EACH ROW EXECUTE FUNCTION applications_set_ranking_total();

-- +goose StatementBegin
-- Recompute the ranking totals of some applications (not moderated ones)
-- from their assessments, set-based: a bulk write costs one join rather
-- than a query per row.
CREATE FUNCTION applications_refresh_ranking_total(ids text[]) RETURNS void
LANGUAGE sql
AS $$
    UPDATE applications a SET ranking_total = t.total
    FROM (SELECT c.id, ranking_mean(sum(s.total_hundredths), count(s.total_hundredths)) AS total
          FROM unnest(ids) AS c (id)
          LEFT JOIN assessments s ON s.application_id = c.id -- sum and count skip the unscored (NULL)
          GROUP BY c.id) t
    WHERE a.id = t.id AND a.moderated_total IS NULL
      AND a.ranking_total IS DISTINCT FROM t.total
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- After any statement on assessments: the applications it touched.
CREATE FUNCTION assessments_refresh_ranking_total() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM applications_refresh_ranking_total(ARRAY(SELECT DISTINCT o.application_id FROM old_rows o));
    ELSE
        PERFORM applications_refresh_ranking_total(ARRAY(SELECT DISTINCT n.application_id FROM new_rows n));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER assessments_ranking_total_insert
    AFTER INSERT ON assessments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assessments_refresh_ranking_total();
CREATE TRIGGER assessments_ranking_total_update
    AFTER UPDATE ON assessments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assessments_refresh_ranking_total();
CREATE TRIGGER assessments_ranking_total_delete
    AFTER DELETE ON assessments REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assessments_refresh_ranking_total();

-- Backfill, set-based.
SELECT applications_refresh_ranking_total(ARRAY(SELECT DISTINCT application_id FROM assessments));
UPDATE applications SET ranking_total = moderated_total WHERE moderated_total IS NOT NULL;

-- The ranking's keyset, with what its running total and a case's place
-- need, so pages and places read the index alone.
CREATE INDEX applications_ranking ON applications
    (round_id, application_rank_key(ranking_total), application_rank_submitted(submitted_at), id)
    INCLUDE (status, requested_pence)
    WHERE application_is_ranked(status);

-- An assessor's queue by status (assigned, or scored), in id order: without
-- it a queue of thousands is read along the primary key, one row in a
-- hundred kept.
CREATE INDEX assessments_assessor_status ON assessments (assessor_id, status, id) WHERE assessment_is_live(status);

-- +goose Down
DROP INDEX assessments_assessor_status;
DROP INDEX applications_ranking;
DROP TRIGGER assessments_ranking_total_delete ON assessments;
DROP TRIGGER assessments_ranking_total_update ON assessments;
DROP TRIGGER assessments_ranking_total_insert ON assessments;
DROP FUNCTION assessments_refresh_ranking_total();
DROP FUNCTION applications_refresh_ranking_total(text[]);
DROP TRIGGER applications_ranking_total ON applications;
DROP FUNCTION applications_set_ranking_total();
DROP FUNCTION application_ranking_total(text, bigint);
DROP FUNCTION ranking_mean(numeric, bigint);
DROP FUNCTION application_rank_submitted(timestamptz);
DROP FUNCTION application_rank_key(bigint);
DROP FUNCTION application_is_ranked(text);
ALTER TABLE applications DROP COLUMN ranking_total;
