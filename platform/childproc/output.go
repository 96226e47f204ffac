package childproc

import (
	"bufio"
	"io"
	"strings"
	"sync"
)

// tailLines is how many of the last lines of output errors carry.
const tailLines = 40

// read passes r's lines to Options.Output until Stop is called, keeps the
// last ones for errors, and reads r to the end.
func (p *Process) read(r io.Reader, stderr bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		p.output.add(line)
		select {
		case <-p.stopping:
		default:
			p.o.Output(line, stderr)
		}
	}
	_, _ = io.Copy(io.Discard, r) // after a line too long to scan: drain the pipe so the process never blocks
}

// tail keeps the last tailLines lines of a process's output.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > tailLines {
		t.lines = t.lines[len(t.lines)-tailLines:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
