#!/usr/bin/env bash
# fuzz.sh is `make fuzz`: every fuzz target of every package of the main
# module (the Fuzz functions of the test files `go list` says build on this
# platform), each for FUZZTIME (default 30s; a count such as 5000x works
# too). A target that fails does not stop the others; the last lines list
# every target that failed, with the crasher Go wrote under its package's
# testdata/fuzz/, and the exit status is 1 if any failed. FUZZFLAGS adds
# flags to each `go test` (e.g. FUZZFLAGS='-parallel 1'); extra arguments
# are the packages (default ./...).
#
# Go 1.26's fuzzing coordinator can end a run that found nothing with
# "context deadline exceeded" when the FUZZTIME deadline fires (a race
# between the deadline and the cancellation of its workers, not a failure
# of the target: no crasher is written). Such a run is tried once more;
# it counts as a failure only if it ends that way twice.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-30s}
FUZZFLAGS=${FUZZFLAGS:-}
pkgs=("$@")
[[ ${#pkgs[@]} -gt 0 ]] || pkgs=(./...)

# testTimeout returns go test's -timeout for one target: FUZZTIME plus ten
# minutes for building and the seed corpus, or an hour for a count.
testTimeout() {
	local t=$FUZZTIME secs=0 n unit
	while [[ $t =~ ^([0-9]+)(h|m|s)(.*)$ ]]; do
		n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]} t=${BASH_REMATCH[3]}
		case $unit in
		h) secs=$((secs + n * 3600)) ;;
		m) secs=$((secs + n * 60)) ;;
		s) secs=$((secs + n)) ;;
		esac
	done
	if [[ -n $t || $secs -eq 0 ]]; then
		echo 60m
	else
		echo "$((secs + 600))s"
	fi
}

# targets prints "import-path directory target" for each fuzz target.
targets() {
	$GO list -f '{{.ImportPath}} {{.Dir}}{{range .TestGoFiles}} {{.}}{{end}}{{range .XTestGoFiles}} {{.}}{{end}}' "${pkgs[@]}" |
		while read -r pkg dir files; do
			[[ -n $files ]] || continue
			for f in $files; do
				sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*\*testing\.F).*/\1/p' "$dir/$f"
			done | sort -u | while read -r target; do
				echo "$pkg $dir $target"
			done
		done
}

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

list=$(targets) || {
	echo "fuzz.sh: go list failed" >&2
	exit 1
}
if [[ -z $list ]]; then
	echo "fuzz.sh: no fuzz targets in ${pkgs[*]}" >&2
	exit 1
fi

# reason prints the first line of log that says why the run failed.
reason() {
	local pat line
	for pat in '^ +[A-Za-z0-9_]+\.go:[0-9]+: ' '^panic: ' 'failure while testing seed corpus' \
		'fuzzing process hung or terminated' 'context deadline exceeded' '^--- FAIL'; do
		line=$(grep -m 1 -E -e "$pat" "$1") && {
			echo "$line" | sed 's/^ *//'
			return
		}
	done
	echo "go test failed"
}

# coordinatorRace reports whether log is the coordinator's race: its only
# complaint is the deadline, with no test log line, no panic, no seed.
coordinatorRace() {
	grep -q -x '    context deadline exceeded' "$1" &&
		! grep -q -E -e '^ +[A-Za-z0-9_]+\.go:[0-9]+: ' -e '^panic: ' -e 'failure while testing seed corpus' \
			-e 'fuzzing process hung or terminated' -e 'Failing input written' "$1"
}

declare -a failures
passed=0 retried=0 total=0
while read -r pkg dir target; do
	total=$((total + 1))
	for attempt in 1 2; do
		again=
		[[ $attempt -eq 1 ]] || again=", again"
		echo "== fuzz $pkg $target ($FUZZTIME$again)"
		corpus="$dir/testdata/fuzz/$target"
		before=$(ls "$corpus" 2>/dev/null)
		log="$logs/$total.$attempt.log"
		# shellcheck disable=SC2086 # FUZZFLAGS is split on purpose
		$GO test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" -timeout "$(testTimeout)" $FUZZFLAGS "$pkg" </dev/null 2>&1 | tee "$log"
		status=${PIPESTATUS[0]}
		if [[ $status -eq 0 ]]; then
			passed=$((passed + 1))
			break
		fi
		crasher=$(sed -n 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' "$log" | tail -n 1)
		if [[ -n $crasher ]]; then
			crasher="$dir/$crasher"
		elif [[ $before != "$(ls "$corpus" 2>/dev/null)" ]]; then
			crasher="new file(s) in $corpus"
		fi
		if [[ -z $crasher ]] && coordinatorRace "$log"; then
			if [[ $attempt -eq 1 ]]; then
				echo "fuzz.sh: $target ended with the coordinator's \"context deadline exceeded\" and no crasher: trying once more"
				retried=$((retried + 1))
				continue
			fi
			failures+=("$pkg $target: context deadline exceeded twice, no crasher")
			break
		fi
		failures+=("$pkg $target: $(reason "$log")${crasher:+ (crasher: $crasher)}")
		break
	done
done <<<"$list"

echo "== fuzz: summary"
echo "$passed passed, ${#failures[@]} failed (of $total targets, FUZZTIME $FUZZTIME; $retried run(s) tried again)"
if [[ ${#failures[@]} -gt 0 ]]; then
	printf 'FAILED %s\n' "${failures[@]}"
	exit 1
fi
