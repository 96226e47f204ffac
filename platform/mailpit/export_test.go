package mailpit

// WithPageSize returns a copy of c that lists n summaries per request.
func (c Client) WithPageSize(n int) *Client {
	c.pageSize = n
	return &c
}
