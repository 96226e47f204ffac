-- name: ClientAttemptCount :one
-- Counts a sign-in, registration or link attempt from a client address in
-- its current window of @window_seconds (a new one starts once it has
-- passed; the policy is in app/ratelimit.go) and returns the count and
-- the seconds left in the window. The count stops growing at a million.
-- Times are the database clock.
WITH policy AS (SELECT make_interval(secs => @window_seconds::float8) AS window_length)
INSERT INTO client_attempts AS c (client, attempts, window_started_at)
VALUES (@client, 1, now())
ON CONFLICT (client) DO UPDATE
SET attempts = (SELECT CASE WHEN c.window_started_at <= now() - window_length
                            THEN 1 ELSE LEAST(c.attempts + 1, 1000000) END FROM policy),
    window_started_at = (SELECT CASE WHEN c.window_started_at <= now() - window_length
                                     THEN now() ELSE c.window_started_at END FROM policy)
RETURNING attempts,
          extract(epoch FROM window_started_at + (SELECT window_length FROM policy) - now())::float8 AS seconds_left;

-- name: ClientAttemptPurge :execrows
-- Forgets clients whose window has passed.
DELETE FROM client_attempts WHERE window_started_at <= now() - make_interval(secs => @window_seconds::float8);
