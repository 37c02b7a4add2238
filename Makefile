# otelcol-aiops — build, run and test the distribution.
# Every target works on a fresh machine with only Go installed; tools are
# pinned in tools/go.mod and installed into .tools/bin inside the repo.

SHELL        := /bin/bash
ROOT         := $(abspath .)
TOOLS_BIN    := $(ROOT)/.tools/bin
BUILDER      := $(TOOLS_BIN)/builder
MDATAGEN     := $(TOOLS_BIN)/mdatagen
DIST         := $(ROOT)/dist/otelcol-aiops
GO_SOURCES   := $(shell find . -name '*.go' -not -name '*_test.go' -not -path './dist*' -not -path './.tools/*' -not -path './tools/*' -not -path './e2e/*')
# ocb builds with CGO_ENABLED=0 and -trimpath; tests use the same settings so
# that they share the build cache with the distribution instead of compiling
# every collector package twice.
export CGO_ENABLED ?= 0
export GOFLAGS ?= -trimpath

.PHONY: all tools build run test test-unit test-e2e bench generate lint clean

all: build

$(BUILDER) $(MDATAGEN): tools/go.mod tools/go.sum
	cd tools && GOBIN=$(TOOLS_BIN) go install go.opentelemetry.io/collector/cmd/builder go.opentelemetry.io/collector/cmd/mdatagen
	@touch $(BUILDER) $(MDATAGEN)

tools: $(BUILDER) $(MDATAGEN)

## build: the full distribution (./dist/otelcol-aiops) from builder-config.yaml
build: $(DIST)
$(DIST): $(BUILDER) builder-config.yaml go.mod go.sum $(GO_SOURCES)
	$(BUILDER) --config builder-config.yaml

## run: build the distribution and run the demo pipeline
run: build
	$(DIST) --config examples/default/config.yaml

## test: unit tests, then end-to-end tests against the built binaries
test: test-unit test-e2e

test-unit:
	go test -count=1 ./...

test-e2e: build
	OTELCOL_AIOPS_BIN=$(DIST) go test -count=1 -tags e2e ./e2e/...

## bench: Go benchmarks of the algorithms and components
bench:
	go test -run '^$$' -bench . -benchmem ./...

## generate: mdatagen for every component with a metadata.yaml
generate: $(MDATAGEN)
	PATH=$(TOOLS_BIN):$$PATH go generate ./...

lint:
	@out=$$(gofmt -l $(GO_SOURCES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...

clean:
	rm -rf dist .tools
