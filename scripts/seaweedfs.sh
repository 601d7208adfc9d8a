#!/usr/bin/env bash
# seaweedfs.sh runs SeaweedFS, the distributed object store the conformance
# suite (conformance/, build tag "seaweedfs") is also checked against: one
# `weed server -s3` process on loopback (master, volume server, filer and S3
# gateway in one), with an S3 identity that requires SigV4 auth. versitygw.sh
# next door runs the strict single-node server that `make conformance` uses.
#
# Usage: scripts/seaweedfs.sh install|start|stop|status|env|test [go test flags]
#
#   install build weed into <repo>/.tools/bin when missing or of another
#           version. `go install` refuses the module (its go.mod has a
#           replace directive), so the module is downloaded with
#           `go mod download`, copied to <repo>/.tools/src/ (the module cache
#           is read-only) and built there: about 10 minutes when cold.
#   start   install, then start one server on 127.0.0.1 with ports the script
#           picks, data in a fresh directory under <repo>/.tools/run/, and
#           wait until the S3 gateway answers.
#   stop    kill exactly the process started by 'start' and remove the run
#           directory (S3KIT_SWFS_KEEP=1 keeps it, for reading the log).
#   status  say what runs; exit 0 when it runs, 3 otherwise.
#   env     print the export lines the conformance suite reads:
#             eval "$(scripts/seaweedfs.sh env)"
#   test    start, run TestSeaweedFS (build tag "seaweedfs"; extra arguments
#           go to `go test`, e.g. -run TestSeaweedFS/path -v), and stop,
#           whatever the outcome. `make conformance-seaweedfs` runs this.
set -euo pipefail

readonly SWFS_MODULE=github.com/seaweedfs/seaweedfs
readonly SWFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
# Fixed test credentials: this server holds nothing but test data and listens
# on loopback only.
readonly ACCESS_KEY=s3kitswfs
readonly SECRET_KEY=s3kit-seaweedfs-secret-0123456789
readonly REGION=us-east-1
readonly VIRTUAL_DOMAIN=localhost
readonly START_TIMEOUT=90 # seconds: master, volume, filer and S3 start in turn

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO
readonly BIN=$REPO/.tools/bin/weed
readonly STAMP=$BIN.version # the module version the binary was built from
readonly SRC=$REPO/.tools/src/seaweedfs@$SWFS_VERSION
readonly RUN_ROOT=$REPO/.tools/run
readonly STATE=$RUN_ROOT/seaweedfs.current # holds the path of the live run dir
readonly NAME=seaweedfs.sh
# shellcheck source-path=SCRIPTDIR source=lib/server.sh
source "$REPO/scripts/lib/server.sh"

cmd_install() {
	if [[ -x $BIN && -f $STAMP && $(<"$STAMP") == "$SWFS_VERSION" ]]; then
		return 0
	fi
	need go
	echo "seaweedfs.sh: building $SWFS_MODULE $SWFS_VERSION into $(dirname "$BIN") (about 10 minutes when cold)" >&2
	local start=$SECONDS dir
	# Outside the repo, so that neither its go.mod nor a go.work takes part.
	dir=$(cd / && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$SWFS_MODULE@$SWFS_VERSION" |
		awk -F'"' '$2 == "Dir" { print $4 }') || die "go mod download $SWFS_MODULE@$SWFS_VERSION failed"
	[[ -n $dir && -f $dir/go.mod ]] || die "go mod download gave no module directory for $SWFS_MODULE@$SWFS_VERSION"
	rm -rf "$SRC"
	mkdir -p "$(dirname "$SRC")" "$(dirname "$BIN")"
	cp -R "$dir" "$SRC"
	chmod -R u+w "$SRC"
	rm -f "$STAMP"
	# -buildvcs=false: the copy sits inside this repo's work tree, whose VCS
	# state says nothing about SeaweedFS.
	(cd "$SRC" && GOWORK=off GOFLAGS=-buildvcs=false go build -o "$BIN" ./weed) ||
		die "go build ./weed in $SRC failed"
	echo "$SWFS_VERSION" >"$STAMP"
	# The copy is only needed for the build; the module cache keeps the source.
	rm -rf "$SRC"
	echo "seaweedfs.sh: built in $((SECONDS - start))s" >&2
}

# live tells whether pid is our weed and still runs.
live() {
	is_ours "$1" && alive "$1"
}

