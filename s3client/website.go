package s3client

// The bucket configurations a website needs: CORS (PutBucketCors,
// GetBucketCors, DeleteBucketCors) and static website hosting
// (PutBucketWebsite, GetBucketWebsite, DeleteBucketWebsite), with their
// documents' wire form.

import (
	"context"
	"errors"
	"fmt"
)

// CORSConfiguration is a bucket's cross-origin rules: 1 to 100.
type CORSConfiguration struct {
	Rules []CORSRule `xml:"CORSRule"`
}

// CORSRule allows requests from AllowedOrigins with AllowedMethods.
type CORSRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"` // GET, PUT, HEAD, POST, DELETE
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  int      `xml:"MaxAgeSeconds,omitempty"`
}

func (cc *CORSConfiguration) check() error {
	if len(cc.Rules) == 0 || len(cc.Rules) > 100 {
		return fmt.Errorf("s3client: %d CORS rules: want 1 to 100", len(cc.Rules))
	}
	for i, r := range cc.Rules {
		if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
			return fmt.Errorf("s3client: CORS rule %d needs an AllowedMethod and an AllowedOrigin", i)
		}
		for _, m := range r.AllowedMethods {
			if err := oneOf("AllowedMethod", m, "GET", "PUT", "HEAD", "POST", "DELETE"); err != nil {
				return err
			}
		}
		if r.MaxAgeSeconds < 0 {
			return fmt.Errorf("s3client: CORS rule %d: negative MaxAgeSeconds", i)
		}
	}
	return nil
}

// PutBucketCorsInput is the input of PutBucketCors.
type PutBucketCorsInput struct {
	Bucket            string
	Configuration     CORSConfiguration
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

var (
	corsDoc    = subresource{"PutBucketCors", "cors", "CORSConfiguration"}
	getCors    = subresource{"GetBucketCors", "cors", "CORSConfiguration"}
	deleteCors = subresource{"DeleteBucketCors", "cors", ""}
)

// PutBucketCors replaces a bucket's CORS rules.
func (c *Client) PutBucketCors(ctx context.Context, in *PutBucketCorsInput) error {
	if in == nil {
		return nilInput(corsDoc.op)
	}
	return c.putBucketDoc(ctx, corsDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, in.Configuration.check, nil)
}

// GetBucketCors returns a bucket's CORS rules. A bucket without any is an
// error with Code "NoSuchCORSConfiguration".
func (c *Client) GetBucketCors(ctx context.Context, in *BucketInput) (*CORSConfiguration, error) {
	return getBucketDoc[CORSConfiguration](ctx, c, getCors, in)
}

// DeleteBucketCors removes a bucket's CORS rules.
func (c *Client) DeleteBucketCors(ctx context.Context, in *BucketInput) error {
	return c.deleteBucketDoc(ctx, deleteCors, in)
}

// WebsiteConfiguration is a bucket's static website: an index document
// (and error document and routing rules), or a redirect of every request.
type WebsiteConfiguration struct {
	ErrorDocument         *ErrorDocument         `xml:"ErrorDocument,omitempty"`
	IndexDocument         *IndexDocument         `xml:"IndexDocument,omitempty"`
	RedirectAllRequestsTo *RedirectAllRequestsTo `xml:"RedirectAllRequestsTo,omitempty"`
	RoutingRules          []RoutingRule          `xml:"RoutingRules>RoutingRule"`
}

// ErrorDocument is the object served for 4xx errors.
type ErrorDocument struct {
	Key string `xml:"Key"`
}

// IndexDocument is the suffix served for a directory ("index.html").
type IndexDocument struct {
	Suffix string `xml:"Suffix"`
}

// RedirectAllRequestsTo sends every request to another host.
type RedirectAllRequestsTo struct {
	HostName string `xml:"HostName"`
	Protocol string `xml:"Protocol,omitempty"` // http or https
}

// RoutingRule redirects the requests that meet its Condition.
type RoutingRule struct {
	Condition *RoutingCondition `xml:"Condition,omitempty"`
	Redirect  Redirect          `xml:"Redirect"`
}

// RoutingCondition is when a RoutingRule applies.
type RoutingCondition struct {
	HTTPErrorCodeReturnedEquals string `xml:"HttpErrorCodeReturnedEquals,omitempty"`
	KeyPrefixEquals             string `xml:"KeyPrefixEquals,omitempty"`
}

// Redirect is where a RoutingRule sends a request.
type Redirect struct {
	HostName             string `xml:"HostName,omitempty"`
	HTTPRedirectCode     string `xml:"HttpRedirectCode,omitempty"`
	Protocol             string `xml:"Protocol,omitempty"`
	ReplaceKeyPrefixWith string `xml:"ReplaceKeyPrefixWith,omitempty"`
	ReplaceKeyWith       string `xml:"ReplaceKeyWith,omitempty"`
}

func (w *WebsiteConfiguration) check() error {
	if w.RedirectAllRequestsTo != nil {
		if w.IndexDocument != nil || w.ErrorDocument != nil || len(w.RoutingRules) > 0 {
			return errors.New("s3client: RedirectAllRequestsTo excludes every other website setting")
		}
		if w.RedirectAllRequestsTo.HostName == "" {
			return errors.New("s3client: RedirectAllRequestsTo needs a HostName")
		}
		return nil
	}
	if w.IndexDocument == nil || w.IndexDocument.Suffix == "" {
		return errors.New("s3client: a website needs an IndexDocument or RedirectAllRequestsTo")
	}
	for i, r := range w.RoutingRules {
		if r.Redirect.ReplaceKeyPrefixWith != "" && r.Redirect.ReplaceKeyWith != "" {
			return fmt.Errorf("s3client: routing rule %d: ReplaceKeyPrefixWith and ReplaceKeyWith exclude each other", i)
		}
	}
	return nil
}

// PutBucketWebsiteInput is the input of PutBucketWebsite.
type PutBucketWebsiteInput struct {
	Bucket            string
	Configuration     WebsiteConfiguration
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

var (
	websiteDoc    = subresource{"PutBucketWebsite", "website", "WebsiteConfiguration"}
	getWebsite    = subresource{"GetBucketWebsite", "website", "WebsiteConfiguration"}
	deleteWebsite = subresource{"DeleteBucketWebsite", "website", ""}
)

// PutBucketWebsite sets a bucket's website configuration.
func (c *Client) PutBucketWebsite(ctx context.Context, in *PutBucketWebsiteInput) error {
	if in == nil {
		return nilInput(websiteDoc.op)
	}
	return c.putBucketDoc(ctx, websiteDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, in.Configuration.check, nil)
}

// GetBucketWebsite returns a bucket's website configuration.
func (c *Client) GetBucketWebsite(ctx context.Context, in *BucketInput) (*WebsiteConfiguration, error) {
	return getBucketDoc[WebsiteConfiguration](ctx, c, getWebsite, in)
}

// DeleteBucketWebsite removes a bucket's website configuration.
func (c *Client) DeleteBucketWebsite(ctx context.Context, in *BucketInput) error {
	return c.deleteBucketDoc(ctx, deleteWebsite, in)
}
