-- name: ReminderDraftOwners :many
-- Who is told that a round is closing: every member (any role may edit a
-- draft) of each organisation with a draft application in the round, one
-- row per draft and member.
SELECT a.id AS application_id, o.name AS organisation_name, m.user_id
FROM applications a
JOIN organisations o ON o.id = a.organisation_id
JOIN organisation_members m ON m.organisation_id = a.organisation_id
WHERE a.round_id = @round_id AND a.status = 'draft'
ORDER BY a.id, m.user_id;
