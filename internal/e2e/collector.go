package e2e // import "github.com/otelcol-aiops/otelcol-aiops/internal/e2e"

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"text/template"
	"time"
)

// Collector is one running otelcol-aiops process; Stop, Kill, Exited, Log
// and WaitLog come from its Process.
type Collector struct {
	*Process
	tb     testing.TB
	Dir    string         // scratch folder: config, logs, file exporter output
	Config string         // path of the rendered config file
	ports  map[string]int // allocated by {{port "name"}}
}

// Options adjust how a collector is started.
type Options struct {
	// Args are extra command-line arguments after --config.
	Args []string
	// Env adds variables to the collector's environment.
	Env []string
	// Dir reuses a scratch folder (e.g. to restart over the same file_storage);
	// empty means a new t.TempDir().
	Dir string
	// Ports reuses port numbers from an earlier collector (same names).
	Ports map[string]int
	// NoHealthWait skips waiting for the health_check extension.
	NoHealthWait bool
	// Data is the template's dot, e.g. a struct with a sink's endpoint.
	Data any
}

// Render writes the config template into dir and returns its path and the ports
// it allocated. Templates may call {{port "name"}} and {{dir}}; data is dot.
func Render(tb testing.TB, dir, configTemplate string, ports map[string]int, data any) (string, map[string]int) {
	tb.Helper()
	if ports == nil {
		ports = map[string]int{}
	}
	funcs := template.FuncMap{
		"port": func(name string) int {
			if p, ok := ports[name]; ok {
				return p
			}
			p := FreePort(tb)
			ports[name] = p
			return p
		},
		"dir": func() string { return dir },
	}
	tmpl, err := template.New("config").Funcs(funcs).Option("missingkey=error").Parse(configTemplate)
	if err != nil {
		tb.Fatalf("e2e: config template: %v", err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		tb.Fatalf("e2e: config template: %v", err)
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path, ports
}

// Start renders the config template, starts the collector and waits until its
// health_check extension (which the config must bind to {{port "health"}})
// reports ready. An empty template passes no --config of its own, for tests
// that give every --config in Options.Args. The process is stopped when the
// test ends.
func Start(tb testing.TB, configTemplate string, opts Options) *Collector {
	tb.Helper()
	dir := opts.Dir
	if dir == "" {
		dir = tb.TempDir()
	}
	c := &Collector{tb: tb, Dir: dir, ports: opts.Ports}
	var args []string
	if configTemplate != "" {
		c.Config, c.ports = Render(tb, dir, configTemplate, opts.Ports, opts.Data)
		args = []string{"--config", c.Config}
	}
	args = append(args, opts.Args...)
	c.Process = StartProcess(tb, "collector ("+dir+")", Binary(tb), args, ProcessOptions{Dir: dir, Env: opts.Env})
	if !opts.NoHealthWait {
		c.WaitHealthy(60 * time.Second)
	}
	return c
}

// Port returns the port allocated for name by the config template.
func (c *Collector) Port(name string) int {
	p, ok := c.ports[name]
	if !ok {
		c.tb.Fatalf("e2e: config has no {{port %q}}", name)
	}
	return p
}

// Ports returns every allocated port, for restarting on the same addresses.
func (c *Collector) Ports() map[string]int { return c.ports }

// Addr returns "127.0.0.1:<port>" for the named port.
func (c *Collector) Addr(name string) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port(name)))
}

// WaitHealthy polls the health_check extension until it answers 200, failing
// the test (with the collector's log) if the process exits or time runs out.
func (c *Collector) WaitHealthy(timeout time.Duration) {
	c.tb.Helper()
	c.WaitHTTP("http://"+c.Addr("health")+"/", "", timeout)
}

// Run executes the binary with args (no config templating) and returns its
// combined output and exit error; for CLI checks such as --version.
func Run(tb testing.TB, args ...string) (string, error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, Binary(tb), args...).CombinedOutput()
	return string(out), err
}

// issuedPorts are the ports FreePort has handed out in this process: the
// kernel may offer a just-closed port again, and two allocations for one
// config (say gRPC and health) must differ.
var issuedPorts = struct {
	sync.Mutex
	m map[int]bool
}{m: map[int]bool{}}

// FreePort asks the kernel for a free TCP port on 127.0.0.1 that this
// process has not handed out before.
func FreePort(tb testing.TB) int {
	tb.Helper()
	issuedPorts.Lock()
	defer issuedPorts.Unlock()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("e2e: free port: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if !issuedPorts.m[port] {
			issuedPorts.m[port] = true
			return port
		}
	}
	tb.Fatal("e2e: no fresh free port after 100 tries")
	return 0
}

// Eventually polls cond every 50 ms until it holds or timeout passes.
func Eventually(tb testing.TB, timeout time.Duration, cond func() bool, what string, args ...any) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("e2e: timed out after %s waiting for %s", timeout, fmt.Sprintf(what, args...))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
