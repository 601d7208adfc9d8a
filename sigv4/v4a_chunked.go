package sigv4

// aws-chunked streaming with SigV4a: SignerV4a.SignStreaming and
// StreamingLengthV4a. The framing, the chunk reader and its chunk and
// trailer signatures (ECDSA ones padded with '*' to a fixed length on the
// wire) are chunked.go's.

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// StreamingLengthV4a returns the Content-Length of the aws-chunked encoding
// of a body of decodedLength bytes signed by SignerV4a.SignStreaming, whose
// opts.Payload is StreamingPayloadV4a, StreamingPayloadTrailerV4a or
// StreamingUnsignedPayloadTrailer. A SigV4a chunk signature always takes
// 144 characters on the wire, so the length is known in advance.
func StreamingLengthV4a(decodedLength int64, opts StreamingOptions) (int64, error) {
	if opts.Payload == StreamingPayload || opts.Payload == StreamingPayloadTrailer {
		return 0, fmt.Errorf("%w: %s is a SigV4 payload (see Signer)", ErrInvalidStreamingOpt, opts.Payload)
	}
	return streamingLength(decodedLength, opts)
}

// SignStreaming is Signer.SignStreaming with SigV4a: it prepares req to send
// body, of exactly decodedLength bytes, in aws-chunked encoding, signs the
// headers with SigV4a for the region set, and replaces req.Body with a
// reader that frames each chunk and, with StreamingPayloadV4a and
// StreamingPayloadTrailerV4a, signs it (and the trailer) with ECDSA,
// chained to the previous signature and seeded with the header signature.
// On the wire each chunk or trailer signature is the hex DER signature
// padded on the right with '*' to 144 characters; the chain uses it
// without the padding. opts.Payload is StreamingPayloadV4a,
// StreamingPayloadTrailerV4a or StreamingUnsignedPayloadTrailer.
// Everything else (short bodies, errors, Close, retries) is as
// Signer.SignStreaming.
func (s *SignerV4a) SignStreaming(req *http.Request, body io.Reader, decodedLength int64, creds Credentials, regionSet string, opts StreamingOptions, t time.Time) error {
	return signStreaming(s, req, body, decodedLength, creds, regionSet, opts, t)
}
