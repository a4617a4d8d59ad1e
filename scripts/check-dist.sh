#!/usr/bin/env bash
# Fails when the committed function zips (dist/producer.zip, dist/consumer.zip) are not what
# `make build` makes from the committed sources. The zips are committed so the module works
# from a Git ref or a registry download without a build step (the convention of JavaScript
# GitHub Actions: a committed dist/ plus a CI check that it is current). The build is
# reproducible, so any changed or missing byte means someone changed a function and did not
# rebuild. Run on a clean checkout, before the tests (which rebuild dist/ themselves).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# What `make build` runs (.ci/run has just installed node_modules with npm ci).
node scripts/build.mjs >/dev/null
# Modified zips show as " M", zips that were never committed as "??".
stale="$(git status --porcelain --untracked-files=all -- dist/producer.zip dist/consumer.zip)"
if [[ -n "${stale}" ]]; then
  echo "dist/ is stale: \`make build\` changed the committed function zips:" >&2
  echo "${stale}" >&2
  echo "Run \`make build\` and commit dist/producer.zip and dist/consumer.zip (they are committed so the module works from a Git ref without a build step)." >&2
  exit 1
fi
echo "dist/ is current: make build reproduced the committed zips byte for byte."
