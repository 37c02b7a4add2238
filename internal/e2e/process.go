package e2e // import "github.com/otelcol-aiops/otelcol-aiops/internal/e2e"

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Process is a child program a test runs: the collector, an instrumented
// service, or a real peer such as Prometheus or nginx. Its output is
// captured and attached to the test log on failure, and it is stopped when
// the test ends.
type Process struct {
	tb      testing.TB
	name    string
	cmd     *exec.Cmd
	log     *lockedBuffer
	exited  chan struct{}
	exitErr error
}

// ProcessOptions adjust how a process is started.
type ProcessOptions struct {
	// Dir is the working directory; empty means the test's.
	Dir string
	// Env adds variables to the inherited environment.
	Env []string
}

// StartProcess starts path with args. name labels its log in test output.
func StartProcess(tb testing.TB, name, path string, args []string, opts ProcessOptions) *Process {
	tb.Helper()
	p := &Process{tb: tb, name: name, log: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(path, args...)
	p.cmd.Dir = opts.Dir
	p.cmd.Env = append(os.Environ(), opts.Env...)
	p.cmd.Stdout = p.log
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		tb.Fatalf("e2e: start %s: %v", name, err)
	}
	go func() {
		p.exitErr = p.cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("%s log:\n%s", name, p.Log())
		}
		// Tests that care about a clean exit call Stop themselves.
		_ = p.Stop()
	})
	return p
}

// Stop sends SIGTERM and waits up to 30 s for the exit, then kills. It
// returns the process's exit error (nil for a clean exit with status 0).
func (p *Process) Stop() error {
	select {
	case <-p.exited:
		return p.exitErr
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.exitErr
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s did not stop within 30s of SIGTERM", p.name)
	}
}

// Kill sends SIGKILL, as a crash or OOM kill would, and waits for the exit.
func (p *Process) Kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Pid is the process ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Log returns everything the process wrote to stdout and stderr so far.
func (p *Process) Log() string { return p.log.String() }

// WaitLog waits until the process's log contains substr.
func (p *Process) WaitLog(substr string, timeout time.Duration) {
	p.tb.Helper()
	Eventually(p.tb, timeout, func() bool { return bytes.Contains([]byte(p.Log()), []byte(substr)) },
		"%s log to contain %q", p.name, substr)
}

// WaitHTTP polls url until it answers 200 (and, when want is not empty, a
// body containing want), failing the test with the process's log if the
// process exits first or time runs out.
func (p *Process) WaitHTTP(url, want string, timeout time.Duration) {
	p.tb.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if p.Exited() {
			p.tb.Fatalf("e2e: %s exited before %s was ready: %v\n%s", p.name, url, p.exitErr, p.Log())
		}
		if ready(url, want) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.tb.Fatalf("e2e: %s: %s not ready after %s\n%s", p.name, url, timeout, p.Log())
}

func ready(url, want string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode == http.StatusOK && (want == "" || bytes.Contains(body, []byte(want)))
}

// LookPeer returns the path of a peer program (e.g. prometheus-alertmanager)
// that .ci/run installs. Without it the test is skipped, except in CI (CI
// set), where a missing peer is a failure.
func LookPeer(tb testing.TB, program string) string {
	tb.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("e2e: %s not installed (.ci/run installs it): %v", program, errors.Unwrap(err))
	}
	tb.Skipf("e2e: %s not installed; `bash .ci/run` or apt-get installs it", program)
	return ""
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
