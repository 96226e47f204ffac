-- name: LoginThrottleAttempt :one
-- Counts a sign-in attempt at an account, before its password is checked,
-- and returns the count; no row while the account must wait (blocked_until
-- not passed), so concurrent guesses are counted one by one under the
-- row's lock and none overtakes the limit. Failures are forgotten after
-- @forget_seconds without an attempt. From @free_failures on, each counted
-- attempt makes the account wait @base_seconds, doubled per further
-- failure, at most @max_seconds.
INSERT INTO login_throttle AS t (email, failures, last_attempt_at, blocked_until)
VALUES (@email, 1, @now::timestamptz,
        CASE WHEN 1 >= @free_failures::integer
             THEN @now::timestamptz + make_interval(secs => @base_seconds::double precision) END)
ON CONFLICT (email) DO UPDATE
SET failures = CASE WHEN t.last_attempt_at <= @now::timestamptz - make_interval(secs => @forget_seconds::double precision)
                    THEN 1 ELSE t.failures + 1 END,
    last_attempt_at = @now::timestamptz,
    blocked_until = CASE
        WHEN (CASE WHEN t.last_attempt_at <= @now::timestamptz - make_interval(secs => @forget_seconds::double precision)
                   THEN 1 ELSE t.failures + 1 END) >= @free_failures::integer
        THEN @now::timestamptz + make_interval(secs => LEAST(
            @base_seconds::double precision * power(2::double precision, LEAST(
                (CASE WHEN t.last_attempt_at <= @now::timestamptz - make_interval(secs => @forget_seconds::double precision)
                      THEN 1 ELSE t.failures + 1 END) - @free_failures::integer, 30)),
            @max_seconds::double precision))
        END
WHERE t.blocked_until IS NULL OR t.blocked_until <= @now::timestamptz
RETURNING failures;

-- name: LoginThrottleBlockedUntil :one
-- Until when an account must wait before its next sign-in attempt.
SELECT blocked_until FROM login_throttle WHERE email = @email;

-- name: LoginThrottleReset :exec
-- A sign-in succeeded: the account's failures are forgotten.
DELETE FROM login_throttle WHERE email = @email;

-- name: LoginThrottlePurge :execrows
-- Forgets accounts that need not wait and have had no attempt for
-- @forget_seconds.
DELETE FROM login_throttle
WHERE (blocked_until IS NULL OR blocked_until <= @now::timestamptz)
  AND last_attempt_at <= @now::timestamptz - make_interval(secs => @forget_seconds::double precision);
