package s3client

// Object Lock: a bucket's default retention (PutObjectLockConfiguration,
// GetObjectLockConfiguration), and an object version's retention and legal
// hold (Put/GetObjectRetention, Put/GetObjectLegalHold). Deleting a
// version under GOVERNANCE retention is DeleteObject's and DeleteObjects'
// BypassGovernanceRetention.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ObjectLockConfiguration is a bucket's Object Lock state and default
// retention.
type ObjectLockConfiguration struct {
	ObjectLockEnabled string          `xml:"ObjectLockEnabled,omitempty"` // Enabled
	Rule              *ObjectLockRule `xml:"Rule,omitempty"`
}

// ObjectLockRule holds the default retention of new objects.
type ObjectLockRule struct {
	DefaultRetention *DefaultRetention `xml:"DefaultRetention,omitempty"`
}

// DefaultRetention is a mode and a period in Days or Years (one of them).
type DefaultRetention struct {
	Mode  string `xml:"Mode,omitempty"` // GOVERNANCE or COMPLIANCE
	Days  int    `xml:"Days,omitempty"`
	Years int    `xml:"Years,omitempty"`
}

func (o *ObjectLockConfiguration) check() error {
	if o.ObjectLockEnabled != "" {
		if err := oneOf("ObjectLockEnabled", o.ObjectLockEnabled, "Enabled"); err != nil {
			return err
		}
	}
	if o.Rule == nil || o.Rule.DefaultRetention == nil {
		return nil
	}
	d := o.Rule.DefaultRetention
	if err := oneOf("Mode", d.Mode, "GOVERNANCE", "COMPLIANCE"); err != nil {
		return err
	}
	if (d.Days > 0) == (d.Years > 0) || d.Days < 0 || d.Years < 0 {
		return errors.New("s3client: a DefaultRetention needs Days or Years above 0, not both")
	}
	return nil
}

