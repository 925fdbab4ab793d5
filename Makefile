# The ContextGPT API sandbox. `make run` starts the mock; `make test` runs every test.
GO        ?= go
ADDR      ?= 127.0.0.1:8080
BIN       := bin
REDOCLY   ?= @redocly/cli@2
PRISM     ?= @stoplight/prism-cli@5
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS   := -X main.version=$(VERSION)
LINT_DIR  ?= $(or $(TMPDIR),/tmp)/contextgpt-sandbox-lint

.PHONY: all build run test test-short conformance interop probe bench loadtest memattack fuzz lint lint-prism fmt vet tidy clean screenshots

all: build

build:
	$(GO) build -o $(BIN)/contextgpt-mock ./cmd/contextgpt-mock
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/contextgpt-conformance ./cmd/contextgpt-conformance

## run: build, then start the mock on $(ADDR) with the default fixtures
run: build
	./$(BIN)/contextgpt-mock --addr $(ADDR)

# SLOW_PKGS run last in `make test`: go test prints a package's line only once every package
# before it on the command line has printed, so listing the slow ones (the harness and the
# two commands, which run the built-in suite) last lets the others report as they finish.
SLOW_PKGS := ./conformance ./cmd/contextgpt-conformance ./cmd/contextgpt-mock

## test: gofmt check, vet, then every test with the race detector, a line per package as it
## ends (includes the built-in suite run against the mock through the real binaries)
test:
	@echo "make test: gofmt, go vet, then go test -race of every package ($$(date -u +%H:%M:%S) UTC)"
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	@echo "go vet clean; compiling with -race and testing: fast packages first, then $(SLOW_PKGS)"
	$(GO) test -race -count=1 -timeout 25m $$($(GO) list ./... | grep -v -x -F $(foreach p,$(SLOW_PKGS),-e github.com/contextgpt/sandbox/$(p:./%=%))) $(SLOW_PKGS)
	@echo "make test: done ($$(date -u +%H:%M:%S) UTC)"

## test-short: every test without the race detector, skipping the slow ones (-short)
test-short:
	$(GO) test -count=1 -short ./...

## conformance: run the built-in suite against a running mock (make run in another shell)
conformance: build
	./$(BIN)/contextgpt-conformance run --base-url http://$(ADDR)/api

