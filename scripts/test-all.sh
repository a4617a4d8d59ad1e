#!/usr/bin/env bash
# `make test`: jest and the Terraform checks side by side. Jest's end-to-end files spend much of
# their time waiting on the emulator and the functions, which leaves a core idle that the
# Terraform checks (CPU-bound) use; one after the other they took about a third longer.
# The Terraform output is printed after jest's, whole, so neither interleaves.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .test-results
tf_log=.test-results/terraform-test.log
bash scripts/terraform-test.sh >"${tf_log}" 2>&1 &
tf_pid=$!
# Whatever stops this script stops the Terraform checks too.
trap 'kill "${tf_pid}" 2>/dev/null' EXIT
status=0
npx jest --ci --maxWorkers=2 --json --outputFile=.test-results/jest.json || status=$?
tf_status=0
wait "${tf_pid}" || tf_status=$?
trap - EXIT
cat "${tf_log}"
if ((tf_status != 0)); then status=${tf_status}; fi
exit "${status}"
