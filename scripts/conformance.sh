#!/usr/bin/env bash
# conformance.sh runs the conformance suite against versitygw, the strict
# server: it makes sure headless Chromium is there for the browser test
# (scripts/browser.sh; where it cannot be installed, that one case is
# skipped with the reason), starts versitygw (installing it into .tools/ when
# missing), runs the tests tagged "conformance", and stops exactly what it
# started, whatever the outcome. Extra arguments go to `go test` (e.g.
# -run TestVersitygw/http).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Chromium is optional: without it the browser case is skipped, saying why.
if why=$(scripts/browser.sh ensure 2>&1); then
	[[ -z $why ]] || echo "$why" >&2
	eval "$(scripts/browser.sh env)"
else
	echo "conformance.sh: the browser case will be skipped: $why" >&2
	export S3KIT_BROWSER_MISSING="${why//$'\n'/ }"
fi
scripts/versitygw.sh start
trap 'scripts/versitygw.sh stop >/dev/null 2>&1 || true' EXIT
eval "$(scripts/versitygw.sh env)"
go test -tags conformance -count=1 -timeout 20m "$@" ./conformance/...
