package s3client

// XML round trips of the configuration documents: the example bodies of
// the S3 API Reference decode to what they say, and what a Put sends of
// them decodes, read back, to the same value.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// Example bodies of the S3 API Reference (Get* "Sample Response" sections).
const (
	exVersioning = `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Status>Enabled</Status>
  <MfaDelete>Disabled</MfaDelete>
</VersioningConfiguration>`
	exLifecycle = `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Rule>
    <ID>Archive and then delete rule</ID>
    <Filter>
      <Prefix>projectdocs/</Prefix>
    </Filter>
    <Status>Enabled</Status>
    <Transition>
      <Days>30</Days>
      <StorageClass>STANDARD_IA</StorageClass>
    </Transition>
    <Transition>
      <Days>365</Days>
      <StorageClass>GLACIER</StorageClass>
    </Transition>
    <Expiration>
      <Days>3650</Days>
    </Expiration>
  </Rule>
  <Rule>
    <ID>id2</ID>
    <Filter>
      <And>
        <Prefix>logs/</Prefix>
        <Tag><Key>key1</Key><Value>value1</Value></Tag>
        <Tag><Key>key2</Key><Value>value2</Value></Tag>
      </And>
    </Filter>
    <Status>Enabled</Status>
    <NoncurrentVersionExpiration>
      <NoncurrentDays>2</NoncurrentDays>
      <NewerNoncurrentVersions>5</NewerNoncurrentVersions>
    </NoncurrentVersionExpiration>
    <AbortIncompleteMultipartUpload>
      <DaysAfterInitiation>7</DaysAfterInitiation>
    </AbortIncompleteMultipartUpload>
  </Rule>
  <Rule>
    <ID>id3</ID>
    <Filter>
      <ObjectSizeGreaterThan>500</ObjectSizeGreaterThan>
    </Filter>
    <Status>Disabled</Status>
    <Expiration>
      <Date>2030-01-01T00:00:00.000Z</Date>
    </Expiration>
  </Rule>
</LifecycleConfiguration>`
	exCors = `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <CORSRule>
    <AllowedOrigin>http://www.example.com</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
    <ExposeHeader>Etag</ExposeHeader>
    <AllowedHeader>*</AllowedHeader>
  </CORSRule>
</CORSConfiguration>`
	exEncryption = `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Rule>
    <ApplyServerSideEncryptionByDefault>
      <SSEAlgorithm>aws:kms</SSEAlgorithm>
      <KMSMasterKeyID>arn:aws:kms:us-east-1:1234/5678example</KMSMasterKeyID>
    </ApplyServerSideEncryptionByDefault>
  </Rule>
</ServerSideEncryptionConfiguration>`
	exTagging = `<Tagging>
  <TagSet>
    <Tag><Key>Project</Key><Value>Project One</Value></Tag>
    <Tag><Key>User</Key><Value>jsmith</Value></Tag>
  </TagSet>
</Tagging>`
	exObjectLock = `<ObjectLockConfiguration>
  <ObjectLockEnabled>Enabled</ObjectLockEnabled>
  <Rule>
    <DefaultRetention>
      <Mode>COMPLIANCE</Mode>
      <Days>50</Days>
    </DefaultRetention>
  </Rule>
</ObjectLockConfiguration>`
	exRetention = `<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Mode>COMPLIANCE</Mode>
  <RetainUntilDate>2030-01-05T00:00:00.000Z</RetainUntilDate>
</Retention>`
	exLegalHold = `<LegalHold><Status>ON</Status></LegalHold>`
	exACL       = `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner>
    <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
    <DisplayName>mtd@amazon.com</DisplayName>
  </Owner>
  <AccessControlList>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">
        <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
        <DisplayName>mtd@amazon.com</DisplayName>
      </Grantee>
      <Permission>FULL_CONTROL</Permission>
    </Grant>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">
        <URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>
      </Grantee>
      <Permission>READ</Permission>
    </Grant>
  </AccessControlList>
</AccessControlPolicy>`
	exPublicAccessBlock = `<PublicAccessBlockConfiguration>
  <BlockPublicAcls>TRUE</BlockPublicAcls>
  <IgnorePublicAcls>TRUE</IgnorePublicAcls>
  <BlockPublicPolicy>FALSE</BlockPublicPolicy>
  <RestrictPublicBuckets>FALSE</RestrictPublicBuckets>
</PublicAccessBlockConfiguration>`
	exOwnership = `<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule>
</OwnershipControls>`
	exWebsite = `<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <IndexDocument><Suffix>index.html</Suffix></IndexDocument>
  <ErrorDocument><Key>Error.html</Key></ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition>
      <Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect>
    </RoutingRule>
    <RoutingRule>
      <Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>
      <Redirect><HostName>ec2-11-22-333-44.compute-1.amazonaws.com</HostName><HttpRedirectCode>302</HttpRedirectCode><ReplaceKeyWith>report-404</ReplaceKeyWith></Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>`
	exLogging = `<BucketLoggingStatus xmlns="http://doc.s3.amazonaws.com/2006-03-01">
  <LoggingEnabled>
    <TargetBucket>mybucketlogs</TargetBucket>
    <TargetPrefix>mybucket-access_log-/</TargetPrefix>
  </LoggingEnabled>
</BucketLoggingStatus>`
	exNotification = `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <TopicConfiguration>
    <Id>YjVkM2Y0YmUtNGI3NC00ZjQyLWEwNGItNDIyYWUxY2I0N2M4</Id>
    <Topic>arn:aws:sns:us-east-1:account-id:s3notificationtopic2</Topic>
    <Event>s3:ReducedRedundancyLostObject</Event>
  </TopicConfiguration>
  <QueueConfiguration>
    <Id>ObjectCreatedEvents</Id>
    <Queue>arn:aws:sqs:us-east-1:account-id:S3ObjectCreatedEventQueue</Queue>
    <Event>s3:ObjectCreated:*</Event>
  </QueueConfiguration>
  <CloudFunctionConfiguration>
    <Id>ObjectCreatedImages</Id>
    <CloudFunction>arn:aws:lambda:us-west-2:35667example:function:CreateThumbnail</CloudFunction>
    <Event>s3:ObjectCreated:*</Event>
    <Filter><S3Key><FilterRule><Name>prefix</Name><Value>images/</Value></FilterRule></S3Key></Filter>
  </CloudFunctionConfiguration>
</NotificationConfiguration>`
	exReplication = `<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Role>arn:aws:iam::35667example:role/CrossRegionReplicationRoleForS3</Role>
  <Rule>
    <ID>rule1</ID>
    <Status>Enabled</Status>
    <Priority>1</Priority>
    <DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>
    <Filter>
      <And>
        <Prefix>TaxDocs</Prefix>
        <Tag><Key>key1</Key><Value>value1</Value></Tag>
        <Tag><Key>key2</Key><Value>value2</Value></Tag>
      </And>
    </Filter>
    <Destination><Bucket>arn:aws:s3:::exampletargetbucket</Bucket></Destination>
  </Rule>
</ReplicationConfiguration>`
	exAccelerate     = `<AccelerateConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></AccelerateConfiguration>`
	exRequestPayment = `<RequestPaymentConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Payer>Requester</Payer></RequestPaymentConfiguration>`
)

