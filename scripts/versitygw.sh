#!/usr/bin/env bash
# versitygw.sh runs versitygw, the strict S3 server the conformance suite
# (conformance/) is checked against: it verifies every SigV4 signature,
# including streaming chunk and trailer signatures (and the 8 KiB minimum chunk
# size), which the in-process gofakes3 server of
# internal/testkit/s3test never does.
#
# Usage: scripts/versitygw.sh start|stop|status|env
#
#   start   install versitygw into <repo>/.tools/bin if missing, then start two
#           instances on 127.0.0.1 with ports the kernel picks: one over http,
#           one over https with a certificate from a throwaway CA made here.
#           Both use the posix backend in a fresh directory under
#           <repo>/.tools/run/, internal IAM (so unknown keys get
#           InvalidAccessKeyId), keep-alive, versioning support, and
#           virtual-host addressing under "localhost" (<bucket>.localhost:PORT;
#           path style keeps working on 127.0.0.1 and localhost).
#   stop    kill exactly the processes started by 'start' and remove the run
#           directory (S3KIT_VGW_KEEP=1 keeps it, for reading the logs).
#   status  say what runs; exit 0 when both instances run, 3 otherwise.
#   env     print the export lines the conformance suite reads:
#             eval "$(scripts/versitygw.sh env)"
#
# Typical use:  scripts/versitygw.sh start && eval "$(scripts/versitygw.sh env)"
#               go test -race ./conformance/... ; scripts/versitygw.sh stop
set -euo pipefail

readonly VGW_VERSION=v1.8.0
readonly VGW_MODULE=github.com/versity/versitygw
# Fixed test credentials: this server holds nothing but test data and listens
# on loopback only.
readonly ACCESS_KEY=s3kitroot
readonly SECRET_KEY=s3kit-root-secret-key-0123456789
readonly REGION=us-east-1
readonly VIRTUAL_DOMAIN=localhost
readonly START_TIMEOUT=30 # seconds for each instance to answer

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO
readonly BIN=$REPO/.tools/bin/versitygw
readonly RUN_ROOT=$REPO/.tools/run
readonly STATE=$RUN_ROOT/versitygw.current # holds the path of the live run dir
readonly NAME=versitygw.sh
# shellcheck source-path=SCRIPTDIR source=lib/server.sh
source "$REPO/scripts/lib/server.sh"
readonly INSTANCES=(http https)

# installed_version prints the module version the binary was built from.
installed_version() {
	go version -m "$BIN" 2>/dev/null | awk '$1 == "mod" { print $3; exit }'
}

install_versitygw() {
	if [[ -x $BIN && $(installed_version) == "$VGW_VERSION" ]]; then
		return 0
	fi
	need go
	echo "versitygw.sh: installing $VGW_MODULE $VGW_VERSION into $(dirname "$BIN") (about a minute when cold)" >&2
	local start=$SECONDS
	mkdir -p "$(dirname "$BIN")"
	# Run outside the repo so neither its go.mod nor a go.work takes part.
	(cd / && GOWORK=off GOBIN="$(dirname "$BIN")" go install "$VGW_MODULE/cmd/versitygw@$VGW_VERSION") ||
		die "go install $VGW_MODULE/cmd/versitygw@$VGW_VERSION failed"
	echo "versitygw.sh: installed in $((SECONDS - start))s" >&2
}

