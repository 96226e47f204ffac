package childproc

import (
	"context"
	"fmt"
	"time"
)

// WaitReady calls probe every interval until it succeeds, giving up when
// the process exits or after timeout (or when ctx ends). When it gives up
// it stops the process, as Stop does, and returns the exit error or
// "<name> not ready after <timeout>" wrapping probe's last error, with the
// output tail and through Options.Decorate.
func (p *Process) WaitReady(ctx context.Context, timeout, interval time.Duration, probe func(context.Context) error) error {
	err := p.waitReady(ctx, timeout, interval, probe)
	if err != nil {
		_ = p.Stop(context.WithoutCancel(ctx)) // bounded by Grace and KillTimeout
	}
	return err
}

func (p *Process) waitReady(ctx context.Context, timeout, interval time.Duration, probe func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		last := probe(ctx)
		if last == nil {
			return nil
		}
		select {
		case <-p.done:
			return p.Err()
		case <-ctx.Done():
			return p.decorate(fmt.Errorf("%s not ready after %s: %w", p.name, timeout, last))
		case <-time.After(interval):
		}
	}
}
