#!/usr/bin/env bash
# test.sh is `make test`, what CI runs: vet, every test under -race, the
# fault-injection, engine, manager and gofakes3 conformance tests again
# without -race at their full sizes and in both addressing styles, and the
# demo (under -race they move less data, and the demo is skipped:
# internal/limits, the race_test.go files of internal/testkit/reliability,
# multipart, transfer and conformance, cmd/s3kit's TestDemo), the
# 32-bit guarantee (internal/testkit/cmd/test386: run where 386 binaries execute,
# compiled and vetted where they cannot), and the conformance suite against
# versitygw (scripts/conformance.sh). Every step runs even when one before
# it failed; each prints what it ran (a line per package with tests passed
# and skipped, the reason of every skip, the output of every failure); the
# last lines say which steps passed, and the exit status is 1 if any
# failed. STEPS="race 386" runs only those steps.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO=${GO:-go}
STEPS=${STEPS:-vet race norace 386 conformance}

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
if ! $GO build -o "$tools/testreport" ./internal/testkit/cmd/testreport; then
	echo "test.sh: cannot build internal/testkit/cmd/testreport" >&2
	exit 1
fi
report() { "$tools/testreport" -step "$1"; }

step_vet() {
	$GO vet ./... &&
		$GO vet -tags conformance ./conformance/... &&
		$GO vet -tags seaweedfs ./conformance/...
}
step_race() {
	$GO test -race -count=1 -timeout 20m -json ./... 2>&1 | report race
}
step_norace() {
	{
		$GO test -count=1 -timeout 20m -json ./internal/testkit/reliability/ ./multipart/ ./transfer/ ./conformance/
		$GO test -count=1 -timeout 20m -json -run '^TestDemo$' ./cmd/s3kit/
	} 2>&1 | report norace
}
step_386() {
	$GO run ./internal/testkit/cmd/test386
}
step_conformance() {
	scripts/conformance.sh -json 2>&1 | report conformance
}

declare -a results
failed=0
for s in $STEPS; do
	echo "== make test: step $s"
	start=$SECONDS
	if "step_$s"; then
		results+=("$s: passed in $((SECONDS - start))s")
	else
		results+=("$s: FAILED after $((SECONDS - start))s")
		failed=1
	fi
done
echo "== make test: summary"
printf '%s\n' "${results[@]}"
exit $failed
