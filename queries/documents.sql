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