func TestConfigXMLRoundTrip(t *testing.T) {
	ctx := context.Background()
	b := &BucketInput{Bucket: "bkt"}
	o := &ObjectVersionInput{Bucket: "bkt", Key: "k"}
	date := func(y int, m time.Month, d int) *time.Time { t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); return &t }
	tests := []struct {
		name    string
		example string
		want    any
		get     func(*Client) (any, error)
		put     func(*Client, any) error
	}{
		{"Versioning", exVersioning, &VersioningConfiguration{Status: "Enabled", MFADelete: "Disabled"},
			func(c *Client) (any, error) { return c.GetBucketVersioning(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketVersioning(ctx, &PutBucketVersioningInput{Bucket: "bkt", Configuration: *v.(*VersioningConfiguration)})
			}},
		{"Lifecycle", exLifecycle, &LifecycleConfiguration{Rules: []LifecycleRule{
			{ID: "Archive and then delete rule", Status: "Enabled", Filter: &LifecycleFilter{Prefix: "projectdocs/"},
				Transitions: []Transition{{Days: 30, StorageClass: "STANDARD_IA"}, {Days: 365, StorageClass: "GLACIER"}},
				Expiration:  &LifecycleExpiration{Days: 3650}},
			{ID: "id2", Status: "Enabled", Filter: &LifecycleFilter{And: &LifecycleRuleAndOperator{Prefix: "logs/", Tags: []Tag{{"key1", "value1"}, {"key2", "value2"}}}},
				NoncurrentVersionExpiration:    &NoncurrentVersionExpiration{NoncurrentDays: 2, NewerNoncurrentVersions: 5},
				AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{DaysAfterInitiation: 7}},
			{ID: "id3", Status: "Disabled", Filter: &LifecycleFilter{ObjectSizeGreaterThan: 500}, Expiration: &LifecycleExpiration{Date: date(2030, 1, 1)}},
		}},
			func(c *Client) (any, error) { return c.GetBucketLifecycleConfiguration(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketLifecycleConfiguration(ctx, &PutBucketLifecycleConfigurationInput{Bucket: "bkt", Configuration: *v.(*LifecycleConfiguration)})
			}},
		{"CORS", exCors, &CORSConfiguration{Rules: []CORSRule{{AllowedOrigins: []string{"http://www.example.com"}, AllowedMethods: []string{"GET"},
			MaxAgeSeconds: 3000, ExposeHeaders: []string{"Etag"}, AllowedHeaders: []string{"*"}}}},
			func(c *Client) (any, error) { return c.GetBucketCors(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketCors(ctx, &PutBucketCorsInput{Bucket: "bkt", Configuration: *v.(*CORSConfiguration)})
			}},
		{"Encryption", exEncryption, &ServerSideEncryptionConfiguration{Rules: []ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &ServerSideEncryptionByDefault{SSEAlgorithm: "aws:kms", KMSMasterKeyID: "arn:aws:kms:us-east-1:1234/5678example"}}}},
			func(c *Client) (any, error) { return c.GetBucketEncryption(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketEncryption(ctx, &PutBucketEncryptionInput{Bucket: "bkt", Configuration: *v.(*ServerSideEncryptionConfiguration)})
			}},
		{"Tagging", exTagging, &GetBucketTaggingOutput{TagSet: []Tag{{"Project", "Project One"}, {"User", "jsmith"}}},
			func(c *Client) (any, error) { return c.GetBucketTagging(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketTagging(ctx, &PutBucketTaggingInput{Bucket: "bkt", TagSet: v.(*GetBucketTaggingOutput).TagSet})
			}},
		{"ObjectLock", exObjectLock, &ObjectLockConfiguration{ObjectLockEnabled: "Enabled", Rule: &ObjectLockRule{DefaultRetention: &DefaultRetention{Mode: "COMPLIANCE", Days: 50}}},
			func(c *Client) (any, error) { return c.GetObjectLockConfiguration(ctx, b) },
			func(c *Client, v any) error {
				return c.PutObjectLockConfiguration(ctx, &PutObjectLockConfigurationInput{Bucket: "bkt", Configuration: *v.(*ObjectLockConfiguration)})
			}},
		{"Retention", exRetention, &ObjectLockRetention{Mode: "COMPLIANCE", RetainUntilDate: *date(2030, 1, 5)},
			func(c *Client) (any, error) { return c.GetObjectRetention(ctx, o) },
			func(c *Client, v any) error {
				_, err := c.PutObjectRetention(ctx, &PutObjectRetentionInput{Bucket: "bkt", Key: "k", Retention: *v.(*ObjectLockRetention)})
				return err
			}},
		{"LegalHold", exLegalHold, &ObjectLockLegalHold{Status: "ON"},
			func(c *Client) (any, error) { return c.GetObjectLegalHold(ctx, o) },
			func(c *Client, v any) error {
				return c.PutObjectLegalHold(ctx, &PutObjectLegalHoldInput{Bucket: "bkt", Key: "k", LegalHold: *v.(*ObjectLockLegalHold)})
			}},
		{"ACL", exACL, &AccessControlPolicy{
			Owner: &Owner{ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "mtd@amazon.com"},
			Grants: []Grant{
				{Grantee: Grantee{Type: "CanonicalUser", ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "mtd@amazon.com"}, Permission: "FULL_CONTROL"},
				{Grantee: Grantee{Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers"}, Permission: "READ"},
			}},
			func(c *Client) (any, error) { return c.GetObjectAcl(ctx, o) },
			func(c *Client, v any) error {
				return c.PutObjectAcl(ctx, &PutObjectAclInput{Bucket: "bkt", Key: "k", ACLGrants: ACLGrants{AccessControlPolicy: v.(*AccessControlPolicy)}})
			}},
		{"PublicAccessBlock", exPublicAccessBlock, &PublicAccessBlockConfiguration{BlockPublicAcls: true, IgnorePublicAcls: true},
			func(c *Client) (any, error) { return c.GetPublicAccessBlock(ctx, b) },
			func(c *Client, v any) error {
				return c.PutPublicAccessBlock(ctx, &PutPublicAccessBlockInput{Bucket: "bkt", Configuration: *v.(*PublicAccessBlockConfiguration)})
			}},
		{"OwnershipControls", exOwnership, &OwnershipControls{Rules: []OwnershipControlsRule{{ObjectOwnership: "BucketOwnerEnforced"}}},
			func(c *Client) (any, error) { return c.GetBucketOwnershipControls(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketOwnershipControls(ctx, &PutBucketOwnershipControlsInput{Bucket: "bkt", Configuration: *v.(*OwnershipControls)})
			}},
		{"Website", exWebsite, &WebsiteConfiguration{IndexDocument: &IndexDocument{Suffix: "index.html"}, ErrorDocument: &ErrorDocument{Key: "Error.html"},
			RoutingRules: []RoutingRule{
				{Condition: &RoutingCondition{KeyPrefixEquals: "docs/"}, Redirect: Redirect{ReplaceKeyPrefixWith: "documents/"}},
				{Condition: &RoutingCondition{HTTPErrorCodeReturnedEquals: "404"}, Redirect: Redirect{HostName: "ec2-11-22-333-44.compute-1.amazonaws.com",
					HTTPRedirectCode: "302", ReplaceKeyWith: "report-404"}},
			}},
			func(c *Client) (any, error) { return c.GetBucketWebsite(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketWebsite(ctx, &PutBucketWebsiteInput{Bucket: "bkt", Configuration: *v.(*WebsiteConfiguration)})
			}},
		{"Logging", exLogging, &BucketLoggingStatus{LoggingEnabled: &LoggingEnabled{TargetBucket: "mybucketlogs", TargetPrefix: "mybucket-access_log-/"}},
			func(c *Client) (any, error) { return c.GetBucketLogging(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketLogging(ctx, &PutBucketLoggingInput{Bucket: "bkt", Configuration: *v.(*BucketLoggingStatus)})
			}},
		{"Notification", exNotification, &NotificationConfiguration{
			TopicConfigurations: []TopicConfiguration{{ID: "YjVkM2Y0YmUtNGI3NC00ZjQyLWEwNGItNDIyYWUxY2I0N2M4",
				TopicArn: "arn:aws:sns:us-east-1:account-id:s3notificationtopic2", Events: []string{"s3:ReducedRedundancyLostObject"}}},
			QueueConfigurations: []QueueConfiguration{{ID: "ObjectCreatedEvents", QueueArn: "arn:aws:sqs:us-east-1:account-id:S3ObjectCreatedEventQueue",
				Events: []string{"s3:ObjectCreated:*"}}},
			LambdaFunctionConfigurations: []LambdaFunctionConfiguration{{ID: "ObjectCreatedImages",
				LambdaFunctionArn: "arn:aws:lambda:us-west-2:35667example:function:CreateThumbnail", Events: []string{"s3:ObjectCreated:*"},
				Filter: &NotificationFilter{FilterRules: []FilterRule{{Name: "prefix", Value: "images/"}}}}},
		},
			func(c *Client) (any, error) { return c.GetBucketNotificationConfiguration(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketNotificationConfiguration(ctx, &PutBucketNotificationConfigurationInput{Bucket: "bkt", Configuration: *v.(*NotificationConfiguration)})
			}},
		{"Replication", exReplication, &ReplicationConfiguration{Role: "arn:aws:iam::35667example:role/CrossRegionReplicationRoleForS3",
			Rules: []ReplicationRule{{ID: "rule1", Status: "Enabled", Priority: 1, DeleteMarkerReplication: &StatusElement{Status: "Disabled"},
				Filter:      &ReplicationRuleFilter{And: &ReplicationRuleAndOperator{Prefix: "TaxDocs", Tags: []Tag{{"key1", "value1"}, {"key2", "value2"}}}},
				Destination: Destination{Bucket: "arn:aws:s3:::exampletargetbucket"}}}},
			func(c *Client) (any, error) { return c.GetBucketReplication(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketReplication(ctx, &PutBucketReplicationInput{Bucket: "bkt", Configuration: *v.(*ReplicationConfiguration)})
			}},
		{"Accelerate", exAccelerate, &AccelerateConfiguration{Status: "Enabled"},
			func(c *Client) (any, error) { return c.GetBucketAccelerateConfiguration(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketAccelerateConfiguration(ctx, &PutBucketAccelerateConfigurationInput{Bucket: "bkt", Configuration: *v.(*AccelerateConfiguration)})
			}},
		{"RequestPayment", exRequestPayment, &RequestPaymentConfiguration{Payer: "Requester"},
			func(c *Client) (any, error) { return c.GetBucketRequestPayment(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketRequestPayment(ctx, &PutBucketRequestPaymentInput{Bucket: "bkt", Configuration: *v.(*RequestPaymentConfiguration)})
			}},
		{"Policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}]}`,
			json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}]}`),
			func(c *Client) (any, error) { return c.GetBucketPolicy(ctx, b) },
			func(c *Client, v any) error {
				return c.PutBucketPolicy(ctx, &PutBucketPolicyInput{Bucket: "bkt", Policy: v.(json.RawMessage)})
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			doc := tt.example
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body []byte) {
				mu.Lock()
				defer mu.Unlock()
				if r.Method == http.MethodPut {
					doc = string(body)
					return
				}
				if strings.HasPrefix(doc, "{") {
					w.Write([]byte(doc))
					return
				}
				writeXML(w, doc)
			})
			c := newClient(t, f.URL, func(cfg *Config) { cfg.Now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) } })
			got, err := tt.get(c)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("example decodes to\n%#v\nwant\n%#v", got, tt.want)
			}
			if err := tt.put(c, got); err != nil {
				t.Fatal(err)
			}
			again, err := tt.get(c)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, got) {
				t.Errorf("after a round trip\n%#v\nwant\n%#v\nsent %s", again, got, doc)
			}
		})
	}
}

func TestListObjectsV1(t *testing.T) {
	const page1 = `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix/><Marker/><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
  <Contents>
    <Key>my-image.jpg</Key>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
    <Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
    <Owner><ID>8a6925ce4a7f21c32aa379004fef</ID><DisplayName>mtd@amazon.com</DisplayName></Owner>
  </Contents>
  <Contents><Key>my+third%20image.jpg</Key><Size>1</Size></Contents>
</ListBucketResult>`
	const page2 = `<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>z</Key></Contents></ListBucketResult>`
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n == 1 {
			writeXML(w, page1)
			return
		}
		if m := r.URL.Query().Get("marker"); m != "my third image.jpg" {
			t.Errorf("second page's marker %q", m)
		}
		writeXML(w, page2)
	})
	c := newClient(t, f.URL)
	var keys []string
	for o, err := range c.AllObjectsV1(context.Background(), &ListObjectsInput{Bucket: "bkt", MaxKeys: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, o.Key)
		if o.Key == "my-image.jpg" && (o.Size != 434234 || o.Owner == nil || o.Owner.DisplayName != "mtd@amazon.com" || o.ETag != `"fba9dede5f27731c9771645a39863328"`) {
			t.Errorf("object %+v", o)
		}
	}
	if want := []string{"my-image.jpg", "my third image.jpg", "z"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}

	// A server that repeats its page would list for ever: the Pager ends it.
	loop := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) { writeXML(w, page1) })
	c = newClient(t, loop.URL)
	var last error
	for _, err := range c.AllObjectsV1(context.Background(), &ListObjectsInput{Bucket: "bkt"}) {
		last = err
	}
	if !errors.Is(last, ErrPagination) || loop.count() != 2 {
		t.Errorf("error %v after %d pages, want ErrPagination after 2", last, loop.count())
	}
}
