package s3client

// What each typed configuration operation puts on the wire (method, path,
// query, headers, body; signature verified as S3 would), and the bad input
// each refuses before anything is sent.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConfigWire(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	owner := Common{ExpectedBucketOwner: "111122223333"}
	bkt := func() *BucketInput { return &BucketInput{Bucket: "bkt", Common: owner} }
	obj := func() *ObjectVersionInput {
		return &ObjectVersionInput{Bucket: "bkt", Key: "a b", VersionID: "v1", Common: owner}
	}
	tests := []struct {
		name   string
		answer string
		call   func(*Client) error
		method string
		path   string
		query  string
		header map[string]string // sent and signed
		body   []string          // substrings of the body sent
	}{
		{"PutBucketVersioning", "", func(c *Client) error {
			return c.PutBucketVersioning(ctx, &PutBucketVersioningInput{Bucket: "bkt", MFA: "sn 123456",
				Configuration: VersioningConfiguration{Status: "Enabled", MFADelete: "Disabled"}, Common: owner})
		}, "PUT", "/bkt", "versioning=", map[string]string{"X-Amz-Mfa": "sn 123456"},
			[]string{`<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>`}},
		{"GetBucketVersioning", `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`, func(c *Client) error {
			_, err := c.GetBucketVersioning(ctx, bkt())
			return err
		}, "GET", "/bkt", "versioning=", nil, nil},
		{"PutBucketLifecycleConfiguration", "", func(c *Client) error {
			return c.PutBucketLifecycleConfiguration(ctx, &PutBucketLifecycleConfigurationInput{Bucket: "bkt", Common: owner,
				TransitionDefaultMinimumObjectSize: "all_storage_classes_128K",
				Configuration: LifecycleConfiguration{Rules: []LifecycleRule{{ID: "r1", Status: "Enabled",
					Filter:      &LifecycleFilter{And: &LifecycleRuleAndOperator{Prefix: "logs/", Tags: []Tag{{"k", "v"}}, ObjectSizeGreaterThan: 1024}},
					Transitions: []Transition{{Days: 30, StorageClass: "GLACIER"}}, Expiration: &LifecycleExpiration{Date: &day},
					AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{DaysAfterInitiation: 7}}}}})
		}, "PUT", "/bkt", "lifecycle=", map[string]string{"X-Amz-Transition-Default-Minimum-Object-Size": "all_storage_classes_128K"},
			[]string{`<Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>1024</ObjectSizeGreaterThan></And></Filter>`,
				`<Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration><Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>`,
				`<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>`}},
		{"GetBucketLifecycleConfiguration", `<LifecycleConfiguration/>`, func(c *Client) error {
			_, err := c.GetBucketLifecycleConfiguration(ctx, bkt())
			return err
		}, "GET", "/bkt", "lifecycle=", nil, nil},
		{"DeleteBucketLifecycle", "", func(c *Client) error { return c.DeleteBucketLifecycle(ctx, bkt()) },
			"DELETE", "/bkt", "lifecycle=", nil, nil},
		{"PutBucketCors", "", func(c *Client) error {
			return c.PutBucketCors(ctx, &PutBucketCorsInput{Bucket: "bkt", Common: owner, Configuration: CORSConfiguration{Rules: []CORSRule{{
				AllowedOrigins: []string{"https://example.com"}, AllowedMethods: []string{"GET", "PUT"}, AllowedHeaders: []string{"*"}, MaxAgeSeconds: 3000}}}})
		}, "PUT", "/bkt", "cors=", nil,
			[]string{`<CORSRule><AllowedHeader>*</AllowedHeader><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedOrigin>https://example.com</AllowedOrigin><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>`}},
		{"GetBucketCors", `<CORSConfiguration/>`, func(c *Client) error { _, err := c.GetBucketCors(ctx, bkt()); return err },
			"GET", "/bkt", "cors=", nil, nil},
		{"DeleteBucketCors", "", func(c *Client) error { return c.DeleteBucketCors(ctx, bkt()) }, "DELETE", "/bkt", "cors=", nil, nil},
		{"PutBucketPolicy", "", func(c *Client) error {
			return c.PutBucketPolicy(ctx, &PutBucketPolicyInput{Bucket: "bkt", Common: owner, ConfirmRemoveSelfBucketAccess: true,
				Policy: json.RawMessage(`{"Version":"2012-10-17","Statement":[]}`)})
		}, "PUT", "/bkt", "policy=", map[string]string{"X-Amz-Confirm-Remove-Self-Bucket-Access": "true"},
			[]string{`{"Version":"2012-10-17","Statement":[]}`}},
		{"GetBucketPolicy", `{"Version":"2012-10-17"}`, func(c *Client) error { _, err := c.GetBucketPolicy(ctx, bkt()); return err },
			"GET", "/bkt", "policy=", nil, nil},
		{"DeleteBucketPolicy", "", func(c *Client) error { return c.DeleteBucketPolicy(ctx, bkt()) }, "DELETE", "/bkt", "policy=", nil, nil},
		{"GetBucketPolicyStatus", `<PolicyStatus><IsPublic>true</IsPublic></PolicyStatus>`, func(c *Client) error {
			_, err := c.GetBucketPolicyStatus(ctx, bkt())
			return err
		}, "GET", "/bkt", "policyStatus=", nil, nil},
		{"PutBucketEncryption", "", func(c *Client) error {
			return c.PutBucketEncryption(ctx, &PutBucketEncryptionInput{Bucket: "bkt", Common: owner, Configuration: ServerSideEncryptionConfiguration{
				Rules: []ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &ServerSideEncryptionByDefault{SSEAlgorithm: "aws:kms", KMSMasterKeyID: "key-1"}, BucketKeyEnabled: true}}}})
		}, "PUT", "/bkt", "encryption=", nil,
			[]string{`<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>key-1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>`}},
		{"GetBucketEncryption", `<ServerSideEncryptionConfiguration/>`, func(c *Client) error {
			_, err := c.GetBucketEncryption(ctx, bkt())
			return err
		}, "GET", "/bkt", "encryption=", nil, nil},
		{"DeleteBucketEncryption", "", func(c *Client) error { return c.DeleteBucketEncryption(ctx, bkt()) }, "DELETE", "/bkt", "encryption=", nil, nil},
		{"PutBucketTagging", "", func(c *Client) error {
			return c.PutBucketTagging(ctx, &PutBucketTaggingInput{Bucket: "bkt", Common: owner, TagSet: []Tag{{"a", "1"}, {"b c", ""}}})
		}, "PUT", "/bkt", "tagging=", nil,
			[]string{`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b c</Key><Value></Value></Tag></TagSet></Tagging>`}},
		{"GetBucketTagging", `<Tagging><TagSet/></Tagging>`, func(c *Client) error { _, err := c.GetBucketTagging(ctx, bkt()); return err },
			"GET", "/bkt", "tagging=", nil, nil},
		{"DeleteBucketTagging", "", func(c *Client) error { return c.DeleteBucketTagging(ctx, bkt()) }, "DELETE", "/bkt", "tagging=", nil, nil},
		{"DeleteObjectTagging", "", func(c *Client) error { _, err := c.DeleteObjectTagging(ctx, obj()); return err },
			"DELETE", "/bkt/a%20b", "tagging=&versionId=v1", nil, nil},
		{"PutObjectLockConfiguration", "", func(c *Client) error {
			return c.PutObjectLockConfiguration(ctx, &PutObjectLockConfigurationInput{Bucket: "bkt", Common: owner, Token: "tok",
				Configuration: ObjectLockConfiguration{ObjectLockEnabled: "Enabled", Rule: &ObjectLockRule{DefaultRetention: &DefaultRetention{Mode: "GOVERNANCE", Days: 1}}}})
		}, "PUT", "/bkt", "object-lock=", map[string]string{"X-Amz-Bucket-Object-Lock-Token": "tok"},
			[]string{`<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule>`}},
		{"GetObjectLockConfiguration", `<ObjectLockConfiguration/>`, func(c *Client) error {
			_, err := c.GetObjectLockConfiguration(ctx, bkt())
			return err
		}, "GET", "/bkt", "object-lock=", nil, nil},
		{"PutObjectRetention", "", func(c *Client) error {
			_, err := c.PutObjectRetention(ctx, &PutObjectRetentionInput{Bucket: "bkt", Key: "a b", VersionID: "v1", Common: owner,
				BypassGovernanceRetention: true, Retention: ObjectLockRetention{Mode: "GOVERNANCE", RetainUntilDate: day}})
			return err
		}, "PUT", "/bkt/a%20b", "retention=&versionId=v1", map[string]string{"X-Amz-Bypass-Governance-Retention": "true"},
			[]string{`<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>`}},
		{"GetObjectRetention", `<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.000Z</RetainUntilDate></Retention>`, func(c *Client) error {
			_, err := c.GetObjectRetention(ctx, obj())
			return err
		}, "GET", "/bkt/a%20b", "retention=&versionId=v1", nil, nil},
		{"PutObjectLegalHold", "", func(c *Client) error {
			return c.PutObjectLegalHold(ctx, &PutObjectLegalHoldInput{Bucket: "bkt", Key: "a b", Common: owner, LegalHold: ObjectLockLegalHold{Status: "ON"}})
		}, "PUT", "/bkt/a%20b", "legal-hold=", nil, []string{`<LegalHold xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>ON</Status></LegalHold>`}},
		{"GetObjectLegalHold", `<LegalHold><Status>OFF</Status></LegalHold>`, func(c *Client) error {
			_, err := c.GetObjectLegalHold(ctx, obj())
			return err
		}, "GET", "/bkt/a%20b", "legal-hold=&versionId=v1", nil, nil},
		{"PutBucketAcl", "", func(c *Client) error {
			return c.PutBucketAcl(ctx, &PutBucketAclInput{Bucket: "bkt", Common: owner, ACLGrants: ACLGrants{
				GrantRead: GrantHeader(Grantee{URI: "http://acs.amazonaws.com/groups/global/AllUsers"}, Grantee{ID: "abc"})}})
		}, "PUT", "/bkt", "acl=", map[string]string{"X-Amz-Grant-Read": `uri="http://acs.amazonaws.com/groups/global/AllUsers", id="abc"`}, nil},
		{"GetBucketAcl", `<AccessControlPolicy/>`, func(c *Client) error { _, err := c.GetBucketAcl(ctx, bkt()); return err },
			"GET", "/bkt", "acl=", nil, nil},
		{"PutObjectAcl", "", func(c *Client) error {
			return c.PutObjectAcl(ctx, &PutObjectAclInput{Bucket: "bkt", Key: "a b", VersionID: "v1", Common: owner, ACLGrants: ACLGrants{
				AccessControlPolicy: &AccessControlPolicy{Owner: &Owner{ID: "own"}, Grants: []Grant{
					{Grantee: Grantee{EmailAddress: "x@example.com"}, Permission: "READ"}}}}})
		}, "PUT", "/bkt/a%20b", "acl=&versionId=v1", nil,
			[]string{`<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="AmazonCustomerByEmail"><EmailAddress>x@example.com</EmailAddress></Grantee><Permission>READ</Permission>`}},
		{"GetObjectAcl", `<AccessControlPolicy/>`, func(c *Client) error { _, err := c.GetObjectAcl(ctx, obj()); return err },
			"GET", "/bkt/a%20b", "acl=&versionId=v1", nil, nil},
		{"PutPublicAccessBlock", "", func(c *Client) error {
			return c.PutPublicAccessBlock(ctx, &PutPublicAccessBlockInput{Bucket: "bkt", Common: owner, Configuration: PublicAccessBlockConfiguration{BlockPublicAcls: true}})
		}, "PUT", "/bkt", "publicAccessBlock=", nil,
			[]string{`<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls>`}},
		{"GetPublicAccessBlock", `<PublicAccessBlockConfiguration/>`, func(c *Client) error {
			_, err := c.GetPublicAccessBlock(ctx, bkt())
			return err
		}, "GET", "/bkt", "publicAccessBlock=", nil, nil},
		{"DeletePublicAccessBlock", "", func(c *Client) error { return c.DeletePublicAccessBlock(ctx, bkt()) }, "DELETE", "/bkt", "publicAccessBlock=", nil, nil},
		{"PutBucketOwnershipControls", "", func(c *Client) error {
			return c.PutBucketOwnershipControls(ctx, &PutBucketOwnershipControlsInput{Bucket: "bkt", Common: owner,
				Configuration: OwnershipControls{Rules: []OwnershipControlsRule{{ObjectOwnership: "BucketOwnerEnforced"}}}})
		}, "PUT", "/bkt", "ownershipControls=", nil, []string{`<Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule>`}},
		{"GetBucketOwnershipControls", `<OwnershipControls/>`, func(c *Client) error {
			_, err := c.GetBucketOwnershipControls(ctx, bkt())
			return err
		}, "GET", "/bkt", "ownershipControls=", nil, nil},
		{"DeleteBucketOwnershipControls", "", func(c *Client) error { return c.DeleteBucketOwnershipControls(ctx, bkt()) },
			"DELETE", "/bkt", "ownershipControls=", nil, nil},
		{"PutBucketWebsite", "", func(c *Client) error {
			return c.PutBucketWebsite(ctx, &PutBucketWebsiteInput{Bucket: "bkt", Common: owner, Configuration: WebsiteConfiguration{
				IndexDocument: &IndexDocument{Suffix: "index.html"}, ErrorDocument: &ErrorDocument{Key: "error.html"},
				RoutingRules: []RoutingRule{{Condition: &RoutingCondition{KeyPrefixEquals: "docs/"}, Redirect: Redirect{ReplaceKeyPrefixWith: "documents/"}}}}})
		}, "PUT", "/bkt", "website=", nil,
			[]string{`<RoutingRules><RoutingRule><Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect></RoutingRule></RoutingRules>`}},
		{"GetBucketWebsite", `<WebsiteConfiguration/>`, func(c *Client) error { _, err := c.GetBucketWebsite(ctx, bkt()); return err },
			"GET", "/bkt", "website=", nil, nil},
		{"DeleteBucketWebsite", "", func(c *Client) error { return c.DeleteBucketWebsite(ctx, bkt()) }, "DELETE", "/bkt", "website=", nil, nil},
		{"PutBucketLogging", "", func(c *Client) error {
			return c.PutBucketLogging(ctx, &PutBucketLoggingInput{Bucket: "bkt", Common: owner, Configuration: BucketLoggingStatus{
				LoggingEnabled: &LoggingEnabled{TargetBucket: "logs-bkt", TargetPrefix: "bkt/"}}})
		}, "PUT", "/bkt", "logging=", nil,
			[]string{`<BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LoggingEnabled><TargetBucket>logs-bkt</TargetBucket><TargetPrefix>bkt/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`}},
		{"GetBucketLogging", `<BucketLoggingStatus/>`, func(c *Client) error { _, err := c.GetBucketLogging(ctx, bkt()); return err },
			"GET", "/bkt", "logging=", nil, nil},
		{"PutBucketNotificationConfiguration", "", func(c *Client) error {
			return c.PutBucketNotificationConfiguration(ctx, &PutBucketNotificationConfigurationInput{Bucket: "bkt", Common: owner,
				SkipDestinationValidation: true, Configuration: NotificationConfiguration{
					QueueConfigurations: []QueueConfiguration{{ID: "q", QueueArn: "arn:aws:sqs:us-east-1:1:q", Events: []string{"s3:ObjectCreated:*"},
						Filter: &NotificationFilter{FilterRules: []FilterRule{{Name: "prefix", Value: "img/"}}}}},
					EventBridgeConfiguration: &EventBridgeConfiguration{}}})
		}, "PUT", "/bkt", "notification=", map[string]string{"X-Amz-Skip-Destination-Validation": "true"},
			[]string{`<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:1:q</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>img/</Value></FilterRule></S3Key></Filter></QueueConfiguration><EventBridgeConfiguration></EventBridgeConfiguration>`}},
		{"GetBucketNotificationConfiguration", `<NotificationConfiguration/>`, func(c *Client) error {
			_, err := c.GetBucketNotificationConfiguration(ctx, bkt())
			return err
		}, "GET", "/bkt", "notification=", nil, nil},
		{"PutBucketReplication", "", func(c *Client) error {
			return c.PutBucketReplication(ctx, &PutBucketReplicationInput{Bucket: "bkt", Common: owner, Configuration: ReplicationConfiguration{
				Role: "arn:aws:iam::1:role/r", Rules: []ReplicationRule{{ID: "r1", Priority: 1, Status: "Enabled", Filter: &ReplicationRuleFilter{Prefix: "p/"},
					Destination: Destination{Bucket: "arn:aws:s3:::dst", StorageClass: "STANDARD"}, DeleteMarkerReplication: &StatusElement{Status: "Disabled"}}}}})
		}, "PUT", "/bkt", "replication=", nil,
			[]string{`<Role>arn:aws:iam::1:role/r</Role><Rule><ID>r1</ID><Priority>1</Priority><Filter><Prefix>p/</Prefix></Filter><Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::dst</Bucket><StorageClass>STANDARD</StorageClass></Destination><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication></Rule>`}},
		{"GetBucketReplication", `<ReplicationConfiguration/>`, func(c *Client) error {
			_, err := c.GetBucketReplication(ctx, bkt())
			return err
		}, "GET", "/bkt", "replication=", nil, nil},
		{"DeleteBucketReplication", "", func(c *Client) error { return c.DeleteBucketReplication(ctx, bkt()) }, "DELETE", "/bkt", "replication=", nil, nil},
		{"PutBucketAccelerateConfiguration", "", func(c *Client) error {
			return c.PutBucketAccelerateConfiguration(ctx, &PutBucketAccelerateConfigurationInput{Bucket: "bkt", Common: owner, Configuration: AccelerateConfiguration{Status: "Enabled"}})
		}, "PUT", "/bkt", "accelerate=", nil, []string{`<AccelerateConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></AccelerateConfiguration>`}},
		{"GetBucketAccelerateConfiguration", `<AccelerateConfiguration/>`, func(c *Client) error {
			_, err := c.GetBucketAccelerateConfiguration(ctx, bkt())
			return err
		}, "GET", "/bkt", "accelerate=", nil, nil},
		{"PutBucketRequestPayment", "", func(c *Client) error {
			return c.PutBucketRequestPayment(ctx, &PutBucketRequestPaymentInput{Bucket: "bkt", Common: owner, Configuration: RequestPaymentConfiguration{Payer: "Requester"}})
		}, "PUT", "/bkt", "requestPayment=", nil, []string{`<Payer>Requester</Payer>`}},
		{"GetBucketRequestPayment", `<RequestPaymentConfiguration/>`, func(c *Client) error {
			_, err := c.GetBucketRequestPayment(ctx, bkt())
			return err
		}, "GET", "/bkt", "requestPayment=", nil, nil},
		{"GetObjectAttributes", `<GetObjectAttributesResponse><ObjectSize>3</ObjectSize></GetObjectAttributesResponse>`, func(c *Client) error {
			_, err := c.GetObjectAttributes(ctx, &GetObjectAttributesInput{Bucket: "bkt", Key: "a b", VersionID: "v1", Common: owner,
				Attributes: []string{AttributeETag, AttributeObjectParts}, MaxParts: 5, PartNumberMarker: 2})
			return err
		}, "GET", "/bkt/a%20b", "attributes=&versionId=v1",
			map[string]string{"X-Amz-Object-Attributes": "ETag,ObjectParts", "X-Amz-Max-Parts": "5", "X-Amz-Part-Number-Marker": "2"}, nil},
		{"RestoreObject", "", func(c *Client) error {
			_, err := c.RestoreObject(ctx, &RestoreObjectInput{Bucket: "bkt", Key: "a b", Common: owner,
				RestoreRequest: RestoreRequest{Days: 2, GlacierJobParameters: &GlacierJobParameters{Tier: "Bulk"}}})
			return err
		}, "POST", "/bkt/a%20b", "restore=", nil,
			[]string{`<RestoreRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Days>2</Days><GlacierJobParameters><Tier>Bulk</Tier></GlacierJobParameters></RestoreRequest>`}},
		{"ListObjects", `<ListBucketResult/>`, func(c *Client) error {
			_, err := c.ListObjects(ctx, &ListObjectsInput{Bucket: "bkt", Prefix: "a b/", Delimiter: "/", Marker: "m", MaxKeys: 10, Common: owner})
			return err
		}, "GET", "/bkt", "delimiter=%2F&encoding-type=url&marker=m&max-keys=10&prefix=a%20b%2F", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				if strings.HasPrefix(tt.answer, "{") {
					w.Header().Set("Content-Type", "application/json")
					w.Write([]byte(tt.answer))
				} else if tt.answer != "" {
					writeXML(w, tt.answer)
				}
			})
			if err := tt.call(newClient(t, f.URL, func(cfg *Config) { cfg.Now = func() time.Time { return day.AddDate(-1, 0, 0) } })); err != nil {
				t.Fatalf("call: %v", err)
			}
			r := theRequest(t, f, tt.method, tt.path, tt.query)
			body := f.bodyOf(1)
			signed := verifySignature(t, r, body)
			want := map[string]string{"X-Amz-Expected-Bucket-Owner": "111122223333"}
			for k, v := range tt.header {
				want[k] = v
			}
			if tt.method == http.MethodPut || tt.method == http.MethodPost {
				// A custom endpoint gets no checksum by default: every
				// configuration document carries its Content-MD5.
				want["Content-Md5"] = ""
			}
			for k, v := range want {
				got, ok := r.Header[k]
				if !ok || (v != "" && got[0] != v) {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
				if !slices.Contains(signed, strings.ToLower(k)) {
					t.Errorf("header %s not signed (%v)", k, signed)
				}
			}
			for _, s := range tt.body {
				if !strings.Contains(string(body), s) {
					t.Errorf("body %s\nlacks %s", body, s)
				}
			}
		})
	}
}

