#!/usr/bin/env bash
# Everything `make test-terraform` checks for the Terraform module:
#   1. terraform fmt -check on the project's own folders (scripts/terraform-dirs.sh)
#   2. terraform init -backend=false + validate in the root and in every example
#   3. terraform test -test-directory=test/terraform (mock provider, plan only)
#   4. README.md inputs/outputs tables in sync with variables.tf/outputs.tf
# Works offline with a local provider mirror (scripts/terraform-cli-config.sh) and online without.
# Needs dist/producer.zip and dist/consumer.zip (committed; `make build` remakes them) and builds
# examples/custom-consumer's zip when stale. Exits non-zero on any failure.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${root}"

# shellcheck source=scripts/terraform-cli-config.sh
source "${root}/scripts/terraform-cli-config.sh" || exit 1
export TF_IN_AUTOMATION=1
export TF_INPUT=0
export CHECKPOINT_DISABLE=1
# Without a mirror, cache downloaded providers once for all the working directories.
if [[ -z "${TF_CLI_CONFIG_FILE:-}" && -z "${TF_PLUGIN_CACHE_DIR:-}" ]]; then
  export TF_PLUGIN_CACHE_DIR="${HOME:-/tmp}/.terraform.d/plugin-cache"
  mkdir -p "${TF_PLUGIN_CACHE_DIR}"
fi

failures=()
started=${SECONDS}

section() {
  printf '\n==== %s ====\n' "$*"
}

step() {
  # step <label> <command...>: runs the command, records a failure.
  local label="$1"
  shift
  local t0=${SECONDS}
  if "$@"; then
    printf -- '---- ok: %s (%ss)\n' "${label}" "$((SECONDS - t0))"
  else
    printf -- '---- FAILED: %s\n' "${label}"
    failures+=("${label}")
  fi
}

quiet() {
  # Runs a command and only shows its output when it fails.
  local log
  log="$(mktemp)"
  if "$@" >"${log}" 2>&1; then
    rm -f "${log}"
    return 0
  fi
  cat "${log}"
  rm -f "${log}"
  return 1
}

section "Terraform $(terraform version | head -n 1)${TF_CLI_CONFIG_FILE:+ (CLI config: ${TF_CLI_CONFIG_FILE})}"

for zip in dist/producer.zip dist/consumer.zip; do
  if [[ ! -f "${zip}" ]]; then
    echo "${zip} is missing: run \`make build\` first (the module and its tests reference the zips)." >&2
    exit 1
  fi
done

# examples/custom-consumer deploys a zip its own build makes (not committed): build it when stale.
if ! make --no-print-directory -s examples/custom-consumer/dist/consumer.zip >/dev/null; then
  echo "examples/custom-consumer could not be built (make custom-consumer)." >&2
  exit 1
fi

section "terraform fmt -check"
# Only the project's own files: node_modules (examples/cdktf's) holds third-party .tf fixtures.
mapfile -t fmt_dirs < <(bash "${root}/scripts/terraform-dirs.sh")
step "fmt" terraform fmt -check -diff "${fmt_dirs[@]}"

section "terraform init + validate"
validate_dir() {
  local dir="$1"
  quiet terraform -chdir="${dir}" init -backend=false -input=false -no-color &&
    terraform -chdir="${dir}" validate -no-color
}
step "validate ." validate_dir .
for example in examples/*/; do
  example="${example%/}"
  [[ -n "$(find "${example}" -maxdepth 1 -name '*.tf' -print -quit)" ]] || continue
  step "validate ${example}" validate_dir "${example}"
done

section "terraform test (test/terraform)"
run_tests() {
  quiet terraform init -backend=false -input=false -no-color -test-directory=test/terraform &&
    terraform test -test-directory=test/terraform -no-color
}
step "terraform test" run_tests

section "README.md inputs/outputs"
docs_check() {
  if ! command -v node >/dev/null 2>&1; then
    echo "node is required for the docs check (scripts/terraform-docs.mjs)." >&2
    return 1
  fi
  if ! node scripts/terraform-docs.mjs --check; then
    echo "Run \`make docs\` (node scripts/terraform-docs.mjs) to regenerate the tables, then commit README.md." >&2
    return 1
  fi
}
step "docs in sync" docs_check

section "Summary ($((SECONDS - started))s)"
if ((${#failures[@]} > 0)); then
  printf 'FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo "All Terraform checks passed."
