# otelcol-aiops — build, run and test the distribution.
# Every target works on a fresh machine with only Go installed; tools are
# pinned in tools/go.mod and installed into .tools/bin inside the repo.

SHELL        := /bin/bash
ROOT         := $(abspath .)
TOOLS_BIN    := $(ROOT)/.tools/bin
BUILDER      := $(TOOLS_BIN)/builder
MDATAGEN     := $(TOOLS_BIN)/mdatagen
GOLANGCI     := $(TOOLS_BIN)/golangci-lint
DIST         := $(ROOT)/dist/otelcol-aiops
GO_SOURCES   := $(shell find . -name '*.go' -not -name '*_test.go' -not -path './dist*' -not -path './.tools/*' -not -path './tools/*' -not -path './e2e/*' -not -path './examples/*')
# ocb builds with CGO_ENABLED=0 and -trimpath; tests use the same settings so
# that they share the build cache with the distribution instead of compiling
# every collector package twice.
export CGO_ENABLED ?= 0
export GOFLAGS ?= -trimpath

.PHONY: all tools build run demo run-default test test-unit test-e2e test-reliability fuzz bench bench-go bench-eval bench-e2e bench-capacity generate lint lint-full clean

all: build

$(BUILDER) $(MDATAGEN): tools/go.mod tools/go.sum
	cd tools && GOBIN=$(TOOLS_BIN) go install go.opentelemetry.io/collector/cmd/builder go.opentelemetry.io/collector/cmd/mdatagen
	@touch $(BUILDER) $(MDATAGEN)

tools: $(BUILDER) $(MDATAGEN)

# golangci-lint is pinned in the same tools module but only built for lint-full
# (about 5 minutes cold), so `make build` stays lean.
$(GOLANGCI): tools/go.mod tools/go.sum
	cd tools && GOBIN=$(TOOLS_BIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint
	@touch $(GOLANGCI)

## build: the full distribution (./dist/otelcol-aiops) from builder-config.yaml
build: $(DIST)
$(DIST): $(BUILDER) builder-config.yaml go.mod go.sum $(GO_SOURCES)
	$(BUILDER) --config builder-config.yaml

## run: build the distribution and run the closed-loop demo: simulated
## microservices with scripted faults -> span_metrics, log templates ->
## anomaly -> alertwebhook -> alerts printed by cmd/alertsink (Ctrl-C stops
## both). The first fault starts three minutes in.
DEMO_DIR ?= $(ROOT)/.cache/demo
run: build
	@mkdir -p $(DEMO_DIR)
	go build -o $(DEMO_DIR)/alertsink ./cmd/alertsink
	@$(DEMO_DIR)/alertsink -listen 127.0.0.1:9099 -out $(DEMO_DIR)/alerts.jsonl & sink=$$!; \
	  trap "kill $$sink" EXIT INT TERM; \
	  DEMO_DIR=$(DEMO_DIR) $(DIST) --config examples/demo/config.yaml

## demo: the same as run
demo: run

## run-default: the plain pipeline (host metrics + OTLP -> debug)
run-default: build
	$(DIST) --config examples/default/config.yaml

## test: unit tests, then end-to-end tests against the built binaries
test: lint test-unit test-e2e

test-unit:
	go test -count=1 ./...
	# the anomaly processor's concurrent callers under the race detector (it
	# needs cgo, so a build of its own: about a minute on a cold cache)
	CGO_ENABLED=1 go test -count=1 -race -run 'Concurrent|Shard|Snapshot' ./processor/anomalyprocessor/

test-e2e: build
	OTELCOL_AIOPS_BIN=$(DIST) go test -count=1 -tags e2e ./e2e/...

## test-reliability: the reliability suite alone (kill -9, outages, hostile
## input); part of test-e2e while it stays fast
test-reliability: build
	OTELCOL_AIOPS_BIN=$(DIST) go test -count=1 -tags e2e -run 'Reliability|Hostile|BadConfig' -v ./e2e/...

## bench: Go benchmarks of the algorithms and components, then the accuracy
## evaluations on the shared corpora (see BENCHMARKS.md)
DATASETS ?= $(ROOT)/../shared/datasets
bench: bench-go bench-eval

bench-go:
	go test -run '^$$' -bench . -benchmem ./...

## bench-e2e: closed-loop precision/recall/time-to-alert on the demo pipeline
## (6 h simulated at 60x, about 6 minutes)
bench-e2e: build
	go run ./cmd/aiopsbench e2e -bin $(DIST)

## bench-capacity: ingest per core, RSS at 1,000,000 series and kill -9
## recovery of the real binary on the demo pipeline (about 20 minutes; not
## part of bench)
bench-capacity: build
	go run ./cmd/aiopsbench capacity -bin $(DIST)

bench-eval:
	go run ./cmd/aiopsbench loghub -data $(DATASETS)/loghub2k
	go run ./cmd/aiopsbench nab -data $(DATASETS)/nab/data \
	  -labels $(DATASETS)/nab/labels/combined_windows.json -profiles $(DATASETS)/nab/config/profiles.json

## fuzz: every Go fuzz target for FUZZTIME each; seed corpora in testdata/fuzz.
## FUZZMIN bounds the minimisation of each new interesting input (Go's default,
## 60s, spent FuzzRestore's whole 20 s on its first 2.5 KB snapshot: 9 execs)
FUZZTIME ?= 20s
FUZZMIN ?= 2s
fuzz:
	go test -run '^$$' -fuzz '^FuzzUpdate$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) ./internal/detector
	go test -run '^$$' -fuzz '^FuzzUpdateStep$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) ./internal/detector
	go test -run '^$$' -fuzz '^FuzzRestore$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) ./internal/detector
	go test -run '^$$' -fuzz '^FuzzConsume$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) ./processor/anomalyprocessor
	go test -run '^$$' -fuzz '^FuzzRestoreSnapshot$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) ./processor/anomalyprocessor
	go test -run '^$$' -fuzz '^FuzzTracker$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) ./internal/histogram
	go test -run '^$$' -fuzz '^FuzzSnapshot$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) ./internal/alerting
	go test -run '^$$' -fuzz '^FuzzTokenizer$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) ./internal/drain
	go test -run '^$$' -fuzz '^FuzzMiner$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) ./internal/drain
	go test -run '^$$' -fuzz '^FuzzRender$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) ./internal/notify

## generate: mdatagen for every component with a metadata.yaml
generate: $(MDATAGEN)
	PATH=$(TOOLS_BIN):$$PATH go generate ./...

## lint: gofmt and go vet (fast); lint-full adds golangci-lint (.golangci.yml)
lint:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './dist/*' -not -path './.tools/*')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	go vet -tags e2e ./e2e/...
	cd examples/sidecar/service && go vet ./...

lint-full: lint $(GOLANGCI)
	$(GOLANGCI) run ./...
	$(GOLANGCI) run --build-tags e2e ./e2e/...

clean:
	rm -rf dist .tools
