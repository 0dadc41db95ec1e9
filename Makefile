# llamaextract: every command CI runs is a target here. `make test` is what
# .ci/run calls; `make demo` runs the main job against the embedded emulator.
SHELL := /bin/bash
GO ?= go
OAPI_CODEGEN := $(GO) run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck
# oasdiff pulls a large dependency tree, so it is fetched by version and kept
# out of go.mod.
OASDIFF := $(GO) run github.com/oasdiff/oasdiff@v1.37.0
# gremlins (mutation testing) likewise: fetched by version, outside go.mod.
GREMLINS := $(GO) run github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
MUTATE_PKGS ?= ./internal/batchstate ./internal/fileinput
BENCHTIME ?= 1x
BENCHCOUNT ?= 1

.PHONY: all generate check-generated spec spec-live breaking lint test test-short bench bench-batch demo stress conformance mutate

all: test

## generate: rebuild generated/ from openapi.yaml
generate:
	$(GO) generate ./...

## check-generated: fail when generated/ is not what openapi.yaml produces
check-generated:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	sed 's#^output: .*#output: '"$$tmp"'/client.gen.go#' generated/oapi-codegen.yaml > "$$tmp/config.yaml" && \
	$(OAPI_CODEGEN) -config "$$tmp/config.yaml" openapi.yaml && \
	$(GO) run scripts/enumgen.go openapi.yaml "$$tmp/enums.gen.go" && \
	if ! { diff -u generated/client.gen.go "$$tmp/client.gen.go" && diff -u generated/enums.gen.go "$$tmp/enums.gen.go"; } > "$$tmp/diff"; then \
		head -n 40 "$$tmp/diff"; \
		echo; \
		echo "generated/ is stale: openapi.yaml or the generator changed. Run 'make generate' and commit the result."; \
		exit 1; \
	fi; \
	echo "generated/ matches openapi.yaml"

## spec: validate openapi.yaml (kin-openapi, examples, house rules, completeness)
spec:
	$(GO) test -count=1 -run 'TestSpec' .

## spec-live: check LlamaCloud's live answers against openapi.yaml (read-only, no credits; needs
## LLAMA_CLOUD_API_KEY, skipped without; SPEC_CHECK_FLAGS=--create adds one extraction, about 5 credits)
spec-live:
	@if [ -z "$$LLAMA_CLOUD_API_KEY" ]; then \
		echo "spec-live: skipped: LLAMA_CLOUD_API_KEY is not set (the check needs a real key; make test stays offline)"; \
		exit 0; \
	fi; \
	$(GO) run ./cmd/llamaextract spec check $(SPEC_CHECK_FLAGS)

## breaking: compare openapi.yaml with the newest v* tag (or BASE=<ref>)
breaking:
	@./scripts/breaking.sh "$(BASE)"

## lint: gofmt, go vet, staticcheck
lint:
	@unformatted=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

## test: everything CI checks
test: lint spec check-generated
	$(GO) test -race -count=1 ./...

## bench: run the benchmarks and print the comparison table
bench:
	@./scripts/bench.sh

## bench-batch: the 1,000- and 10,000-document batch rows against the emulator in its own process (~12 min)
bench-batch:
	$(GO) test -run '^$$' -bench 'Batch' -benchtime=1x -count=1 -timeout 40m ./bench

## demo: the main job end to end against the embedded emulator (no key, no network)
demo:
	$(GO) run ./cmd/llamaextract demo

## stress: the full-size fault-injection run (slow; not part of make test)
stress:
	$(GO) test -race -count=1 -tags stress -run Stress -timeout 30m ./wrapper/...

## mutate: mutation testing of the state journal and the file input (minutes; not part of make test); fails
## when a package's tests kill under 90% of its covered mutants. gremlins times each mutant's tests against its
## coverage run: -count=1 keeps that run out of the test cache, and the coefficient leaves room for a loaded machine.
mutate:
	@for p in $(MUTATE_PKGS); do \
		echo "== $$p"; \
		GOFLAGS=-count=1 $(GREMLINS) unleash --timeout-coefficient 10 --threshold-efficacy 90 $$p || exit 1; \
	done

## conformance: drive the emulator with the official TypeScript SDK (needs Node and npm; not part of make test)
conformance:
	@GO="$(GO)" ./scripts/conformance/run.sh
