//go:build seaweedfs

package conformance

// SeaweedFS, a distributed store (master, volume server, filer and S3
// gateway), in path and virtual-host style over http. `make
// conformance-seaweedfs` builds and starts it (scripts/seaweedfs.sh), with an
// identity that requires SigV4 auth, and prints the S3KIT_SEAWEEDFS_*
// variables this test reads. It is not part of `make test`: the build takes
// about ten minutes when cold.

import (
	"os"
	"testing"

	"github.com/s3kit/s3kit/internal/conformance"
	"github.com/s3kit/s3kit/s3client"
)

// seaweedfsCaps is what this SeaweedFS (v0.0.0-20261109003541-7506e5f91cd6)
// was found to implement by running the whole suite against it. What it
// does differently, and so is not run, is the explicit list of quirks at the
// end, each with its reason; everything else runs as on versitygw.
var seaweedfsCaps = conformance.Capabilities{
	VerifiesSignatures: true, // wrong secret, unknown key, tampered and expired URLs are refused
	ChecksumHeaders:    true,
	AWSChunked:         true, // signed chunks, signed and unsigned trailers
	UploadPartCopy:     true,
	ConditionalWrites:  true,
	ClockSkew:          true,
	PostPolicy:         true, // every broken condition is refused, like the local checker
	StoresChecksums:    true,
	StoresCacheControl: true,
	ReadConditions:     true,
	MultipartETags:     true,
	ReplacesMetadata:   true,

	// The filer keeps keys in a directory tree: "a/./b" is refused with
	// InvalidRequest (versitygw stores it as "a/b", gofakes3 as given), and
	// a key ending in "/" reads back its data but is NoSuchKey as a copy
	// source. "a//b" is kept as given and lists (unlike versitygw's posix
	// backend), so FileKeys stays off.
	TreeKeys: true,
	// The gateway verifies a signature with the region its credential scope
	// names, whatever that is: a request signed for eu-west-3 succeeds,
	// where versitygw refuses it.
	AnyRegion: true,
}

func seaweedfsEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the suite with `make conformance-seaweedfs`, which starts SeaweedFS (scripts/seaweedfs.sh)", name)
	}
	return v
}

func TestSeaweedFS(t *testing.T) {
	endpoint := seaweedfsEnv(t, "S3KIT_SEAWEEDFS_ENDPOINT")
	hc, err := conformance.LoopbackClient("")
	if err != nil {
		t.Fatal(err)
	}
	for _, style := range []s3client.AddressingStyle{s3client.AddressingPath, s3client.AddressingVirtual} {
		ep := endpoint
		if style == s3client.AddressingVirtual {
			ep = conformance.LocalhostEndpoint(endpoint)
		}
		t.Run(style.String(), func(t *testing.T) {
			conformance.Run(t, conformance.Target{
				Name: "seaweedfs/" + style.String(), Endpoint: ep,
				Region:    seaweedfsEnv(t, "S3KIT_SEAWEEDFS_REGION"),
				AccessKey: seaweedfsEnv(t, "S3KIT_SEAWEEDFS_ACCESS_KEY"),
				SecretKey: seaweedfsEnv(t, "S3KIT_SEAWEEDFS_SECRET_KEY"),
				Style:     style, HTTPClient: hc, Caps: seaweedfsCaps,
			})
		})
	}
}
