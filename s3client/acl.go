package s3client

// Access control lists of buckets and objects: GetBucketAcl, PutBucketAcl,
// GetObjectAcl and PutObjectAcl, with grants by canonical ID, group URI or
// e-mail address, and canned ACLs; and the ACL document's wire form.

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// AccessControlPolicy is an ACL: an owner and its grants (at most 100).
type AccessControlPolicy struct {
	Owner  *Owner
	Grants []Grant
}

// Grant gives a Permission to a Grantee.
type Grant struct {
	Grantee    Grantee
	Permission string // FULL_CONTROL, WRITE, WRITE_ACP, READ or READ_ACP
}

// Grantee is who a grant is for: an account by canonical ID or e-mail
// address, or a group by URI. Type is CanonicalUser, AmazonCustomerByEmail
// or Group; when empty it follows from the field that is set.
type Grantee struct {
	Type         string
	ID           string
	DisplayName  string
	EmailAddress string
	URI          string // "http://acs.amazonaws.com/groups/global/AllUsers"...
}

// kind returns the grantee's type, given or implied.
func (g *Grantee) kind() string {
	switch {
	case g.Type != "":
		return g.Type
	case g.ID != "":
		return "CanonicalUser"
	case g.EmailAddress != "":
		return "AmazonCustomerByEmail"
	case g.URI != "":
		return "Group"
	}
	return ""
}

// GrantHeader returns grantees in the form of the x-amz-grant-* headers
// (ACLGrants' Grant* fields): `id="…", uri="…", emailAddress="…"`.
func GrantHeader(grantees ...Grantee) string {
	parts := make([]string, 0, len(grantees))
	for _, g := range grantees {
		switch g.kind() {
		case "CanonicalUser":
			parts = append(parts, `id="`+g.ID+`"`)
		case "AmazonCustomerByEmail":
			parts = append(parts, `emailAddress="`+g.EmailAddress+`"`)
		case "Group":
			parts = append(parts, `uri="`+g.URI+`"`)
		}
	}
	return strings.Join(parts, ", ")
}

// ACLGrants is how PutBucketAcl and PutObjectAcl set an ACL: a canned ACL,
// grant headers, or a whole AccessControlPolicy — exactly one of the
// three.
type ACLGrants struct {
	ACL                 string // private, public-read, bucket-owner-full-control...
	AccessControlPolicy *AccessControlPolicy
	// The grant headers take GrantHeader's form.
	GrantFullControl string
	GrantRead        string
	GrantReadACP     string
	GrantWrite       string // buckets only
	GrantWriteACP    string
}

var cannedACLs = []string{"private", "public-read", "public-read-write", "aws-exec-read", "authenticated-read",
	"bucket-owner-read", "bucket-owner-full-control", "log-delivery-write"}

// apply checks the settings and sets their headers; it returns the body
// document, nil when the ACL goes in headers.
func (a *ACLGrants) apply(h http.Header) (*xmlAccessControlPolicy, error) {
	grants := a.GrantFullControl != "" || a.GrantRead != "" || a.GrantReadACP != "" || a.GrantWrite != "" || a.GrantWriteACP != ""
	n := 0
	for _, set := range [...]bool{a.ACL != "", grants, a.AccessControlPolicy != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, errors.New("s3client: give exactly one of ACL, the Grant* headers and AccessControlPolicy")
	}
	for _, v := range [...]string{a.GrantFullControl, a.GrantRead, a.GrantReadACP, a.GrantWrite, a.GrantWriteACP} {
		if strings.ContainsAny(v, "\r\n") {
			return nil, errors.New("s3client: a grant header holds a line break")
		}
	}
	if a.ACL != "" {
		if err := oneOf("ACL", a.ACL, cannedACLs...); err != nil {
			return nil, err
		}
	}
	setIf(h, "X-Amz-Acl", a.ACL)
	setIf(h, "X-Amz-Grant-Full-Control", a.GrantFullControl)
	setIf(h, "X-Amz-Grant-Read", a.GrantRead)
	setIf(h, "X-Amz-Grant-Read-Acp", a.GrantReadACP)
	setIf(h, "X-Amz-Grant-Write", a.GrantWrite)
	setIf(h, "X-Amz-Grant-Write-Acp", a.GrantWriteACP)
	if a.AccessControlPolicy == nil {
		return nil, nil
	}
	return xmlACLOf(a.AccessControlPolicy)
}

// xmlAccessControlPolicy is the wire form of an ACL sent; a Grantee
// carries its type as an xsi:type attribute.
type xmlAccessControlPolicy struct {
	Owner  *xmlACLOwner `xml:"Owner,omitempty"`
	Grants []xmlGrant   `xml:"AccessControlList>Grant"`
}

type xmlACLOwner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

type xmlGrant struct {
	Grantee    xmlGrantee `xml:"Grantee"`
	Permission string     `xml:"Permission"`
}

type xmlGrantee struct {
	XMLNSXsi     string `xml:"xmlns:xsi,attr"`
	Type         string `xml:"xsi:type,attr"`
	ID           string `xml:"ID,omitempty"`
	DisplayName  string `xml:"DisplayName,omitempty"`
	EmailAddress string `xml:"EmailAddress,omitempty"`
	URI          string `xml:"URI,omitempty"`
}

// xmlACLAnswer is an ACL as S3 answers it; the decoder has resolved the
// xsi prefix, so the type is found among the attributes by local name.
type xmlACLAnswer struct {
	Owner  *xmlOwner `xml:"Owner"`
	Grants []struct {
		Grantee struct {
			Attrs        []xml.Attr `xml:",any,attr"`
			ID           string     `xml:"ID"`
			DisplayName  string     `xml:"DisplayName"`
			EmailAddress string     `xml:"EmailAddress"`
			URI          string     `xml:"URI"`
		} `xml:"Grantee"`
		Permission string `xml:"Permission"`
	} `xml:"AccessControlList>Grant"`
}

