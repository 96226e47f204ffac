package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail, rendered.
type Message struct {
	// MessageID is the Message-ID, without angle brackets, fixed before
	// the first attempt so every retry sends the same message.
	MessageID string
	To        string
	Subject   string
	Text      string
	HTML      string
	// Headers are extra headers (such as Auto-Submitted).
	Headers map[string]string
}

// Sender sends messages through one mail server. It opens a connection
// per message: the service sends few, and a connection held open between
// them would only time out.
type Sender struct {
	settings Settings
	from     *mail.Address
	replyTo  *mail.Address
	timeout  time.Duration
}

// NewSender checks the settings and the sender and reply-to addresses
// (GRANTS_MAIL_FROM, GRANTS_MAIL_REPLY_TO; replyTo may be "").
func NewSender(s Settings, from, replyTo string) (*Sender, error) {
	f, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("GRANTS_MAIL_FROM: %q is not an address like \"Grants <grants@example.org>\"", from)
	}
	snd := &Sender{settings: s, from: f, timeout: 30 * time.Second}
	if replyTo != "" {
		if snd.replyTo, err = mail.ParseAddress(replyTo); err != nil {
			return nil, fmt.Errorf("GRANTS_MAIL_REPLY_TO: %q is not an e-mail address", replyTo)
		}
	}
	return snd, nil
}

// Domain is the domain of the sender's address, the right-hand side of
// the Message-IDs this service makes.
func (s *Sender) Domain() string {
	_, d, _ := strings.Cut(s.from.Address, "@")
	return d
}

// Settings are the server settings the sender uses.
func (s *Sender) Settings() Settings { return s.settings }

// Send delivers m. A failure wraps ErrPermanent when trying again cannot
// help (IsPermanent).
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(s.settings.Host, s.options()...)
	if err != nil {
		return fmt.Errorf("mail client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(err)
	}
	return nil
}

func (s *Sender) options() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(s.settings.Port), gomail.WithTimeout(s.timeout)}
	switch s.settings.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.settings.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.settings.Username), gomail.WithPassword(s.settings.Password))
	}
	return opts
}

// build makes the MIME message: multipart/alternative, the plain text
// first and the HTML last (the part a mail program prefers).
func (s *Sender) build(m Message) (*gomail.Msg, error) {
	if m.MessageID == "" || strings.ContainsAny(m.MessageID, "<> \r\n") || !strings.Contains(m.MessageID, "@") {
		return nil, fmt.Errorf("%w: message id %q is not id@domain", ErrPermanent, m.MessageID)
	}
	msg := gomail.NewMsg()
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("%w: recipient %q: %w", ErrPermanent, m.To, err)
	}
	if s.replyTo != nil {
		msg.ReplyToMailAddress(s.replyTo)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// ErrPermanent marks a failure that retrying cannot mend: the server
// refused the sender, the recipient or the message with a 5xx answer, or
// the message itself is malformed.
var ErrPermanent = errors.New("permanent mail failure")

// IsPermanent reports whether err is a permanent failure.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// classify marks the server's 5xx refusals of a message permanent; the
// rest (connection refused, time-outs, TLS, authentication, 4xx) may pass
// when tried again. An authentication failure is a setting to fix, not a
// reason to give up on the message.
func classify(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() {
		switch se.Reason {
		case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
			if code := se.ErrorCode(); code >= 500 && code < 600 {
				return fmt.Errorf("%w: %w", ErrPermanent, err)
			}
		}
	}
	return fmt.Errorf("send mail: %w", err)
}
