package childproc

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
)

// FindBinary returns the program name to run: $env if set (it must be an
// executable file), else name beside this executable (or in bin/ beside
// it), else bin/name in the module root (found by walking up from the
// working directory to go.mod) or in the working directory, else name on
// PATH. This is where `make` builds the dev tools, whether the caller is
// bin/grants, a test binary or `go run`.
func FindBinary(name, env string) (string, error) {
	if p := os.Getenv(env); p != "" {
		if !isExecutable(p) {
			return "", fmt.Errorf("%s=%s is not an executable file", env, p)
		}
		return p, nil
	}
	var candidates []string
	if exe, err := os.Executable(); err == nil {
		dir := filepath.Dir(exe)
		candidates = append(candidates, filepath.Join(dir, name), filepath.Join(dir, "bin", name))
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				candidates = append(candidates, filepath.Join(dir, "bin", name))
				break
			}
			if dir == filepath.Dir(dir) {
				break
			}
		}
		candidates = append(candidates, filepath.Join(wd, "bin", name))
	}
	for _, p := range candidates {
		if isExecutable(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s not found (looked at $%s, beside the executable, bin/%s in the module root and working directory, and PATH)",
		name, env, name)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// FreePorts returns n distinct TCP ports of 127.0.0.1 that were free a
// moment ago, for a child process to listen on.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pick a port: %w", err)
		}
		defer l.Close() // held until all are chosen, so they differ
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
