package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/log/global"
	"go.opentelemetry.io/otel/propagation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// serviceVersion is reported as service.version.
const serviceVersion = "0.1.0"

// defaultSidecar is the sidecar's OTLP/HTTP receiver (examples/sidecar/config.yaml).
const defaultSidecar = "http://127.0.0.1:4318"

// setupTelemetry installs global tracer, meter and logger providers that
// export OTLP/HTTP to the sidecar. Everything about where and how often is
// left to the standard SDK environment variables, so the same binary works
// beside a sidecar (the default http://localhost:4318), in the e2e test and
// in a Pod without code changes:
//
//	OTEL_EXPORTER_OTLP_ENDPOINT  base URL of the collector (default here http://127.0.0.1:4318)
//	OTEL_SERVICE_NAME            service.name (default "checkout")
//	OTEL_RESOURCE_ATTRIBUTES     extra resource attributes, e.g. deployment.environment.name=prod
//	OTEL_METRIC_EXPORT_INTERVAL  metric export period in ms (default 60000)
//	OTEL_BSP_SCHEDULE_DELAY      span batch delay in ms (default 5000)
//	OTEL_BLRP_SCHEDULE_DELAY     log batch delay in ms (default 1000)
//
// The returned shutdown flushes whatever is still buffered; call it after the
// HTTP server has drained so that the last requests' telemetry is not lost.
func setupTelemetry(ctx context.Context) (shutdown func(context.Context) error, err error) {
	// The SDK's own default is https://localhost:4318, but a sidecar on
	// loopback speaks plain HTTP; signal-specific variables still win.
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
		if err := os.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", defaultSidecar); err != nil {
			return nil, err
		}
	}
	// Later detectors win: the environment overrides the built-in name.
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName("checkout"), semconv.ServiceVersion(serviceVersion)),
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithProcessPID(),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, fmt.Errorf("resource: %w", err)
	}

	var shutdowns []func(context.Context) error
	shutdown = func(ctx context.Context) error {
		var errs []error
		for _, f := range shutdowns {
			errs = append(errs, f(ctx))
		}
		return errors.Join(errs...)
	}
	fail := func(what string, err error) (func(context.Context) error, error) {
		return nil, errors.Join(fmt.Errorf("%s: %w", what, err), shutdown(ctx))
	}

	spanExporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return fail("trace exporter", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithBatcher(spanExporter))
	shutdowns = append(shutdowns, tp.Shutdown)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))

	metricExporter, err := otlpmetrichttp.New(ctx)
	if err != nil {
		return fail("metric exporter", err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metricExporter)))
	shutdowns = append(shutdowns, mp.Shutdown)
	otel.SetMeterProvider(mp)

	logExporter, err := otlploghttp.New(ctx)
	if err != nil {
		return fail("log exporter", err)
	}
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewBatchProcessor(logExporter)))
	shutdowns = append(shutdowns, lp.Shutdown)
	global.SetLoggerProvider(lp)

	return shutdown, nil
}