# listen_port prints the TCP port pid listens on, or nothing yet. The port is
# read from /proc because versitygw is started on port 0 and its banner shows
# the requested port, not the bound one.
listen_port() {
	local pid=$1 fd link inodes=" "
	for fd in "/proc/$pid/fd/"*; do
		link=$(readlink "$fd" 2>/dev/null) || continue
		if [[ $link == socket:\[*\] ]]; then
			link=${link#socket:[}
			inodes+="${link%]} "
		fi
	done
	[[ $inodes != " " ]] || return 0
	local hex
	# Columns of /proc/net/tcp: sl local rem st ... inode ($10); st 0A = LISTEN.
	hex=$(awk -v inodes="$inodes" '$4 == "0A" && index(inodes, " " $10 " ") { n = split($2, a, ":"); print a[n]; exit }' "/proc/$pid/net/tcp")
	[[ -n $hex ]] && echo $((16#$hex))
	return 0
}

make_certs() {
	local dir=$1
	mkdir -p "$dir"
	cat >"$dir/server.ext" <<-EXT
		basicConstraints = critical, CA:FALSE
		keyUsage = critical, digitalSignature, keyEncipherment
		extendedKeyUsage = serverAuth
		subjectAltName = DNS:localhost, DNS:*.localhost, IP:127.0.0.1, IP:::1
	EXT
	{
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$dir/ca.key" -out "$dir/ca.pem" -days 30 -subj "/CN=s3kit test CA" \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
			openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=localhost" &&
			openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
				-CAcreateserial -days 30 -extfile "$dir/server.ext" -out "$dir/server.pem"
	} >"$dir/openssl.log" 2>&1 || {
		cat "$dir/openssl.log" >&2
		die "could not make the test certificate"
	}
}

# launch starts one instance in dir; extra arguments go before the backend.
launch() {
	local dir=$1
	shift
	mkdir -p "$dir/data" "$dir/iam" "$dir/versions"
	# A clean environment: versitygw reads VGW_*, ROOT_ACCESS_KEY* and others
	# from it, and the machine's settings must not change the server.
	env -i PATH=/usr/bin:/bin HOME="$dir" \
		nohup "$BIN" \
		--port 127.0.0.1:0 \
		--access "$ACCESS_KEY" --secret "$SECRET_KEY" --region "$REGION" \
		--iam-dir "$dir/iam" \
		--keep-alive \
		--virtual-domain "$VIRTUAL_DOMAIN" \
		"$@" \
		posix --versioning-dir "$dir/versions" "$dir/data" \
		</dev/null >"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
}

fail_start() {
	local dir=$1
	shift
	echo "versitygw.sh: $*" >&2
	echo "---- last lines of $dir/log ----" >&2
	tail -n 40 "$dir/log" >&2 || true
	echo "----" >&2
	stop_instances "$(dirname "$dir")"
	exit 1
}

# await waits until the instance in dir listens and answers HTTP, then
# records its URL.
await() {
	local dir=$1 scheme=$2 ca=$3 pid port="" code deadline=$((SECONDS + START_TIMEOUT))
	pid=$(<"$dir/pid")
	while ((SECONDS < deadline)); do
		alive "$pid" || fail_start "$dir" "versitygw ($scheme) exited during start-up"
		is_ours "$pid" && [[ -z $port ]] && port=$(listen_port "$pid")
		if [[ -n $port ]]; then
			local args=(-s -o /dev/null -w '%{http_code}' --max-time 2 --noproxy '*')
			[[ $scheme == https ]] && args+=(--cacert "$ca")
			code=$(curl "${args[@]}" "$scheme://127.0.0.1:$port/" 2>/dev/null || true)
			# An unsigned request is refused (403); any status means it serves.
			if [[ $code =~ ^[1-5][0-9][0-9]$ ]]; then
				echo "$scheme://127.0.0.1:$port" >"$dir/url"
				return 0
			fi
		fi
		sleep 0.2
	done
	fail_start "$dir" "versitygw ($scheme) did not answer within ${START_TIMEOUT}s (pid $pid, port ${port:-unknown})"
}

write_env() {
	local dir=$1
	{
		printf 'export S3KIT_CONFORMANCE_ENDPOINT=%q\n' "$(<"$dir/http/url")"
		printf 'export S3KIT_CONFORMANCE_HTTPS_ENDPOINT=%q\n' "$(<"$dir/https/url")"
		printf 'export S3KIT_CONFORMANCE_CA_FILE=%q\n' "$dir/tls/ca.pem"
		printf 'export S3KIT_CONFORMANCE_ACCESS_KEY=%q\n' "$ACCESS_KEY"
		printf 'export S3KIT_CONFORMANCE_SECRET_KEY=%q\n' "$SECRET_KEY"
		printf 'export S3KIT_CONFORMANCE_REGION=%q\n' "$REGION"
		printf 'export S3KIT_CONFORMANCE_VIRTUAL_DOMAIN=%q\n' "$VIRTUAL_DOMAIN"
	} >"$dir/env"
}

running() { # dir -> 0 when every instance's process is alive
	local dir=$1 name
	for name in "${INSTANCES[@]}"; do
		[[ -f $dir/$name/pid ]] && is_ours "$(<"$dir/$name/pid")" || return 1
	done
}

stop_instances() {
	local dir=$1 name pid i
	for name in "${INSTANCES[@]}"; do
		[[ -f $dir/$name/pid ]] || continue
		pid=$(<"$dir/$name/pid")
		is_ours "$pid" || continue
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			is_ours "$pid" || break
			sleep 0.1
		done
		if is_ours "$pid"; then
			echo "versitygw.sh: pid $pid ignored SIGTERM, sending SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
}

cmd_start() {
	need curl
	need openssl
	need awk
	local dir
	if dir=$(run_dir) && running "$dir"; then
		echo "versitygw.sh: already running (run dir $dir)" >&2
		return 0
	fi
	if [[ -n ${dir:-} ]]; then # leftovers of a run that died
		stop_instances "$dir"
		rm -rf "$dir"
	fi
	install_versitygw
	mkdir -p "$RUN_ROOT"
	dir=$(mktemp -d "$RUN_ROOT/versitygw.XXXXXX")
	echo "$dir" >"$STATE"
	make_certs "$dir/tls"
	launch "$dir/http"
	launch "$dir/https" --cert "$dir/tls/server.pem" --key "$dir/tls/server.key"
	await "$dir/http" http ""
	await "$dir/https" https "$dir/tls/ca.pem"
	write_env "$dir"
	echo "versitygw.sh: http  $(<"$dir/http/url") (pid $(<"$dir/http/pid"))" >&2
	echo "versitygw.sh: https $(<"$dir/https/url") (pid $(<"$dir/https/pid"))" >&2
}

cmd_stop() {
	local dir
	if ! dir=$(run_dir); then
		rm -f "$STATE"
		echo "versitygw.sh: not running" >&2
		return 0
	fi
	stop_instances "$dir"
	if running_any "$dir"; then
		die "some versitygw processes survived; run dir kept at $dir"
	fi
	if [[ ${S3KIT_VGW_KEEP:-} == 1 ]]; then
		echo "versitygw.sh: stopped; run dir kept at $dir" >&2
	else
		rm -rf "$dir"
		echo "versitygw.sh: stopped" >&2
	fi
	rm -f "$STATE"
}

running_any() {
	local dir=$1 name
	for name in "${INSTANCES[@]}"; do
		[[ -f $dir/$name/pid ]] && is_ours "$(<"$dir/$name/pid")" && return 0
	done
	return 1
}

cmd_status() {
	local dir name pid ok=0
	if ! dir=$(run_dir); then
		echo "not running"
		return 3
	fi
	for name in "${INSTANCES[@]}"; do
		pid=$(cat "$dir/$name/pid" 2>/dev/null || true)
		if [[ -n $pid ]] && is_ours "$pid" && [[ -f $dir/$name/url ]]; then
			echo "$name: running, pid $pid, $(<"$dir/$name/url")"
		else
			echo "$name: not running"
			ok=3
		fi
	done
	echo "run dir: $dir"
	return "$ok"
}

cmd_env() {
	local dir
	if ! dir=$(run_dir) || [[ ! -f $dir/env ]] || ! running "$dir"; then
		die "not running: start it with '$0 start'"
	fi
	cat "$dir/env"
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
*)
	echo "usage: $0 start|stop|status|env" >&2
	exit 2
	;;
esac
