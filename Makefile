# s3kit — the commands a developer and CI run. `make test` is what CI runs
# (.ci/run); it needs only Go (and fetches what the tests need itself).

GO      ?= go
# Packages whose tests need no server beyond 127.0.0.1, checked on 32-bit too.
PKGS    := ./...
FUZZTIME ?= 30s
BENCHTIME ?= 1s

.PHONY: all test vet test-race test-386 conformance conformance-seaweedfs bench bench-compare bench-test soak fuzz cover demo

all: test

# Every step runs even when one fails (scripts/test.sh); the summary at the
# end says which failed. Each step is also a target of its own below.
test:
	scripts/test.sh

vet:
	$(GO) vet ./...
	$(GO) vet -tags conformance ./conformance/...
	$(GO) vet -tags seaweedfs ./conformance/...

test-race:
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

# 32-bit: sizes are int64 everywhere, and this proves it (no -race on 386).
# Where this kernel cannot execute 386 binaries, every package and test is
# vetted and compiled for 386 instead, and the run says so.
test-386:
	$(GO) run ./internal/testkit/cmd/test386

# The suite against versitygw, a server that verifies every signature the
# way AWS does (installed into .tools/ on first use, about a minute), and
# presignpost's upload form in headless Chromium (scripts/browser.sh installs
# the Debian packages chromium and chromium-driver when root).
conformance:
	scripts/conformance.sh

# The suite against SeaweedFS, a distributed store (built into .tools/ on
# first use, about 10 minutes). Not part of `make test`: too slow for every
# CI run.
conformance-seaweedfs:
	scripts/seaweedfs.sh test

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

# Every fuzz target of the module runs for FUZZTIME, one after another; a
# failure does not stop the others, and the summary lists them all.
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz.sh

# The comparison with aws-sdk-go-v2 and minio-go (bench/ is its own module):
# about 13 minutes on 2 cores, writes bench/RESULTS.md.
# BENCH_FLAGS='-size 256MiB' gives a quicker look.
BENCH_FLAGS ?=
bench-compare:
	cd bench && $(GO) run ./cmd/compare $(BENCH_FLAGS)

bench-test:
	cd bench && $(GO) test -race -count=1 ./...

# Mixed concurrent operations through the fault-injecting proxy for
# SOAKSECONDS (make test runs a short one). S3KIT_RELIABILITY_SEED replays
# a failed run's fault schedule.
SOAKSECONDS ?= 300
soak:
	S3KIT_SOAK_SECONDS=$(SOAKSECONDS) $(GO) test -race -count=1 -timeout 30m -run '^TestSoak$$' -v ./internal/testkit/reliability/

cover:
	$(GO) test -count=1 -coverprofile=coverage.out $(PKGS)
	$(GO) tool cover -func=coverage.out | tail -n 1

# The guided tour of the boto3 S3 guide's features, against an embedded
# server on loopback.
demo:
	$(GO) run ./cmd/s3kit demo