// PutObjectLockConfigurationInput is the input of
// PutObjectLockConfiguration.
type PutObjectLockConfigurationInput struct {
	Bucket        string
	Configuration ObjectLockConfiguration
	// Token is the Object Lock token (x-amz-bucket-object-lock-token).
	Token             string
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

var (
	objectLockDoc = subresource{"PutObjectLockConfiguration", "object-lock", "ObjectLockConfiguration"}
	getObjectLock = subresource{"GetObjectLockConfiguration", "object-lock", "ObjectLockConfiguration"}
	retentionDoc  = subresource{"PutObjectRetention", "retention", "Retention"}
	legalHoldDoc  = subresource{"PutObjectLegalHold", "legal-hold", "LegalHold"}
	// The answers' root elements are not checked: S3 names them Retention
	// and LegalHold, versitygw ObjectLockRetention and ObjectLockLegalHold.
	getRetention = subresource{"GetObjectRetention", "retention", ""}
	getLegalHold = subresource{"GetObjectLegalHold", "legal-hold", ""}
)

// PutObjectLockConfiguration sets a bucket's Object Lock configuration
// and default retention.
func (c *Client) PutObjectLockConfiguration(ctx context.Context, in *PutObjectLockConfigurationInput) error {
	if in == nil {
		return nilInput(objectLockDoc.op)
	}
	return c.putBucketDoc(ctx, objectLockDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, in.Configuration.check,
		func(h http.Header) { setIf(h, "X-Amz-Bucket-Object-Lock-Token", in.Token) })
}

// GetObjectLockConfiguration returns a bucket's Object Lock configuration.
func (c *Client) GetObjectLockConfiguration(ctx context.Context, in *BucketInput) (*ObjectLockConfiguration, error) {
	return getBucketDoc[ObjectLockConfiguration](ctx, c, getObjectLock, in)
}

// ObjectLockRetention is an object version's retention: a mode and the
// time it holds until.
type ObjectLockRetention struct {
	Mode            string // GOVERNANCE or COMPLIANCE
	RetainUntilDate time.Time
}

// xmlRetention is the wire form of ObjectLockRetention; an empty one
// removes a GOVERNANCE retention (with BypassGovernanceRetention).
type xmlRetention struct {
	Mode            string `xml:"Mode,omitempty"`
	RetainUntilDate string `xml:"RetainUntilDate,omitempty"`
}

type xmlRetentionAnswer struct {
	Mode            string `xml:"Mode"`
	RetainUntilDate s3Time `xml:"RetainUntilDate"`
}

// PutObjectRetentionInput is the input of PutObjectRetention.
type PutObjectRetentionInput struct {
	Bucket, Key string
	VersionID   string
	// Retention is the new retention; its zero value removes a GOVERNANCE
	// retention, with BypassGovernanceRetention.
	Retention ObjectLockRetention
	// BypassGovernanceRetention shortens or removes a GOVERNANCE retention.
	BypassGovernanceRetention bool
	ChecksumAlgorithm         ChecksumAlgorithm
	Common
}

// PutObjectRetentionOutput is the result of PutObjectRetention.
type PutObjectRetentionOutput struct {
	RequestCharged string
}

// PutObjectRetention sets an object version's retention. A
// RetainUntilDate that is not after the client's clock (Config.Now,
// corrected by the learned skew) is an error wrapping ErrInvalidInput.
func (c *Client) PutObjectRetention(ctx context.Context, in *PutObjectRetentionInput) (*PutObjectRetentionOutput, error) {
	if in == nil {
		return nil, nilInput(retentionDoc.op)
	}
	doc := xmlRetention{Mode: in.Retention.Mode}
	check := func() error {
		if in.Retention == (ObjectLockRetention{}) {
			return nil
		}
		if err := oneOf("Mode", in.Retention.Mode, "GOVERNANCE", "COMPLIANCE"); err != nil {
			return err
		}
		if now := c.now(); !in.Retention.RetainUntilDate.After(now) {
			return fmt.Errorf("s3client: RetainUntilDate %s is not after now (%s)",
				in.Retention.RetainUntilDate.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		doc.RetainUntilDate = in.Retention.RetainUntilDate.UTC().Format(time.RFC3339)
		return nil
	}
	h, err := c.putObjectDoc(ctx, retentionDoc, docPut{bucket: in.Bucket, key: in.Key, versionID: in.VersionID, common: &in.Common,
		doc: &doc, alg: in.ChecksumAlgorithm, check: check, header: func(h http.Header) {
			if in.BypassGovernanceRetention {
				h.Set("X-Amz-Bypass-Governance-Retention", "true")
			}
		}})
	if err != nil {
		return nil, err
	}
	return &PutObjectRetentionOutput{RequestCharged: h.Get("X-Amz-Request-Charged")}, nil
}

// GetObjectRetention returns an object version's retention.
func (c *Client) GetObjectRetention(ctx context.Context, in *ObjectVersionInput) (*ObjectLockRetention, error) {
	x, _, err := getObjectDoc[xmlRetentionAnswer](ctx, c, getRetention, in)
	if err != nil {
		return nil, err
	}
	return &ObjectLockRetention{Mode: x.Mode, RetainUntilDate: x.RetainUntilDate.Time}, nil
}

// ObjectLockLegalHold is an object version's legal hold.
type ObjectLockLegalHold struct {
	Status string `xml:"Status"` // ON or OFF
}

// PutObjectLegalHoldInput is the input of PutObjectLegalHold.
type PutObjectLegalHoldInput struct {
	Bucket, Key       string
	VersionID         string
	LegalHold         ObjectLockLegalHold
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

// PutObjectLegalHold places or lifts a legal hold on an object version.
func (c *Client) PutObjectLegalHold(ctx context.Context, in *PutObjectLegalHoldInput) error {
	if in == nil {
		return nilInput(legalHoldDoc.op)
	}
	_, err := c.putObjectDoc(ctx, legalHoldDoc, docPut{bucket: in.Bucket, key: in.Key, versionID: in.VersionID, common: &in.Common,
		doc: &in.LegalHold, alg: in.ChecksumAlgorithm, check: func() error { return oneOf("Status", in.LegalHold.Status, "ON", "OFF") }})
	return err
}

// GetObjectLegalHold returns an object version's legal hold.
func (c *Client) GetObjectLegalHold(ctx context.Context, in *ObjectVersionInput) (*ObjectLockLegalHold, error) {
	x, _, err := getObjectDoc[ObjectLockLegalHold](ctx, c, getLegalHold, in)
	return x, err
}
