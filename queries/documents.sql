-- name: DocumentCreate :one
INSERT INTO documents (id, application_id, filename, content_type, size_bytes, sha256, uploaded_by)
VALUES (@id, @application_id, @filename, @content_type, @size_bytes, @sha256, @uploaded_by)
RETURNING *;

-- name: DocumentGet :one
SELECT * FROM documents WHERE id = @id;

-- name: DocumentListByApplication :many
SELECT * FROM documents WHERE application_id = @application_id ORDER BY id;

-- name: DocumentTotalSize :one
SELECT coalesce(sum(size_bytes), 0)::bigint FROM documents WHERE application_id = @application_id;

-- name: DocumentPageByApplication :many
-- One page of an application's documents (report evidence included), by id.
SELECT * FROM documents
WHERE application_id = @application_id
  AND (sqlc.narg(cursor)::text IS NULL OR id > sqlc.narg(cursor))
ORDER BY id
LIMIT @row_limit;

-- name: DocumentCountForApplication :one
-- Documents uploaded to the application itself (not report evidence); the
-- caller holds the application's row lock.
SELECT count(*) FROM documents WHERE application_id = @application_id AND report_id IS NULL;

-- name: DocumentCountForReport :one
-- Evidence uploaded to a report; the caller holds its application's row lock.
SELECT count(*) FROM documents WHERE report_id = @report_id;

-- name: DocumentDeleteByApplication :many
-- Deletes a draft's documents with it; their stored content is
-- content-addressed (possibly shared) and stays.
DELETE FROM documents WHERE application_id = @application_id
RETURNING *;
