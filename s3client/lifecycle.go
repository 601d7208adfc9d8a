package s3client

// Lifecycle configuration: PutBucketLifecycleConfiguration,
// GetBucketLifecycleConfiguration and DeleteBucketLifecycle, with the
// rules' wire form (S3's element names).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// LifecycleConfiguration is a bucket's lifecycle: up to 1000 rules.
type LifecycleConfiguration struct {
	Rules []LifecycleRule `xml:"Rule"`
}

// LifecycleRule is one rule: which objects (Filter) and what happens to
// them (at least one action: Expiration, Transitions,
// NoncurrentVersionTransitions, NoncurrentVersionExpiration,
// AbortIncompleteMultipartUpload).
type LifecycleRule struct {
	ID     string `xml:"ID,omitempty"`
	Status string `xml:"Status"` // Enabled or Disabled
	// Filter selects the objects; nil or empty means all. Prefix is the
	// older form of a prefix filter, read from rules written with it.
	Filter                         *LifecycleFilter                `xml:"Filter,omitempty"`
	Prefix                         string                          `xml:"Prefix,omitempty"`
	Expiration                     *LifecycleExpiration            `xml:"Expiration,omitempty"`
	Transitions                    []Transition                    `xml:"Transition"`
	NoncurrentVersionTransitions   []NoncurrentVersionTransition   `xml:"NoncurrentVersionTransition"`
	NoncurrentVersionExpiration    *NoncurrentVersionExpiration    `xml:"NoncurrentVersionExpiration,omitempty"`
	AbortIncompleteMultipartUpload *AbortIncompleteMultipartUpload `xml:"AbortIncompleteMultipartUpload,omitempty"`
}

// LifecycleFilter selects objects by one condition: a prefix, a tag, a
// size bound, or And for several.
type LifecycleFilter struct {
	Prefix                string                    `xml:"Prefix,omitempty"`
	Tag                   *Tag                      `xml:"Tag,omitempty"`
	ObjectSizeGreaterThan int64                     `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    int64                     `xml:"ObjectSizeLessThan,omitempty"`
	And                   *LifecycleRuleAndOperator `xml:"And,omitempty"`
}

// LifecycleRuleAndOperator selects the objects that meet every condition.
type LifecycleRuleAndOperator struct {
	Prefix                string `xml:"Prefix,omitempty"`
	Tags                  []Tag  `xml:"Tag"`
	ObjectSizeGreaterThan int64  `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    int64  `xml:"ObjectSizeLessThan,omitempty"`
}

// LifecycleExpiration expires current versions on a date (midnight UTC),
// after a number of days, or removes expired delete markers: one of the
// three.
type LifecycleExpiration struct {
	Date                      *time.Time `xml:"Date,omitempty"`
	Days                      int        `xml:"Days,omitempty"`
	ExpiredObjectDeleteMarker bool       `xml:"ExpiredObjectDeleteMarker,omitempty"`
}

// Transition moves current versions to StorageClass on a date or after a
// number of days.
type Transition struct {
	Date         *time.Time `xml:"Date,omitempty"`
	Days         int        `xml:"Days,omitempty"`
	StorageClass string     `xml:"StorageClass"`
}

// NoncurrentVersionTransition moves noncurrent versions to StorageClass.
type NoncurrentVersionTransition struct {
	NoncurrentDays          int    `xml:"NoncurrentDays"`
	StorageClass            string `xml:"StorageClass"`
	NewerNoncurrentVersions int    `xml:"NewerNoncurrentVersions,omitempty"`
}

// NoncurrentVersionExpiration deletes noncurrent versions.
type NoncurrentVersionExpiration struct {
	NoncurrentDays          int `xml:"NoncurrentDays"`
	NewerNoncurrentVersions int `xml:"NewerNoncurrentVersions,omitempty"`
}

// AbortIncompleteMultipartUpload aborts uploads left unfinished.
type AbortIncompleteMultipartUpload struct {
	DaysAfterInitiation int `xml:"DaysAfterInitiation"`
}

// maxLifecycleRules is how many rules a configuration may hold.
const maxLifecycleRules = 1000

// check validates what S3 would refuse after the request.
func (l *LifecycleConfiguration) check() error {
	if len(l.Rules) == 0 || len(l.Rules) > maxLifecycleRules {
		return fmt.Errorf("s3client: %d lifecycle rules: want 1 to %d", len(l.Rules), maxLifecycleRules)
	}
	for i := range l.Rules {
		if err := l.Rules[i].check(); err != nil {
			return fmt.Errorf("s3client: lifecycle rule %d (%q): %w", i, l.Rules[i].ID, err)
		}
	}
	return nil
}