## interop: every scenario file through Redocly respect (pinned, installed with npm into a
## temporary folder) and through contextgpt-conformance against one mock, same runId and key;
## fails on any difference of verdict not listed below with its reason, and on a workflow
## both runners fail; then both runners
## timed side by side (wall, peak memory) on one workflow
RESPECT_CLI ?= @redocly/cli@2.77.0
INTEROP_DIR ?= $(or $(TMPDIR),/tmp)/contextgpt-sandbox-interop
INTEROP_KNOWN := --known-difference "localization=respect sends the spec's example body on GET getLocalizationByLocale (the operation declares one, as the reference documents) and Node's fetch refuses a GET with a body"
# Our peak memory on the timed workflow must stay within a third of respect's (about a quarter
# today; memory, unlike wall time, is steady on a busy machine). The wall time (target a tenth)
# is printed, not gated: on a shared machine it swings too much for a CI gate.
INTEROP_FLAGS ?= --max-memory-ratio 0.33
interop: build
	mkdir -p $(INTEROP_DIR)
	cd $(INTEROP_DIR) && npm install --silent --no-audit --no-fund $(RESPECT_CLI) >/dev/null
	$(GO) run ./conformance/interop --redocly $(INTEROP_DIR)/node_modules/.bin/redocly \
		--mock $(BIN)/contextgpt-mock --conformance $(BIN)/contextgpt-conformance \
		$(INTEROP_KNOWN) $(INTEROP_FLAGS) scenarios/*.arazzo.yaml

## fuzz: fuzz the mock's whole HTTP chain (FuzzHTTPChain) for FUZZTIME; its seeds run in make test
FUZZTIME ?= 3m
fuzz:
	$(GO) test ./mock -run '^$$' -fuzz FuzzHTTPChain -fuzztime $(FUZZTIME) -parallel 2

## probe: the built-in suite and the generated probe against a running mock (make run in
## another shell), one (operation, status) coverage table, at least 90% of it
probe: build
	./$(BIN)/contextgpt-conformance probe --base-url http://$(ADDR)/api --with-suite --min-coverage 90

## bench: every collection of the store at 10, 1,000 and 100,000 items (create, read,
## update, list first and last page, filtered), bytes per stored thread and message, the
## whole chain for a list and a create at the three sizes, then the other packages'
## benchmarks (validators, limiter, harness). Short -benchtime: a few minutes in all.
BENCHTIME ?= 200ms
bench:
	$(GO) test -run '^$$' -bench 'Scale' -benchtime $(BENCHTIME) -benchmem -timeout 30m ./mock/store
	$(GO) test -run '^$$' -bench 'Memory|GCWith' -benchtime 1x -timeout 10m ./mock/store
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -benchmem -timeout 30m ./mock ./mock/limits ./spec ./conformance ./compat/proxy

## loadtest: the mock (--limits off) against a bare net/http server writing the same bytes
## and Prism 5 (npm-installed into a cache folder), 32 connections, on 127.0.0.1; prints
## the table and exits 1 when a gate is missed (see tools/loadtest). The load generator is
## wrk when installed (apt-get install wrk), else a Go one; servers and wrk are pinned to a
## CPU each with taskset where there are two. About 5 minutes.
LOADTEST_FLAGS ?=
loadtest: memattack
	@command -v wrk >/dev/null || echo "make loadtest: wrk not found, using the Go load generator (Debian/Ubuntu: apt-get install wrk)"
	$(GO) run ./tools/loadtest $(LOADTEST_FLAGS)

## memattack: the full-size memory attacks (1 MB paths, a full journal read 1,000 at a time,
## sink floods, sandbox/thread/instruction floods until the caps and the --max-memory
## ceiling) against a mock with a 512 MiB ceiling on 127.0.0.1; prints the mock's peak RSS
## against the stated figure and exits 1 above it (see tools/memattack). About a minute.
MEMATTACK_FLAGS ?=
memattack:
	$(GO) run ./tools/memattack $(MEMATTACK_FLAGS)

## lint: redocly lint of both documents (installed into a temporary folder), go vet and
## staticcheck (fetched through the module proxy, not added to go.mod)
lint: vet
	$(GO) run $(STATICCHECK) ./...
	mkdir -p $(LINT_DIR)
	cd $(LINT_DIR) && npm install --silent --no-audit --no-fund $(REDOCLY) >/dev/null
	$(LINT_DIR)/node_modules/.bin/redocly lint --config .redocly.yaml spec/contextgpt.yaml spec/mock-admin.yaml
	$(MAKE) lint-prism

## lint-prism: a second, independent validator over the mock's responses: the mock behind
## Prism's validating proxy (its own OpenAPI reader and JSON Schema validator), a fixed set
## of requests, any response Prism flags fails (scripts/prism-check.sh)
lint-prism:
	mkdir -p $(LINT_DIR) $(BIN)
	cd $(LINT_DIR) && npm install --silent --no-audit --no-fund $(PRISM) >/dev/null
	$(GO) build -o $(BIN)/contextgpt-mock ./cmd/contextgpt-mock
	scripts/prism-check.sh $(LINT_DIR)/node_modules/.bin/prism $(BIN)/contextgpt-mock

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

tidy:
	$(GO) mod tidy

clean:
	rm -rf $(BIN)

## screenshots: the README's pictures of the dashboard and the HTML report (docs/img),
## taken with headless Chromium; pngquant shrinks them when it is installed
screenshots:
	SCREENSHOTS=$(CURDIR)/docs/img $(GO) test -count=1 -run '^TestScreenshots$$' ./internal/browsertest
	if command -v pngquant >/dev/null; then pngquant --force --ext .png --quality 70-95 --speed 1 docs/img/*.png; fi
