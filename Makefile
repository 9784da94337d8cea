# sup — build, test and measure.
GO ?= go
BIN := bin/sup

.PHONY: all build test race lint bench bench-micro bench-peers clean run

all: build

build:
	$(GO) build -o $(BIN) ./cmd/sup

# The README's test command: vet, then every test with the race detector.
test: lint
	$(GO) test -race -count=1 ./...

race:
	$(GO) test -race -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# End-to-end benchmark: builds sup, runs the workloads of docs/performance.md
# (and the same against supervisord when installed), prints the table.
# Scale with BENCH_N=100,1000 BENCH_RUNS=3 BENCH_IDLE=30s BENCH_LOG_MB=200.
bench:
	$(GO) run ./cmd/supbench

# Micro-benchmarks of the hot paths (figures, never assertions).
bench-micro:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Install the peer the benchmark compares against (Debian/Ubuntu).
bench-peers:
	apt-get update
	apt-get install -y supervisor

run: build
	$(BIN) run examples/site.star

clean:
	rm -rf bin
