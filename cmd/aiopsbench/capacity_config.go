package main

// The capacity benchmark runs the demo's processing, not a copy of it: like
// the e2e subcommand it passes examples/demo/config.yaml and an overlay to
// the collector (--config demo --config overlay), which merges them. The
// overlay feeds OTLP/HTTP instead of the microsim receiver, puts
// memory_limiter first in every pipeline, points the alertwebhook exporter
// at the benchmark's sink, serves the collector's own metrics for scraping,
// and, per measurement, raises anomaly max_series or adds file_storage.
//
// The pipelines' lists are derived from the demo file (benchPipelines), so
// the benchmark follows the demo when its processors change; lists replace
// lists in the collector's merge, so the overlay restates each of them.

import (
	"fmt"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// benchPipelines reads the demo config and returns its service.pipelines
// for OTLP input: the microsim receiver is replaced by otlp, and
// memory_limiter goes first in every pipeline that otlp feeds (pipelines fed
// only by connectors carry data that was admitted already).
func benchPipelines(demoYAML []byte) (map[string]any, error) {
	var demo struct {
		Service struct {
			Pipelines map[string]struct {
				Receivers  []string `yaml:"receivers"`
				Processors []string `yaml:"processors"`
				Exporters  []string `yaml:"exporters"`
			} `yaml:"pipelines"`
		} `yaml:"service"`
	}
	if err := yaml.Unmarshal(demoYAML, &demo); err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	if len(demo.Service.Pipelines) == 0 {
		return nil, fmt.Errorf("demo config has no service.pipelines")
	}
	out := map[string]any{}
	fed := false
	for name, p := range demo.Service.Pipelines {
		var recv []string
		otlp := false
		for _, r := range p.Receivers {
			if r == "microsim" || strings.HasPrefix(r, "microsim/") {
				r, otlp = "otlp", true
			}
			if !contains(recv, r) {
				recv = append(recv, r)
			}
		}
		fed = fed || otlp
		var procs []string
		if otlp {
			procs = append(procs, "memory_limiter")
		}
		for _, pr := range p.Processors {
			if !otlp || pr != "memory_limiter" {
				procs = append(procs, pr)
			}
		}
		out[name] = map[string]any{"receivers": recv, "processors": procs, "exporters": p.Exporters}
	}
	if !fed {
		return nil, fmt.Errorf("no demo pipeline reads the microsim receiver; nothing to replace by otlp")
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// benchSetup is what an overlay varies between the measurements.
type benchSetup struct {
	sinkURL   string // alertwebhook target (any 200 answer will do)
	limitMiB  int    // memory_limiter limit_mib
	maxSeries int    // anomaly max_series; 0 keeps the demo's
	stateDir  string // file_storage directory for every stateful component; "" = none
	snapshot  time.Duration
	probeURL  string // also export the metrics pipeline over OTLP/HTTP here; "" = no
	pprof     bool   // pprof extension, to force a GC before reading RSS
}

// benchOverlay renders the overlay for the pipelines from benchPipelines,
// listening on ports.
func benchOverlay(pipelines map[string]any, s benchSetup, ports benchPorts) ([]byte, error) {
	pipes := map[string]any{}
	for name, p := range pipelines {
		cp := map[string]any{}
		for k, v := range p.(map[string]any) {
			cp[k] = v
		}
		pipes[name] = cp
	}
	processors := map[string]any{
		"memory_limiter": map[string]any{
			"check_interval":  "1s",
			"limit_mib":       s.limitMiB,
			"spike_limit_mib": max(s.limitMiB/4, 1),
		},
	}
	anomaly := map[string]any{}
	if s.maxSeries > 0 {
		anomaly["max_series"] = s.maxSeries
	}
	alertwebhook := map[string]any{
		"targets": []any{map[string]any{"name": "aiopsbench", "type": "webhook", "endpoint": s.sinkURL}},
	}
	exporters := map[string]any{"alertwebhook": alertwebhook}
	extensions := map[string]any{"health_check": map[string]any{"endpoint": fmt.Sprintf("127.0.0.1:%d", ports.health)}}
	active := []string{"health_check"}
	if s.stateDir != "" {
		extensions["file_storage"] = map[string]any{"directory": s.stateDir}
		active = append(active, "file_storage")
		anomaly["storage"] = "file_storage"
		anomaly["snapshot_interval"] = s.snapshot.String()
		processors["logcluster"] = map[string]any{"storage": "file_storage", "snapshot_interval": s.snapshot.String()}
		alertwebhook["storage"] = "file_storage"
		alertwebhook["sending_queue"] = map[string]any{"storage": "file_storage"}
	}
	if len(anomaly) > 0 {
		processors["anomaly"] = anomaly
	}
	if s.probeURL != "" {
		exporters["otlphttp/probe"] = map[string]any{"endpoint": s.probeURL, "compression": "none"}
		metrics, ok := pipes["metrics"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("the demo has no metrics pipeline to probe")
		}
		metrics["exporters"] = append(append([]string(nil), metrics["exporters"].([]string)...), "otlphttp/probe")
	}
	if s.pprof {
		extensions["pprof"] = map[string]any{"endpoint": fmt.Sprintf("127.0.0.1:%d", ports.pprof)}
		active = append(active, "pprof")
	}
	overlay := map[string]any{
		"receivers": map[string]any{
			"otlp": map[string]any{"protocols": map[string]any{"http": map[string]any{"endpoint": fmt.Sprintf("127.0.0.1:%d", ports.otlp)}}},
		},
		"processors": processors,
		"exporters":  exporters,
		"extensions": extensions,
		"service": map[string]any{
			"extensions": active,
			"telemetry": map[string]any{
				"logs": map[string]any{"level": "warn"},
				"metrics": map[string]any{
					"level": "normal",
					"readers": []any{map[string]any{"pull": map[string]any{"exporter": map[string]any{
						"prometheus": map[string]any{"host": "127.0.0.1", "port": ports.telemetry},
					}}}},
				},
			},
			"pipelines": pipes,
		},
	}
	body, err := yaml.Marshal(overlay)
	if err != nil {
		return nil, err
	}
	return append([]byte("# Written by aiopsbench capacity; merged over the demo config.\n"), body...), nil
}

// benchPorts are the ports of one collector run.
type benchPorts struct{ otlp, health, telemetry, pprof int }

func allocPorts(withPprof bool) (benchPorts, error) {
	var p benchPorts
	ports := []*int{&p.otlp, &p.health, &p.telemetry}
	if withPprof {
		ports = append(ports, &p.pprof)
	}
	seen := map[int]bool{}
	for _, ptr := range ports {
		for {
			n, err := freePort()
			if err != nil {
				return p, err
			}
			if !seen[n] {
				seen[n] = true
				*ptr = n
				break
			}
		}
	}
	return p, nil
}

// writeOverlay writes the overlay for setup into path.
func writeOverlay(path string, pipelines map[string]any, setup benchSetup, ports benchPorts) error {
	body, err := benchOverlay(pipelines, setup, ports)
	if err != nil {
		return err
	}
	return os.WriteFile(path, body, 0o644)
}
