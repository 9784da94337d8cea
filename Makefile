# sup — build, test and measure.
GO ?= go
BIN := bin/sup

.PHONY: all build test race lint bench clean run

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

# Micro-benchmarks of the hot paths (figures, never assertions).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

run: build
	$(BIN) run examples/site.star

clean:
	rm -rf bin
