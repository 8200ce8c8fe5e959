#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry at the versions pinned in
# package.json. Run by a maintainer when upgrading; `make up` and `make test` never run it, so a
# fresh machine needs only Python. Prints the SHA-256 of every file it copies, for the commit.
set -euo pipefail
cd "$(dirname "$0")/.."
static=services/search-api/src/lateral_search_api/entrypoints/static
vendor=tests/browser/vendor
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version() { python3 -c "import json,sys; print(json.load(open('package.json'))['devDependencies'][sys.argv[1]])" "$1"; }
( cd "$work" && npm pack --silent "govuk-frontend@$(version govuk-frontend)" "axe-core@$(version axe-core)" >/dev/null )
mkdir -p "$work/govuk" "$work/axe"
tar -xzf "$work"/govuk-frontend-*.tgz -C "$work/govuk"
tar -xzf "$work"/axe-core-*.tgz -C "$work/axe"
# GOV.UK Frontend: the compiled CSS and ES module only. Its fonts (GDS Transport, for GOV.UK
# services only) and GOV.UK crown images are left out on purpose (see static/lateral.css).
cp "$work/govuk/package/dist/govuk/govuk-frontend.min.css" "$work/govuk/package/dist/govuk/govuk-frontend.min.js" "$static/"
cp "$work/axe/package/axe.min.js" "$vendor/"
cp "$work/axe/package/LICENSE" "$vendor/AXE-CORE-LICENSE.txt"
sha256sum "$static"/govuk-frontend.min.* "$vendor/axe.min.js"
