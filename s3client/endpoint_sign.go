package s3client

// From a resolved endpoint to a signature: the signer for the endpoint's
// signing name and scheme (SigV4, SigV4a, SigV4 with S3 Express session
// credentials), for requests (do.go) and presigned URLs (presign.go).

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
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
// are input errors of the operation, and nothing is sent. The endpoint and
// its URL are the caller's own.
func (c *Client) resolve(r *request, region string) (*endpoint, error) {
	t := target{bucket: r.bucket, key: r.key, region: region,
		noAccelerate: r.noAccelerate, noAccessPoints: r.noAccessPoints, expressControl: r.expressControl,
		objectLambda: r.objectLambda, noExpressSession: r.noExpressSession}
	var ep *endpoint
	var err error
	if t.bucket != "" {
		ep, err = c.endpoints.resolve(c.endpoint, &t)
	} else {
		ep, err = c.endpoint.resolve(&t)
	}
	if err != nil {
		return nil, inputError(r.op, r.bucket, r.key, err)
	}
	if r.hostPrefix != "" {
		ep.url.Host = r.hostPrefix + "." + ep.url.Host
	}
	if r.path != "" {
		if ep.url.RawPath == "" {
			ep.url.RawPath = ep.url.Path
		}
		ep.url.Path = strings.TrimSuffix(ep.url.Path, "/") + r.path
		ep.url.RawPath = strings.TrimSuffix(ep.url.RawPath, "/") + encodePath(r.path)
	}
	return ep, nil
}

// maxCachedEndpoints bounds the endpoint cache: a client that goes
// through more buckets (and regions) than this starts it again.
const maxCachedEndpoints = 256

// endpointCache holds the resolved endpoints of the buckets in use, so that
// a request does not run the endpoint rules again: in every branch of the
// rules the object key only ends the URL's path, so an entry is the
// endpoint without a key, which each request copies and puts its key at the
// end of. Errors are not cached.
type endpointCache struct {
	m sync.Map // endpointKey → *keylessEndpoint
	n atomic.Int32
}

// endpointKey is what a resolved endpoint depends on but the object key:
// the bucket, the region and the operation's endpoint parameters.
type endpointKey struct {
	bucket, region string
	params         uint8
}

func keyOf(t *target) endpointKey {
	k := endpointKey{bucket: t.bucket, region: t.region}
	for i, b := range [...]bool{t.noAccelerate, t.noAccessPoints, t.expressControl, t.objectLambda, t.noExpressSession} {
		if b {
			k.params |= 1 << i
		}
	}
	return k
}

// keylessEndpoint is a bucket's endpoint for an empty key: a key's path
// goes after u.Path, and its encoding after u.RawPath, with sep between.
type keylessEndpoint struct {
	ep  endpoint // url unset
	u   url.URL
	sep string
	// plain: the path is only unreserved bytes and '/', which encode as
	// themselves; with a key that is too, the URL needs no RawPath.
	plain bool
	// rules: the endpoint did not have that shape; every request runs the
	// rules.
	rules bool
}

// ownEndpoint is an endpoint and its URL in one allocation.
type ownEndpoint struct {
	ep endpoint
	u  url.URL
}

// resolve returns t's endpoint, from the cache when it holds t's bucket.
func (ec *endpointCache) resolve(r *endpointResolver, t *target) (*endpoint, error) {
	k := keyOf(t)
	v, ok := ec.m.Load(k)
	if !ok {
		ke, err := keyless(r, t)
		if err != nil {
			return nil, err
		}
		if ec.n.Add(1) > maxCachedEndpoints {
			ec.m.Clear()
			ec.n.Store(1)
		}
		ec.m.Store(k, ke)
		v = ke
	}
	ke := v.(*keylessEndpoint)
	if ke.rules {
		return r.resolve(t)
	}
	o := &ownEndpoint{ep: ke.ep, u: ke.u}
	o.ep.url = &o.u
	if t.key != "" {
		o.u.Path = ke.u.Path + ke.sep + t.key
		if ek := encodePath(t.key); ke.plain && ek == t.key {
			o.u.RawPath = "" // the path is its own encoding
		} else {
			o.u.RawPath = ke.u.RawPath + ke.sep + ek
		}
	}
	return &o.ep, nil
}

// keyless resolves t's endpoint for an empty key and for a one-letter key,
// and finds from the two how a key goes in the URL. When they differ in
// anything but a path that ends with the key, the entry says to run the
// rules for every request.
func keyless(r *endpointResolver, t *target) (*keylessEndpoint, error) {
	t0, t1 := *t, *t
	t0.key, t1.key = "", "k"
	ep0, err := r.resolve(&t0)
	if err != nil {
		return nil, err
	}
	ep1, err := r.resolve(&t1)
	if err != nil {
		return &keylessEndpoint{rules: true}, nil
	}
	u0, u1 := *ep0.url, *ep1.url
	sep, ok := strings.CutPrefix(u1.Path, u0.Path)
	sep, ok2 := strings.CutSuffix(sep, "k")
	rawSep, ok3 := strings.CutPrefix(u1.RawPath, u0.RawPath)
	rawSep, ok4 := strings.CutSuffix(rawSep, "k")
	u1.Path, u1.RawPath = u0.Path, u0.RawPath
	e0, e1 := *ep0, *ep1
	e0.url, e1.url = nil, nil
	if !ok || !ok2 || !ok3 || !ok4 || sep != rawSep || sep != "" && sep != "/" || u0 != u1 || e0 != e1 {
		return &keylessEndpoint{rules: true}, nil
	}
	return &keylessEndpoint{ep: e0, u: u0, sep: sep,
		plain: u0.RawPath == u0.Path && encodePath(u0.Path) == u0.Path}, nil
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
	if ep.signingName != "s3" {
		// The signers set X-Amz-Content-Sha256 for "s3" only; S3 Express,
		// Outposts and Object Lambda read the payload hash from it too.
		hash := p.hash
		if ep.auth == authSigV4a {
			hash = v4aPayload(hash)
		}
		hreq.Header.Set("X-Amz-Content-Sha256", hash)
	}
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
