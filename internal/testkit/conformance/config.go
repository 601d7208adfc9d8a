package conformance

// The bucket and object configuration operations and the door: each case
// writes a configuration, reads it back and removes it, on the servers
// that implement it (Capabilities.Lacks switches off, by operation name
// and with the reason, what a server does not).

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/s3kit/s3kit/s3client"
)

func init() {
	register("Config/Versioning", testConfigVersioning)
	register("Config/BucketTagging", testConfigBucketTagging)
	register("Config/ObjectTagging", testConfigObjectTagging)
	register("Config/CORS", testConfigCORS)
	register("Config/Policy", testConfigPolicy)
	register("Config/Website", testConfigWebsite)
	register("Config/Lifecycle", testConfigLifecycle)
	register("Config/Encryption", testConfigEncryption)
	register("Config/OwnershipControls", testConfigOwnership)
	register("Config/PublicAccessBlock", testConfigPublicAccessBlock)
	register("Config/BucketACL", testConfigBucketACL)
	register("Config/ObjectACL", testConfigObjectACL)
	register("Config/ObjectLock", testConfigObjectLock)
	register("Config/ObjectAttributes", testConfigObjectAttributes)
	register("Config/ListObjectsV1", testConfigListObjectsV1)
	register("Config/Door", testConfigDoor)
}

// needOps skips the case unless the server implements every operation.
func (e *env) needOps(ops ...string) {
	e.t.Helper()
	if e.tg.Caps.Lacks == nil {
		e.t.Skipf("%s: configuration operations not measured on this server", e.tg.Name)
	}
	for _, op := range ops {
		if why, ok := e.tg.Caps.Lacks[op]; ok {
			e.t.Skipf("%s lacks %s: %s", e.tg.Name, op, why)
		}
	}
}

func (e *env) check(op string, err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("%s: %v", op, err)
	}
}

func (e *env) bucketIn() *s3client.BucketInput { return &s3client.BucketInput{Bucket: e.bucket} }

func testConfigVersioning(e *env) {
	e.needOps("PutBucketVersioning", "GetBucketVersioning")
	c := e.client(nil)
	for _, status := range []string{"Enabled", "Suspended"} {
		e.check("PutBucketVersioning", c.PutBucketVersioning(e.ctx, &s3client.PutBucketVersioningInput{Bucket: e.bucket,
			Configuration: s3client.VersioningConfiguration{Status: status}}))
		v, err := c.GetBucketVersioning(e.ctx, e.bucketIn())
		e.check("GetBucketVersioning", err)
		if v.Status != status {
			e.t.Errorf("versioning %q, want %q", v.Status, status)
		}
	}
}

func testConfigBucketTagging(e *env) {
	e.needOps("PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging")
	c := e.client(nil)
	tags := []s3client.Tag{{Key: "project", Value: "s3kit"}, {Key: "with space", Value: "v=1+2"}}
	e.check("PutBucketTagging", c.PutBucketTagging(e.ctx, &s3client.PutBucketTaggingInput{Bucket: e.bucket, TagSet: tags}))
	got, err := c.GetBucketTagging(e.ctx, e.bucketIn())
	e.check("GetBucketTagging", err)
	if !sameTags(got.TagSet, tags) {
		e.t.Errorf("tags %v, want %v", got.TagSet, tags)
	}
	e.check("DeleteBucketTagging", c.DeleteBucketTagging(e.ctx, e.bucketIn()))
	if got, err := c.GetBucketTagging(e.ctx, e.bucketIn()); err == nil && len(got.TagSet) != 0 {
		e.t.Errorf("tags after delete: %v", got.TagSet)
	}
}

func sameTags(a, b []s3client.Tag) bool {
	m := map[s3client.Tag]bool{}
	for _, t := range a {
		m[t] = true
	}
	for _, t := range b {
		if !m[t] {
			return false
		}
	}
	return len(a) == len(b)
}

func testConfigObjectTagging(e *env) {
	e.needOps("DeleteObjectTagging")
	c := e.client(nil)
	key := "config/tagged"
	_, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: strings.NewReader("x"),
		ObjectProperties: s3client.ObjectProperties{Tagging: "a=1&b=2"}})
	e.check("PutObject", err)
	_, err = c.DeleteObjectTagging(e.ctx, &s3client.ObjectVersionInput{Bucket: e.bucket, Key: key})
	e.check("DeleteObjectTagging", err)
	got, err := c.GetObjectTagging(e.ctx, &s3client.GetObjectTaggingInput{Bucket: e.bucket, Key: key})
	e.check("GetObjectTagging", err)
	if len(got.TagSet) != 0 {
		e.t.Errorf("tags after DeleteObjectTagging: %v", got.TagSet)
	}
}

