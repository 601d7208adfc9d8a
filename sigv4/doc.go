// Package sigv4 implements AWS Signature Version 4 as Amazon S3 uses it: header
// signing, presigned (query) URLs, aws-chunked streaming payloads with chunk
// and trailer signatures, and POST policy signatures.
//
// SignerV4a does the same with SigV4a (AWS4-ECDSA-P256-SHA256), which
// Multi-Region Access Points require: an ECDSA P-256 signature with a key
// derived from the secret, valid for a region set (X-Amz-Region-Set, "*"
// for every region) instead of one region.
//
// It is the bottom of s3kit: it knows HTTP requests, bytes, time, HMAC and
// ECDSA, and nothing about buckets, XML or retries (those live in s3client).
// The signing core never reads the clock: every entry point takes the signing
// time, so callers can correct for clock skew and tests can use fixed vectors.
//
// S3 canonicalization differs from the generic SigV4 algorithm: the path is
// URI-encoded once (every byte except A-Za-z0-9-._~ and '/'), it is never
// normalized ("//", ".", ".." and a trailing '/' are kept), and the session
// token is always signed. Sign and Presign rewrite the request's RawPath and
// RawQuery to the canonical encoding, so that the bytes net/http sends are the
// bytes that were signed.
package sigv4
