package transfer

// The per-call options, boto3's keyword arguments as typed values:
// ExtraArgs (UploadArgs, DownloadArgs, CopyArgs, DeleteArgs), Callback,
// a richer Listener, SourceClient and a directory Filter. Each transfer
// method takes the option interface of its kind (UploadOption,
// DownloadOption...), so that an option it has no use for does not compile.

import (
	"fmt"
	"strings"

	"github.com/s3kit/s3kit/s3client"
)

// The per-call options of each kind of operation. Each is implemented by
// the options that apply to it, values or pointers (a nil option or a nil
// pointer is ignored):
//
//	UploadOption             UploadArgs, Callback, Listener
//	DownloadOption           DownloadArgs, Callback, Listener
//	CopyOption               CopyArgs, Callback, Listener, SourceClient
//	DeleteOption             DeleteArgs
//	UploadDirectoryOption    UploadArgs, Callback, Listener, Filter
//	DownloadDirectoryOption  DownloadArgs, Callback, Listener, Filter
//
// so that UploadFile(ctx, f, b, k, CopyArgs{...}) is a compile error.
type (
	UploadOption            interface{ uploadOption(*callOptions) }
	DownloadOption          interface{ downloadOption(*callOptions) }
	CopyOption              interface{ copyOption(*callOptions) }
	DeleteOption            interface{ deleteOption(*callOptions) }
	UploadDirectoryOption   interface{ uploadDirectoryOption(*callOptions) }
	DownloadDirectoryOption interface{ downloadDirectoryOption(*callOptions) }
)

// UploadArgs are the extra arguments of an upload (boto3's ExtraArgs, every
// name of s3transfer's ALLOWED_UPLOAD_ARGS), plus conditional writes. They
// embed s3client.ObjectProperties (ACL, CacheControl, ContentType,
// Metadata, StorageClass, Tagging, ServerSideEncryption, SSEKMSKeyID...),
// s3client.SSECustomer (SSECustomerAlgorithm, SSECustomerKey,
// SSECustomerKeyMD5) and s3client.Common (ExpectedBucketOwner,
// RequestPayer, ExtraQuery, ExtraHeader), so that every ExtraArgs name is
// a field, promoted (args.ContentType):
//
//	transfer.UploadArgs{ObjectProperties: s3client.ObjectProperties{ContentType: "text/plain"}}
//
// In a multipart upload each goes where S3 wants it: SSE-C on every part
// and on the completion, checksums on the parts and the completion,
// conditions on the completion, the other properties on
// CreateMultipartUpload; Common (its ExtraQuery and ExtraHeader too) on
// every request the upload makes. Zero fields are not sent.
type UploadArgs struct {
	s3client.ObjectProperties
	s3client.SSECustomer // SSECustomerKeyMD5 is computed from the key when empty
	s3client.Common
	// ChecksumAlgorithm has the client compute that checksum of the body,
	// or of each part; empty means the client's policy.
	ChecksumAlgorithm s3client.ChecksumAlgorithm
	// ChecksumType is "FULL_OBJECT" or "COMPOSITE", the kind of checksum a
	// multipart upload gets (x-amz-checksum-type on its creation).
	ChecksumType string
	// The whole object's checksum, base64, computed by the caller: sent
	// with PutObject, or with CompleteMultipartUpload as a FULL_OBJECT
	// checksum (the parts then carry that algorithm).
	ChecksumCRC32     string
	ChecksumCRC32C    string
	ChecksumCRC64NVME string
	ChecksumSHA1      string
	ChecksumSHA256    string
	// IfNoneMatch "*" writes the object only if the key does not exist
	// (put-if-absent); IfMatch only over the object with that ETag. They
	// are checked by PutObject or CompleteMultipartUpload, beyond boto3.
	IfNoneMatch string
	IfMatch     string
}

// DownloadArgs are the extra arguments of a download (s3transfer's
// ALLOWED_DOWNLOAD_ARGS). They embed s3client.SSECustomer
// (SSECustomerAlgorithm, SSECustomerKey, SSECustomerKeyMD5) and
// s3client.Common (ExpectedBucketOwner, RequestPayer, ExtraQuery,
// ExtraHeader), whose fields are promoted; Common goes on every request
// of the download (and on the listing of a DownloadDirectory).
type DownloadArgs struct {
	VersionID string // a version of the object; empty means the current one
	// ChecksumMode "ENABLED" (also what "" means here, as botocore's
	// when_supported) asks S3 for the object's checksum and verifies the
	// downloaded bytes against it; "DISABLED" skips the check.
	ChecksumMode string
	s3client.SSECustomer
	s3client.Common
}