# free_ports prints n distinct TCP ports that nothing listens on, each with
# port+10000 free as well (SeaweedFS puts a gRPC port there by default; the
# script sets them explicitly, to the same place). weed cannot be told to
# take port 0 and report it, so the ports are picked here, below the
# kernel's ephemeral range (32768 and up) so that no outgoing connection holds
# one; the window until weed binds them is short, and a clash shows as a
# failed start.
free_ports() {
	local n=$1 used=" " hex port out=() tries=0
	# Columns of /proc/net/tcp: sl local rem st ...; st 0A = LISTEN.
	while read -r hex; do
		used+="$((16#$hex)) "
	done < <(awk 'FNR > 1 && $4 == "0A" { n = split($2, a, ":"); print a[n] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
	while ((${#out[@]} < n)); do
		((tries++ < 1000)) || die "found no free ports"
		port=$((10000 + RANDOM % 12700))
		[[ $used == *" $port "* || $used == *" $((port + 10000)) "* ]] && continue
		used+="$port $((port + 10000)) "
		out+=("$port")
	done
	echo "${out[@]}"
}

write_s3_config() {
	# One identity with every action: requests must be signed with its key
	# (there is no anonymous identity, so unsigned requests are refused).
	cat >"$1" <<-JSON
		{
		  "identities": [
		    {
		      "name": "s3kit",
		      "credentials": [{ "accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY" }],
		      "actions": ["Admin", "Read", "List", "Tagging", "Write"]
		    }
		  ]
		}
	JSON
}

launch() {
	local dir=$1 master volume filer s3
	read -r master volume filer s3 < <(free_ports 4)
	mkdir -p "$dir/data" "$dir/glog" "$dir/tmp"
	write_s3_config "$dir/s3.json"
	echo "$s3" >"$dir/port"
	# A clean environment (HOME and TMPDIR in the run dir): weed reads
	# configuration from ./, ~/.seaweedfs and the environment, and the
	# machine's settings must not change the server. Telemetry is off (and
	# Sentry, without SENTRY_DSN, sends nothing); the Iceberg and Lance
	# endpoints, which need ports of their own, are off; the filer's and the
	# gateway's local sockets go to the run dir.
	env -i -C "$dir" PATH=/usr/bin:/bin HOME="$dir" TMPDIR="$dir/tmp" \
		nohup "$BIN" -logdir="$dir/glog" server \
		-ip=127.0.0.1 -ip.bind=127.0.0.1 \
		-dir="$dir/data" \
		-master.port="$master" -master.port.grpc=$((master + 10000)) \
		-master.telemetry=false \
		-master.volumeSizeLimitMB=64 -volume.max=0 \
		-volume.port="$volume" -volume.port.grpc=$((volume + 10000)) \
		-volume.preStopSeconds=0 \
		-filer -filer.port="$filer" -filer.port.grpc=$((filer + 10000)) \
		-filer.localSocket="$dir/filer.sock" \
		-s3 -s3.port="$s3" -s3.port.grpc=$((s3 + 10000)) \
		-s3.port.iceberg=0 -s3.port.lance=0 \
		-s3.localSocket="$dir/s3.sock" \
		-s3.config="$dir/s3.json" \
		-s3.domainName="$VIRTUAL_DOMAIN" \
		</dev/null >"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
	# weed also listens on unix sockets it always puts in /tmp, named by the
	# gRPC ports, and leaves some behind: stop removes them.
	printf '/tmp/seaweedfs-%s-grpc-%d.sock\n' master $((master + 10000)) volume $((volume + 10000)) \
		filer $((filer + 10000)) s3 $((s3 + 10000)) >"$dir/sockets"
}

fail_start() {
	local dir=$1
	shift
	echo "seaweedfs.sh: $*" >&2
	echo "---- last lines of $dir/log ----" >&2
	tail -n 40 "$dir/log" >&2 || true
	echo "----" >&2
	stop_server "$dir"
	exit 1
}

# s3curl sends one request signed with the test identity.
s3curl() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 --noproxy '*' \
		--aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" "$@" 2>/dev/null || true
}

# await waits until the S3 gateway answers and the cluster stores data: a
# bucket is made, an object written, read and deleted, and the bucket
# removed. The gateway answers before the volume server has joined the
# master, and a write then fails; the suite's first write must not.
await() {
	local dir=$1 pid port code url deadline=$((SECONDS + START_TIMEOUT)) probe=s3kit-ready
	pid=$(<"$dir/pid")
	port=$(<"$dir/port")
	url=http://127.0.0.1:$port
	while ((SECONDS < deadline)); do
		alive "$pid" || fail_start "$dir" "weed exited during start-up"
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --noproxy '*' "$url/" 2>/dev/null || true)
		# An unsigned request is refused (403); any status means it serves.
		if [[ $code =~ ^[1-5][0-9][0-9]$ ]]; then
			code=$(s3curl -X PUT "$url/$probe")
			if [[ $code == 200 || $code == 409 ]]; then
				# curl signs no payload hash by itself; weed wants one.
				code=$(s3curl -X PUT --data-binary probe \
					-H "x-amz-content-sha256: $(printf probe | sha256sum | cut -d' ' -f1)" "$url/$probe/probe")
				if [[ $code == 200 && $(s3curl "$url/$probe/probe") == 200 ]]; then
					s3curl -X DELETE "$url/$probe/probe" >/dev/null
					s3curl -X DELETE "$url/$probe" >/dev/null
					echo "$url" >"$dir/url"
					return 0
				fi
			fi
		fi
		sleep 0.5
	done
	fail_start "$dir" "weed did not store an object within ${START_TIMEOUT}s (pid $pid, S3 port $port, last status ${code:-none})"
}

write_env() {
	local dir=$1
	{
		printf 'export S3KIT_SEAWEEDFS_ENDPOINT=%q\n' "$(<"$dir/url")"
		printf 'export S3KIT_SEAWEEDFS_ACCESS_KEY=%q\n' "$ACCESS_KEY"
		printf 'export S3KIT_SEAWEEDFS_SECRET_KEY=%q\n' "$SECRET_KEY"
		printf 'export S3KIT_SEAWEEDFS_REGION=%q\n' "$REGION"
		printf 'export S3KIT_SEAWEEDFS_VIRTUAL_DOMAIN=%q\n' "$VIRTUAL_DOMAIN"
	} >"$dir/env"
}

stop_server() {
	local dir=$1 pid i sock
	[[ -f $dir/pid ]] || return 0
	pid=$(<"$dir/pid")
	if live "$pid"; then
		# A graceful stop takes about 15s: the filer waits that long to
		# flush its metadata log before giving up.
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 250; i++)); do
			live "$pid" || break
			sleep 0.1
		done
		if live "$pid"; then
			echo "seaweedfs.sh: pid $pid still runs 25s after SIGTERM, sending SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do
				live "$pid" || break
				sleep 0.1
			done
		fi
	fi
	if [[ -f $dir/sockets ]] && ! live "$pid"; then
		while read -r sock; do
			[[ -S $sock ]] && rm -f "$sock"
		done <"$dir/sockets"
	fi
	return 0
}