func (r *LifecycleRule) check() error {
	if err := oneOf("Status", r.Status, "Enabled", "Disabled"); err != nil {
		return err
	}
	if len(r.ID) > 255 {
		return errors.New("ID over 255 characters")
	}
	if r.Expiration == nil && len(r.Transitions) == 0 && len(r.NoncurrentVersionTransitions) == 0 &&
		r.NoncurrentVersionExpiration == nil && r.AbortIncompleteMultipartUpload == nil {
		return errors.New("a rule with no action")
	}
	if r.Filter != nil && r.Prefix != "" {
		return errors.New("both Filter and Prefix")
	}
	if f := r.Filter; f != nil {
		n := 0
		for _, set := range [...]bool{f.Prefix != "", f.Tag != nil, f.ObjectSizeGreaterThan != 0, f.ObjectSizeLessThan != 0, f.And != nil} {
			if set {
				n++
			}
		}
		if n > 1 {
			return errors.New("a filter with several conditions: put them in And")
		}
		if f.Tag != nil {
			if err := checkTags([]Tag{*f.Tag}, 1); err != nil {
				return err
			}
		}
		if f.And != nil {
			if err := checkTags(f.And.Tags, MaxObjectTags); err != nil {
				return err
			}
		}
		if f.ObjectSizeGreaterThan < 0 || f.ObjectSizeLessThan < 0 {
			return errors.New("a negative object size bound")
		}
	}
	if e := r.Expiration; e != nil {
		n := 0
		for _, set := range [...]bool{e.Date != nil, e.Days != 0, e.ExpiredObjectDeleteMarker} {
			if set {
				n++
			}
		}
		if n != 1 {
			return errors.New("an Expiration needs exactly one of Date, Days and ExpiredObjectDeleteMarker")
		}
		if err := checkLifecycleTime(e.Date, e.Days); err != nil {
			return err
		}
	}
	for _, t := range r.Transitions {
		if (t.Date == nil) == (t.Days == 0) || t.StorageClass == "" {
			return errors.New("a Transition needs a StorageClass and one of Date and Days")
		}
		if err := checkLifecycleTime(t.Date, t.Days); err != nil {
			return err
		}
	}
	for _, t := range r.NoncurrentVersionTransitions {
		if t.NoncurrentDays < 0 || t.StorageClass == "" || t.NewerNoncurrentVersions < 0 {
			return errors.New("a NoncurrentVersionTransition needs a StorageClass and days not negative")
		}
	}
	if e := r.NoncurrentVersionExpiration; e != nil && (e.NoncurrentDays <= 0 || e.NewerNoncurrentVersions < 0) {
		return errors.New("a NoncurrentVersionExpiration needs NoncurrentDays above 0")
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil && a.DaysAfterInitiation <= 0 {
		return errors.New("AbortIncompleteMultipartUpload needs DaysAfterInitiation above 0")
	}
	return nil
}

// checkLifecycleTime checks the date (midnight UTC, as S3 requires) or days
// of an action.
func checkLifecycleTime(date *time.Time, days int) error {
	if days < 0 {
		return errors.New("negative Days")
	}
	if date != nil {
		if d := date.UTC(); d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			return fmt.Errorf("date %s is not midnight UTC", d.Format(time.RFC3339))
		}
	}
	return nil
}

// PutBucketLifecycleConfigurationInput is the input of
// PutBucketLifecycleConfiguration.
type PutBucketLifecycleConfigurationInput struct {
	Bucket        string
	Configuration LifecycleConfiguration
	// TransitionDefaultMinimumObjectSize is all_storage_classes_128K or
	// varies_by_storage_class (x-amz-transition-default-minimum-object-size).
	TransitionDefaultMinimumObjectSize string
	ChecksumAlgorithm                  ChecksumAlgorithm
	Common
}

var (
	lifecycleDoc    = subresource{"PutBucketLifecycleConfiguration", "lifecycle", "LifecycleConfiguration"}
	getLifecycle    = subresource{"GetBucketLifecycleConfiguration", "lifecycle", "LifecycleConfiguration"}
	deleteLifecycle = subresource{"DeleteBucketLifecycle", "lifecycle", ""}
)

// PutBucketLifecycleConfiguration replaces a bucket's lifecycle rules. A
// malformed rule (no action, an Expiration with both Date and Days, a date
// not at midnight UTC...) is an error wrapping ErrInvalidInput.
func (c *Client) PutBucketLifecycleConfiguration(ctx context.Context, in *PutBucketLifecycleConfigurationInput) error {
	if in == nil {
		return nilInput(lifecycleDoc.op)
	}
	// S3 wants a Filter or a Prefix in every rule: a rule with neither
	// goes with an empty Filter, which selects every object.
	doc := LifecycleConfiguration{Rules: append([]LifecycleRule(nil), in.Configuration.Rules...)}
	for i := range doc.Rules {
		if doc.Rules[i].Filter == nil && doc.Rules[i].Prefix == "" {
			doc.Rules[i].Filter = &LifecycleFilter{}
		}
	}
	return c.putBucketDoc(ctx, lifecycleDoc, in.Bucket, &in.Common, &doc, in.ChecksumAlgorithm, in.Configuration.check,
		func(h http.Header) {
			setIf(h, "X-Amz-Transition-Default-Minimum-Object-Size", in.TransitionDefaultMinimumObjectSize)
		})
}

// GetBucketLifecycleConfiguration returns a bucket's lifecycle rules. A
// bucket without any is an error with Code
// "NoSuchLifecycleConfiguration".
func (c *Client) GetBucketLifecycleConfiguration(ctx context.Context, in *BucketInput) (*LifecycleConfiguration, error) {
	return getBucketDoc[LifecycleConfiguration](ctx, c, getLifecycle, in)
}

// DeleteBucketLifecycle removes every lifecycle rule of a bucket.
func (c *Client) DeleteBucketLifecycle(ctx context.Context, in *BucketInput) error {
	return c.deleteBucketDoc(ctx, deleteLifecycle, in)
}