// CopyArgs are the extra arguments of a copy (s3transfer's
// ALLOWED_COPY_ARGS). They embed s3client.ObjectProperties,
// s3client.SSECustomer (the key of the new object), s3client.Common and
// s3client.CopySourceConditions (CopySourceIfMatch...), whose fields are
// promoted; the source's key keeps boto3's CopySourceSSECustomer* names.
// As with CopyObject, the metadata and content headers are applied only
// with MetadataDirective "REPLACE" and Tagging only with TaggingDirective
// "REPLACE"; otherwise the source's are kept, for a multipart copy too.
// Common goes on every request to the destination; the source's HeadObject
// and tags are read with its RequestPayer only.
type CopyArgs struct {
	s3client.ObjectProperties
	s3client.SSECustomer
	s3client.Common
	s3client.CopySourceConditions
	// ChecksumAlgorithm has S3 compute that checksum for the copy.
	ChecksumAlgorithm s3client.ChecksumAlgorithm
	// ChecksumType is sent when a multipart copy's upload is created.
	ChecksumType string

	MetadataDirective              string // "COPY" (the default) or "REPLACE"
	TaggingDirective               string // "COPY" (the default) or "REPLACE"
	CopySourceSSECustomerAlgorithm string
	CopySourceSSECustomerKey       s3client.SSECKey
	CopySourceSSECustomerKeyMD5    string
}

// DeleteArgs are the extra arguments of Delete (s3transfer's
// ALLOWED_DELETE_ARGS). They embed s3client.Common (ExpectedBucketOwner,
// RequestPayer, ExtraQuery, ExtraHeader), whose fields are promoted.
type DeleteArgs struct {
	VersionID string
	MFA       string // "serial-number code" for MFA-delete buckets
	s3client.Common
}

// Callback is boto3's progress callback: it is called with the number of
// bytes moved since the last call, and with a negative number when a
// failed attempt's bytes are taken back before a retry. Calls are
// serialized (also across the files of a directory transfer), so it may
// write to a terminal without a lock; it must not block for long. A copy,
// done inside S3, reports each part as it is copied.
type Callback func(bytesAmount int64)

// EventType says what an Event reports.
type EventType int

// The events of a transfer, in the order they come.
const (
	// TransferStarted: the size is known (-1 for a stream).
	TransferStarted EventType = iota + 1
	// BytesTransferred: Bytes more (or, negative, fewer) bytes are done.
	BytesTransferred
	// PartCompleted: part or range Part, of PartSize bytes, is done.
	PartCompleted
	// TransferCompleted: the transfer succeeded.
	TransferCompleted
	// TransferFailed: the transfer failed with Err.
	TransferFailed
)

func (t EventType) String() string {
	switch t {
	case TransferStarted:
		return "started"
	case BytesTransferred:
		return "bytes"
	case PartCompleted:
		return "part"
	case TransferCompleted:
		return "completed"
	case TransferFailed:
		return "failed"
	}
	return fmt.Sprintf("EventType(%d)", int(t))
}

// Event is what a Listener hears.
type Event struct {
	Type   EventType
	Op     string // "Upload", "Download" or "Copy"
	Bucket string
	Key    string
	Path   string // the local file, if any
	// Total is the object's size; -1 while it is unknown (a stream).
	Total int64
	// Done is the number of bytes done so far, this event included.
	Done int64
	// Bytes is the change of a BytesTransferred event.
	Bytes int64
	// Part and PartSize describe a PartCompleted event: the part number of
	// an upload or copy, or the range number (from 1) of a download.
	Part     int
	PartSize int64
	// Err is the error of a TransferFailed event.
	Err error
}

// Listener receives the events of a transfer, for progress bars and logs
// that need more than a Callback: the total, the bytes done and each part.
// Calls are serialized with those of the Callback.
type Listener func(Event)

// Filter chooses the files of a directory transfer: it is given the
// slash-separated path of a file relative to the directory (UploadDirectory)
// or the key relative to the prefix (DownloadDirectory), and returns
// whether to transfer it.
type Filter func(name string) bool

// SourceClient returns the option that makes Copy read the source object
// (its HeadObject, and its tags for a multipart copy) with client, a client
// of the source bucket's region, as boto3's SourceClient does. The copy
// requests themselves go to the destination's client, naming the source.
func SourceClient(client CopySourceAPI) CopyOption { return sourceClient{client} }

type sourceClient struct{ api CopySourceAPI }

// The option is a value a caller may log with the others; it must not
// print the client's credentials (see Manager.Format).
func (sourceClient) String() string                  { return "transfer.SourceClient(...)" }
func (s sourceClient) GoString() string              { return s.String() }
func (s sourceClient) Format(f fmt.State, verb rune) { formatAs(f, verb, s.String()) }

func (a UploadArgs) uploadOption(o *callOptions)              { o.upload = &a }
func (a UploadArgs) uploadDirectoryOption(o *callOptions)     { o.upload = &a }
func (a DownloadArgs) downloadOption(o *callOptions)          { o.download = &a }
func (a DownloadArgs) downloadDirectoryOption(o *callOptions) { o.download = &a }
func (a CopyArgs) copyOption(o *callOptions)                  { o.copy = &a }
func (a DeleteArgs) deleteOption(o *callOptions)              { o.delete = &a }

