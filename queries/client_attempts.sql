-- name: ClientAttemptCount :one
-- Counts a sign-in, registration or link attempt from a client address in
-- its current window of ten minutes (a new one starts once it has passed;
-- the policy is in app/ratelimit.go) and returns the count and the seconds
-- left in the window. The count stops growing at a million. Times are
-- the database clock.
INSERT INTO client_attempts AS c (client, attempts, window_started_at)
VALUES (@client, 1, now())
ON CONFLICT (client) DO UPDATE
SET attempts = CASE WHEN c.window_started_at <= now() - interval '10 minutes'
                    THEN 1 ELSE LEAST(c.attempts + 1, 1000000) END,
    window_started_at = CASE WHEN c.window_started_at <= now() - interval '10 minutes'
                             THEN now() ELSE c.window_started_at END
RETURNING attempts, extract(epoch FROM window_started_at + interval '10 minutes' - now())::float8 AS seconds_left;

-- name: ClientAttemptPurge :execrows
-- Forgets clients whose window has passed.
DELETE FROM client_attempts WHERE window_started_at <= now() - interval '10 minutes';