// TestConfigChecksumOnAWS: on an AWS endpoint the configuration documents
// carry the default checksum (CRC32C) instead of Content-MD5, and one asked
// for replaces it.
func TestConfigChecksumOnAWS(t *testing.T) {
	for _, tt := range []struct {
		alg    ChecksumAlgorithm
		header string
	}{{"", "X-Amz-Checksum-Crc32c"}, {ChecksumSHA256, "X-Amz-Checksum-Sha256"}} {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {})
		c := newClient(t, f.URL, func(cfg *Config) { cfg.ChecksumPolicy = ChecksumWhenSupported })
		if err := c.PutBucketVersioning(context.Background(), &PutBucketVersioningInput{Bucket: "bkt", ChecksumAlgorithm: tt.alg,
			Configuration: VersioningConfiguration{Status: "Suspended"}}); err != nil {
			t.Fatal(err)
		}
		r := f.rec.all()[0]
		if r.Header.Get(tt.header) == "" || r.Header.Get("Content-Md5") != "" {
			t.Errorf("%q: headers %v", tt.alg, r.Header)
		}
	}
}

// TestConfigBadInput: malformed configurations are refused before anything
// is sent, with an error wrapping ErrInvalidInput.
func TestConfigBadInput(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	past := now.Add(-time.Hour)
	noon := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	rule := func(mod func(*LifecycleRule)) *PutBucketLifecycleConfigurationInput {
		r := LifecycleRule{Status: "Enabled", Expiration: &LifecycleExpiration{Days: 1}}
		mod(&r)
		return &PutBucketLifecycleConfigurationInput{Bucket: "bkt", Configuration: LifecycleConfiguration{Rules: []LifecycleRule{r}}}
	}
	many := make([]Tag, 51)
	for i := range many {
		many[i] = Tag{Key: strings.Repeat("k", i+1)}
	}
	tests := []struct {
		name string
		call func(*Client) error
	}{
		{"lifecycle rule with no action", func(c *Client) error {
			return c.PutBucketLifecycleConfiguration(ctx, rule(func(r *LifecycleRule) { r.Expiration = nil }))
		}},
		{"lifecycle with no rule", func(c *Client) error {
			return c.PutBucketLifecycleConfiguration(ctx, &PutBucketLifecycleConfigurationInput{Bucket: "bkt"})
		}},
		{"lifecycle status", func(c *Client) error {
			return c.PutBucketLifecycleConfiguration(ctx, rule(func(r *LifecycleRule) { r.Status = "enabled" }))
		}},
		{"lifecycle expiration with Date and Days", func(c *Client) error {
			return c.PutBucketLifecycleConfiguration(ctx, rule(func(r *LifecycleRule) { r.Expiration.Date = &noon }))
		}},
		{"lifecycle date not at midnight", func(c *Client) error {
			return c.PutBucketLifecycleConfiguration(ctx, rule(func(r *LifecycleRule) { r.Expiration = &LifecycleExpiration{Date: &noon} }))
		}},
		{"lifecycle filter with two conditions", func(c *Client) error {
			return c.PutBucketLifecycleConfiguration(ctx, rule(func(r *LifecycleRule) { r.Filter = &LifecycleFilter{Prefix: "a", Tag: &Tag{"k", "v"}} }))
		}},
		{"lifecycle transition without storage class", func(c *Client) error {
			return c.PutBucketLifecycleConfiguration(ctx, rule(func(r *LifecycleRule) { r.Transitions = []Transition{{Days: 3}} }))
		}},
		{"retention in the past", func(c *Client) error {
			_, err := c.PutObjectRetention(ctx, &PutObjectRetentionInput{Bucket: "bkt", Key: "k", Retention: ObjectLockRetention{Mode: "COMPLIANCE", RetainUntilDate: past}})
			return err
		}},
		{"retention mode", func(c *Client) error {
			_, err := c.PutObjectRetention(ctx, &PutObjectRetentionInput{Bucket: "bkt", Key: "k", Retention: ObjectLockRetention{Mode: "governance", RetainUntilDate: noon}})
			return err
		}},
		{"retention without key", func(c *Client) error {
			_, err := c.PutObjectRetention(ctx, &PutObjectRetentionInput{Bucket: "bkt"})
			return err
		}},
		{"default retention with Days and Years", func(c *Client) error {
			return c.PutObjectLockConfiguration(ctx, &PutObjectLockConfigurationInput{Bucket: "bkt", Configuration: ObjectLockConfiguration{
				Rule: &ObjectLockRule{DefaultRetention: &DefaultRetention{Mode: "COMPLIANCE", Days: 1, Years: 1}}}})
		}},
		{"legal hold status", func(c *Client) error {
			return c.PutObjectLegalHold(ctx, &PutObjectLegalHoldInput{Bucket: "bkt", Key: "k", LegalHold: ObjectLockLegalHold{Status: "on"}})
		}},
		{"policy not JSON", func(c *Client) error {
			return c.PutBucketPolicy(ctx, &PutBucketPolicyInput{Bucket: "bkt", Policy: json.RawMessage(`{"Version":`)})
		}},
		{"empty policy", func(c *Client) error { return c.PutBucketPolicy(ctx, &PutBucketPolicyInput{Bucket: "bkt"}) }},
		{"empty tag key", func(c *Client) error {
			return c.PutBucketTagging(ctx, &PutBucketTaggingInput{Bucket: "bkt", TagSet: []Tag{{"", "v"}}})
		}},
		{"51 bucket tags", func(c *Client) error {
			return c.PutBucketTagging(ctx, &PutBucketTaggingInput{Bucket: "bkt", TagSet: many})
		}},
		{"repeated tag key", func(c *Client) error {
			return c.PutBucketTagging(ctx, &PutBucketTaggingInput{Bucket: "bkt", TagSet: []Tag{{"a", "1"}, {"a", "2"}}})
		}},
		{"versioning status", func(c *Client) error {
			return c.PutBucketVersioning(ctx, &PutBucketVersioningInput{Bucket: "bkt", Configuration: VersioningConfiguration{Status: "On"}})
		}},
		{"CORS rule without origin", func(c *Client) error {
			return c.PutBucketCors(ctx, &PutBucketCorsInput{Bucket: "bkt", Configuration: CORSConfiguration{Rules: []CORSRule{{AllowedMethods: []string{"GET"}}}}})
		}},
		{"CORS method", func(c *Client) error {
			return c.PutBucketCors(ctx, &PutBucketCorsInput{Bucket: "bkt", Configuration: CORSConfiguration{Rules: []CORSRule{{AllowedMethods: []string{"PATCH"}, AllowedOrigins: []string{"*"}}}}})
		}},
		{"encryption algorithm", func(c *Client) error {
			return c.PutBucketEncryption(ctx, &PutBucketEncryptionInput{Bucket: "bkt", Configuration: ServerSideEncryptionConfiguration{
				Rules: []ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &ServerSideEncryptionByDefault{SSEAlgorithm: "DES"}}}}})
		}},
		{"website without index", func(c *Client) error {
			return c.PutBucketWebsite(ctx, &PutBucketWebsiteInput{Bucket: "bkt", Configuration: WebsiteConfiguration{ErrorDocument: &ErrorDocument{Key: "e"}}})
		}},
		{"ownership value", func(c *Client) error {
			return c.PutBucketOwnershipControls(ctx, &PutBucketOwnershipControlsInput{Bucket: "bkt", Configuration: OwnershipControls{Rules: []OwnershipControlsRule{{ObjectOwnership: "Me"}}}})
		}},
		{"replication without role", func(c *Client) error {
			return c.PutBucketReplication(ctx, &PutBucketReplicationInput{Bucket: "bkt", Configuration: ReplicationConfiguration{
				Rules: []ReplicationRule{{Status: "Enabled", Destination: Destination{Bucket: "arn:aws:s3:::d"}}}}})
		}},
		{"notification without event", func(c *Client) error {
			return c.PutBucketNotificationConfiguration(ctx, &PutBucketNotificationConfigurationInput{Bucket: "bkt", Configuration: NotificationConfiguration{
				TopicConfigurations: []TopicConfiguration{{TopicArn: "arn:aws:sns:us-east-1:1:t"}}}})
		}},
		{"ACL canned and grants", func(c *Client) error {
			return c.PutBucketAcl(ctx, &PutBucketAclInput{Bucket: "bkt", ACLGrants: ACLGrants{ACL: "private", GrantRead: `id="a"`}})
		}},
		{"ACL unknown canned", func(c *Client) error {
			return c.PutObjectAcl(ctx, &PutObjectAclInput{Bucket: "bkt", Key: "k", ACLGrants: ACLGrants{ACL: "secret"}})
		}},
		{"ACL grant permission", func(c *Client) error {
			return c.PutObjectAcl(ctx, &PutObjectAclInput{Bucket: "bkt", Key: "k", ACLGrants: ACLGrants{AccessControlPolicy: &AccessControlPolicy{
				Grants: []Grant{{Grantee: Grantee{ID: "a"}, Permission: "ALL"}}}}})
		}},
		{"accelerate status", func(c *Client) error {
			return c.PutBucketAccelerateConfiguration(ctx, &PutBucketAccelerateConfigurationInput{Bucket: "bkt", Configuration: AccelerateConfiguration{Status: "On"}})
		}},
		{"request payer", func(c *Client) error {
			return c.PutBucketRequestPayment(ctx, &PutBucketRequestPaymentInput{Bucket: "bkt", Configuration: RequestPaymentConfiguration{Payer: "Me"}})
		}},
		{"attributes none", func(c *Client) error {
			_, err := c.GetObjectAttributes(ctx, &GetObjectAttributesInput{Bucket: "bkt", Key: "k"})
			return err
		}},
		{"restore tier", func(c *Client) error {
			_, err := c.RestoreObject(ctx, &RestoreObjectInput{Bucket: "bkt", Key: "k", RestoreRequest: RestoreRequest{GlacierJobParameters: &GlacierJobParameters{Tier: "Fast"}}})
			return err
		}},
		{"bad bucket name", func(c *Client) error {
			_, err := c.GetBucketVersioning(ctx, &BucketInput{Bucket: "arn:aws:s3:us-east-1:123456789012:accesspoint/"})
			return err
		}},
		{"nil input", func(c *Client) error { _, err := c.GetBucketCors(ctx, nil); return err }},
		{"extra header set by the client", func(c *Client) error {
			_, err := c.GetBucketCors(ctx, &BucketInput{Bucket: "bkt", Common: Common{ExtraHeader: http.Header{"X-Amz-Date": {"x"}}}})
			return err
		}},
		{"extra header the operation sets", func(c *Client) error {
			_, err := c.GetBucketCors(ctx, &BucketInput{Bucket: "bkt", Common: Common{ExpectedBucketOwner: "1", ExtraHeader: http.Header{"x-amz-expected-bucket-owner": {"2"}}}})
			return err
		}},
		{"extra query the operation sets", func(c *Client) error {
			_, err := c.GetBucketCors(ctx, &BucketInput{Bucket: "bkt", Common: Common{ExtraQuery: map[string][]string{"cors": {"x"}}}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {})
			err := tt.call(newClient(t, f.URL, func(cfg *Config) { cfg.Now = func() time.Time { return now } }))
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("error %v, want ErrInvalidInput", err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %T is not an *Error", err)
			}
			if f.count() != 0 {
				t.Errorf("%d requests sent", f.count())
			}
		})
	}
}

// theRequest checks that f received one request, with that method, escaped
// path and raw query, and returns it.
func theRequest(t *testing.T, f *fake, method, path, query string) *http.Request {
	t.Helper()
	if f.count() != 1 {
		t.Fatalf("%d requests", f.count())
	}
	r := f.rec.all()[0]
	if r.Method != method || r.URL.EscapedPath() != path || r.URL.RawQuery != query {
		t.Errorf("request %s %s?%s, want %s %s?%s", r.Method, r.URL.EscapedPath(), r.URL.RawQuery, method, path, query)
	}
	return r
}
