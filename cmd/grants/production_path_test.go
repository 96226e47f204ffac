package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/platform/mailpit"
	"github.com/civicgrants/grants/platform/mailpit/mailpittest"
	"github.com/civicgrants/grants/platform/temporaldev"
)

// deployment is the service as the README's "Deploying" runs it: `grants
// migrate`, then `grants serve` and `grants worker` as processes of their
// own, on an empty database, a Temporal server and a mail server of its
// own, with production settings (no seed, no dev).
type deployment struct {
	t    *testing.T
	env  []string
	base string // the API's base URL
	mail *mailpit.Client
}

// grantsCmd is the test binary run as `grants args…` with the
// deployment's environment.
func (d *deployment) grantsCmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(append([]string{}, d.env...), runAsGrants+"=1")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	return cmd
}

// run runs `grants args…` to completion, with stdin, and requires success.
func (d *deployment) run(stdin string, args ...string) string {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := d.grantsCmd(ctx, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	require.NoError(d.t, err, "grants %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

// start starts a long-running `grants cmd`, stopped as systemd would
// (SIGTERM) when the test ends; it must then exit cleanly.
func (d *deployment) start(name string) {
	d.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := d.grantsCmd(ctx, name)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(d.t, cmd.Start())
	var once sync.Once
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	d.t.Cleanup(func() {
		once.Do(cancel)
		err := <-done // the context's error, once cancelled: the exit status says how it ended
		if cmd.ProcessState == nil || !cmd.ProcessState.Success() {
			d.t.Errorf("grants %s did not stop cleanly on SIGTERM: %v (%v)\n%s", name, err, cmd.ProcessState, out.String())
		}
		if d.t.Failed() {
			d.t.Logf("grants %s said:\n%s", name, out.String())
		}
	})
}

// linkToken waits for the newest e-mail to address with the subject and
// returns the token of its link, as a person follows it.
func (d *deployment) linkToken(to, subject string) string {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(d.t.Context(), time.Minute)
	defer cancel()
	m, err := d.mail.WaitForMessage(ctx, to, func(s mailpit.Summary) bool { return subject == "" || s.Subject == subject })
	require.NoError(d.t, err)
	tok := regexp.MustCompile(`https://grants\.example\.org/[a-z/-]+\?token=([A-Za-z0-9_-]{20,})`).FindStringSubmatch(m.Text)
	require.NotNil(d.t, tok, "no link in the e-mail %q:\n%s", m.Subject, m.Text)
	return tok[1]
}

func newDeployment(t *testing.T) *deployment {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	temporal, err := temporaldev.Start(ctx, temporaldev.Options{})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = temporal.Stop(ctx)
	})
	mp := mailpittest.Start(t)
	addr := freeAddr(t)
	d := &deployment{t: t, base: "http://" + addr + "/api/v1", mail: mp.Client(), env: []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"DATABASE_URL=" + dbtest.NewEmptyURL(t),
		"TEMPORAL_ADDRESS=" + temporal.Address(),
		"GRANTS_ADDR=" + addr,
		"GRANTS_PUBLIC_URL=https://grants.example.org",
		"GRANTS_ENCRYPTION_KEY=" + apptest.EncryptionKey,
		"GRANTS_AUDIT_KEY=" + apptest.AuditKey,
		"GRANTS_PAYMENT_PROVIDER=manual",
		"GRANTS_SMTP_URL=" + mp.SMTPURL(),
		"GRANTS_MAIL_FROM=City Hall Grants <grants@example.org>",
		"GRANTS_DATA_DIR=" + t.TempDir(),
		"GRANTS_LOG_LEVEL=warn",
	}}
	return d
}

