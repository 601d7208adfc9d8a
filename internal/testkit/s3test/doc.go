// Package s3test runs an in-process S3 server for tests, and for the serve
// and demo commands: gofakes3 v1.2.0 (memory backend, or files with WithDir)
// on 127.0.0.1 with a port the kernel picks (or on the caller's listener,
// NewHandler), answering path style on any host name and virtual-host style
// on "<bucket>.localhost:port".
//
// It is the server of the operation, engine and manager tests. Signatures are
// checked only with WithCredentials (gofakes3 accepts any request, signed or
// not); byte-exact signing against an independent implementation is the
// conformance suite's job against versitygw (scripts/versitygw.sh).
//
//	s := s3test.New(t)                  // stopped by t.Cleanup
//	s.CreateBucket(t, "photos")         // through the backend, not HTTP
//	c := s.HTTPClient()                 // dials *.localhost to 127.0.0.1
//	_ = s.Endpoint()                    // http://127.0.0.1:port   (path style)
//	_ = s.VirtualHostEndpoint()         // http://localhost:port   (photos.localhost:port)
//
// Options: WithDir, WithTimeSource, WithRequestRecorder (sees each request as
// it arrived, signed headers included, before anything below rewrites it),
// WithCredentials, WithPOSTPolicies, WithGoFakeS3Options. NewHandler gives
// the handler without a listener, for a caller with a listener of its own.
//
// # What the wrapper adds to gofakes3
//
// Requests pass, in order, through the recorder, the signature check
// (WithCredentials), virtual-host routing, the POST checks
// (WithPOSTPolicies), UploadPartCopy and the body checks before gofakes3:
//
//   - Signatures (WithCredentials, auth.go): SigV4 in the Authorization
//     header, in a presigned URL's query (expiry included), and the chain
//     of chunk and trailer signatures of a signed aws-chunked body, checked
//     as each chunk is read. Refusals as S3's: InvalidAccessKeyId,
//     SignatureDoesNotMatch (with CanonicalRequest and StringToSign),
//     AccessDenied for an unsigned request or an expired URL, InvalidToken.
//     Any region in the scope is accepted; SigV4a and SigV2 are refused.
//   - Browser uploads (WithPOSTPolicies, post.go): the form is read with
//     presignpost.ReadForm, its policy checked with presignpost.Check and,
//     with credentials, its signature with presignpost.Verify; ${filename}
//     is substituted; the answer follows success_action_status (204 by
//     default, 201 with a PostResponse) and success_action_redirect.
//   - UploadPartCopy (partcopy.go): x-amz-copy-source with a versionId,
//     x-amz-copy-source-range and the x-amz-copy-source-if-* conditions; the
//     range is read from the backend and stored through gofakes3's
//     UploadPart.
//   - Virtual-host routing: gofakes3's own host-bucket modes cannot serve both
//     styles on one port with a port in the Host header.
//   - aws-chunked decoding (ChunkedReader): gofakes3 decodes only
//     STREAMING-AWS4-HMAC-SHA256-PAYLOAD and only on PutObject, assumes
//     64-digit signatures, ignores trailers, and stores
//     "Content-Encoding: aws-chunked" as the object's Content-Encoding. The
//     wrapper decodes every STREAMING-* mode (signed, signed with trailer,
//     unsigned with trailer, SigV4a's ECDSA forms) on every request, strictly
//     (CRLF framing, lower-case hex signatures, nothing after the end, no
//     data chunk under 8 KiB but the last: InvalidChunkSizeError), checks
//     x-amz-decoded-content-length, x-amz-trailer and the trailer's presence,
//     and hands gofakes3 the decoded bytes with Content-Length set. It checks
//     the form of chunk and trailer signatures, never their value (versitygw
//     checks the values; it refuses the ECDSA modes, which this accepts).
//   - Payload checks gofakes3 lacks: a hex x-amz-content-sha256 is compared
//     with the body (XAmzContentSHA256Mismatch), an x-amz-checksum-<alg>
//     header on PutObject/UploadPart or trailer on a streaming upload is
//     verified (BadDigest; crc32, crc32c, crc64nvme, sha1, sha256), more than
//     one checksum is InvalidRequest. A failed check leaves no object behind.
//     Checks run when gofakes3 reads the body to its end, which it does for
//     PutObject, UploadPart and the POST bodies.
//   - GET and HEAD answers drop headers gofakes3 stores as metadata but S3
//     never returns (x-amz-date, x-amz-content-sha256, x-amz-security-token,
//     SSE-C keys, x-amz-acl, x-amz-copy-source, ...), and return
//     x-amz-checksum-* only with "x-amz-checksum-mode: ENABLED".
//
// # What gofakes3 v1.2.0 does not do (checked against its source and by hand)
//
// Tests that need any of these belong in conformance/ or use an httptest fake.
//
//   - No authentication: signatures, presigned-URL expiry, POST policies and
//     credentials are never checked; anonymous requests succeed
//     (WithCredentials and WithPOSTPolicies add the checks). No ACLs or
//     bucket policies are ever enforced.
//   - Subresources it does not know fall through to the plain object or bucket
//     operation. PUT ?tagging or ?acl on an object OVERWRITES the object with
//     the XML body; GET ?tagging, ?acl, ?attributes or ?partNumber=N returns
//     the object; GET ?policy, ?lifecycle, ?cors on a bucket lists it; PUT on
//     them answers BucketAlreadyExists. So no object or bucket tagging, ACLs,
//     policies, lifecycle, CORS config, object lock, retention, legal hold,
//     GetObjectAttributes, RestoreObject (MethodNotAllowed) or website config.
//   - No UploadPartCopy (PUT with x-amz-copy-source on a part answers 411
//     MissingContentLength; the wrapper implements it). CopyObject copies
//     no versionId and ignores x-amz-metadata-directive: the source's
//     metadata is merged under the request's.
//   - Overwriting an object KEEPS metadata keys of the old object that the
//     new PUT does not set (s3mem merges them); S3 replaces all metadata.
//   - Checksums are not stored as S3 does: a header checksum is kept as plain
//     metadata (a later PUT without one keeps the old value, see above); a
//     trailer checksum is verified by the wrapper but not stored. PUT
//     responses carry no x-amz-checksum-*. No x-amz-checksum-type, no
//     full-object or composite checksums on CompleteMultipartUpload.
//   - Multipart: parts live in memory; no 5 MiB minimum part size; the
//     completed ETag is S3's md5-of-md5s "-N" form; Location is path style
//     even for virtual-host requests.
//   - GET conditions: If-None-Match and If-Modified-Since work; If-Match and
//     If-Unmodified-Since are ignored. PUT supports If-None-Match: "*" and
//     If-Match (412 PreconditionFailed). Multiple byte ranges answer 501
//     NotImplemented; single and suffix ranges work (also on HEAD).
//   - Listing: encoding-type=url is ignored (keys come back raw and without
//     <EncodingType>); max-keys=0 means the default 1000; V2 continuation
//     tokens are base64 of the last key.
//   - Buckets: names must have labels of at least 3 characters ("a.bc"
//     fails, though S3 allows it); LocationConstraint is ignored and
//     GetBucketLocation is always empty; no x-amz-bucket-region on HEAD
//     bucket; creating an existing bucket answers 409 BucketAlreadyExists,
//     never BucketAlreadyOwnedByYou.
//   - SSE-C and SSE-S3/KMS headers are stored and echoed as metadata, never
//     enforced: a GET without the SSE-C key succeeds.
//   - Browser POST upload (POST to the bucket, multipart/form-data) stores the
//     "file" field under "key" and always answers 200 with an empty body:
//     success_action_status and success_action_redirect are ignored,
//     "${filename}" is not substituted, and lower-case x-amz-meta-* fields
//     are dropped (only a field spelled "Content-Type" is kept).
//     WithPOSTPolicies does all of these as S3 does.
//   - Versioning works on the memory backend only (not WithDir); version IDs
//     contain "/" and "=", so clients must escape them in queries.
//   - Error documents have no <RequestId> (the x-amz-request-id header is
//     there) and some lack <Message>. Several result documents
//     (InitiateMultipartUploadResult, CompleteMultipartUploadResult,
//     CopyObjectResult, DeleteResult, VersioningConfiguration) have no xmlns.
//     XML answers are sent as "text/xml; charset=utf-8"; an object stored
//     without Content-Type is served with a sniffed one, not
//     binary/octet-stream.
//   - The clock check: a request whose x-amz-date is more than 15 minutes
//     from the server's clock gets 403 RequestTimeTooSkewed (see
//     WithTimeSource; gofakes3.WithTimeSkewLimit changes the limit).
package s3test
