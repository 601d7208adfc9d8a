package s3client

// Tag validation (tags.go): S3's rules for keys, values, characters and
// counts, checked on every path a tag set or x-amz-tagging takes, with
// nothing sent when they are broken.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// tagSet returns n distinct tags.
func tagSet(n int) []Tag {
	tags := make([]Tag, n)
	for i := range tags {
		tags[i] = Tag{Key: fmt.Sprintf("k%d", i), Value: "v"}
	}
	return tags
}

// astral is a letter outside the Basic Multilingual Plane (MATHEMATICAL
// BOLD CAPITAL A): one character, two UTF-16 code units.
const astral = "\U0001D400"

func TestCheckUserTags(t *testing.T) {
	tests := []struct {
		name string
		tags []Tag
		max  int
		ok   bool
	}{
		{"plain", []Tag{{"project", "s3kit"}}, MaxObjectTags, true},
		{"every allowed symbol", []Tag{{"a+b-c=d.e_f:g/h@i", "+-=._:/@"}}, MaxObjectTags, true},
		{"spaces and digits", []Tag{{"with space 42", "v 1 2"}}, MaxObjectTags, true},
		{"Unicode letters", []Tag{{"日本語-é", "ሴ-ü"}}, MaxObjectTags, true},
		{"no-break space", []Tag{{"a\u00a0b", ""}}, MaxObjectTags, true},
		{"empty value", []Tag{{"k", ""}}, MaxObjectTags, true},
		{"key of 128", []Tag{{strings.Repeat("k", 128), "v"}}, MaxObjectTags, true},
		{"value of 256", []Tag{{"k", strings.Repeat("v", 256)}}, MaxObjectTags, true},
		{"key of 64 astral letters", []Tag{{strings.Repeat(astral, 64), "v"}}, MaxObjectTags, true},
		{"aws inside a key", []Tag{{"my-aws:key", "aws:value"}}, MaxObjectTags, true},
		{"10 object tags", tagSet(10), MaxObjectTags, true},
		{"50 bucket tags", tagSet(50), MaxBucketTags, true},

		{"empty key", []Tag{{"", "v"}}, MaxObjectTags, false},
		{"key of 129", []Tag{{strings.Repeat("k", 129), "v"}}, MaxObjectTags, false},
		{"value of 257", []Tag{{"k", strings.Repeat("v", 257)}}, MaxObjectTags, false},
		// 65 characters, 130 UTF-16 code units.
		{"key of 65 astral letters", []Tag{{strings.Repeat(astral, 65), "v"}}, MaxObjectTags, false},
		{"value of 129 astral letters", []Tag{{"k", strings.Repeat(astral, 129)}}, MaxObjectTags, false},
		{"ampersand", []Tag{{"a&b", "v"}}, MaxObjectTags, false},
		{"asterisk in value", []Tag{{"k", "v*"}}, MaxObjectTags, false},
		{"comma", []Tag{{"k", "a,b"}}, MaxObjectTags, false},
		{"line break", []Tag{{"k", "v\r\nX-Evil: 1"}}, MaxObjectTags, false},
		{"tab", []Tag{{"k\tk", "v"}}, MaxObjectTags, false},
		{"NUL", []Tag{{"k", "v\x00"}}, MaxObjectTags, false},
		{"emoji", []Tag{{"k", "\U0001F600"}}, MaxObjectTags, false},
		{"not UTF-8", []Tag{{"k\xff", "v"}}, MaxObjectTags, false},
		{"aws: prefix", []Tag{{"aws:cloudformation:stack-name", "v"}}, MaxBucketTags, false},
		{"AWS: prefix", []Tag{{"AWS:x", "v"}}, MaxObjectTags, false},
		{"Aws: prefix", []Tag{{"Aws:x", "v"}}, MaxObjectTags, false},
		{"repeated key", []Tag{{"a", "1"}, {"a", "2"}}, MaxObjectTags, false},
		{"11 object tags", tagSet(11), MaxObjectTags, false},
		{"51 bucket tags", tagSet(51), MaxBucketTags, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkUserTags(tt.tags, tt.max)
			if (err == nil) != tt.ok {
				t.Errorf("checkUserTags = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// TestCheckTagsFilter: the tags of lifecycle and replication filters
// follow the character and length rules, but may name an aws: key.
func TestCheckTagsFilter(t *testing.T) {
	if err := checkTags([]Tag{{"aws:x", "v"}}, 1); err != nil {
		t.Errorf("filter tag with aws: key: %v", err)
	}
	if err := checkTags([]Tag{{"k", "a&b"}}, 1); err == nil {
		t.Error("filter tag with & accepted")
	}
}

func TestCheckTagging(t *testing.T) {
	tests := []struct {
		name, tagging string
		ok            bool
	}{
		{"one", "a=1", true},
		{"two", "a=1&b=2", true},
		{"encoded space and slash", "with%20space=a%2Fb", true},
		{"plus", "a=1+2", true},
		{"empty value", "a=", true},
		{"no equals", "a", true},
		{"keys without values", "a&b=", true},
		{"empty pair", "a=1&", true},
		{"only ampersands", "&&&", true},
		{"encoded Unicode", "%E6%97%A5=%C3%A9", true},
		{"EncodeTagging's form", EncodeTagging([]Tag{{"a b", "c:d/e@f"}, {"日本", "+="}}), true},
		{"10 tags", EncodeTagging(tagSet(10)), true},

		{"11 tags", EncodeTagging(tagSet(11)), false},
		{"repeated key", "a=1&a=2", false},
		{"empty key", "=v", false},
		{"only equals", "=", false},
		{"bare percent", "key%", false},
		{"bad escape", "a=%zz", false},
		{"bad escape in key", "%g0=1", false},
		{"encoded ampersand", "a=b%26c", false},
		{"encoded line break", "a=%0D%0AX-Evil:%201", false},
		{"aws: key", "aws:x=1", false},
		{"encoded aws: key", "AWS%3Ax=1", false},
		{"key of 129", strings.Repeat("k", 129) + "=v", false},
		{"not UTF-8", "a=%FF", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkTagging(tt.tagging)
			if (err == nil) != tt.ok {
				t.Errorf("checkTagging(%q) = %v, want ok %v", tt.tagging, err, tt.ok)
			}
		})
	}
}

// TestBadTagsSendNothing: every operation that writes tags refuses the
// ones S3 would, as an *Error wrapping ErrInvalidInput, before sending.
func TestBadTagsSendNothing(t *testing.T) {
	ctx := context.Background()
	src := CopySource{Bucket: "bkt", Key: "src"}
	lifecycle := func(f *LifecycleFilter) *PutBucketLifecycleConfigurationInput {
		return &PutBucketLifecycleConfigurationInput{Bucket: "bkt", Configuration: LifecycleConfiguration{Rules: []LifecycleRule{{
			ID: "r", Status: "Enabled", Filter: f, Expiration: &LifecycleExpiration{Days: 1}}}}}
	}
	tests := []struct {
		name string
		call func(c *Client) error
	}{
		{"PutBucketTagging character", func(c *Client) error {
			return c.PutBucketTagging(ctx, &PutBucketTaggingInput{Bucket: "bkt", TagSet: []Tag{{"k", "a;b"}}})
		}},
		{"PutBucketTagging aws: key", func(c *Client) error {
			return c.PutBucketTagging(ctx, &PutBucketTaggingInput{Bucket: "bkt", TagSet: []Tag{{"aws:x", "v"}}})
		}},
		{"PutBucketTagging key over 128 UTF-16 units", func(c *Client) error {
			return c.PutBucketTagging(ctx, &PutBucketTaggingInput{Bucket: "bkt", TagSet: []Tag{{strings.Repeat(astral, 65), "v"}}})
		}},
		{"PutObject Tagging character", func(c *Client) error {
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"),
				ObjectProperties: ObjectProperties{Tagging: "a=b%2Ac"}})
			return err
		}},
		{"PutObject Tagging with 11 tags", func(c *Client) error {
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"),
				ObjectProperties: ObjectProperties{Tagging: EncodeTagging(tagSet(11))}})
			return err
		}},
		{"PresignPutObject Tagging aws: key", func(c *Client) error {
			_, err := c.PresignPutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", ObjectProperties: ObjectProperties{Tagging: "aws:k=v"}}, time.Minute)
			return err
		}},
		{"CreateMultipartUpload Tagging repeated key", func(c *Client) error {
			_, err := c.CreateMultipartUpload(ctx, &CreateMultipartUploadInput{Bucket: "bkt", Key: "k", ObjectProperties: ObjectProperties{Tagging: "a=1&a=2"}})
			return err
		}},
		{"CopyObject Tagging bad escape", func(c *Client) error {
			_, err := c.CopyObject(ctx, &CopyObjectInput{Bucket: "bkt", Key: "k", CopySource: src, TaggingDirective: "REPLACE",
				ObjectProperties: ObjectProperties{Tagging: "a=%zz"}})
			return err
		}},
		{"PutObjectTagging character", func(c *Client) error {
			_, err := c.PutObjectTagging(ctx, &PutObjectTaggingInput{Bucket: "bkt", Key: "k", TagSet: []Tag{{"a&b", "v"}}})
			return err
		}},
		{"PutObjectTagging 11 tags", func(c *Client) error {
			_, err := c.PutObjectTagging(ctx, &PutObjectTaggingInput{Bucket: "bkt", Key: "k", TagSet: tagSet(11)})
			return err
		}},
		{"PutObjectTagging aws: key", func(c *Client) error {
			_, err := c.PutObjectTagging(ctx, &PutObjectTaggingInput{Bucket: "bkt", Key: "k", TagSet: []Tag{{"aws:k", "v"}}})
			return err
		}},
		{"PutObjectTagging repeated key", func(c *Client) error {
			_, err := c.PutObjectTagging(ctx, &PutObjectTaggingInput{Bucket: "bkt", Key: "k", TagSet: []Tag{{"a", "1"}, {"a", "2"}}})
			return err
		}},
		{"lifecycle filter tag character", func(c *Client) error {
			return c.PutBucketLifecycleConfiguration(ctx, lifecycle(&LifecycleFilter{Tag: &Tag{"k", "v|w"}}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				t.Errorf("request sent: %s %s", r.Method, r.URL)
			})
			err := tt.call(newClient(t, f.URL))
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("err = %v, want ErrInvalidInput", err)
			}
			var e *Error
			if !errors.As(err, &e) || e.Op == "" {
				t.Errorf("error %v is not an *Error naming its operation", err)
			}
			if f.count() != 0 {
				t.Errorf("%d requests sent", f.count())
			}
		})
	}
}

