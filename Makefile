# Everyday commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_MODULES := node_modules/.package-lock.json

.PHONY: help install build test test-unit test-terraform typecheck demo bench soak fmt lint docs clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NODE_MODULES) ## Install the npm dependencies (npm ci)

build: $(NODE_MODULES) ## Bundle the functions into dist/producer.zip and dist/consumer.zip
	node scripts/build.mjs

typecheck: $(NODE_MODULES) ## Type-check all TypeScript (strict)
	npx tsc --noEmit -p tsconfig.json

test-unit: build ## Jest: functions, library, build, end-to-end on the emulator (starts moto_server itself)
	node scripts/build.mjs --local-runtime
	npx jest --ci --json --outputFile=.test-results/jest.json

test-terraform: build ## terraform fmt/validate/test of the module and its examples (offline via the provider mirror)
	bash scripts/terraform-test.sh

test: typecheck test-unit test-terraform ## Everything CI runs

demo: $(NODE_MODULES) ## Deploy examples/local to moto_server, send signed webhooks, print each trace across the queue
	node scripts/build.mjs --local-runtime
	node --no-warnings dist/local-runtime/demo.js

bench: $(NODE_MODULES) ## Benchmarks against an AWS Lambda Powertools baseline (BENCH_ARGS=--json or --quick)
	node bench/run.mjs $(BENCH_ARGS)

soak: $(NODE_MODULES) ## Thousands of signed webhooks through injected faults: nothing lost, doubled or untraced (SOAK_ARGS="--events 10000 --seed 1")
	node scripts/build.mjs --local-runtime
	node --no-warnings dist/local-runtime/soak.js $(SOAK_ARGS)

fmt: ## Format Terraform (the project's own files, not node_modules)
	terraform fmt $$(bash scripts/terraform-dirs.sh)

lint: typecheck ## Type-check and check Terraform formatting
	terraform fmt -check $$(bash scripts/terraform-dirs.sh)

docs: $(NODE_MODULES) ## Regenerate the inputs/outputs tables in README.md
	node scripts/terraform-docs.mjs

clean: ## Remove build output and Terraform working files
	rm -rf dist coverage .test-results .demo .soak bench/.out examples/cdktf/build examples/cdktf/cdktn/build examples/cdktf/cdktf.out
	find . -name .terraform -type d -prune -not -path './node_modules/*' -exec rm -rf {} +
