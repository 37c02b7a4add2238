package main

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// generateLoad calls the service's own public routes at about rps requests
// per second until ctx ends, so the docker-compose and Pod examples show
// telemetry without a separate client. Calls are plain HTTP without trace
// context, as from an uninstrumented client: each becomes a new trace.
func generateLoad(ctx context.Context, base string, rps float64) {
	client := &http.Client{Timeout: 10 * time.Second}
	tick := time.NewTicker(time.Duration(float64(time.Second) / rps))
	defer tick.Stop()
	// A slow service must not pile up goroutines: beyond 64 calls in flight
	// a tick is skipped, as a client with a bounded pool would.
	inflight := make(chan struct{}, 64)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		// One checkout in three product views, as in a shop.
		method, path, body := http.MethodGet, "/api/products", ""
		if rand.IntN(3) == 0 {
			method, path, body = http.MethodPost, "/api/checkout", "{}"
		}
		select {
		case inflight <- struct{}{}:
		default:
			continue
		}
		go func() {
			defer func() { <-inflight }()
			req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
			if err != nil {
				return
			}
			resp, err := client.Do(req)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
}