running() { # dir -> 0 when the server process is alive
	[[ -f $1/pid ]] && live "$(<"$1/pid")"
}

cmd_start() {
	need curl
	need awk
	need sha256sum
	local dir
	if dir=$(run_dir) && running "$dir" && [[ -f $dir/env ]]; then
		echo "seaweedfs.sh: already running (run dir $dir)" >&2
		return 0
	fi
	if [[ -n ${dir:-} ]]; then # leftovers of a run that died
		stop_server "$dir"
		rm -rf "$dir"
	fi
	cmd_install
	mkdir -p "$RUN_ROOT"
	dir=$(mktemp -d "$RUN_ROOT/seaweedfs.XXXXXX")
	echo "$dir" >"$STATE"
	local start=$SECONDS
	launch "$dir"
	await "$dir"
	write_env "$dir"
	echo "seaweedfs.sh: S3 at $(<"$dir/url") (pid $(<"$dir/pid"), ready in $((SECONDS - start))s)" >&2
}

cmd_stop() {
	local dir
	if ! dir=$(run_dir); then
		rm -f "$STATE"
		echo "seaweedfs.sh: not running" >&2
		return 0
	fi
	stop_server "$dir"
	if running "$dir"; then
		die "weed (pid $(<"$dir/pid")) survived; run dir kept at $dir"
	fi
	if [[ ${S3KIT_SWFS_KEEP:-} == 1 ]]; then
		echo "seaweedfs.sh: stopped; run dir kept at $dir" >&2
	else
		rm -rf "$dir"
		echo "seaweedfs.sh: stopped" >&2
	fi
	rm -f "$STATE"
}

cmd_status() {
	local dir
	if ! dir=$(run_dir); then
		echo "not running"
		return 3
	fi
	if running "$dir" && [[ -f $dir/url ]]; then
		echo "running, pid $(<"$dir/pid"), $(<"$dir/url")"
		echo "run dir: $dir"
		return 0
	fi
	echo "not running (run dir $dir)"
	return 3
}

cmd_env() {
	local dir
	if ! dir=$(run_dir) || [[ ! -f $dir/env ]] || ! running "$dir"; then
		die "not running: start it with '$0 start'"
	fi
	cat "$dir/env"
}

# cmd_test starts the server, runs the suite (the tests tagged "seaweedfs";
# arguments go to `go test`) and stops the server whatever the outcome.
cmd_test() {
	cmd_start
	trap cmd_stop EXIT
	eval "$(cmd_env)"
	(cd "$REPO" && go test -tags seaweedfs -count=1 -timeout 20m -run '^TestSeaweedFS$' "$@" ./conformance/...)
}

case ${1:-} in
install) cmd_install ;;
test)
	shift
	cmd_test "$@"
	;;
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
*)
	echo "usage: $0 install|start|stop|status|env|test [go test flags]" >&2
	exit 2
	;;
esac
