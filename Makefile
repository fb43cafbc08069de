# accord — build, test and demo targets. Every target works on a fresh
# machine with only Go and make; modules come from the Go module proxy.

GO        ?= go
BIN       := bin
# FUZZTIME is a count of inputs per fuzz target (a duration such as 5m works
# too, but Go 1.26's fuzzer can end a timed run with a spurious "context
# deadline exceeded").
FUZZTIME  ?= 5000x
BENCHTIME ?= 1x
BENCHCOUNT ?= 1
DEMO_DIR  ?= $(BIN)/demo
# STATICCHECK is run with "go run" at a pinned version, so that its own
# dependencies stay out of go.mod (they would raise versions the command
# is built with); the module's checksum is verified against sum.golang.org.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
# CONFORMANCE_RUN runs the TUF conformance suite against a client; the
# suite's folder sits beside the checkout (docs/CONFORMANCE.md).
CONFORMANCE_RUN ?= $(CURDIR)/../shared/conformance/run.sh

.PHONY: all build test vet tidy staticcheck conformance demo bench fuzz fixtures soak clean

all: build

build:
	$(GO) build -o $(BIN)/accord ./cmd/accord
	$(GO) build -o $(BIN)/accord-conformance ./cmd/accord-conformance

vet:
	$(GO) vet ./...

# tidy fails when go.mod or go.sum differ from what "go mod tidy" writes.
tidy:
	$(GO) mod tidy -diff

staticcheck:
	$(GO) run $(STATICCHECK) ./...

test: vet tidy staticcheck
	$(GO) test -race -timeout 30m ./...

# conformance runs the public TUF conformance suite against
# bin/accord-conformance; its last line is pytest's summary, "113 passed"
# when all is well (docs/CONFORMANCE.md).
conformance: build
	$(CONFORMANCE_RUN) $(BIN)/accord-conformance

# demo runs a release pipeline on accord (four stage repositories, accord
# promote from stage to stage, served on loopback, a client's lookups),
# then builds the fixture demo world, serves it and runs accord's main job
# against it; see README.md.
demo: build
	$(GO) build -o $(BIN)/accord-fixtures ./fixtures/cmd/accord-fixtures
	$(GO) build -o $(BIN)/admission-review ./scripts/admission-review
	sh ./scripts/demo.sh $(BIN) $(DEMO_DIR)

# bench runs every benchmark (BENCHMARKS.md; BENCHTIME=2s BENCHCOUNT=3
# for numbers worth reading) and prints their table (medians) and ratios
# from $(BIN)/bench.txt.
bench:
	@mkdir -p $(BIN)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) -timeout 60m ./... | tee $(BIN)/bench.txt
	$(GO) run scripts/benchtable.go $(BIN)/bench.txt

# fuzz runs every fuzz target briefly (FUZZTIME each). A package whose
# tests do not compile fails the target instead of being passed over.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  list=$$($(GO) test -list '^Fuzz' $$pkg); \
	  for target in $$(echo "$$list" | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg; \
	  done; \
	done

soak:
	$(GO) test -race -timeout 0 -count $(SOAKCOUNT) -run '^(TestAttack.*|TestFaultsUnderLoad)$$' ./resolver
	$(GO) test -timeout 0 -count $(SOAKCOUNT) -run '^(TestCrashKill|TestStagePublishCrash|TestStageRotateCrash)$$' ./cmd/accord

# fixtures writes the demo world (repositories ci, qa, staging, prod and
# map.json) to $(DEMO_DIR)/world.
fixtures:
	$(GO) run ./fixtures/cmd/accord-fixtures -out $(DEMO_DIR)/world

clean:
	rm -rf $(BIN)