// A funder's deployment from nothing: migrate an empty database, the
// first admin from the CLI, serve and worker as separate processes; the
// admin invites staff by e-mail; the manager creates the programme and a
// round; an applicant registers, confirms, applies; the assessor scores;
// the chair decides; the applicant accepts the offer. No seed, no dev.
func TestProductionPathFromAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	d := newDeployment(t)

	d.run("", "migrate")
	d.run("", "migrate") // upgrades run the same command: a second run changes nothing
	out := d.run("a first admin password\n", "users", "add", "--email", "admin@example.org", "--name", "Morgan Ellis", "--roles", "admin")
	require.NotContains(t, out, "a first admin password", "nothing secret is printed")
	d.start("serve")
	d.start("worker")
	admin := &httpClient{t: t, base: d.base}
	admin.waitReady(strings.TrimSuffix(d.base, "/api/v1"))
	var tok struct{ Token string }
	admin.do("POST", "/auth/login", map[string]any{"email": "admin@example.org", "password": "a first admin password"}, 200, &tok)
	admin.token = tok.Token
	var none struct{ Items []any }
	admin.do("GET", "/programmes", nil, 200, &none)
	require.Empty(t, none.Items, "nothing is seeded")

	// Staff, invited by e-mail, each accepting by the link.
	staff := map[string]*httpClient{}
	ids := map[string]string{}
	for _, who := range []struct{ email, name, role string }{
		{"manager@example.org", "Priya Shah", "manager"},
		{"chair@example.org", "Daniel Okafor", "chair"},
		{"assessor@example.org", "Aisha Rahman", "assessor"},
	} {
		admin.do("POST", "/staff/invitations", map[string]any{"email": who.email, "name": who.name, "roles": []string{who.role}}, 201, nil)
		token := d.linkToken(who.email, "")
		c := &httpClient{t: t, base: d.base}
		password := "password of " + who.role
		c.do("POST", "/invitations/accept", map[string]any{"token": token, "name": who.name, "password": password}, 200, nil)
		c.do("POST", "/auth/login", map[string]any{"email": who.email, "password": password}, 200, &tok)
		c.token = tok.Token
		var me struct {
			ID            string   `json:"id"`
			Roles         []string `json:"roles"`
			EmailVerified bool     `json:"email_verified"`
		}
		c.do("GET", "/me", nil, 200, &me)
		require.Equal(t, []string{who.role}, me.Roles)
		require.True(t, me.EmailVerified, "the invitation's link confirmed the address")
		staff[who.role], ids[who.role] = c, me.ID
	}
	var list struct {
		Items []struct {
			Email  string `json:"email"`
			Active bool   `json:"active"`
		}
	}
	admin.do("GET", "/staff?active=true", nil, 200, &list)
	require.Len(t, list.Items, 4)

	// The programme and a round, by the manager.
	manager := staff["manager"]
	manager.do("POST", "/programmes", map[string]any{"code": "community-spaces", "name": "Community Spaces Fund",
		"description": "Grants to keep community spaces open.", "funder_name": "Mayor of London", "giving_prefix": "360G-cityhall"}, 201, nil)
	var rnd struct{ ID string }
	manager.do("POST", "/rounds", oneAssessorRound("community-spaces", "Spring round", ids["assessor"], "manual"), 201, &rnd)

	// An applicant, from registration to an accepted offer.
	applicant := &httpClient{t: t, base: d.base}
	applicant.registerConfirmed(d.mail, "hall@example.org", "hall password 1", "Sam Taylor")
	var org struct{ ID string }
	applicant.do("POST", "/organisations", map[string]any{"name": "Lambeth Community Hall", "legal_form": "charity", "charity_number": "1187340",
		"borough": "Lambeth", "address": map[string]any{"line1": "1 Hall Street", "town": "London", "postcode": "SE11 5AA"},
		"annual_income_pence": 5400000}, 201, &org)
	var a appView
	applicant.do("POST", "/applications", map[string]any{"round_id": rnd.ID, "organisation_id": org.ID}, 201, &a)
	applicant.do("PATCH", "/applications/"+a.ID, map[string]any{"version": a.Version, "tier": "micro", "requested_pence": 200000,
		"answers": map[string]any{"summary": "Keep the hall open."}}, 200, &a)
	applicant.do("POST", "/applications/"+a.ID+"/submit", nil, 202, &a)

	approve(t, staff["assessor"], staff["chair"], a.ID, 200000)
	applicant.do("GET", "/applications/"+a.ID, nil, 200, &a)
	require.NotNil(t, a.GrantID)
	applicant.do("POST", "/grants/"+*a.GrantID+"/accept", map[string]any{"signatory_name": "Sam Taylor", "signatory_role": "Chair"}, 200, nil)
	var g struct{ Status string }
	applicant.do("GET", "/grants/"+*a.GrantID, nil, 200, &g)
	require.Equal(t, "active", g.Status, "accepted: the grant is active")

	// The decision reached the applicant by e-mail, through the worker.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err := d.mail.WaitForMessage(ctx, "hall@example.org", func(s mailpit.Summary) bool {
		return strings.Contains(strings.ToLower(s.Subject), "offer") || strings.Contains(strings.ToLower(s.Subject), "decision")
	})
	require.NoError(t, err, fmt.Sprintf("the applicant is told of the offer by e-mail (round %s)", rnd.ID))
}
