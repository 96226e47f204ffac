package apptest

import (
	"io"
	"sync/atomic"
)

// CountingBody is a request body that counts the bytes read from it, for
// tests that prove a body is not read before a check.
type CountingBody struct {
	R    io.Reader
	read atomic.Int64
}

// Read reads from R and counts.
func (b *CountingBody) Read(p []byte) (int, error) {
	n, err := b.R.Read(p)
	b.read.Add(int64(n))
	return n, err
}

// Close does nothing.
func (b *CountingBody) Close() error { return nil }

// BytesRead is how many bytes have been read.
func (b *CountingBody) BytesRead() int64 { return b.read.Load() }
