package sigv4

// aws-chunked streaming with SigV4a: SignerV4a.SignStreaming and
// StreamingLengthV4a. The framing and the chunk reader are chunked.go's;
// here is what differs: ECDSA chunk and trailer signatures, padded with '*'
// to a fixed length on the wire.

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
	encoded, err := StreamingLengthV4a(decodedLength, opts)
	if err != nil {
		return err
	}
	if err := checkStreaming(req, body); err != nil {
		return err
	}
	if err := checkInputV4a(creds, regionSet, opts.Payload); err != nil {
		return err
	}
	// Derive (or find) the key before req is changed.
	key, err := s.keys.key(creds.AccessKeyID, creds.SecretAccessKey)
	if err != nil {
		return err
	}
	setStreamingHeaders(req, decodedLength, encoded, opts)
	seed, err := s.sign(req, creds, regionSet, opts.Payload, t)
	if err != nil {
		return err
	}
	if cr := setStreamingBody(req, body, decodedLength, opts); cr != nil && opts.signed() {
		t = t.UTC()
		cr.ec = key
		cr.prefix = appendScopeV4a(append(appendTimestamp(nil, t), '\n'), t, s.service())
		cr.prevSig = []byte(seed)
	}
	return nil
}

// signV4a signs a chunk's or the trailer's string to sign with ECDSA. It
// keeps the hex signature for the chain and returns it padded as sent.
func (r *chunkedReader) signV4a(sts []byte) ([]byte, error) {
	sig, err := signV4a(r.prevSig[:0], r.ec, sts)
	if err != nil {
		return nil, err
	}
	if len(sig) > sigLenV4a {
		return nil, fmt.Errorf("sigv4: SigV4a signature of %d hex digits", len(sig))
	}
	r.prevSig = sig
	r.wire = append(r.wire[:0], sig...)
	for len(r.wire) < sigLenV4a {
		r.wire = append(r.wire, '*')
	}
	return r.wire, nil
}
