// Package db owns the PostgreSQL side of grants: the embedded migrations,
// the connection pool, the transaction helper and the translation of driver
// errors into the package's sentinel errors, done in one place for every
// query by the connection sqlc is given (conn.go). The queries themselves live in
// ../queries and are generated into db/sqlc by sqlc; db imports no other
// package of this project.
package db
