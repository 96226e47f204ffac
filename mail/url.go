package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// TLSMode is how a connection to the mail server is protected.
type TLSMode string

// TLS modes: STARTTLS required (the default for smtp://), TLS from the
// first byte (smtps://), or none at all (?tls=none: a local catcher only).
const (
	TLSStartTLS TLSMode = "starttls"
	TLSImplicit TLSMode = "implicit"
	TLSNone     TLSMode = "none"
)

// Settings is a parsed GRANTS_SMTP_URL.
type Settings struct {
	Host     string
	Port     int
	TLS      TLSMode
	Username string // "" means no authentication
	Password string
}

// ParseURL reads a mail server URL:
//
//	smtp://[user:password@]host[:port]            STARTTLS required (port 587)
//	smtp://host:25?tls=none                       no TLS (a local catcher)
//	smtps://[user:password@]host[:port]           implicit TLS (port 465)
//
// The user name and password are URL-encoded (an @ in a user name is %40).
// Errors name GRANTS_SMTP_URL and never repeat the password.
func ParseURL(raw string) (Settings, error) {
	const name = "GRANTS_SMTP_URL"
	u, err := url.Parse(raw)
	if err != nil {
		return Settings{}, fmt.Errorf("%s: not a URL like smtp://user:password@mail.example.org:587", name)
	}
	var s Settings
	switch u.Scheme {
	case "smtp":
		s.TLS, s.Port = TLSStartTLS, 587
	case "smtps":
		s.TLS, s.Port = TLSImplicit, 465
	default:
		return Settings{}, fmt.Errorf("%s: scheme %q is not smtp or smtps", name, u.Scheme)
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return Settings{}, fmt.Errorf("%s: no host", name)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Settings{}, fmt.Errorf("%s: port %q is not a number from 1 to 65535", name, p)
		}
		s.Port = n
	}
	if u.Path != "" && u.Path != "/" {
		return Settings{}, fmt.Errorf("%s: a mail server URL has no path (%q)", name, u.Path)
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
		if s.Username == "" {
			return Settings{}, fmt.Errorf("%s: a password without a user name", name)
		}
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return Settings{}, fmt.Errorf("%s: unknown setting %q (only tls)", name, k)
		}
	}
	switch v := q.Get("tls"); v {
	case "":
	case "none":
		if s.TLS == TLSImplicit {
			return Settings{}, fmt.Errorf("%s: smtps:// is TLS; tls=none contradicts it", name)
		}
		s.TLS = TLSNone
	case "starttls":
		if s.TLS == TLSImplicit {
			return Settings{}, fmt.Errorf("%s: smtps:// is implicit TLS; use smtp:// for STARTTLS", name)
		}
	default:
		return Settings{}, fmt.Errorf("%s: tls=%q is not none or starttls", name, v)
	}
	if s.TLS == TLSNone && s.Username != "" && !loopback(s.Host) {
		return Settings{}, errors.New(name + ": refusing to send a password in clear (tls=none) to a host that is not this machine")
	}
	return s, nil
}

// Loopback reports whether the server is on this machine.
func (s Settings) Loopback() bool { return loopback(s.Host) }

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String is the URL without its password.
func (s Settings) String() string {
	scheme := "smtp"
	if s.TLS == TLSImplicit {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port))}
	if s.Username != "" {
		u.User = url.User(s.Username)
	}
	if s.TLS == TLSNone {
		u.RawQuery = "tls=none"
	}
	return u.String()
}
