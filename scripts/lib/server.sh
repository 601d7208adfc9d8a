# shellcheck shell=bash
# Helpers shared by the scripts that run a test server in the background
# (versitygw.sh, seaweedfs.sh). The sourcing script sets NAME (for
# messages), BIN (the server binary) and STATE (a file naming the live run
# directory) before calling them.

die() {
	echo "$NAME: $*" >&2
	exit 1
}

need() {
	command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed"
}

# run_dir prints the live run directory, or fails when there is none.
run_dir() {
	[[ -f $STATE ]] || return 1
	local dir
	dir=$(<"$STATE")
	[[ -d $dir ]] || return 1
	printf '%s\n' "$dir"
}

# is_ours tells whether pid is alive and runs our $BIN, so that a recycled
# pid is never signalled.
is_ours() {
	local pid=$1 exe
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	[[ $exe == "$BIN" ]]
}

# alive tells whether pid runs (a zombie does not); during start-up the pid
# may still be env's or nohup's, until the server replaces them.
alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z ]]
}
