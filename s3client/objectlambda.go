package s3client

// WriteGetObjectResponse: an S3 Object Lambda function's answer to the
// GetObject it was invoked for, sent to the s3-object-lambda endpoint with
// the event's RequestRoute in front of the host.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// WriteGetObjectResponseInput is the input of WriteGetObjectResponse: the
// outputRoute and outputToken of the Lambda event's getObjectContext, the
// status to answer with, and the body.
type WriteGetObjectResponseInput struct {
	RequestRoute string
	RequestToken string
	// StatusCode is the HTTP status of the answer; 0 means 200.
	StatusCode int
	// ErrorCode and ErrorMessage describe a failed answer.
	ErrorCode, ErrorMessage string
	ContentType             string
	Body                    io.Reader
	// ContentLength is the length of Body; -1 means find it from Body.
	ContentLength int64
	Common
}

// WriteGetObjectResponse sends an Object Lambda function's answer.
func (c *Client) WriteGetObjectResponse(ctx context.Context, in *WriteGetObjectResponseInput) error {
	const op = "WriteGetObjectResponse"
	if in == nil {
		return nilInput(op)
	}
	if !hostLabel(in.RequestRoute, false) {
		return inputError(op, "", "", fmt.Errorf("s3client: RequestRoute %q is not a host label", in.RequestRoute))
	}
	if in.RequestToken == "" {
		return inputError(op, "", "", errors.New("s3client: empty RequestToken"))
	}
	h := make(http.Header, 6)
	h.Set("X-Amz-Request-Route", in.RequestRoute)
	h.Set("X-Amz-Request-Token", in.RequestToken)
	if in.StatusCode != 0 {
		if in.StatusCode < 100 || in.StatusCode > 599 {
			return inputError(op, "", "", fmt.Errorf("s3client: StatusCode %d is not an HTTP status", in.StatusCode))
		}
		h.Set("X-Amz-Fwd-Status", strconv.Itoa(in.StatusCode))
	}
	setIf(h, "X-Amz-Fwd-Error-Code", in.ErrorCode)
	setIf(h, "X-Amz-Fwd-Error-Message", in.ErrorMessage)
	setIf(h, "X-Amz-Fwd-Header-Content-Type", in.ContentType)
	size := in.ContentLength
	if in.Body == nil {
		size = 0
	}
	resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodPost, key: "", header: h,
		body: in.Body, size: size, objectLambda: true, hostPrefix: in.RequestRoute, path: "/WriteGetObjectResponse"})
	if err != nil {
		return err
	}
	drain(resp.Body)
	return nil
}
