-- The reads scenario's seed, one statement per "-- step:" block, run in
-- order in one transaction. Parameters: $1 the run's tag (6 characters of
-- the id alphabet: every id and address of the run carries it), then
-- the step's own, named in its comment. Ids are the id package's shape
-- (prefix, "_", 26 characters), so cursors accept them.

-- step: users ($2 password hash, $3 assessors)
INSERT INTO users (id, email, name, password_hash, roles, email_verified_at)
SELECT 'usr_' || $1::text || lpad(j::text, 20, '0'),
       'bench-' || $1::text || '-' || r.role || j || '@example.org',
       'Bench ' || r.role || ' ' || j, $2::text, ARRAY[r.role], now()
FROM generate_series(1, $3::int + 2) j,
     LATERAL (SELECT CASE j WHEN 1 THEN 'manager' WHEN 2 THEN 'chair' ELSE 'assessor' END AS role) r;

-- step: organisations ($2 count)
INSERT INTO organisations (id, name, legal_form, borough_name, borough_gss, address, annual_income_pence, created_by)
SELECT 'org_' || $1::text || lpad(i::text, 20, '0'),
       (ARRAY['Friends of', 'Community', 'Youth', 'Neighbours of', 'Elders of', 'Growers of'])[1 + i % 6] || ' '
           || (ARRAY['Peckham', 'Kentish Town', 'Dalston', 'Brixton', 'Stratford', 'Bow'])[1 + i / 6 % 6] || ' ' || i,
       'community_group',
       (ARRAY['Southwark', 'Camden', 'Hackney', 'Lambeth', 'Newham', 'Tower Hamlets'])[1 + i / 6 % 6],
       (ARRAY['E09000028', 'E09000007', 'E09000012', 'E09000022', 'E09000025', 'E09000030'])[1 + i / 6 % 6],
       jsonb_build_object('line1', i || ' High Street', 'town', 'London', 'postcode', 'SE1 7PB'),
       1000000 + (i * 7919) % 20000000,
       'usr_' || $1::text || lpad('1', 20, '0')
FROM generate_series(1, $2::int) i;

-- step: applications ($2 round, $3 count, $4 answers template, $5 tier, $6 tier min, $7 tier max)
-- Every fifth of a round's statuses: mostly in assessment; one in twenty
-- each approved, rejected and waitlisted. Submitted a second apart.
INSERT INTO applications (id, round_id, organisation_id, status, tier, requested_pence, answers, version, eligibility,
                          created_by, submitted_at, decision_outcome, decision_reason, decided_at, award_pence)
SELECT 'app_' || $1::text || 'a' || lpad(i::text, 19, '0'), $2::text, 'org_' || $1::text || lpad(i::text, 20, '0'),
       d.status, $5::text, r.requested,
       $4::jsonb || jsonb_build_object('project_summary', 'Project ' || i || ' of ' || ($4::jsonb ->> 'project_summary')),
       4, '{"eligible": true, "reasons": []}', 'usr_' || $1::text || lpad('1', 20, '0'),
       now() - make_interval(secs => $3::int - i + 3600),
       d.outcome, CASE WHEN d.outcome IS NOT NULL THEN 'Panel decision' END,
       CASE WHEN d.outcome IS NOT NULL THEN now() END,
       CASE WHEN d.outcome = 'approve' THEN r.requested END
FROM generate_series(1, $3::int) i,
     LATERAL (SELECT $6::bigint + (i::bigint * 7919) % ($7::bigint - $6::bigint) AS requested) r,
     LATERAL (SELECT CASE i % 20 WHEN 1 THEN 'approved' WHEN 2 THEN 'rejected' WHEN 3 THEN 'waitlisted' ELSE 'in_assessment' END AS status,
                     CASE i % 20 WHEN 1 THEN 'approve' WHEN 2 THEN 'reject' WHEN 3 THEN 'waitlist' END AS outcome) d;

