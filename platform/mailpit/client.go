package mailpit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Client reads and manages what a Mailpit caught, through its HTTP API
// (/api/v1), for tests and tools.
type Client struct {
	// BaseURL is Mailpit's web address, Server.URL: "http://127.0.0.1:<port>".
	BaseURL string
	// HTTP sends the requests; nil uses http.DefaultClient.
	HTTP *http.Client

	pageSize int // 0 means defaultPageSize; tests set it
}

// ErrNotFound is returned (wrapped) by Message, Headers and Raw for an ID
// Mailpit does not have.
var ErrNotFound = errors.New("mailpit: message not found")

// PollInterval is how often WaitForMessage asks Mailpit again.
const PollInterval = 50 * time.Millisecond

// defaultPageSize is how many summaries one list or search request asks
// for.
const defaultPageSize = 500

// Address is a mailbox in a message's headers.
type Address struct {
	Name    string
	Address string
}

// Summary is a message as Mailpit lists it.
type Summary struct {
	// ID is Mailpit's ID of the message, for Message, Headers and Raw.
	ID string
	// MessageID is the Message-ID header without its angle brackets.
	MessageID string
	From      Address
	// To, Cc and Bcc are the recipients; Bcc are the envelope recipients
	// named in no header.
	To, Cc, Bcc []Address
	ReplyTo     []Address
	Subject     string
	// Created is when Mailpit received the message.
	Created time.Time
	// Username is the SMTP login the sender used, "" for none.
	Username string
	// Snippet is the start of the text.
	Snippet string
}

// Message is a message as Mailpit parsed it.
type Message struct {
	ID string
	// MessageID is the Message-ID header without its angle brackets.
	MessageID   string
	From        Address
	To, Cc, Bcc []Address
	ReplyTo     []Address
	ReturnPath  string
	Subject     string
	// Date is the Date header, or when Mailpit received the message if it
	// has none.
	Date     time.Time
	Username string
	// Text and HTML are the decoded text/plain and text/html parts.
	Text, HTML string
	// Attachments lists the attached files by name.
	Attachments []Attachment
}

// Attachment is an attached file of a Message.
type Attachment struct {
	PartID      string
	FileName    string
	ContentType string
	Size        uint64
}

// Recipients returns the addresses of To, Cc and Bcc.
func (s Summary) Recipients() []string { return addresses(s.To, s.Cc, s.Bcc) }

// Recipients returns the addresses of To, Cc and Bcc.
func (m Message) Recipients() []string { return addresses(m.To, m.Cc, m.Bcc) }

func addresses(lists ...[]Address) []string {
	var out []string
	for _, l := range lists {
		for _, a := range l {
			out = append(out, a.Address)
		}
	}
	return out
}

// Messages lists every message, newest first.
func (c *Client) Messages(ctx context.Context) ([]Summary, error) {
	return c.list(ctx, "/api/v1/messages", url.Values{})
}

// Search lists the messages matching query in Mailpit's search syntax
// (such as `to:someone@example.org subject:"Confirm"`; see
// https://mailpit.axllent.org/docs/usage/search-filters/), newest first.
// Mailpit matches addresses by substring.
func (c *Client) Search(ctx context.Context, query string) ([]Summary, error) {
	return c.list(ctx, "/api/v1/search", url.Values{"query": {query}})
}

