// Package document owns the files applicants upload with applications and
// reports: it decides what a file is from its content (never its name), makes
// client-supplied file names safe to show and serve, and keeps the bytes in a
// content-addressed blob store, named by their SHA-256: a directory on disk
// (Store, the default) or an S3-compatible bucket (S3Store), both behind
// Blobs. Macro-enabled Office files (.docm, .xlsm and their kin) are refused,
// by their content (a VBA project part, a macroEnabled content type) and by
// their name.
//
// Size limits are enforced here per upload (MaxSize); the per-application
// total (MaxPerApplication) is the caller's to check, for example by passing
// the remaining allowance as the limit to Blobs.Put.
package document
