# grants — `make` (or `make help`) lists the targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Pinned tool versions; changing one rebuilds that tool (see the stamps).
TEMPORAL_CLI_VERSION := v1.5.1
SQLC_VERSION := v1.31.1
STRIPE_MOCK_VERSION := v0.203.0
GOLANGCI_LINT_VERSION := v2.15.0
MAILPIT_VERSION := v1.33.1

GO ?= go
BIN := $(CURDIR)/bin
# sudo only when not root.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# Runs a command against a private PostgreSQL cluster, Temporal dev
# server, stripe-mock and Mailpit (built, not `go run`, so the command's exit code comes through).
TESTENV = $(GO) build -o bin/testenv ./cmd/testenv && bin/testenv --

.PHONY: help
help: ## Show this help
	@echo "Usage: make <target>"
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-zA-Z0-9_.\/-]+:[^#]*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

## Tools, built into bin/ from the Go module proxy.

bin/temporal: bin/.temporal-$(TEMPORAL_CLI_VERSION) ## Build the Temporal CLI (dev server)
	GOBIN=$(BIN) $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)
	@touch $@

bin/sqlc: bin/.sqlc-$(SQLC_VERSION) ## Build sqlc
	CGO_ENABLED=0 GOBIN=$(BIN) $(GO) install github.com/sqlc-dev/sqlc/cmd/sqlc@$(SQLC_VERSION)
	@touch $@

bin/stripe-mock: bin/.stripe-mock-$(STRIPE_MOCK_VERSION) ## Build stripe-mock
	GOBIN=$(BIN) $(GO) install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION)
	@touch $@

bin/mailpit: bin/.mailpit-$(MAILPIT_VERSION) ## Build Mailpit (the mail catcher of grants dev and the tests)
	GOBIN=$(BIN) $(GO) install github.com/axllent/mailpit@$(MAILPIT_VERSION)
	@touch $@

bin/golangci-lint: bin/.golangci-lint-$(GOLANGCI_LINT_VERSION) ## Build golangci-lint (config: .golangci.yml)
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	@touch $@

# Version stamps: a new version means a missing stamp, hence a rebuild.
bin/.temporal-$(TEMPORAL_CLI_VERSION):
	@mkdir -p bin && rm -f bin/.temporal-* && touch $@
bin/.sqlc-$(SQLC_VERSION):
	@mkdir -p bin && rm -f bin/.sqlc-* && touch $@
bin/.stripe-mock-$(STRIPE_MOCK_VERSION):
	@mkdir -p bin && rm -f bin/.stripe-mock-* && touch $@
bin/.mailpit-$(MAILPIT_VERSION):
	@mkdir -p bin && rm -f bin/.mailpit-* && touch $@
bin/.golangci-lint-$(GOLANGCI_LINT_VERSION):
	@mkdir -p bin && rm -f bin/.golangci-lint-* && touch $@

.PHONY: tools
tools: bin/temporal bin/sqlc bin/stripe-mock bin/mailpit bin/golangci-lint ## Build all the tools

.PHONY: postgres
postgres: ## Install Debian's PostgreSQL server unless its binaries are present
	@if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || \
	   { command -v pg_config >/dev/null && test -x "$$(pg_config --bindir)/postgres"; }; then \
	  echo "PostgreSQL server binaries found"; \
	else \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; \
	fi

## Front end: npm packages (pinned in package-lock.json, not committed)
## and Debian's Chromium for the browser tests.

GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
VENDOR := web/static/vendor

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm; }
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: web-assets
web-assets: node_modules/.installed ## Copy govuk-frontend's CSS, JS and images into web/static/vendor (embedded at build)
	@rm -rf $(VENDOR) && mkdir -p $(VENDOR)/images
	@# GDS Transport is for GOV.UK services only and is not served: its
	@# @font-face rules are left out, so no page ever asks for /assets/fonts.
	sed -E 's/@font-face\{font-family:GDS Transport[^}]*\}//g' $(GOVUK_DIST)/govuk-frontend.min.css > $(VENDOR)/govuk-frontend.min.css
	@! grep -q '/assets/fonts' $(VENDOR)/govuk-frontend.min.css || { echo "govuk-frontend.min.css still names /assets/fonts"; exit 1; }
	cp $(GOVUK_DIST)/govuk-frontend.min.js $(VENDOR)/
	cp $(GOVUK_DIST)/assets/images/favicon.ico $(GOVUK_DIST)/assets/images/favicon.svg $(VENDOR)/images/

