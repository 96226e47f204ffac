-- name: LoginThrottleAttempt :one
-- Counts a sign-in attempt at an account, before its password is checked,
-- and returns the count; no row while the account must wait (blocked_until
-- not passed), so concurrent guesses are counted one by one under the lock
-- of the row and none overtakes the limit. The policy (app/ratelimit.go):
-- a count whose last attempt is an hour old starts again at 1; from the
-- fifth attempt on, each makes the account wait a minute, doubled per
-- further attempt, at most 15 minutes. Times are the database clock.
INSERT INTO login_throttle AS t (email, failures, last_attempt_at, blocked_until)
VALUES (@email, 1, now(), NULL)
ON CONFLICT (email) DO UPDATE
SET failures = CASE WHEN t.last_attempt_at <= now() - interval '1 hour' THEN 1 ELSE t.failures + 1 END,
    last_attempt_at = now(),
    blocked_until = CASE
        WHEN t.last_attempt_at > now() - interval '1 hour' AND t.failures + 1 >= 5
        THEN now() + interval '1 second' * LEAST(900, 60 * power(2, LEAST(t.failures + 1 - 5, 30)))
    END
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
-- Forgets accounts that need not wait and have had no attempt for an hour.
DELETE FROM login_throttle
WHERE (blocked_until IS NULL OR blocked_until <= now())
  AND last_attempt_at <= now() - interval '1 hour';
