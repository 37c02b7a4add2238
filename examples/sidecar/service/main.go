// Command service is a small "checkout" HTTP service instrumented with the
// OpenTelemetry Go SDK. It sends traces, metrics and logs over OTLP/HTTP to
// an otelcol-aiops sidecar on localhost (examples/sidecar/README.md).
//
// It lives in its own Go module so that the SDK's dependency versions never
// reach the collector distribution's module.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:8080", "address to serve on")
	latency := flag.Duration("payment-latency", 40*time.Millisecond, "median latency of the simulated payment gateway")
	errRate := flag.Float64("payment-error-rate", 0.05, "share of payments that fail (0..1)")
	loadRPS := flag.Float64("load-rps", 0, "if > 0, send this many requests per second to itself (a demo without a client)")
	flag.Parse()
	if *errRate < 0 || *errRate > 1 {
		return fmt.Errorf("-payment-error-rate %v: must be within [0, 1]", *errRate)
	}
	if *latency <= 0 {
		return fmt.Errorf("-payment-latency %v: must be positive", *latency)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	shutdownTelemetry, err := setupTelemetry(ctx)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return errors.Join(err, shutdownTelemetry(context.Background()))
	}
	base := "http://" + ln.Addr().String()
	s, err := newShop(base, behaviour{paymentLatency: *latency, paymentErrorRate: *errRate})
	if err != nil {
		return errors.Join(err, shutdownTelemetry(context.Background()))
	}
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Printf("checkout listening on %s", base)

	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		if *loadRPS > 0 {
			generateLoad(ctx, base, *loadRPS)
		}
	}()

	select {
	case <-ctx.Done():
	case err := <-served:
		stop()
		<-loadDone
		return errors.Join(err, shutdownTelemetry(context.Background()))
	}

	// Drain requests in flight first, then flush their telemetry: the other
	// order would drop the spans and logs of the last requests.
	log.Print("shutting down")
	<-loadDone
	drainCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errServe := srv.Shutdown(drainCtx)
	flushCtx, cancelFlush := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelFlush()
	return errors.Join(errServe, shutdownTelemetry(flushCtx))
}