.PHONY: chromium
chromium: ## Install Debian's Chromium (headless, for the browser tests) unless present
	@if command -v chromium >/dev/null; then echo "Chromium found"; else \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	fi

## Build and run.

.PHONY: generate
generate: bin/sqlc ## Generate db/sqlc from queries/ (sqlc generate)
	bin/sqlc generate

.PHONY: build
build: web-assets ## Build bin/grants
	$(GO) build -o bin/grants ./cmd/grants

.PHONY: run
run: build tools postgres ## Run the whole stack locally (grants dev; GRANTS_ADDR, GRANTS_DATA_DIR)
	exec bin/grants dev

## Checks.

.PHONY: fmt-check
fmt-check: ## Fail, listing them, if Go files need gofmt (db/sqlc excluded)
	@files=$$(git ls-files --cached --others --exclude-standard -- '*.go' | grep -v '^db/sqlc/' | \
	  while read -r f; do [ -f "$$f" ] && echo "$$f"; done | xargs -r gofmt -l); \
	if [ -n "$$files" ]; then echo "gofmt needed:"; echo "$$files"; exit 1; fi

.PHONY: vet
vet: ## go vet (the fault tests' build tag included)
	$(GO) vet -tags faults ./...

.PHONY: sqlc-diff
sqlc-diff: bin/sqlc ## Fail if db/sqlc is stale (run make generate)
	@bin/sqlc diff || { echo "db/sqlc is stale: run make generate"; exit 1; }

.PHONY: golangci-lint
golangci-lint: bin/golangci-lint ## Run golangci-lint (.golangci.yml)
	bin/golangci-lint run ./...

.PHONY: mod-tidy-check
mod-tidy-check: ## Fail if go mod tidy would change go.mod or go.sum
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

.PHONY: openapi-lint
openapi-lint: node_modules/.installed ## Lint api/openapi.json with Redocly's recommended rules (redocly.yaml)
	npx --no-install redocly lint --format=stylish api/openapi.json

.PHONY: lint
lint: fmt-check vet sqlc-diff mod-tidy-check golangci-lint openapi-lint ## All the static checks: gofmt, vet, sqlc diff, go mod tidy, golangci-lint, OpenAPI

.PHONY: test
test: tools postgres web-assets chromium lint ## Lint, sqlc vet, go test -race (browser tests included) against a private PostgreSQL and Temporal, then make test-faults and make fuzz
	$(TESTENV) env GRANTS_BROWSER_TESTS=require sh -c 'bin/sqlc vet && $(GO) test -race -count=1 ./...'
	$(MAKE) test-faults
	$(TESTENV) scripts/fuzz.sh

.PHONY: fuzz
fuzz: tools postgres ## Run each hostile-input fuzz target for FUZZTIME (default 2m) against a private PostgreSQL (scripts/fuzz.sh)
	$(TESTENV) scripts/fuzz.sh

.PHONY: bench
bench: build tools postgres ## Load scenarios (deadline rush at 50 and 200 clients, lifecycle, reads) on a stack of their own: bin/grants bench
	bin/grants bench

.PHONY: bench-go
bench-go: tools postgres ## Run the go-test benchmarks against a private PostgreSQL and Temporal
	$(TESTENV) $(GO) test -run='^$$' -bench=. -benchmem ./...

.PHONY: clean
clean: ## Remove build outputs (not the tools in bin/, nor .data)
	rm -f bin/grants bin/testenv
	rm -rf test-artifacts

.PHONY: test-faults
test-faults: tools postgres ## Fault tests (Temporal, PostgreSQL, the worker, SMTP failing under load; 200 concurrent approvals): one line each, full log in test-artifacts/faults.log
	@mkdir -p test-artifacts
	$(TESTENV) $(GO) test -tags faults -count=1 -v -timeout 15m -run '^TestFault' ./cmd/grants 2>&1 | \
	  tee test-artifacts/faults.log | grep -E '^(fault |--- |FAIL|ok|PASS|panic)'; exit $${PIPESTATUS[0]}
