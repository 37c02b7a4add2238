package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// benchInstance is one configured collector of the capacity benchmark: its
// folder, ports and arguments. It can be started again over the same folder
// (and file_storage) after a kill.
type benchInstance struct {
	bin   string
	dir   string
	args  []string
	env   []string
	ports benchPorts
	runs  int
}

// prepareInstance allocates ports, writes the overlay for setup into a new
// folder name under root and returns the instance, not started.
func prepareInstance(bin, demo, root, name string, pipelines map[string]any, setup benchSetup, env []string) (*benchInstance, error) {
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ports, err := allocPorts(setup.pprof)
	if err != nil {
		return nil, err
	}
	overlay := filepath.Join(dir, "overlay.yaml")
	if err := writeOverlay(overlay, pipelines, setup, ports); err != nil {
		return nil, err
	}
	return &benchInstance{bin: bin, dir: dir, args: []string{"--config", demo, "--config", overlay}, env: env, ports: ports}, nil
}

// start runs the collector; each run logs to its own file.
func (b *benchInstance) start() (*collectorRun, error) {
	b.runs++
	return startCollector(b.bin, b.args, b.env, b.dir, filepath.Join(b.dir, "collector-"+strconv.Itoa(b.runs)+".log"))
}

// startReady runs the collector and waits for its health check.
func (b *benchInstance) startReady(ctx context.Context) (*collectorRun, error) {
	c, err := b.start()
	if err != nil {
		return nil, err
	}
	if _, err := c.waitHTTP(ctx, b.healthURL(), 50*time.Millisecond, 2*time.Minute); err != nil {
		_ = c.stop()
		return nil, err
	}
	return c, nil
}

func (b *benchInstance) healthURL() string {
	return fmt.Sprintf("http://127.0.0.1:%d/", b.ports.health)
}

func (b *benchInstance) otlpBase() string {
	return fmt.Sprintf("http://127.0.0.1:%d", b.ports.otlp)
}

func (b *benchInstance) selfMetrics() (e2e.PromSamples, error) {
	return e2e.ScrapeProm(fmt.Sprintf("http://127.0.0.1:%d/metrics", b.ports.telemetry))
}

// forceGC asks the pprof extension for a heap profile with gc=1, which runs
// a garbage collection in the collector first, and returns the live heap
// (HeapAlloc) that the profile reports right after it.
func (b *benchInstance) forceGC() (float64, error) {
	if b.ports.pprof == 0 {
		return 0, fmt.Errorf("no pprof extension configured")
	}
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/heap?gc=1&debug=1", b.ports.pprof))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("pprof heap: %s", resp.Status)
	}
	return parseHeapAlloc(string(body))
}

// parseHeapAlloc reads `# HeapAlloc = <bytes>` from the runtime.MemStats
// section of a heap profile in text form (debug=1).
func parseHeapAlloc(profile string) (float64, error) {
	for _, line := range strings.Split(profile, "\n") {
		if v, ok := strings.CutPrefix(line, "# HeapAlloc = "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("no HeapAlloc in the heap profile")
}
