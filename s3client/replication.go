package s3client

// Where a bucket's changes go: replication (PutBucketReplication,
// GetBucketReplication, DeleteBucketReplication) and event notifications
// (PutBucketNotificationConfiguration, GetBucketNotificationConfiguration),
// with their documents' wire form.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// ReplicationConfiguration is a bucket's replication: the IAM role S3
// assumes and up to 1000 rules.
type ReplicationConfiguration struct {
	Role  string            `xml:"Role"`
	Rules []ReplicationRule `xml:"Rule"`
}

// ReplicationRule replicates the objects its Filter selects to Destination.
type ReplicationRule struct {
	ID       string                 `xml:"ID,omitempty"`
	Priority int                    `xml:"Priority,omitempty"`
	Prefix   string                 `xml:"Prefix,omitempty"` // the older form of Filter
	Filter   *ReplicationRuleFilter `xml:"Filter,omitempty"`
	Status   string                 `xml:"Status"` // Enabled or Disabled
	// SourceSelectionCriteria, ExistingObjectReplication and
	// DeleteMarkerReplication hold Enabled or Disabled statuses.
	SourceSelectionCriteria   *SourceSelectionCriteria `xml:"SourceSelectionCriteria,omitempty"`
	ExistingObjectReplication *StatusElement           `xml:"ExistingObjectReplication,omitempty"`
	Destination               Destination              `xml:"Destination"`
	DeleteMarkerReplication   *StatusElement           `xml:"DeleteMarkerReplication,omitempty"`
}

// StatusElement is an element holding only a Status.
type StatusElement struct {
	Status string `xml:"Status"`
}

// ReplicationRuleFilter selects objects by prefix, tag, or And of both.
type ReplicationRuleFilter struct {
	Prefix string                      `xml:"Prefix,omitempty"`
	Tag    *Tag                        `xml:"Tag,omitempty"`
	And    *ReplicationRuleAndOperator `xml:"And,omitempty"`
}

// ReplicationRuleAndOperator selects objects that meet every condition.
type ReplicationRuleAndOperator struct {
	Prefix string `xml:"Prefix,omitempty"`
	Tags   []Tag  `xml:"Tag"`
}

// SourceSelectionCriteria selects SSE-KMS objects and replica changes.
type SourceSelectionCriteria struct {
	SseKmsEncryptedObjects *StatusElement `xml:"SseKmsEncryptedObjects,omitempty"`
	ReplicaModifications   *StatusElement `xml:"ReplicaModifications,omitempty"`
}

// Destination is where replicas go.
type Destination struct {
	Bucket                   string                    `xml:"Bucket"` // ARN of the destination bucket
	Account                  string                    `xml:"Account,omitempty"`
	StorageClass             string                    `xml:"StorageClass,omitempty"`
	AccessControlTranslation *AccessControlTranslation `xml:"AccessControlTranslation,omitempty"`
	EncryptionConfiguration  *ReplicaEncryption        `xml:"EncryptionConfiguration,omitempty"`
	ReplicationTime          *ReplicationTime          `xml:"ReplicationTime,omitempty"`
	Metrics                  *ReplicationMetrics       `xml:"Metrics,omitempty"`
}

// AccessControlTranslation makes the destination account own replicas.
type AccessControlTranslation struct {
	Owner string `xml:"Owner"` // Destination
}

// ReplicaEncryption is the KMS key replicas are encrypted with.
type ReplicaEncryption struct {
	ReplicaKmsKeyID string `xml:"ReplicaKmsKeyID,omitempty"`
}

// ReplicationTime is S3 Replication Time Control.
type ReplicationTime struct {
	Status string        `xml:"Status"`
	Time   MinutesAmount `xml:"Time"`
}

// ReplicationMetrics enables replication metrics.
type ReplicationMetrics struct {
	Status         string         `xml:"Status"`
	EventThreshold *MinutesAmount `xml:"EventThreshold,omitempty"`
}

// MinutesAmount is a duration in minutes.
type MinutesAmount struct {
	Minutes int `xml:"Minutes"`
}

func (rc *ReplicationConfiguration) check() error {
	if rc.Role == "" {
		return errors.New("s3client: a replication configuration needs a Role")
	}
	if len(rc.Rules) == 0 || len(rc.Rules) > 1000 {
		return fmt.Errorf("s3client: %d replication rules: want 1 to 1000", len(rc.Rules))
	}
	for i, r := range rc.Rules {
		if err := oneOf("Status", r.Status, "Enabled", "Disabled"); err != nil {
			return fmt.Errorf("s3client: replication rule %d: %w", i, err)
		}
		if r.Destination.Bucket == "" {
			return fmt.Errorf("s3client: replication rule %d needs a Destination Bucket", i)
		}
		if r.Filter != nil && r.Filter.And != nil {
			if err := checkTags(r.Filter.And.Tags, MaxObjectTags); err != nil {
				return fmt.Errorf("s3client: replication rule %d: %w", i, err)
			}
		}
	}
	return nil
}

