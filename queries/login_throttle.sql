-- name: LoginThrottleAttempt :one
-- Counts a sign-in attempt at an account, before its password is checked,
-- and returns the count; no row while the account must wait (blocked_until
-- not passed), so concurrent guesses are counted one by one under the lock
-- of the row and none overtakes the limit. The policy's numbers come from
-- app/ratelimit.go: a count whose last attempt is @forget_after_seconds
-- old starts again at 1; from the @free_failures-th attempt on, each makes
-- the account wait @backoff_base_seconds, doubled per further attempt, at
-- most @backoff_max_seconds. Times are the database clock.
WITH policy AS (
    SELECT @free_failures::int AS free, @backoff_base_seconds::float8 AS base,
           @backoff_max_seconds::float8 AS cap, make_interval(secs => @forget_after_seconds::float8) AS forget)
INSERT INTO login_throttle AS t (email, failures, last_attempt_at, blocked_until)
VALUES (@email, 1, now(), NULL)
ON CONFLICT (email) DO UPDATE
SET failures = CASE WHEN t.last_attempt_at <= now() - (SELECT forget FROM policy) THEN 1 ELSE t.failures + 1 END,
    last_attempt_at = now(),
    blocked_until = (SELECT CASE
        WHEN t.last_attempt_at > now() - forget AND t.failures + 1 >= free
        THEN now() + interval '1 second' * LEAST(cap, base * power(2, LEAST(t.failures + 1 - free, 30)))
    END FROM policy)
WHERE t.blocked_until IS NULL OR t.blocked_until <= now()
RETURNING failures, blocked_until;

-- name: LoginThrottleWait :one
-- How many seconds an account must still wait before its next sign-in
-- attempt (0 or less: none).
SELECT extract(epoch FROM coalesce(blocked_until, now()) - now())::float8 AS seconds
FROM login_throttle WHERE email = @email;

-- name: LoginThrottleReset :exec
-- A sign-in succeeded: the failures of the account are forgotten.
DELETE FROM login_throttle WHERE email = @email;

-- name: LoginThrottlePurge :execrows
-- Forgets accounts that need not wait and have had no attempt for the
-- time after which their count is forgotten.
DELETE FROM login_throttle
WHERE (blocked_until IS NULL OR blocked_until <= now())
  AND last_attempt_at <= now() - make_interval(secs => @forget_after_seconds::float8);