// list fetches every page of a list of summaries.
func (c *Client) list(ctx context.Context, path string, q url.Values) ([]Summary, error) {
	size := c.pageSize
	if size <= 0 {
		size = defaultPageSize
	}
	var all []Summary
	for {
		q.Set("start", strconv.Itoa(len(all)))
		q.Set("limit", strconv.Itoa(size))
		var page struct {
			MessagesCount int       `json:"messages_count"`
			Messages      []Summary `json:"messages"`
		}
		if err := c.do(ctx, http.MethodGet, path+"?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Messages...)
		if len(page.Messages) == 0 || len(all) >= page.MessagesCount {
			return all, nil
		}
	}
}

// Message returns the message with Mailpit's ID id (Summary.ID). Mailpit
// marks it read.
func (c *Client) Message(ctx context.Context, id string) (Message, error) {
	var m Message
	err := c.do(ctx, http.MethodGet, "/api/v1/message/"+url.PathEscape(id), nil, &m)
	return m, err
}

// Headers returns the headers of the message with Mailpit's ID id, as
// sent; Get canonicalises the name ("Message-ID" finds "Message-Id").
func (c *Client) Headers(ctx context.Context, id string) (mail.Header, error) {
	var h mail.Header
	err := c.do(ctx, http.MethodGet, "/api/v1/message/"+url.PathEscape(id)+"/headers", nil, &h)
	return h, err
}

// Raw returns the message with Mailpit's ID id as it was received.
func (c *Client) Raw(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := c.do(ctx, http.MethodGet, "/api/v1/message/"+url.PathEscape(id)+"/raw", nil, &b)
	return b, err
}

// DeleteAll deletes every message.
func (c *Client) DeleteAll(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/messages", nil, nil)
}

// WaitForMessage returns the newest message to the address to (in To, Cc
// or Bcc, compared without regard to case) for which match, if not nil,
// returns true, asking Mailpit every PollInterval until one arrives or
// ctx ends. to "" waits for any message. When ctx ends, the error says
// what had arrived for to.
func (c *Client) WaitForMessage(ctx context.Context, to string, match func(Summary) bool) (Message, error) {
	for {
		found, err := c.addressedTo(ctx, to)
		seen := []string{}
		for _, s := range found {
			if match == nil || match(s) {
				return c.Message(ctx, s.ID)
			}
			seen = append(seen, strconv.Quote(s.Subject))
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			} else {
				// The last look ran out of time itself: look once more,
				// briefly, so the error still says what did arrive.
				last, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
				found, _ = c.addressedTo(last, to)
				cancel()
				seen = seen[:0]
				for _, s := range found {
					seen = append(seen, strconv.Quote(s.Subject))
				}
			}
			return Message{}, fmt.Errorf("wait for a message to %q: %w (%d others arrived: %s)",
				to, err, len(seen), strings.Join(seen, ", "))
		case <-time.After(PollInterval):
		}
	}
}

// addressedTo lists the messages to an address (every message for "").
func (c *Client) addressedTo(ctx context.Context, to string) ([]Summary, error) {
	if to == "" {
		return c.Messages(ctx)
	}
	found, err := c.Search(ctx, "addressed:"+to)
	return slices.DeleteFunc(found, func(s Summary) bool {
		return !slices.ContainsFunc(s.Recipients(), func(a string) bool { return strings.EqualFold(a, to) })
	}), err
}

// Trigger makes Mailpit's SMTP server answer ErrorCode (400 to 599) with
// Probability per cent (0 to 100; 0 disables it).
type Trigger struct {
	ErrorCode   int
	Probability int
}

// Refuse is a Trigger that always answers code.
func Refuse(code int) Trigger { return Trigger{ErrorCode: code, Probability: 100} }

// Chaos is Mailpit's chaos configuration: when its SMTP server refuses a
// sender (MAIL FROM), a recipient (RCPT TO) or a login (AUTH). It applies
// to every message the instance receives.
type Chaos struct {
	Sender         Trigger
	Recipient      Trigger
	Authentication Trigger
}

// SetChaos replaces the chaos configuration (a zero Trigger disables
// that one) and returns it as Mailpit applied it.
func (c *Client) SetChaos(ctx context.Context, ch Chaos) (Chaos, error) {
	body, err := json.Marshal(ch)
	if err != nil {
		return Chaos{}, err
	}
	var got Chaos
	err = c.do(ctx, http.MethodPut, "/api/v1/chaos", body, &got)
	return got, err
}

// ClearChaos disables every chaos trigger.
func (c *Client) ClearChaos(ctx context.Context) error {
	_, err := c.SetChaos(ctx, Chaos{})
	return err
}

// GetChaos returns the chaos configuration.
func (c *Client) GetChaos(ctx context.Context) (Chaos, error) {
	var got Chaos
	err := c.do(ctx, http.MethodGet, "/api/v1/chaos", nil, &got)
	return got, err
}

// do sends a request to the API and decodes a 200 answer into out: JSON,
// or the bytes themselves for a *[]byte; nil discards it.
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	var rdr io.Reader
	if body != nil {
		rdr = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, rdr)
	if err != nil {
		return fmt.Errorf("mailpit %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("mailpit %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("mailpit %s %s: %w", method, path, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("mailpit %s %s: %w", method, path, ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("mailpit %s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(b)))
	}
	switch o := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*o = b
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("mailpit %s %s: %w", method, path, err)
	}
	return nil
}