// PutBucketReplicationInput is the input of PutBucketReplication.
type PutBucketReplicationInput struct {
	Bucket        string
	Configuration ReplicationConfiguration
	// Token is the Object Lock token of a bucket with Object Lock
	// (x-amz-bucket-object-lock-token).
	Token             string
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

var (
	replicationDoc    = subresource{"PutBucketReplication", "replication", "ReplicationConfiguration"}
	getReplication    = subresource{"GetBucketReplication", "replication", "ReplicationConfiguration"}
	deleteReplication = subresource{"DeleteBucketReplication", "replication", ""}
)

// PutBucketReplication replaces a bucket's replication configuration.
func (c *Client) PutBucketReplication(ctx context.Context, in *PutBucketReplicationInput) error {
	if in == nil {
		return nilInput(replicationDoc.op)
	}
	return c.putBucketDoc(ctx, replicationDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, in.Configuration.check,
		func(h http.Header) { setIf(h, "X-Amz-Bucket-Object-Lock-Token", in.Token) })
}

// GetBucketReplication returns a bucket's replication configuration.
func (c *Client) GetBucketReplication(ctx context.Context, in *BucketInput) (*ReplicationConfiguration, error) {
	return getBucketDoc[ReplicationConfiguration](ctx, c, getReplication, in)
}

// DeleteBucketReplication removes a bucket's replication configuration.
func (c *Client) DeleteBucketReplication(ctx context.Context, in *BucketInput) error {
	return c.deleteBucketDoc(ctx, deleteReplication, in)
}

// NotificationConfiguration is where a bucket's events are sent; an empty
// one turns notifications off.
type NotificationConfiguration struct {
	TopicConfigurations          []TopicConfiguration          `xml:"TopicConfiguration"`
	QueueConfigurations          []QueueConfiguration          `xml:"QueueConfiguration"`
	LambdaFunctionConfigurations []LambdaFunctionConfiguration `xml:"CloudFunctionConfiguration"`
	// EventBridgeConfiguration, when not nil, sends every event to Amazon
	// EventBridge.
	EventBridgeConfiguration *EventBridgeConfiguration `xml:"EventBridgeConfiguration,omitempty"`
}

// EventBridgeConfiguration is an empty element: its presence enables
// EventBridge.
type EventBridgeConfiguration struct{}

// TopicConfiguration sends events to an SNS topic.
type TopicConfiguration struct {
	ID       string              `xml:"Id,omitempty"`
	TopicArn string              `xml:"Topic"`
	Events   []string            `xml:"Event"` // "s3:ObjectCreated:*"...
	Filter   *NotificationFilter `xml:"Filter,omitempty"`
}

// QueueConfiguration sends events to an SQS queue.
type QueueConfiguration struct {
	ID       string              `xml:"Id,omitempty"`
	QueueArn string              `xml:"Queue"`
	Events   []string            `xml:"Event"`
	Filter   *NotificationFilter `xml:"Filter,omitempty"`
}

// LambdaFunctionConfiguration sends events to a Lambda function.
type LambdaFunctionConfiguration struct {
	ID                string              `xml:"Id,omitempty"`
	LambdaFunctionArn string              `xml:"CloudFunction"`
	Events            []string            `xml:"Event"`
	Filter            *NotificationFilter `xml:"Filter,omitempty"`
}

// NotificationFilter selects events by key prefix and suffix.
type NotificationFilter struct {
	FilterRules []FilterRule `xml:"S3Key>FilterRule"`
}

// FilterRule is a prefix or suffix rule.
type FilterRule struct {
	Name  string `xml:"Name"` // prefix or suffix
	Value string `xml:"Value"`
}

func (n *NotificationConfiguration) check() error {
	var all [][]string
	for _, t := range n.TopicConfigurations {
		if t.TopicArn == "" {
			return errors.New("s3client: a TopicConfiguration needs a TopicArn")
		}
		all = append(all, t.Events)
	}
	for _, q := range n.QueueConfigurations {
		if q.QueueArn == "" {
			return errors.New("s3client: a QueueConfiguration needs a QueueArn")
		}
		all = append(all, q.Events)
	}
	for _, l := range n.LambdaFunctionConfigurations {
		if l.LambdaFunctionArn == "" {
			return errors.New("s3client: a LambdaFunctionConfiguration needs a LambdaFunctionArn")
		}
		all = append(all, l.Events)
	}
	for _, ev := range all {
		if len(ev) == 0 {
			return errors.New("s3client: a notification with no Event")
		}
	}
	return nil
}

// PutBucketNotificationConfigurationInput is the input of
// PutBucketNotificationConfiguration.
type PutBucketNotificationConfigurationInput struct {
	Bucket        string
	Configuration NotificationConfiguration
	// SkipDestinationValidation has S3 not test the destinations.
	SkipDestinationValidation bool
	ChecksumAlgorithm         ChecksumAlgorithm
	Common
}

var (
	notificationDoc = subresource{"PutBucketNotificationConfiguration", "notification", "NotificationConfiguration"}
	getNotification = subresource{"GetBucketNotificationConfiguration", "notification", "NotificationConfiguration"}
)

// PutBucketNotificationConfiguration replaces a bucket's event
// notifications.
func (c *Client) PutBucketNotificationConfiguration(ctx context.Context, in *PutBucketNotificationConfigurationInput) error {
	if in == nil {
		return nilInput(notificationDoc.op)
	}
	return c.putBucketDoc(ctx, notificationDoc, in.Bucket, &in.Common, &in.Configuration, in.ChecksumAlgorithm, in.Configuration.check,
		func(h http.Header) {
			if in.SkipDestinationValidation {
				h.Set("X-Amz-Skip-Destination-Validation", "true")
			}
		})
}

// GetBucketNotificationConfiguration returns a bucket's event
// notifications.
func (c *Client) GetBucketNotificationConfiguration(ctx context.Context, in *BucketInput) (*NotificationConfiguration, error) {
	return getBucketDoc[NotificationConfiguration](ctx, c, getNotification, in)
}
