#!/usr/bin/env bash
# Lists the folders holding the project's own .tf and .tftest.hcl files, one per line: what
# `terraform fmt` should look at. Never node_modules, .terraform or generated output.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
find . \( -name node_modules -o -name .terraform -o -name cdktf.out -o -name .git -o -name dist \) -prune -o \
  \( -name '*.tf' -o -name '*.tftest.hcl' \) -type f -printf '%h\n' | sort -u
