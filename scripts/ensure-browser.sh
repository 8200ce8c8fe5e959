#!/usr/bin/env bash
# Make sure the browser tests (tests/browser) can run: Debian's Chromium at /usr/bin/chromium.
# Playwright's own browser download does not work offline, so it is never used. axe-core and
# GOV.UK Frontend are vendored in the repository (see their LICENSE files), so nothing else is
# fetched here.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing at /usr/bin/chromium and apt-get is not available;" \
       "install Debian's chromium package to run the browser tests." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
test -x /usr/bin/chromium