func (c Callback) uploadOption(o *callOptions)            { o.callback = c }
func (c Callback) downloadOption(o *callOptions)          { o.callback = c }
func (c Callback) copyOption(o *callOptions)              { o.callback = c }
func (c Callback) uploadDirectoryOption(o *callOptions)   { o.callback = c }
func (c Callback) downloadDirectoryOption(o *callOptions) { o.callback = c }

func (l Listener) uploadOption(o *callOptions)            { o.listener = l }
func (l Listener) downloadOption(o *callOptions)          { o.listener = l }
func (l Listener) copyOption(o *callOptions)              { o.listener = l }
func (l Listener) uploadDirectoryOption(o *callOptions)   { o.listener = l }
func (l Listener) downloadDirectoryOption(o *callOptions) { o.listener = l }

func (f Filter) uploadDirectoryOption(o *callOptions)   { o.filter = f }
func (f Filter) downloadDirectoryOption(o *callOptions) { o.filter = f }

func (s sourceClient) copyOption(o *callOptions) { o.source = s.api }

// A nil pointer to an Args struct is no option. (The methods above have
// value receivers, which a nil pointer cannot reach; these have pointer
// receivers, which it can.)
type nilArgs interface{ isNil() bool }

func (a *UploadArgs) isNil() bool   { return a == nil }
func (a *DownloadArgs) isNil() bool { return a == nil }
func (a *CopyArgs) isNil() bool     { return a == nil }
func (a *DeleteArgs) isNil() bool   { return a == nil }

// callOptions are the options of one call, the Args never nil.
type callOptions struct {
	upload   *UploadArgs
	download *DownloadArgs
	copy     *CopyArgs
	delete   *DeleteArgs
	callback Callback
	listener Listener
	filter   Filter
	source   CopySourceAPI
}

// options applies opts, of one kind T, with that kind's method apply (for
// example UploadOption.uploadOption).
func options[T any](opts []T, apply func(T, *callOptions)) *callOptions {
	o := &callOptions{}
	for _, opt := range opts {
		if any(opt) == nil {
			continue
		}
		if n, ok := any(opt).(nilArgs); ok && n.isNil() {
			continue
		}
		apply(opt, o)
	}
	if o.upload == nil {
		o.upload = &UploadArgs{}
	}
	if o.download == nil {
		o.download = &DownloadArgs{}
	}
	if o.copy == nil {
		o.copy = &CopyArgs{}
	}
	if o.delete == nil {
		o.delete = &DeleteArgs{}
	}
	return o
}

// checksums returns the caller's whole-object checksum values.
func (a *UploadArgs) checksums() s3client.Checksums {
	return s3client.Checksums{CRC32: a.ChecksumCRC32, CRC32C: a.ChecksumCRC32C, CRC64NVME: a.ChecksumCRC64NVME,
		SHA1: a.ChecksumSHA1, SHA256: a.ChecksumSHA256}
}

// fullObject returns the caller's whole-object checksum: its algorithm
// and value, or "" when none is given. More than one is an error, as is a
// ChecksumAlgorithm that names another algorithm.
func (a *UploadArgs) fullObject() (s3client.ChecksumAlgorithm, string, error) {
	c := a.checksums()
	alg, val, err := c.One()
	if err != nil {
		return "", "", err
	}
	if val != "" && a.ChecksumAlgorithm != "" && !strings.EqualFold(string(a.ChecksumAlgorithm), string(alg)) {
		return "", "", fmt.Errorf("transfer: ChecksumAlgorithm %s does not match the %s value given", a.ChecksumAlgorithm, alg)
	}
	return alg, val, nil
}

// putInput returns the PutObject of a small upload, without its body.
func (a *UploadArgs) putInput(bucket, key string) *s3client.PutObjectInput {
	return &s3client.PutObjectInput{
		Bucket: bucket, Key: key,
		ObjectProperties: a.ObjectProperties, SSECustomer: a.SSECustomer, Common: a.Common,
		ChecksumAlgorithm: a.ChecksumAlgorithm,
		ChecksumCRC32:     a.ChecksumCRC32, ChecksumCRC32C: a.ChecksumCRC32C, ChecksumCRC64NVME: a.ChecksumCRC64NVME,
		ChecksumSHA1: a.ChecksumSHA1, ChecksumSHA256: a.ChecksumSHA256,
		IfNoneMatch: a.IfNoneMatch, IfMatch: a.IfMatch,
	}
}

func (a *DownloadArgs) verify() (bool, error) {
	switch a.ChecksumMode {
	case "", "ENABLED", "enabled":
		return true, nil
	case "DISABLED", "disabled":
		return false, nil
	}
	return false, fmt.Errorf("transfer: ChecksumMode %q is neither ENABLED nor DISABLED", a.ChecksumMode)
}

// sourceSSE returns the key the copy's source is encrypted with.
func (a *CopyArgs) sourceSSE() s3client.SSECustomer {
	return s3client.SSECustomer{SSECustomerAlgorithm: a.CopySourceSSECustomerAlgorithm, SSECustomerKey: a.CopySourceSSECustomerKey, SSECustomerKeyMD5: a.CopySourceSSECustomerKeyMD5}
}
