#!/usr/bin/env bash
# browser.sh makes sure headless Chromium and chromedriver are on the
# machine, for the browser test of the conformance suite
# (conformance/browser_test.go posts presignpost's HTML upload form from a
# real browser). conformance.sh next door calls it before the suite runs.
#
# Usage: scripts/browser.sh ensure|env
#
#   ensure  do nothing when chromium and chromedriver are installed; else,
#           as root, install Debian's packages "chromium" and
#           "chromium-driver" with apt-get; else fail, naming them.
#   env     print the export lines the browser test reads:
#             eval "$(scripts/browser.sh env)"
set -euo pipefail

readonly PACKAGES=(chromium chromium-driver)
readonly CHROMIUM=/usr/bin/chromium
readonly CHROMEDRIVER=/usr/bin/chromedriver

die() {
	echo "browser.sh: $*" >&2
	exit 1
}

installed() {
	[[ -x $CHROMIUM && -x $CHROMEDRIVER ]]
}

cmd_ensure() {
	installed && return 0
	local what="the Debian packages ${PACKAGES[*]} (apt-get install -y --no-install-recommends ${PACKAGES[*]})"
	if [[ $(id -u) != 0 ]]; then
		die "headless Chromium is missing: as root, install $what"
	fi
	command -v apt-get >/dev/null 2>&1 || die "headless Chromium is missing and apt-get is not here: install $what or your system's equivalent"
	echo "browser.sh: installing ${PACKAGES[*]} with apt-get" >&2
	local start=$SECONDS
	export DEBIAN_FRONTEND=noninteractive
	# The lists may be missing or stale on a fresh machine; a failed update
	# still leaves the install to try with what is there.
	apt-get update -qq >&2 || echo "browser.sh: apt-get update failed; trying the install anyway" >&2
	apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2 ||
		die "apt-get install ${PACKAGES[*]} failed"
	installed || die "after the install, $CHROMIUM or $CHROMEDRIVER is still missing"
	echo "browser.sh: installed in $((SECONDS - start))s" >&2
}

cmd_env() {
	installed || die "headless Chromium is missing: run '$0 ensure'"
	printf 'export S3KIT_CHROMIUM=%q\n' "$CHROMIUM"
	printf 'export S3KIT_CHROMEDRIVER=%q\n' "$CHROMEDRIVER"
}

case ${1:-} in
ensure) cmd_ensure ;;
env) cmd_env ;;
*)
	echo "usage: $0 ensure|env" >&2
	exit 2
	;;
esac
