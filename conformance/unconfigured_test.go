package conformance

// The typed bucket configurations the shared suite (internal/testkit/conformance)
// has no case for, read on a bucket that has none, where a store answers
// them: request payment (written back as S3's default, BucketOwner),
// logging, notifications, acceleration and replication. Each server's test
// runs them after the suite; its Capabilities.Lacks switches off, by
// operation and with the reason, what it does not implement.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/conformance"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// unconfiguredCase reads (or writes back the default of) one configuration.
type unconfiguredCase struct {
	name string
	ops  []string
	run  func(ctx context.Context, c *s3client.Client, b *s3client.BucketInput) error
}

var unconfiguredCases = []unconfiguredCase{
	{"RequestPayment", []string{"PutBucketRequestPayment", "GetBucketRequestPayment"},
		func(ctx context.Context, c *s3client.Client, b *s3client.BucketInput) error {
			if err := c.PutBucketRequestPayment(ctx, &s3client.PutBucketRequestPaymentInput{Bucket: b.Bucket,
				Configuration: s3client.RequestPaymentConfiguration{Payer: "BucketOwner"}}); err != nil {
				return fmt.Errorf("PutBucketRequestPayment: %w", err)
			}
			got, err := c.GetBucketRequestPayment(ctx, b)
			if err != nil {
				return fmt.Errorf("GetBucketRequestPayment: %w", err)
			}
			if got.Payer != "BucketOwner" {
				return fmt.Errorf("payer %q, want BucketOwner", got.Payer)
			}
			return nil
		}},
	{"Logging", []string{"GetBucketLogging"},
		func(ctx context.Context, c *s3client.Client, b *s3client.BucketInput) error {
			got, err := c.GetBucketLogging(ctx, b)
			if err != nil {
				return fmt.Errorf("GetBucketLogging: %w", err)
			}
			if got.LoggingEnabled != nil {
				return fmt.Errorf("logging %+v on a new bucket", *got.LoggingEnabled)
			}
			return nil
		}},
	{"Notification", []string{"GetBucketNotificationConfiguration"},
		func(ctx context.Context, c *s3client.Client, b *s3client.BucketInput) error {
			got, err := c.GetBucketNotificationConfiguration(ctx, b)
			if err != nil {
				return fmt.Errorf("GetBucketNotificationConfiguration: %w", err)
			}
			if len(got.TopicConfigurations)+len(got.QueueConfigurations)+len(got.LambdaFunctionConfigurations) != 0 || got.EventBridgeConfiguration != nil {
				return fmt.Errorf("notifications %+v on a new bucket", *got)
			}
			return nil
		}},
	{"Accelerate", []string{"GetBucketAccelerateConfiguration"},
		func(ctx context.Context, c *s3client.Client, b *s3client.BucketInput) error {
			got, err := c.GetBucketAccelerateConfiguration(ctx, b)
			if err != nil {
				return fmt.Errorf("GetBucketAccelerateConfiguration: %w", err)
			}
			if got.Status == "Enabled" {
				return fmt.Errorf("acceleration enabled on a new bucket")
			}
			return nil
		}},
	{"Replication", []string{"GetBucketReplication"},
		func(ctx context.Context, c *s3client.Client, b *s3client.BucketInput) error {
			// S3 answers a bucket without replication with an error,
			// ReplicationConfigurationNotFoundError.
			_, err := c.GetBucketReplication(ctx, b)
			if !s3client.IsNotFound(err) {
				return fmt.Errorf("GetBucketReplication of a new bucket: %v, want not found", err)
			}
			return nil
		}},
}

// runUnconfigured runs unconfiguredCases against a new bucket of tg,
// skipping those whose operations tg.Caps.Lacks names.
func runUnconfigured(t *testing.T, tg conformance.Target) {
	ctx := context.Background()
	c, err := s3client.New(s3client.Config{Region: tg.Region, Endpoint: tg.Endpoint, AddressingStyle: tg.Style,
		Credentials: sigv4.NewStaticProvider(tg.AccessKey, tg.SecretKey, ""), HTTPClient: tg.HTTPClient,
		RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b := &s3client.BucketInput{Bucket: fmt.Sprintf("s3kit-unconf-%d", time.Now().UnixNano()%1e12)}
	if _, err := c.CreateBucket(ctx, &s3client.CreateBucketInput{Bucket: b.Bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	t.Cleanup(func() { c.DeleteBucket(ctx, &s3client.DeleteBucketInput{Bucket: b.Bucket}) })
	for _, tc := range unconfiguredCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, op := range tc.ops {
				if why, ok := tg.Caps.Lacks[op]; ok {
					t.Skipf("%s lacks %s: %s", tg.Name, op, why)
				}
			}
			if err := tc.run(ctx, c, b); err != nil {
				t.Error(err)
			}
		})
	}
}
