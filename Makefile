# Everyday commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_MODULES := node_modules/.package-lock.json
CUSTOM_CONSUMER := examples/custom-consumer
CUSTOM_CONSUMER_ZIP := $(CUSTOM_CONSUMER)/dist/consumer.zip
# The tracing library builds in its own folder, from its own lockfile: no root install.
LIB := functions/lib
LIB_MODULES := $(LIB)/node_modules/.package-lock.json
LIB_TARBALL := $(LIB)/webhook-tracing-sqs-otel-$(shell node -p "require('./$(LIB)/package.json').version").tgz
LIB_SOURCES := $(wildcard $(LIB)/*.ts) $(LIB)/package.json $(LIB)/tsconfig.json $(LIB)/build.mjs $(LIB)/README.md $(wildcard $(LIB)/test/*.mjs)

.PHONY: help install build lib custom-consumer test test-unit test-terraform typecheck demo bench soak fmt lint docs clean where-is redrive

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NODE_MODULES) ## Install the npm dependencies (npm ci)

build: $(NODE_MODULES) ## Bundle the functions into dist/producer.zip and dist/consumer.zip
	node scripts/build.mjs

$(LIB_MODULES): $(LIB)/package.json $(LIB)/package-lock.json
	cd $(LIB) && npm ci --no-audit --no-fund
	@touch $@

# npm test builds dist/ (ESM and CommonJS) and checks both; npm pack builds again and writes the tarball.
$(LIB_TARBALL): $(LIB_MODULES) $(LIB_SOURCES)
	cd $(LIB) && npm test && npm pack

lib: $(LIB_TARBALL) ## Build, test and pack the tracing library in its own folder (its own npm ci): functions/lib/webhook-tracing-sqs-otel-<version>.tgz

# The example installs the library as a package (functions/lib packed, dist/ included), so it is built first.
$(CUSTOM_CONSUMER_ZIP): $(LIB_TARBALL) $(wildcard $(CUSTOM_CONSUMER)/src/*.ts) $(CUSTOM_CONSUMER)/package.json $(CUSTOM_CONSUMER)/package-lock.json $(CUSTOM_CONSUMER)/build.mjs
	cd $(CUSTOM_CONSUMER) && npm ci --prefer-offline --no-audit --no-fund --loglevel=error && npm run typecheck && npm run build

custom-consumer: $(CUSTOM_CONSUMER_ZIP) ## Build examples/custom-consumer (its own npm ci and build, on the packaged library)

typecheck: $(NODE_MODULES) ## Type-check all TypeScript (strict)
	npx tsc --noEmit -p tsconfig.json

test-unit: build $(CUSTOM_CONSUMER_ZIP) ## Jest: functions, library, build, end-to-end on the emulator (starts moto_server itself)
	node scripts/build.mjs --local-runtime
	@mkdir -p .test-results
	npx jest --ci --maxWorkers=2 --json --outputFile=.test-results/jest.json

test-terraform: build $(CUSTOM_CONSUMER_ZIP) ## terraform fmt/validate/test of the module and its examples (offline via the provider mirror)
	bash scripts/terraform-test.sh

test: typecheck build $(CUSTOM_CONSUMER_ZIP) ## Everything CI runs: test-unit and test-terraform side by side (scripts/test-all.sh)
	node scripts/build.mjs --local-runtime
	bash scripts/test-all.sh

demo: $(NODE_MODULES) ## Deploy examples/local behind the strict local AWS, send signed webhooks, print each trace across the queue (FAN_OUT=1: through SNS to two consumers; LOCAL_AWS_ENFORCE=off: the emulator alone)
	node scripts/build.mjs --local-runtime
	FAN_OUT=$(FAN_OUT) node --no-warnings dist/local-runtime/demo.js

where-is: $(NODE_MODULES) ## What happened to one event: make where-is EVENT=evt_… TF_DIR=<dir you applied> [ARGS=--json]
	@node scripts/build.mjs --tools >/dev/null
	@node --no-warnings dist/tools/where-is.js '$(EVENT)' $(if $(TF_DIR),--terraform-dir $(TF_DIR)) $(ARGS)

redrive: $(NODE_MODULES) ## Move dead-lettered messages back to the queue: make redrive TF_DIR=<dir> ARGS='--dry-run | --count N --rate N | --event-id ID'
	@node scripts/build.mjs --tools >/dev/null
	@node --no-warnings dist/tools/redrive.js $(if $(TF_DIR),--terraform-dir $(TF_DIR)) $(ARGS)

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
	rm -rf dist/producer dist/consumer dist/local-runtime $(LIB)/dist $(LIB)/*.tgz coverage .test-results .demo .soak bench/.out examples/cdktf/build examples/cdktf/cdktn/build examples/cdktf/cdktf.out $(CUSTOM_CONSUMER)/dist
	find . -name .terraform -type d -prune -not -path './node_modules/*' -exec rm -rf {} +
