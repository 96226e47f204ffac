package app

import (
	"strconv"

	"github.com/civicgrants/grants/id"
)

// Page is one page of a list: items and the cursor of the next page, nil on
// the last one.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// PageQuery is the ?cursor=&limit= of a list request.
type PageQuery struct {
	Cursor string
	Limit  string
}

const (
	defaultLimit = 50
	maxLimit     = 200
)

// parse validates the query for objects whose ids carry prefix and returns
// the cursor (nil for the first page) and the row limit to ask for (one more
// than the page size, so the last page is known without a second query).
func (p PageQuery) parse(prefix string, fields map[string]string) (*string, int32) {
	limit := p.rowLimit(fields)
	var cursor *string
	if p.Cursor != "" {
		if !id.Valid(prefix, p.Cursor) {
			fields["cursor"] = "Cursor is not one this service gave out"
		} else {
			c := p.Cursor
			cursor = &c
		}
	}
	return cursor, limit
}

// parseSerial is parse for objects with serial (bigint) ids, such as
// notifications and e-mails.
func (p PageQuery) parseSerial(fields map[string]string) (*int64, int32) {
	limit := p.rowLimit(fields)
	if p.Cursor == "" {
		return nil, limit
	}
	n, err := strconv.ParseInt(p.Cursor, 10, 64)
	if err != nil || n < 1 {
		fields["cursor"] = "Cursor is not one this service gave out"
		return nil, limit
	}
	return &n, limit
}

// rowLimit validates the limit and returns the number of rows to ask for:
// one more than the page size.
func (p PageQuery) rowLimit(fields map[string]string) int32 {
	limit := defaultLimit
	if p.Limit != "" {
		n, err := strconv.Atoi(p.Limit)
		if err != nil || n < 1 || n > maxLimit {
			fields["limit"] = "Limit must be a whole number from 1 to 200"
		} else {
			limit = n
		}
	}
	return int32(limit + 1)
}

// pageRows trims rows fetched with parse's limit to the page and returns
// the cursor of the next page (nil on the last one).
func pageRows[R any](rows []R, limit int32, key func(R) string) ([]R, *string) {
	if len(rows) < int(limit) {
		return rows, nil
	}
	rows = rows[:len(rows)-1]
	next := key(rows[len(rows)-1])
	return rows, &next
}

// pageOf trims rows fetched with parse's limit into a Page, viewing each.
func pageOf[R any, T any](rows []R, limit int32, key func(R) string, view func(R) (T, error)) (Page[T], error) {
	rows, next := pageRows(rows, limit, key)
	p := Page[T]{Items: make([]T, 0, len(rows)), NextCursor: next}
	for _, r := range rows {
		v, err := view(r)
		if err != nil {
			return Page[T]{}, err
		}
		p.Items = append(p.Items, v)
	}
	return p, nil
}
