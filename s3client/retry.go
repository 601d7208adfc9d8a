package s3client

// Retries, in one place: which failures are transient (the classification
// the pipeline in do.go and IsRetryable in error.go share), and the wait
// before the next attempt.

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/s3kit/s3kit/internal/wait"
)

// retryableCodes are the S3 error codes worth another attempt.
var retryableCodes = map[string]bool{
	"SlowDown": true, "RequestTimeout": true, "RequestTimeoutException": true, "InternalError": true,
	"ServiceUnavailable": true, "Throttling": true, "ThrottlingException": true, "ThrottledException": true,
	"RequestThrottled": true, "RequestThrottledException": true, "TooManyRequestsException": true,
	"RequestLimitExceeded": true, "BandwidthLimitExceeded": true, "PriorRequestNotComplete": true,
	"ProvisionedThroughputExceededException": true, "EC2ThrottledException": true, "TransactionInProgressException": true,
}

// retryableStatus reports whether an HTTP status is transient.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable,
		http.StatusGatewayTimeout, http.StatusTooManyRequests:
		return true
	}
	return false
}

// backoff waits before attempt n+1 (n ≥ 1): full jitter over an exponential
// cap, as the AWS SDKs' standard retry mode does. It returns early with the
// context's error.
func (c *Client) backoff(ctx context.Context, n int) error {
	d := c.baseDelay << min(n-1, 30)
	if d <= 0 || d > c.maxDelay {
		d = c.maxDelay
	}
	return wait.Sleep(ctx, time.Duration(c.jitter()*float64(d)))
}

// retryable reports whether another attempt may succeed.
func (e *Error) retryable() bool {
	if e.StatusCode == 0 || e.StatusCode < 300 && e.Code == "" {
		// No answer, a successful answer whose body broke, or one whose
		// document is not the operation's (a server fault).
		return retryableTransport(e.Err) || errors.Is(e.Err, ErrUnexpectedResponse)
	}
	return retryableStatus(e.StatusCode) || retryableCodes[e.Code]
}

// retryableTransport classifies errors of sending: connection resets, cut
// bodies and timeouts are transient; a canceled context, a bad URL or a TLS
// certificate error are not.
func retryableTransport(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// A transport timeout (not the caller's deadline, checked before).
		return true
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}