func testConfigCORS(e *env) {
	e.needOps("PutBucketCors", "GetBucketCors", "DeleteBucketCors")
	c := e.client(nil)
	cfg := s3client.CORSConfiguration{Rules: []s3client.CORSRule{{AllowedOrigins: []string{"https://example.com"},
		AllowedMethods: []string{"GET", "PUT"}, AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: 3000}}}
	e.check("PutBucketCors", c.PutBucketCors(e.ctx, &s3client.PutBucketCorsInput{Bucket: e.bucket, Configuration: cfg}))
	got, err := c.GetBucketCors(e.ctx, e.bucketIn())
	e.check("GetBucketCors", err)
	if !reflect.DeepEqual(*got, cfg) {
		e.t.Errorf("CORS %+v, want %+v", *got, cfg)
	}
	e.check("DeleteBucketCors", c.DeleteBucketCors(e.ctx, e.bucketIn()))
	if _, err := c.GetBucketCors(e.ctx, e.bucketIn()); !s3client.IsNotFound(err) {
		e.t.Errorf("GetBucketCors after delete: %v, want not found", err)
	}
}

func testConfigPolicy(e *env) {
	e.needOps("PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "GetBucketPolicyStatus")
	c := e.client(nil)
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["%s"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/*"]}]}`,
		e.tg.AccessKey, e.bucket)
	e.check("PutBucketPolicy", c.PutBucketPolicy(e.ctx, &s3client.PutBucketPolicyInput{Bucket: e.bucket, Policy: json.RawMessage(policy)}))
	got, err := c.GetBucketPolicy(e.ctx, e.bucketIn())
	e.check("GetBucketPolicy", err)
	var a, b any
	if json.Unmarshal(got, &a) != nil || json.Unmarshal([]byte(policy), &b) != nil || !reflect.DeepEqual(a, b) {
		e.t.Errorf("policy %s, want %s", got, policy)
	}
	status, err := c.GetBucketPolicyStatus(e.ctx, e.bucketIn())
	e.check("GetBucketPolicyStatus", err)
	if status.IsPublic {
		e.t.Error("a policy for one account makes the bucket public")
	}
	e.check("DeleteBucketPolicy", c.DeleteBucketPolicy(e.ctx, e.bucketIn()))
	if _, err := c.GetBucketPolicy(e.ctx, e.bucketIn()); !s3client.IsNotFound(err) {
		e.t.Errorf("GetBucketPolicy after delete: %v, want not found", err)
	}
}

func testConfigWebsite(e *env) {
	e.needOps("PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite")
	c := e.client(nil)
	cfg := s3client.WebsiteConfiguration{IndexDocument: &s3client.IndexDocument{Suffix: "index.html"},
		ErrorDocument: &s3client.ErrorDocument{Key: "error.html"},
		RoutingRules: []s3client.RoutingRule{{Condition: &s3client.RoutingCondition{KeyPrefixEquals: "docs/"},
			Redirect: s3client.Redirect{ReplaceKeyPrefixWith: "documents/"}}}}
	e.check("PutBucketWebsite", c.PutBucketWebsite(e.ctx, &s3client.PutBucketWebsiteInput{Bucket: e.bucket, Configuration: cfg}))
	got, err := c.GetBucketWebsite(e.ctx, e.bucketIn())
	e.check("GetBucketWebsite", err)
	if !reflect.DeepEqual(*got, cfg) {
		e.t.Errorf("website %+v, want %+v", *got, cfg)
	}
	e.check("DeleteBucketWebsite", c.DeleteBucketWebsite(e.ctx, e.bucketIn()))
	if _, err := c.GetBucketWebsite(e.ctx, e.bucketIn()); !s3client.IsNotFound(err) {
		e.t.Errorf("GetBucketWebsite after delete: %v, want not found", err)
	}
}

func testConfigLifecycle(e *env) {
	e.needOps("PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration", "DeleteBucketLifecycle")
	c := e.client(nil)
	cfg := s3client.LifecycleConfiguration{Rules: []s3client.LifecycleRule{{ID: "expire-tmp", Status: "Enabled",
		Filter: &s3client.LifecycleFilter{Prefix: "tmp/"}, Expiration: &s3client.LifecycleExpiration{Days: 7},
		AbortIncompleteMultipartUpload: &s3client.AbortIncompleteMultipartUpload{DaysAfterInitiation: 2}}}}
	e.check("PutBucketLifecycleConfiguration", c.PutBucketLifecycleConfiguration(e.ctx,
		&s3client.PutBucketLifecycleConfigurationInput{Bucket: e.bucket, Configuration: cfg}))
	got, err := c.GetBucketLifecycleConfiguration(e.ctx, e.bucketIn())
	e.check("GetBucketLifecycleConfiguration", err)
	if !reflect.DeepEqual(*got, cfg) {
		e.t.Errorf("lifecycle %+v, want %+v", *got, cfg)
	}
	e.check("DeleteBucketLifecycle", c.DeleteBucketLifecycle(e.ctx, e.bucketIn()))
}

func testConfigEncryption(e *env) {
	e.needOps("PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption")
	c := e.client(nil)
	cfg := s3client.ServerSideEncryptionConfiguration{Rules: []s3client.ServerSideEncryptionRule{{
		ApplyServerSideEncryptionByDefault: &s3client.ServerSideEncryptionByDefault{SSEAlgorithm: "AES256"}}}}
	e.check("PutBucketEncryption", c.PutBucketEncryption(e.ctx, &s3client.PutBucketEncryptionInput{Bucket: e.bucket, Configuration: cfg}))
	got, err := c.GetBucketEncryption(e.ctx, e.bucketIn())
	e.check("GetBucketEncryption", err)
	if len(got.Rules) != 1 || got.Rules[0].ApplyServerSideEncryptionByDefault == nil || got.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != "AES256" {
		e.t.Errorf("encryption %+v", got)
	}
	e.check("DeleteBucketEncryption", c.DeleteBucketEncryption(e.ctx, e.bucketIn()))
}

func testConfigOwnership(e *env) {
	e.needOps("PutBucketOwnershipControls", "GetBucketOwnershipControls", "DeleteBucketOwnershipControls")
	c := e.client(nil)
	for _, o := range []string{"BucketOwnerPreferred", "BucketOwnerEnforced"} {
		e.check("PutBucketOwnershipControls", c.PutBucketOwnershipControls(e.ctx, &s3client.PutBucketOwnershipControlsInput{Bucket: e.bucket,
			Configuration: s3client.OwnershipControls{Rules: []s3client.OwnershipControlsRule{{ObjectOwnership: o}}}}))
		got, err := c.GetBucketOwnershipControls(e.ctx, e.bucketIn())
		e.check("GetBucketOwnershipControls", err)
		if len(got.Rules) != 1 || got.Rules[0].ObjectOwnership != o {
			e.t.Errorf("ownership %+v, want %s", got, o)
		}
	}
	e.check("DeleteBucketOwnershipControls", c.DeleteBucketOwnershipControls(e.ctx, e.bucketIn()))
	// Put back S3's default, which the ACL cases need.
	e.check("PutBucketOwnershipControls", c.PutBucketOwnershipControls(e.ctx, &s3client.PutBucketOwnershipControlsInput{Bucket: e.bucket,
		Configuration: s3client.OwnershipControls{Rules: []s3client.OwnershipControlsRule{{ObjectOwnership: "BucketOwnerEnforced"}}}}))
}

func testConfigPublicAccessBlock(e *env) {
	e.needOps("PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock")
	c := e.client(nil)
	cfg := s3client.PublicAccessBlockConfiguration{BlockPublicAcls: true, BlockPublicPolicy: true}
	e.check("PutPublicAccessBlock", c.PutPublicAccessBlock(e.ctx, &s3client.PutPublicAccessBlockInput{Bucket: e.bucket, Configuration: cfg}))
	got, err := c.GetPublicAccessBlock(e.ctx, e.bucketIn())
	e.check("GetPublicAccessBlock", err)
	if *got != cfg {
		e.t.Errorf("public access block %+v, want %+v", *got, cfg)
	}
	e.check("DeletePublicAccessBlock", c.DeletePublicAccessBlock(e.ctx, e.bucketIn()))
}

func testConfigBucketACL(e *env) {
	e.needOps("GetBucketAcl", "PutBucketAcl", "PutBucketOwnershipControls")
	c := e.client(nil)
	// Grants other than the owner's need ACLs enabled.
	e.check("PutBucketOwnershipControls", c.PutBucketOwnershipControls(e.ctx, &s3client.PutBucketOwnershipControlsInput{Bucket: e.bucket,
		Configuration: s3client.OwnershipControls{Rules: []s3client.OwnershipControlsRule{{ObjectOwnership: "BucketOwnerPreferred"}}}}))
	defer func() {
		e.check("PutBucketOwnershipControls", c.PutBucketOwnershipControls(e.ctx, &s3client.PutBucketOwnershipControlsInput{Bucket: e.bucket,
			Configuration: s3client.OwnershipControls{Rules: []s3client.OwnershipControlsRule{{ObjectOwnership: "BucketOwnerEnforced"}}}}))
	}()
	acl, err := c.GetBucketAcl(e.ctx, e.bucketIn())
	e.check("GetBucketAcl", err)
	if acl.Owner == nil || acl.Owner.ID == "" {
		e.t.Fatalf("ACL without owner: %+v", acl)
	}
	e.check("PutBucketAcl", c.PutBucketAcl(e.ctx, &s3client.PutBucketAclInput{Bucket: e.bucket, ACLGrants: s3client.ACLGrants{
		AccessControlPolicy: &s3client.AccessControlPolicy{Owner: acl.Owner, Grants: []s3client.Grant{
			{Grantee: s3client.Grantee{ID: acl.Owner.ID}, Permission: "FULL_CONTROL"}}}}}))
	got, err := c.GetBucketAcl(e.ctx, e.bucketIn())
	e.check("GetBucketAcl", err)
	found := false
	for _, g := range got.Grants {
		found = found || (g.Grantee.ID == acl.Owner.ID && g.Permission == "FULL_CONTROL")
	}
	if !found {
		e.t.Errorf("grants %+v lack the owner's FULL_CONTROL", got.Grants)
	}
	e.check("PutBucketAcl canned", c.PutBucketAcl(e.ctx, &s3client.PutBucketAclInput{Bucket: e.bucket, ACLGrants: s3client.ACLGrants{ACL: "private"}}))
}

func testConfigObjectACL(e *env) {
	e.needOps("GetObjectAcl", "PutObjectAcl")
	c := e.client(nil)
	key := "config/acl"
	_, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: strings.NewReader("x")})
	e.check("PutObject", err)
	acl, err := c.GetObjectAcl(e.ctx, &s3client.ObjectVersionInput{Bucket: e.bucket, Key: key})
	e.check("GetObjectAcl", err)
	if len(acl.Grants) == 0 {
		e.t.Errorf("object ACL without grants: %+v", acl)
	}
	e.check("PutObjectAcl", c.PutObjectAcl(e.ctx, &s3client.PutObjectAclInput{Bucket: e.bucket, Key: key, ACLGrants: s3client.ACLGrants{ACL: "private"}}))
}

func testConfigObjectLock(e *env) {
	e.needOps("PutObjectLockConfiguration", "GetObjectLockConfiguration", "PutObjectRetention", "GetObjectRetention",
		"PutObjectLegalHold", "GetObjectLegalHold")
	c := e.client(nil)
	bucket := e.bucket + "-lock"
	if e.tg.NewBucket != nil {
		e.t.Skipf("%s: buckets are made by a side channel, without Object Lock", e.tg.Name)
	}
	_, err := c.CreateBucket(e.ctx, &s3client.CreateBucketInput{Bucket: bucket, ObjectLockEnabledForBucket: true})
	e.check("CreateBucket", err)
	b := &s3client.BucketInput{Bucket: bucket}
	lock := s3client.ObjectLockConfiguration{ObjectLockEnabled: "Enabled", Rule: &s3client.ObjectLockRule{
		DefaultRetention: &s3client.DefaultRetention{Mode: "GOVERNANCE", Days: 1}}}
	e.check("PutObjectLockConfiguration", c.PutObjectLockConfiguration(e.ctx, &s3client.PutObjectLockConfigurationInput{Bucket: bucket, Configuration: lock}))
	got, err := c.GetObjectLockConfiguration(e.ctx, b)
	e.check("GetObjectLockConfiguration", err)
	if !reflect.DeepEqual(*got, lock) {
		e.t.Errorf("object lock %+v, want %+v", *got, lock)
	}
	key := "locked"
	// Uploads to an Object Lock bucket must carry an integrity check.
	sum := md5.Sum([]byte("keep"))
	put, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: bucket, Key: key, Body: strings.NewReader("keep"),
		ContentMD5: base64.StdEncoding.EncodeToString(sum[:])})
	e.check("PutObject", err)
	obj := &s3client.ObjectVersionInput{Bucket: bucket, Key: key, VersionID: put.VersionID}
	until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	_, err = c.PutObjectRetention(e.ctx, &s3client.PutObjectRetentionInput{Bucket: bucket, Key: key, VersionID: put.VersionID,
		Retention: s3client.ObjectLockRetention{Mode: "GOVERNANCE", RetainUntilDate: until}})
	e.check("PutObjectRetention", err)
	r, err := c.GetObjectRetention(e.ctx, obj)
	e.check("GetObjectRetention", err)
	if r.Mode != "GOVERNANCE" || !r.RetainUntilDate.Equal(until) {
		e.t.Errorf("retention %+v, want GOVERNANCE until %v", r, until)
	}
	for _, status := range []string{"ON", "OFF"} {
		e.check("PutObjectLegalHold", c.PutObjectLegalHold(e.ctx, &s3client.PutObjectLegalHoldInput{Bucket: bucket, Key: key, VersionID: put.VersionID,
			LegalHold: s3client.ObjectLockLegalHold{Status: status}}))
		h, err := c.GetObjectLegalHold(e.ctx, obj)
		e.check("GetObjectLegalHold", err)
		if h.Status != status {
			e.t.Errorf("legal hold %q, want %q", h.Status, status)
		}
	}
	// A locked version is kept, unless the delete bypasses GOVERNANCE.
	if _, err := c.DeleteObject(e.ctx, &s3client.DeleteObjectInput{Bucket: bucket, Key: key, VersionID: put.VersionID}); err == nil {
		e.t.Error("a version under retention was deleted")
	}
	_, err = c.DeleteObject(e.ctx, &s3client.DeleteObjectInput{Bucket: bucket, Key: key, VersionID: put.VersionID, BypassGovernanceRetention: true})
	e.check("DeleteObject with BypassGovernanceRetention", err)
	for v, err := range c.AllObjectVersions(e.ctx, &s3client.ListObjectVersionsInput{Bucket: bucket}) {
		e.check("ListObjectVersions", err)
		_, err = c.DeleteObject(e.ctx, &s3client.DeleteObjectInput{Bucket: bucket, Key: v.Key, VersionID: v.VersionID, BypassGovernanceRetention: true})
		e.check("DeleteObject", err)
	}
	e.check("DeleteBucket", c.DeleteBucket(e.ctx, &s3client.DeleteBucketInput{Bucket: bucket}))
}

func testConfigObjectAttributes(e *env) {
	e.needOps("GetObjectAttributes")
	c := e.client(nil)
	key := "config/attributes"
	put, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: strings.NewReader("attributes"),
		ChecksumAlgorithm: s3client.ChecksumSHA256})
	e.check("PutObject", err)
	got, err := c.GetObjectAttributes(e.ctx, &s3client.GetObjectAttributesInput{Bucket: e.bucket, Key: key,
		Attributes: []string{s3client.AttributeETag, s3client.AttributeObjectSize, s3client.AttributeStorageClass, s3client.AttributeChecksum}})
	e.check("GetObjectAttributes", err)
	if got.ObjectSize != int64(len("attributes")) || strings.Trim(got.ETag, `"`) != strings.Trim(put.ETag, `"`) {
		e.t.Errorf("attributes %+v, put %+v", got, put)
	}
	if e.tg.Caps.StoresChecksums && got.Checksums.SHA256 != put.Checksums.SHA256 {
		e.t.Errorf("checksum %q, put %q", got.Checksums.SHA256, put.Checksums.SHA256)
	}
}

func testConfigListObjectsV1(e *env) {
	e.needOps("ListObjects")
	c := e.client(nil)
	prefix := "config/v1/"
	want := []string{prefix + "a", prefix + "b b", prefix + "c+c"}
	for _, k := range want {
		_, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: k, Body: strings.NewReader(k)})
		e.check("PutObject", err)
	}
	var got []string
	for o, err := range c.AllObjectsV1(e.ctx, &s3client.ListObjectsInput{Bucket: e.bucket, Prefix: prefix, MaxKeys: 2}) {
		e.check("ListObjects", err)
		got = append(got, o.Key)
	}
	if !reflect.DeepEqual(got, want) {
		e.t.Errorf("keys %q, want %q", got, want)
	}
}

// testConfigDoor sends a typed operation through the door by hand, and the
// error of one the server answers with an S3 error.
func testConfigDoor(e *env) {
	e.needOps("GetBucketVersioning")
	c := e.client(nil)
	resp, err := c.Do(e.ctx, &s3client.Request{Operation: "GetBucketVersioning", Method: "GET", Bucket: e.bucket,
		Query: url.Values{"versioning": {""}}})
	e.check("Do", err)
	var v struct {
		Status string `xml:"Status"`
	}
	e.check("DecodeXML", resp.DecodeXML(&v))
	_, err = c.Do(e.ctx, &s3client.Request{Method: "GET", Bucket: e.bucket, Key: "config/door/missing"})
	if !s3client.IsNotFound(err) {
		e.t.Errorf("GET of a missing key through the door: %v", err)
	}
	var se *s3client.Error
	if !errors.As(err, &se) || se.Code != "NoSuchKey" {
		e.t.Errorf("error %v, want NoSuchKey", err)
	}
}
