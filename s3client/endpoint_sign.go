package s3client

// From a resolved endpoint to a signature: the signer for the endpoint's
// signing name and scheme (SigV4, SigV4a, SigV4 with S3 Express session
// credentials), for requests (do.go) and presigned URLs (presign.go).

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// s3SessionTokenHeader carries a directory bucket's session token (and, as
// a query parameter, a presigned URL's).
const s3SessionTokenHeader = "X-Amz-S3session-Token"

// signingNames are the services the endpoint rules sign for.
var signingNames = [...]string{"s3", "s3-object-lambda", "s3-outposts", "s3express"}

// signers holds one SigV4 and one SigV4a signer per signing name, so that
// each keeps its own key cache.
type signers struct {
	v4  map[string]*sigv4.Signer
	v4a map[string]*sigv4.SignerV4a
}

func newSigners() signers {
	s := signers{v4: make(map[string]*sigv4.Signer, len(signingNames)), v4a: make(map[string]*sigv4.SignerV4a, len(signingNames))}
	for _, n := range signingNames {
		s.v4[n] = &sigv4.Signer{Service: n}
		s.v4a[n] = &sigv4.SignerV4a{Service: n}
	}
	return s
}

// resolve resolves the endpoint of r for the bucket's region; its errors
// are input errors of the operation, and nothing is sent.
func (c *Client) resolve(r *request, region string) (*endpoint, error) {
	ep, err := c.endpoint.resolve(&target{bucket: r.bucket, key: r.key, region: region,
		noAccelerate: r.noAccelerate, noAccessPoints: r.noAccessPoints, expressControl: r.expressControl,
		objectLambda: r.objectLambda, noExpressSession: r.noExpressSession})
	if err != nil {
		return nil, inputError(r.op, r.bucket, r.key, err)
	}
	if r.hostPrefix != "" {
		ep.url.Host = r.hostPrefix + "." + ep.url.Host
	}
	if r.path != "" {
		ep.url.Path = strings.TrimSuffix(ep.url.Path, "/") + r.path
		ep.url.RawPath = strings.TrimSuffix(ep.url.RawPath, "/") + encodePath(r.path)
	}
	return ep, nil
}

// followable reports whether a region a redirect names can be used for
// r's bucket: a single host label (no region has a dot) that resolves.
func (c *Client) followable(r *request, region string) bool {
	if !hostLabel(region, false) {
		return false
	}
	_, err := c.resolve(r, region)
	return err == nil
}

// v4aPayload maps a SigV4 streaming payload to its SigV4a counterpart.
func v4aPayload(p string) string {
	switch p {
	case sigv4.StreamingPayload:
		return sigv4.StreamingPayloadV4a
	case sigv4.StreamingPayloadTrailer:
		return sigv4.StreamingPayloadTrailerV4a
	}
	return p
}

// sign signs one attempt of a request as its endpoint says.
func (c *Client) sign(hreq *http.Request, ep *endpoint, p *payload, creds sigv4.Credentials, t time.Time) error {
	if ep.auth == authSigV4a {
		s := c.signers.v4a[ep.signingName]
		if p.stream != nil {
			opts := *p.stream
			opts.Payload = v4aPayload(opts.Payload)
			return s.SignStreaming(hreq, p.body, p.size, creds, ep.signingRegion, opts, t)
		}
		return s.Sign(hreq, creds, ep.signingRegion, p.hash, t)
	}
	s := c.signers.v4[ep.signingName]
	if p.stream != nil {
		return s.SignStreaming(hreq, p.body, p.size, creds, ep.signingRegion, *p.stream, t)
	}
	return s.Sign(hreq, creds, ep.signingRegion, p.hash, t)
}

// presignEndpoint presigns hreq as its endpoint says; a directory bucket's
// URL carries its session token and is signed with the session
// credentials, which then bound its validity.
func (c *Client) presignEndpoint(ctx context.Context, r *request, hreq *http.Request, ep *endpoint, creds sigv4.Credentials, expires time.Duration, now time.Time) (string, http.Header, sigv4.Credentials, error) {
	switch ep.auth {
	case authSigV4a:
		u, h, err := c.signers.v4a[ep.signingName].Presign(hreq, creds, ep.signingRegion, sigv4.UnsignedPayload, expires, now)
		return u, h, creds, err
	case authS3Express:
		session, err := c.sessionCredentials(ctx, r.bucket, creds)
		if err != nil {
			return "", nil, creds, err
		}
		q := hreq.URL.Query()
		q.Set(s3SessionTokenHeader, session.SessionToken)
		hreq.URL.RawQuery = encodeQuery(q)
		signing := session
		signing.SessionToken = ""
		u, h, err := c.signers.v4[ep.signingName].Presign(hreq, signing, ep.signingRegion, sigv4.UnsignedPayload, expires, now)
		return u, h, session, err
	}
	u, h, err := c.signers.v4[ep.signingName].Presign(hreq, creds, ep.signingRegion, sigv4.UnsignedPayload, expires, now)
	return u, h, creds, err
}
