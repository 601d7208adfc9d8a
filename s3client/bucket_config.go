package s3client

// Bucket configurations of one or a few fields: versioning, default
// encryption, public access block, ownership controls, transfer
// acceleration, request payment, tags, policy and policy status, and
// server access logging. Each document type is the wire form, with S3's
// element names.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
)

// oneOf checks that v is one of allowed.
func oneOf(field, v string, allowed ...string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("s3client: %s %q: want one of %v", field, v, allowed)
}

// --- versioning ---

// VersioningConfiguration is a bucket's versioning state.
type VersioningConfiguration struct {
	Status    string `xml:"Status,omitempty"`    // Enabled or Suspended; empty if never enabled
	MFADelete string `xml:"MfaDelete,omitempty"` // Enabled or Disabled
}

// PutBucketVersioningInput is the input of PutBucketVersioning.
type PutBucketVersioningInput struct {
	Bucket        string
	Configuration VersioningConfiguration
	// MFA is "serial-number code", required to change MFADelete.
	MFA               string
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

var (
	versioningDoc = subresource{"PutBucketVersioning", "versioning", "VersioningConfiguration"}
	getVersioning = subresource{"GetBucketVersioning", "versioning", "VersioningConfiguration"}
)

// PutBucketVersioning enables or suspends versioning of a bucket.
func (c *Client) PutBucketVersioning(ctx context.Context, in *PutBucketVersioningInput) error {
	if in == nil {
		return nilInput(versioningDoc.op)
	}
	check := func() error {
		if err := oneOf("Status", in.Configuration.Status, "Enabled", "Suspended"); err != nil {
			return err
		}
		if in.Configuration.MFADelete != "" {
			return oneOf("MFADelete", in.Configuration.MFADelete, "Enabled", "Disabled")
		}
		return nil
	}
	return c.putBucketDoc(ctx, versioningDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, check,
		func(h http.Header) { setIf(h, "X-Amz-Mfa", in.MFA) })
}

// GetBucketVersioning returns a bucket's versioning state; a bucket that
// never had versioning has an empty Status.
func (c *Client) GetBucketVersioning(ctx context.Context, in *BucketInput) (*VersioningConfiguration, error) {
	return getBucketDoc[VersioningConfiguration](ctx, c, getVersioning, in)
}

// --- default encryption ---

// ServerSideEncryptionConfiguration is a bucket's default encryption.
type ServerSideEncryptionConfiguration struct {
	Rules []ServerSideEncryptionRule `xml:"Rule"`
}

// ServerSideEncryptionRule is the default encryption of new objects.
type ServerSideEncryptionRule struct {
	ApplyServerSideEncryptionByDefault *ServerSideEncryptionByDefault `xml:"ApplyServerSideEncryptionByDefault,omitempty"`
	BucketKeyEnabled                   bool                           `xml:"BucketKeyEnabled,omitempty"`
}

// ServerSideEncryptionByDefault names the algorithm and KMS key.
type ServerSideEncryptionByDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"` // AES256, aws:kms or aws:kms:dsse
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

// PutBucketEncryptionInput is the input of PutBucketEncryption.
type PutBucketEncryptionInput struct {
	Bucket            string
	Configuration     ServerSideEncryptionConfiguration
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

var (
	encryptionDoc    = subresource{"PutBucketEncryption", "encryption", "ServerSideEncryptionConfiguration"}
	getEncryption    = subresource{"GetBucketEncryption", "encryption", "ServerSideEncryptionConfiguration"}
	deleteEncryption = subresource{"DeleteBucketEncryption", "encryption", ""}
)

// PutBucketEncryption sets a bucket's default encryption.
func (c *Client) PutBucketEncryption(ctx context.Context, in *PutBucketEncryptionInput) error {
	if in == nil {
		return nilInput(encryptionDoc.op)
	}
	check := func() error {
		if len(in.Configuration.Rules) == 0 {
			return errors.New("s3client: an encryption configuration needs a rule")
		}
		for _, r := range in.Configuration.Rules {
			if d := r.ApplyServerSideEncryptionByDefault; d != nil {
				if err := oneOf("SSEAlgorithm", d.SSEAlgorithm, "AES256", "aws:kms", "aws:kms:dsse"); err != nil {
					return err
				}
				if d.KMSMasterKeyID != "" && d.SSEAlgorithm == "AES256" {
					return errors.New("s3client: KMSMasterKeyID is for aws:kms and aws:kms:dsse only")
				}
			}
		}
		return nil
	}
	return c.putBucketDoc(ctx, encryptionDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, check, nil)
}

// GetBucketEncryption returns a bucket's default encryption.
func (c *Client) GetBucketEncryption(ctx context.Context, in *BucketInput) (*ServerSideEncryptionConfiguration, error) {
	return getBucketDoc[ServerSideEncryptionConfiguration](ctx, c, getEncryption, in)
}

// DeleteBucketEncryption resets a bucket's default encryption to S3's
// (SSE-S3).
func (c *Client) DeleteBucketEncryption(ctx context.Context, in *BucketInput) error {
	return c.deleteBucketDoc(ctx, deleteEncryption, in)
}

// --- public access block ---

// PublicAccessBlockConfiguration is what S3 does with public ACLs and
// policies of a bucket.
type PublicAccessBlockConfiguration struct {
	BlockPublicAcls       bool `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool `xml:"RestrictPublicBuckets"`
}

// PutPublicAccessBlockInput is the input of PutPublicAccessBlock.
type PutPublicAccessBlockInput struct {
	Bucket            string
	Configuration     PublicAccessBlockConfiguration
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

var (
	publicAccessBlockDoc    = subresource{"PutPublicAccessBlock", "publicAccessBlock", "PublicAccessBlockConfiguration"}
	getPublicAccessBlock    = subresource{"GetPublicAccessBlock", "publicAccessBlock", "PublicAccessBlockConfiguration"}
	deletePublicAccessBlock = subresource{"DeletePublicAccessBlock", "publicAccessBlock", ""}
)

// PutPublicAccessBlock sets a bucket's public access block.
func (c *Client) PutPublicAccessBlock(ctx context.Context, in *PutPublicAccessBlockInput) error {
	if in == nil {
		return nilInput(publicAccessBlockDoc.op)
	}
	return c.putBucketDoc(ctx, publicAccessBlockDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, nil, nil)
}

// GetPublicAccessBlock returns a bucket's public access block.
func (c *Client) GetPublicAccessBlock(ctx context.Context, in *BucketInput) (*PublicAccessBlockConfiguration, error) {
	return getBucketDoc[PublicAccessBlockConfiguration](ctx, c, getPublicAccessBlock, in)
}

// DeletePublicAccessBlock removes a bucket's public access block.
func (c *Client) DeletePublicAccessBlock(ctx context.Context, in *BucketInput) error {
	return c.deleteBucketDoc(ctx, deletePublicAccessBlock, in)
}

// --- ownership controls ---

// OwnershipControls says who owns the objects written to a bucket.
type OwnershipControls struct {
	Rules []OwnershipControlsRule `xml:"Rule"`
}

// OwnershipControlsRule is BucketOwnerEnforced, BucketOwnerPreferred or
// ObjectWriter.
type OwnershipControlsRule struct {
	ObjectOwnership string `xml:"ObjectOwnership"`
}

// PutBucketOwnershipControlsInput is the input of PutBucketOwnershipControls.
type PutBucketOwnershipControlsInput struct {
	Bucket            string
	Configuration     OwnershipControls
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

var (
	ownershipDoc    = subresource{"PutBucketOwnershipControls", "ownershipControls", "OwnershipControls"}
	getOwnership    = subresource{"GetBucketOwnershipControls", "ownershipControls", "OwnershipControls"}
	deleteOwnership = subresource{"DeleteBucketOwnershipControls", "ownershipControls", ""}
)

// PutBucketOwnershipControls sets a bucket's object ownership.
func (c *Client) PutBucketOwnershipControls(ctx context.Context, in *PutBucketOwnershipControlsInput) error {
	if in == nil {
		return nilInput(ownershipDoc.op)
	}
	check := func() error {
		if len(in.Configuration.Rules) != 1 {
			return fmt.Errorf("s3client: ownership controls need exactly one rule, got %d", len(in.Configuration.Rules))
		}
		return oneOf("ObjectOwnership", in.Configuration.Rules[0].ObjectOwnership, "BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter")
	}
	return c.putBucketDoc(ctx, ownershipDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, check, nil)
}

// GetBucketOwnershipControls returns a bucket's object ownership.
func (c *Client) GetBucketOwnershipControls(ctx context.Context, in *BucketInput) (*OwnershipControls, error) {
	return getBucketDoc[OwnershipControls](ctx, c, getOwnership, in)
}

// DeleteBucketOwnershipControls removes a bucket's object ownership setting.
func (c *Client) DeleteBucketOwnershipControls(ctx context.Context, in *BucketInput) error {
	return c.deleteBucketDoc(ctx, deleteOwnership, in)
}

// --- transfer acceleration ---

// AccelerateConfiguration is a bucket's Transfer Acceleration state.
type AccelerateConfiguration struct {
	Status string `xml:"Status,omitempty"` // Enabled or Suspended
}

// PutBucketAccelerateConfigurationInput is the input of
// PutBucketAccelerateConfiguration.
type PutBucketAccelerateConfigurationInput struct {
	Bucket            string
	Configuration     AccelerateConfiguration
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

var (
	accelerateDoc = subresource{"PutBucketAccelerateConfiguration", "accelerate", "AccelerateConfiguration"}
	getAccelerate = subresource{"GetBucketAccelerateConfiguration", "accelerate", "AccelerateConfiguration"}
)

// PutBucketAccelerateConfiguration enables or suspends Transfer
// Acceleration of a bucket.
func (c *Client) PutBucketAccelerateConfiguration(ctx context.Context, in *PutBucketAccelerateConfigurationInput) error {
	if in == nil {
		return nilInput(accelerateDoc.op)
	}
	check := func() error { return oneOf("Status", in.Configuration.Status, "Enabled", "Suspended") }
	return c.putBucketDoc(ctx, accelerateDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, check, nil)
}

// GetBucketAccelerateConfiguration returns a bucket's Transfer
// Acceleration state.
func (c *Client) GetBucketAccelerateConfiguration(ctx context.Context, in *BucketInput) (*AccelerateConfiguration, error) {
	return getBucketDoc[AccelerateConfiguration](ctx, c, getAccelerate, in)
}

// --- request payment ---

// RequestPaymentConfiguration says who pays for requests to a bucket.
type RequestPaymentConfiguration struct {
	Payer string `xml:"Payer"` // Requester or BucketOwner
}

// PutBucketRequestPaymentInput is the input of PutBucketRequestPayment.
type PutBucketRequestPaymentInput struct {
	Bucket            string
	Configuration     RequestPaymentConfiguration
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

var (
	requestPaymentDoc = subresource{"PutBucketRequestPayment", "requestPayment", "RequestPaymentConfiguration"}
	getRequestPayment = subresource{"GetBucketRequestPayment", "requestPayment", "RequestPaymentConfiguration"}
)

// PutBucketRequestPayment sets who pays for requests to a bucket.
func (c *Client) PutBucketRequestPayment(ctx context.Context, in *PutBucketRequestPaymentInput) error {
	if in == nil {
		return nilInput(requestPaymentDoc.op)
	}
	check := func() error { return oneOf("Payer", in.Configuration.Payer, "Requester", "BucketOwner") }
	return c.putBucketDoc(ctx, requestPaymentDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, check, nil)
}

// GetBucketRequestPayment returns who pays for requests to a bucket.
func (c *Client) GetBucketRequestPayment(ctx context.Context, in *BucketInput) (*RequestPaymentConfiguration, error) {
	return getBucketDoc[RequestPaymentConfiguration](ctx, c, getRequestPayment, in)
}

// --- bucket tags ---

// PutBucketTaggingInput is the input of PutBucketTagging.
type PutBucketTaggingInput struct {
	Bucket            string
	TagSet            []Tag // replaces every tag, 1 to MaxBucketTags
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

// GetBucketTaggingOutput is the result of GetBucketTagging.
type GetBucketTaggingOutput struct {
	TagSet []Tag
}

var (
	bucketTaggingDoc    = subresource{"PutBucketTagging", "tagging", "Tagging"}
	getBucketTagging    = subresource{"GetBucketTagging", "tagging", "Tagging"}
	deleteBucketTagging = subresource{"DeleteBucketTagging", "tagging", ""}
)

// PutBucketTagging replaces a bucket's tags; DeleteBucketTagging removes
// them all.
func (c *Client) PutBucketTagging(ctx context.Context, in *PutBucketTaggingInput) error {
	if in == nil {
		return nilInput(bucketTaggingDoc.op)
	}
	check := func() error {
		if len(in.TagSet) == 0 {
			return errors.New("s3client: no tags; use DeleteBucketTagging to remove them")
		}
		return checkUserTags(in.TagSet, MaxBucketTags)
	}
	return c.putBucketDoc(ctx, bucketTaggingDoc, in.Bucket, &in.Common, xmlTagSetOf(in.TagSet), in.ChecksumAlgorithm, check, nil)
}

// GetBucketTagging returns a bucket's tags. A bucket without tags is an
// error with Code "NoSuchTagSet".
func (c *Client) GetBucketTagging(ctx context.Context, in *BucketInput) (*GetBucketTaggingOutput, error) {
	x, err := getBucketDoc[xmlTagSet](ctx, c, getBucketTagging, in)
	if err != nil {
		return nil, err
	}
	return &GetBucketTaggingOutput{TagSet: x.tags()}, nil
}

// DeleteBucketTagging removes every tag of a bucket.
func (c *Client) DeleteBucketTagging(ctx context.Context, in *BucketInput) error {
	return c.deleteBucketDoc(ctx, deleteBucketTagging, in)
}

func xmlTagSetOf(tags []Tag) *xmlTagSet {
	x := &xmlTagSet{TagSet: make([]xmlTag, len(tags))}
	for i, t := range tags {
		x.TagSet[i] = xmlTag(t)
	}
	return x
}

func (x *xmlTagSet) tags() []Tag {
	if len(x.TagSet) == 0 {
		return nil
	}
	out := make([]Tag, len(x.TagSet))
	for i, t := range x.TagSet {
		out[i] = Tag(t)
	}
	return out
}

// --- policy ---

// MaxBucketPolicy is the largest bucket policy S3 accepts, in bytes.
const MaxBucketPolicy = 20 << 10

// PutBucketPolicyInput is the input of PutBucketPolicy.
type PutBucketPolicyInput struct {
	Bucket string
	// Policy is the policy document, JSON the caller owns; it is checked
	// to be JSON, and sent as given.
	Policy json.RawMessage
	// ConfirmRemoveSelfBucketAccess lets the policy deny the caller's own
	// later changes to it.
	ConfirmRemoveSelfBucketAccess bool
	ChecksumAlgorithm             ChecksumAlgorithm
	Common
}

var (
	policyDoc       = subresource{"PutBucketPolicy", "policy", ""}
	getPolicy       = subresource{"GetBucketPolicy", "policy", ""}
	deletePolicy    = subresource{"DeleteBucketPolicy", "policy", ""}
	getPolicyStatus = subresource{"GetBucketPolicyStatus", "policyStatus", "PolicyStatus"}
)

// PutBucketPolicy sets a bucket's policy.
func (c *Client) PutBucketPolicy(ctx context.Context, in *PutBucketPolicyInput) error {
	const op = "PutBucketPolicy"
	if in == nil {
		return nilInput(op)
	}
	switch {
	case len(in.Policy) == 0:
		return inputError(op, in.Bucket, "", errors.New("s3client: empty policy; use DeleteBucketPolicy to remove it"))
	case len(in.Policy) > MaxBucketPolicy:
		return inputError(op, in.Bucket, "", fmt.Errorf("s3client: a policy of %d bytes, at most %d", len(in.Policy), MaxBucketPolicy))
	case !json.Valid(in.Policy):
		return inputError(op, in.Bucket, "", errors.New("s3client: the policy is not JSON"))
	}
	r, err := policyDoc.request(http.MethodPut, in.Bucket, "", "", &in.Common)
	if err != nil {
		return err
	}
	if in.ConfirmRemoveSelfBucketAccess {
		r.header.Set("X-Amz-Confirm-Remove-Self-Bucket-Access", "true")
	}
	if err := c.withBody(r, in.Policy, in.ChecksumAlgorithm); err != nil {
		return err
	}
	_, err = c.send(ctx, r)
	return err
}

// GetBucketPolicy returns a bucket's policy as S3 holds it. A bucket
// without one is an error with Code "NoSuchBucketPolicy".
func (c *Client) GetBucketPolicy(ctx context.Context, in *BucketInput) (json.RawMessage, error) {
	if in == nil {
		return nil, nilInput(getPolicy.op)
	}
	r, err := getPolicy.request(http.MethodGet, in.Bucket, "", "", &in.Common)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body) // read by do, within its bound
	if err == nil && !json.Valid(b) {
		err = errors.New("s3client: the policy S3 returned is not JSON")
	}
	if err != nil {
		return nil, &Error{Op: getPolicy.op, Bucket: in.Bucket, StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Amz-Request-Id"), Err: err}
	}
	return json.RawMessage(b), nil
}

// DeleteBucketPolicy removes a bucket's policy.
func (c *Client) DeleteBucketPolicy(ctx context.Context, in *BucketInput) error {
	return c.deleteBucketDoc(ctx, deletePolicy, in)
}

// PolicyStatus says whether a bucket's policy makes it public.
type PolicyStatus struct {
	IsPublic bool `xml:"IsPublic"`
}

// GetBucketPolicyStatus returns whether a bucket's policy makes it public.
func (c *Client) GetBucketPolicyStatus(ctx context.Context, in *BucketInput) (*PolicyStatus, error) {
	return getBucketDoc[PolicyStatus](ctx, c, getPolicyStatus, in)
}

// --- server access logging ---

// BucketLoggingStatus is a bucket's server access logging; a nil
// LoggingEnabled turns logging off.
type BucketLoggingStatus struct {
	LoggingEnabled *LoggingEnabled `xml:"LoggingEnabled,omitempty"`
}

// LoggingEnabled names where the logs go.
type LoggingEnabled struct {
	TargetBucket string `xml:"TargetBucket"`
	TargetPrefix string `xml:"TargetPrefix"`
}

// PutBucketLoggingInput is the input of PutBucketLogging.
type PutBucketLoggingInput struct {
	Bucket            string
	Configuration     BucketLoggingStatus
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

var (
	loggingDoc = subresource{"PutBucketLogging", "logging", "BucketLoggingStatus"}
	getLogging = subresource{"GetBucketLogging", "logging", "BucketLoggingStatus"}
)

// PutBucketLogging sets (or, with a nil LoggingEnabled, stops) a bucket's
// server access logging.
func (c *Client) PutBucketLogging(ctx context.Context, in *PutBucketLoggingInput) error {
	if in == nil {
		return nilInput(loggingDoc.op)
	}
	check := func() error {
		if l := in.Configuration.LoggingEnabled; l != nil {
			return ValidateBucketName(l.TargetBucket)
		}
		return nil
	}
	return c.putBucketDoc(ctx, loggingDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, check, nil)
}

// GetBucketLogging returns a bucket's server access logging.
func (c *Client) GetBucketLogging(ctx context.Context, in *BucketInput) (*BucketLoggingStatus, error) {
	return getBucketDoc[BucketLoggingStatus](ctx, c, getLogging, in)
}
