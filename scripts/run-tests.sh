#!/usr/bin/env bash
# Everything `make test` runs, in order; stops at the first failure.
set -euo pipefail
BIN=.venv/bin
scripts/ensure-postgres.sh
scripts/ensure-browser.sh   # Debian's Chromium for tests/browser
echo "== ruff";  "$BIN/ruff" check .
"$BIN/ruff" format --check .
echo "== mypy";  "$BIN/mypy"
echo "== docs/configuration.md is up to date"; "$BIN/lateral" config-docs --check
echo "== pytest"
set +e
"$BIN/pytest" "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "FAILED: pytest collected no tests (exit code 5)" >&2
  exit 1
fi
exit "$status"