// TestGoodTagsSent: tags within the rules reach the wire as given.
func TestGoodTagsSent(t *testing.T) {
	ctx := context.Background()
	tagging := EncodeTagging([]Tag{{"日本語 key", "a+b=c.d_e:f/g@h"}, {"k2", ""}})
	tests := []struct {
		name   string
		call   func(c *Client) error
		header string // the x-amz-tagging sent, if any
		body   string // a part of the body sent, if any
	}{
		{"PutObject", func(c *Client) error {
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"), ObjectProperties: ObjectProperties{Tagging: tagging}})
			return err
		}, tagging, ""},
		{"CreateMultipartUpload", func(c *Client) error {
			_, err := c.CreateMultipartUpload(ctx, &CreateMultipartUploadInput{Bucket: "bkt", Key: "k", ObjectProperties: ObjectProperties{Tagging: tagging}})
			return err
		}, tagging, ""},
		{"PutBucketTagging", func(c *Client) error {
			return c.PutBucketTagging(ctx, &PutBucketTaggingInput{Bucket: "bkt", TagSet: []Tag{{"é" + strings.Repeat(astral, 63), strings.Repeat("v", 256)}}})
		}, "", "<Key>é" + strings.Repeat(astral, 63) + "</Key>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				if r.Method == http.MethodPost {
					writeXML(w, `<InitiateMultipartUploadResult><Bucket>bkt</Bucket><Key>k</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>`)
				}
			})
			if err := tt.call(newClient(t, f.URL)); err != nil {
				t.Fatal(err)
			}
			if f.count() != 1 {
				t.Fatalf("%d requests, want 1", f.count())
			}
			if got := f.rec.all()[0].Header.Get("X-Amz-Tagging"); got != tt.header {
				t.Errorf("x-amz-tagging %q, want %q", got, tt.header)
			}
			if !strings.Contains(string(f.bodyOf(1)), tt.body) {
				t.Errorf("body %q lacks %q", f.bodyOf(1), tt.body)
			}
		})
	}
}
