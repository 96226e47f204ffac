-- name: ClientAttemptCount :one
-- Counts a sign-in, registration or link attempt from a client address in
-- its current window (a new window starts once @window_seconds have
-- passed since the last one started), and returns the count and the
-- window's start. The count stops growing at a million.
INSERT INTO client_attempts AS c (client, attempts, window_started_at)
VALUES (@client, 1, @now::timestamptz)
ON CONFLICT (client) DO UPDATE
SET attempts = CASE WHEN c.window_started_at <= @now::timestamptz - make_interval(secs => @window_seconds::double precision)
                    THEN 1 ELSE LEAST(c.attempts + 1, 1000000) END,
    window_started_at = CASE WHEN c.window_started_at <= @now::timestamptz - make_interval(secs => @window_seconds::double precision)
                             THEN @now::timestamptz ELSE c.window_started_at END
RETURNING attempts, window_started_at;

-- name: ClientAttemptPurge :execrows
-- Forgets clients whose window has passed.
DELETE FROM client_attempts
WHERE window_started_at <= @now::timestamptz - make_interval(secs => @window_seconds::double precision);
