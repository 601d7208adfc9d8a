package s3client

// The default HTTP transport, tuned for S3. Config.HTTPClient replaces it
// whole; LoadConfig uses it with custom roots for AWS_CA_BUNDLE.

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// DefaultMaxConnsPerHost is the most connections DefaultTransport opens to
// one host at once.
const DefaultMaxConnsPerHost = 128

// DefaultTransport returns a new *http.Transport tuned for S3, which the
// caller may adjust before use (LoadConfig sets TLSClientConfig.RootCAs
// for AWS_CA_BUNDLE). It differs from http.DefaultTransport in:
//
//   - MaxConnsPerHost DefaultMaxConnsPerHost (Go's default is no limit):
//     requests beyond it wait, in order, for a connection to one host to
//     come free (or for their context to end) instead of each opening its
//     own, so that ten thousand concurrent calls to a slow server hold 128
//     connections and 16 MiB of buffers, not ten thousand and 1.2 GiB.
//     The transfer and multipart packages run far fewer requests at once.
//     A response body holds its connection until it is read to the end or
//     closed. To change the bound, set MaxConnsPerHost on the result and
//     pass it as Config.HTTPClient's Transport.
//   - MaxIdleConnsPerHost 128 (Go's default is 2), as many as may be open:
//     a transfer runs many requests to one host at once, and with 2 idle
//     slots every burst closes and re-dials (TCP and TLS handshakes) most
//     of its connections. MaxIdleConns 256 bounds the pool across hosts
//     (virtual-hosted style makes every bucket its own host).
//   - Read and write buffers of 64 KiB instead of 4 KiB, so that bodies
//     read or written in small pieces (XML decoding, aws-chunked framing,
//     io.Copy's 32 KiB) still move in few system calls. Larger buffers buy
//     nothing measurable: on loopback, 64 MiB bodies over http and https
//     moved at the same rate with 4 KiB to 256 KiB buffers, because
//     bufio hands large reads and writes straight to the connection. The
//     cost is 128 KiB per open connection.
//   - HTTP/1.1 only (ForceAttemptHTTP2 false and no TLSNextProto upgrade):
//     S3 speaks HTTP/1.1, and throughput comes from many parallel
//     connections, each with its own TCP window, rather than streams
//     multiplexed on one, which would share one window and one
//     head-of-line.
//   - DisableCompression: net/http would otherwise ask for gzip and
//     transparently decompress objects stored with Content-Encoding: gzip,
//     so that GetObject would no longer return the stored bytes (and
//     their length and checksums would not match).
//   - Timeouts on every phase but bodies: dialing 10s, TLS handshake 10s,
//     waiting for response headers after the request is written 60s
//     (S3 answers slow operations such as CompleteMultipartUpload and
//     CopyObject with early headers and a body it keeps alive with
//     whitespace; raise it for stores that stay silent longer), and 1s
//     for a "100 Continue". A body may take as long as it needs; bound a
//     whole operation with its context.
//   - TLS 1.2 at least, as AWS requires.
//
// As http.DefaultTransport, it honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY,
// keeps TCP keep-alives every 30s and closes connections idle for 90s.
func DefaultTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     false,
		TLSNextProto:          map[string]func(string, *tls.Conn) http.RoundTripper{},
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   DefaultMaxConnsPerHost,
		MaxConnsPerHost:       DefaultMaxConnsPerHost,
		ReadBufferSize:        64 << 10,
		WriteBufferSize:       64 << 10,
		DisableCompression:    true,
	}
}