-- step: assessments ($2 round, $3 count, $4 assessors, $5 criterion keys, $6 weights, $7 max scores)
-- Two assessors per application (three for one in four), from a pool,
-- one in ten unscored; each criterion scored from a hash of the row, the
-- total by the weighted formula rounded half up (as scoring.AssessorTotal).
INSERT INTO assessments (id, application_id, round_id, assessor_id, status, deadline, scores, total_hundredths, assigned_at, scored_at)
SELECT 'asm_' || $1::text || k || lpad(i::text, 19, '0'), 'app_' || $1::text || 'a' || lpad(i::text, 19, '0'), $2::text,
       'usr_' || $1::text || lpad((3 + (i + k * 7) % $4::int)::text, 20, '0'),
       CASE WHEN s.scored THEN 'scored' ELSE 'assigned' END,
       now() + interval '14 days',
       CASE WHEN s.scored THEN sc.scores END,
       CASE WHEN s.scored THEN sc.total END,
       now() - interval '2 days',
       CASE WHEN s.scored THEN now() - interval '1 day' END
FROM generate_series(1, $3::int) i,
     generate_series(0, 2) k,
     LATERAL (SELECT (i * 31 + k) % 10 <> 0 AS scored) s,
     LATERAL (SELECT jsonb_object_agg(c.key, jsonb_build_object('score', (i * 13 + k * 5 + c.n * 3) % (c.max + 1),
                         'justification', 'Evidence from the application, point ' || c.n || ', weighed against the guidance.')) AS scores,
                     round(sum(((i * 13 + k * 5 + c.n * 3) % (c.max + 1))::numeric * c.weight / c.max) * 10000
                           / sum(c.weight))::bigint AS total
              FROM unnest($5::text[], $6::int[], $7::int[]) WITH ORDINALITY AS c(key, weight, max, n)) sc
WHERE k < 2 OR i % 4 = 0;

-- step: moderation ($2 round)
-- A manager moderated one application in fifty.
UPDATE applications
SET moderated_total = (id_n * 37) % 10001, moderation_rationale = 'Moderated at panel', moderated_at = now(),
    moderated_by = 'usr_' || $1::text || lpad('1', 20, '0'), flags = '{moderated}'
FROM (SELECT id AS mid, right(id, 19)::bigint AS id_n FROM applications WHERE round_id = $2::text) m
WHERE id = m.mid AND m.id_n % 50 = 0 AND status IN ('in_assessment', 'waitlisted');

-- step: past applications ($2 round, $3 count, $4 answers template, $5 tier, $6 tier min, $7 tier max)
-- The past round: every application approved, for the export.
INSERT INTO applications (id, round_id, organisation_id, status, tier, requested_pence, answers, version, eligibility,
                          created_by, submitted_at, decision_outcome, decision_reason, decided_at, award_pence)
SELECT 'app_' || $1::text || 'b' || lpad(i::text, 19, '0'), $2::text, 'org_' || $1::text || lpad(i::text, 20, '0'),
       'approved', $5::text, r.requested,
       $4::jsonb || jsonb_build_object('project_summary', 'Project ' || i || ' of ' || ($4::jsonb ->> 'project_summary')),
       6, '{"eligible": true, "reasons": []}', 'usr_' || $1::text || lpad('1', 20, '0'),
       now() - interval '400 days', 'approve', 'Panel decision', now() - interval '380 days', r.requested
FROM generate_series(1, $3::int) i,
     LATERAL (SELECT $6::bigint + (i::bigint * 7919) % ($7::bigint - $6::bigint) AS requested) r;

-- step: grants ($2 round, $3 count)
-- Each past application's grant, accepted and active.
INSERT INTO grants (id, application_id, round_id, organisation_id, award_pence, conditions, status, offered_at, offer_expires_at,
                    signatory_name, signatory_role, accepted_at)
SELECT 'gnt_' || $1::text || 'b' || lpad(i::text, 19, '0'), a.id, $2::text, a.organisation_id, a.award_pence,
       'Spend the grant on the project described.', 'active', now() - interval '380 days', now() - interval '352 days',
       'A Trustee', 'Chair of trustees', now() - interval '370 days'
FROM applications a, LATERAL (SELECT right(a.id, 19)::bigint AS i) n
WHERE a.round_id = $2::text AND n.i <= $3::int;

-- step: grant links ($2 round)
UPDATE applications a SET grant_id = g.id
FROM grants g
WHERE g.application_id = a.id AND a.round_id = $2::text AND g.id LIKE 'gnt_' || $1::text || '%';
