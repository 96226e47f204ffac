//go:build faults

package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/payments/stripetest"
	"github.com/civicgrants/grants/platform/mailpit/mailpittest"
	"github.com/civicgrants/grants/platform/temporaldev"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
)

// workerProcess is `grants worker` run as a process of its own (the test
// binary as grants), which the test kills and starts again.
type workerProcess struct {
	t   *testing.T
	env []string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	out    lockedBuffer
}

// start starts a worker; one must not be running.
func (w *workerProcess) start() {
	w.t.Helper()
	cmd := exec.Command(os.Args[0], "worker")
	cmd.Env = append(append([]string{}, w.env...), runAsGrants+"=1")
	cmd.Stdout, cmd.Stderr = &w.out, &w.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(w.t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	w.mu.Lock()
	w.cmd, w.exited = cmd, exited
	w.mu.Unlock()
}

// kill SIGKILLs the running worker, if any, and waits for it to die; it
// reports whether one was running.
func (w *workerProcess) kill() bool {
	w.mu.Lock()
	cmd, exited := w.cmd, w.exited
	w.cmd = nil
	w.mu.Unlock()
	if cmd == nil {
		return false
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	return true
}

// stop stops the running worker as systemd would (SIGTERM).
func (w *workerProcess) stop() {
	w.mu.Lock()
	cmd, exited := w.cmd, w.exited
	w.cmd = nil
	w.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// The worker killed (SIGKILL) at random moments while payments are being
// sent, many times, and started again each time: every payment ends paid,
// with exactly one transfer at the provider. The provider is stripe-mock
// behind a Recorder that answers a repeated Idempotency-Key from memory,
// as Stripe does, and counts the transfers it really made.
func TestFaultWorkerKilledDuringDisbursement(t *testing.T) {
	t.Parallel()
	const (
		n     = 24 // payments
		kills = 6
	)
	ctx := context.Background()
	tctx, cancel := context.WithTimeout(ctx, time.Minute)
	temporal, err := temporaldev.Start(tctx, temporaldev.Options{})
	cancel()
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = temporal.Stop(ctx)
	})
	tc, err := client.Dial(client.Options{HostPort: temporal.Address(), Namespace: temporal.Namespace(),
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	rec := stripetest.NewRecorder(t, stripetest.APIBase(t))
	smtpURL, _ := mailpittest.Shared(t)
	env := apptest.New(t)

	// n accepted grants of payout-ready organisations, each first tranche
	// approved by two finance users: ready to be sent.
	def := apptest.ExampleRound(t)
	def.PaymentProvider = round.ProviderStripe
	r := env.Round(t, def)
	fin1 := env.User(t, "finance1@example.org", app.RoleFinance)
	fin2 := env.User(t, "finance2@example.org", app.RoleFinance)
	payments := make([]string, n)
	for i := range n {
		g := env.ActiveGrant(t, r, fmt.Sprintf("worker-%d@example.org", i), 200_000)
		_, err := env.Store.Pool.Exec(ctx, `UPDATE organisations SET stripe_account_id = $2, payout_ready_at = now() WHERE id = $1`,
			g.OrgID, fmt.Sprintf("acct_fault%04d", i))
		require.NoError(t, err)
		p := g.Payments[0]
		env.SetPayment(t, p, workflows.PaymentApproved, round.ProviderStripe)
		env.Approve(t, p, fin1, "Checked")
		env.Approve(t, p, fin2, "Checked too")
		payments[i] = p
		_, err = tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.PaymentWorkflowID(p), TaskQueue: workflows.TaskQueue},
			workflows.DisbursementWorkflowName, workflows.DisbursementInput{PaymentID: p, GrantID: g.ID})
		require.NoError(t, err)
	}

	w := &workerProcess{t: t, env: []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"DATABASE_URL=" + env.Store.Pool.Config().ConnString(),
		"TEMPORAL_ADDRESS=" + temporal.Address(),
		"GRANTS_INSECURE_DEV=1",
		"GRANTS_PUBLIC_URL=http://127.0.0.1:8080",
		"GRANTS_ENCRYPTION_KEY=" + apptest.EncryptionKey,
		"GRANTS_AUDIT_KEY=" + apptest.AuditKey,
		"GRANTS_PAYMENT_PROVIDER=stripe",
		"STRIPE_SECRET_KEY=" + stripetest.SecretKey,
		"STRIPE_API_BASE=" + rec.URL(),
		"GRANTS_STRIPE_WEBHOOK_SECRET=" + apptest.WebhookSecret,
		"GRANTS_SMTP_URL=" + smtpURL,
		"GRANTS_DATA_DIR=" + t.TempDir(),
		"GRANTS_LOG_LEVEL=error",
	}}
	t.Cleanup(func() {
		w.stop()
		if t.Failed() {
			t.Logf("the worker said:\n%s", w.out.String())
		}
	})
	paid := func() int {
		var k int
		require.NoError(t, env.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM payments WHERE id = ANY($1) AND status = 'paid'`, payments).Scan(&k))
		return k
	}

	// The first kill comes at the worst moment: a transfer made at the
	// provider, its answer never read. The others at random moments.
	tl := &tally{scenario: "worker-killed"}
	killedAtTransfer := make(chan struct{})
	var once sync.Once
	rec.OnTransfer(func(string) {
		once.Do(func() {
			rec.OnTransfer(nil)
			w.kill()
			close(killedAtTransfer)
		})
	})
	began := time.Now()
	w.start()
	select {
	case <-killedAtTransfer:
	case <-time.After(settleTimeout):
		t.Fatal("no transfer was ever sent")
	}
	tl.faults++
	for range kills - 1 {
		w.start()
		time.Sleep(time.Duration(200+rand.IntN(1800)) * time.Millisecond) // a random moment, not a measure
		if w.kill() {
			tl.faults++
		}
	}
	killedBeforeTheEnd := n - paid()
	t.Logf("kills done after %s, %d unpaid", time.Since(began), killedBeforeTheEnd)
	w.start()
	// A kill during an activity that does not heartbeat (the payee's
	// register check has two minutes) delays that payment until the
	// activity times out: hence the longer wait.
	deadline := time.Now().Add(2 * settleTimeout)
	for time.Now().Before(deadline) && paid() < n {
		time.Sleep(200 * time.Millisecond)
	}
	if paid() < n {
		describeUnpaid(t, tc, env, payments)
	}
	t.Logf("settled after %s", time.Since(began))
	perPayment := map[string]int{}
	for _, tr := range rec.Transfers() {
		perPayment[tr.PaymentID]++
	}
	refs := countBy(t, &stack{env: env}, `SELECT id || ':' || coalesce(provider_reference, ''), 1 FROM payments WHERE id = ANY($1) AND status = 'paid'`, payments)
	byID := map[string]string{}
	for _, tr := range rec.Transfers() {
		byID[tr.PaymentID] = tr.ID
	}
	for _, p := range payments {
		if refs[p+":"+byID[p]] != 1 {
			tl.lost++ // not paid, or paid with another reference than the one transfer's
		}
		if perPayment[p] > 1 {
			tl.duplicated += perPayment[p] - 1
		}
	}
	tl.requests.Add(int64(rec.Calls("POST", "/v1/transfers") + rec.Calls("GET", "/v1/transfers")))
	tl.report(t, fmt.Sprintf("payments=%d transfers=%d unpaid-at-last-kill=%d", n, rec.TransferCreates(), killedBeforeTheEnd))
	require.Equal(t, n, rec.TransferCreates(), "one transfer per payment at the provider")
}

// describeUnpaid logs where each unpaid payment's workflow waits.
func describeUnpaid(t *testing.T, tc client.Client, env *apptest.Env, payments []string) {
	ctx := context.Background()
	for _, p := range payments {
		var st string
		_ = env.Store.Pool.QueryRow(ctx, `SELECT status FROM payments WHERE id = $1`, p).Scan(&st)
		if st == workflows.PaymentPaid {
			continue
		}
		d, err := tc.DescribeWorkflowExecution(ctx, workflows.PaymentWorkflowID(p), "")
		if err != nil {
			t.Logf("%s %s: describe: %v", p, st, err)
			continue
		}
		for _, a := range d.PendingActivities {
			t.Logf("%s %s: %s attempt %d %s (last failure %q)", p, st, a.ActivityType.GetName(), a.Attempt, a.State, a.LastFailure.GetMessage())
		}
	}
}