const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

func xmlACLOf(p *AccessControlPolicy) (*xmlAccessControlPolicy, error) {
	if len(p.Grants) > 100 {
		return nil, fmt.Errorf("s3client: %d grants, at most 100", len(p.Grants))
	}
	x := &xmlAccessControlPolicy{Grants: make([]xmlGrant, len(p.Grants))}
	if p.Owner != nil {
		x.Owner = &xmlACLOwner{ID: p.Owner.ID, DisplayName: p.Owner.DisplayName}
	}
	for i, g := range p.Grants {
		if err := oneOf("Permission", g.Permission, "FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP"); err != nil {
			return nil, err
		}
		t := g.Grantee.kind()
		if err := oneOf("Grantee type", t, "CanonicalUser", "AmazonCustomerByEmail", "Group"); err != nil {
			return nil, err
		}
		x.Grants[i] = xmlGrant{Permission: g.Permission, Grantee: xmlGrantee{XMLNSXsi: xsiNamespace, Type: t,
			ID: g.Grantee.ID, DisplayName: g.Grantee.DisplayName, EmailAddress: g.Grantee.EmailAddress, URI: g.Grantee.URI}}
	}
	return x, nil
}

func (x *xmlACLAnswer) policy() *AccessControlPolicy {
	p := &AccessControlPolicy{Owner: x.Owner.owner()}
	for _, g := range x.Grants {
		gr := Grant{Permission: g.Permission, Grantee: Grantee{ID: g.Grantee.ID, DisplayName: g.Grantee.DisplayName,
			EmailAddress: g.Grantee.EmailAddress, URI: g.Grantee.URI}}
		for _, a := range g.Grantee.Attrs {
			if a.Name.Local == "type" {
				gr.Grantee.Type = a.Value
			}
		}
		p.Grants = append(p.Grants, gr)
	}
	return p
}

var (
	bucketACLDoc = subresource{"PutBucketAcl", "acl", "AccessControlPolicy"}
	getBucketACL = subresource{"GetBucketAcl", "acl", "AccessControlPolicy"}
	objectACLDoc = subresource{"PutObjectAcl", "acl", "AccessControlPolicy"}
	getObjectACL = subresource{"GetObjectAcl", "acl", "AccessControlPolicy"}
)

// PutBucketAclInput is the input of PutBucketAcl.
type PutBucketAclInput struct {
	Bucket string
	ACLGrants
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

// PutObjectAclInput is the input of PutObjectAcl.
type PutObjectAclInput struct {
	Bucket, Key string
	VersionID   string
	ACLGrants
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

// putACL sends an ACL: the document, or an empty body with the headers.
func (c *Client) putACL(ctx context.Context, s subresource, p docPut, a *ACLGrants) (http.Header, error) {
	h := http.Header{}
	doc, err := a.apply(h)
	if err != nil {
		return nil, inputError(s.op, p.bucket, p.key, err)
	}
	if p.key != "" {
		if err := checkObject(s.op, p.bucket, p.key); err != nil {
			return nil, err
		}
	}
	r, err := s.request(http.MethodPut, p.bucket, p.key, p.versionID, p.common)
	if err != nil {
		return nil, err
	}
	for k, v := range h {
		r.header[k] = v
	}
	if doc != nil {
		return c.put(ctx, s, r, doc, p.alg)
	}
	if err := c.withBody(r, nil, p.alg); err != nil {
		return nil, err
	}
	return c.send(ctx, r)
}

// PutBucketAcl sets a bucket's ACL.
func (c *Client) PutBucketAcl(ctx context.Context, in *PutBucketAclInput) error {
	if in == nil {
		return nilInput(bucketACLDoc.op)
	}
	_, err := c.putACL(ctx, bucketACLDoc, docPut{bucket: in.Bucket, common: &in.Common, alg: in.ChecksumAlgorithm}, &in.ACLGrants)
	return err
}

// PutObjectAcl sets an object version's ACL.
func (c *Client) PutObjectAcl(ctx context.Context, in *PutObjectAclInput) error {
	if in == nil {
		return nilInput(objectACLDoc.op)
	}
	if in.Key == "" {
		return checkObject(objectACLDoc.op, in.Bucket, in.Key)
	}
	if in.GrantWrite != "" {
		return inputError(objectACLDoc.op, in.Bucket, in.Key, errors.New("s3client: GrantWrite is for buckets only"))
	}
	_, err := c.putACL(ctx, objectACLDoc, docPut{bucket: in.Bucket, key: in.Key, versionID: in.VersionID, common: &in.Common, alg: in.ChecksumAlgorithm}, &in.ACLGrants)
	return err
}

// GetBucketAcl returns a bucket's ACL.
func (c *Client) GetBucketAcl(ctx context.Context, in *BucketInput) (*AccessControlPolicy, error) {
	x, err := getBucketDoc[xmlACLAnswer](ctx, c, getBucketACL, in)
	if err != nil {
		return nil, err
	}
	return x.policy(), nil
}

// GetObjectAcl returns an object version's ACL.
func (c *Client) GetObjectAcl(ctx context.Context, in *ObjectVersionInput) (*AccessControlPolicy, error) {
	x, _, err := getObjectDoc[xmlACLAnswer](ctx, c, getObjectACL, in)
	if err != nil {
		return nil, err
	}
	return x.policy(), nil
}
