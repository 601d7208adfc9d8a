package transfer

// This file holds the Manager, its Config, Result and the error types.
// Next door: args.go the per-call options (extra args, Callback,
// Listener); upload.go, writer.go (NewWriter), download.go and copy.go
// (Copy, Delete) the operations; dir.go directory transfers; progress.go
// progress reporting; limit.go the bandwidth cap and the memory budget;
// journal.go the resume journals; sync.go the flush of durable downloads.
// Uploads, copies and downloads run on the multipart engine.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/s3kit/s3kit/internal/limits"
	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

// API is what the manager needs from an S3 client: the engine's upload and
// copy calls plus GetObject, DeleteObject and ListObjectsV2.
// *s3client.Client implements it; tests may wrap or fake it.
type API interface {
	multipart.UploadAPI
	multipart.CopyAPI
	GetObject(context.Context, *s3client.GetObjectInput) (*s3client.GetObjectOutput, error)
	// GetObjectAttributes lists the parts of a multipart object, to verify
	// a download against its composite checksum.
	GetObjectAttributes(context.Context, *s3client.GetObjectAttributesInput) (*s3client.GetObjectAttributesOutput, error)
	DeleteObject(context.Context, *s3client.DeleteObjectInput) (*s3client.DeleteObjectOutput, error)
	ListObjectsV2(context.Context, *s3client.ListObjectsV2Input) (*s3client.ListObjectsV2Output, error)
}

// CopySourceAPI is what Copy needs from the client of the source bucket
// (see SourceClient). *s3client.Client implements it.
type CopySourceAPI interface {
	HeadObject(context.Context, *s3client.GetObjectInput) (*s3client.ObjectMeta, error)
	GetObjectTagging(context.Context, *s3client.GetObjectTaggingInput) (*s3client.GetObjectTaggingOutput, error)
}

// Defaults of Config, boto3's TransferConfig defaults where boto3 has the
// setting.
const (
	DefaultMultipartThreshold  = 8 << 20
	DefaultMultipartChunkSize  = 8 << 20
	DefaultMaxConcurrency      = 10
	DefaultNumDownloadAttempts = 5
	DefaultMaxIOQueue          = 100
	DefaultIOChunkSize         = 256 << 10
	// DefaultMemoryBudget bounds the bytes a Manager holds in memory for
	// streams and ordered downloads, all transfers together.
	DefaultMemoryBudget = 256 << 20
)

// maxPutObjectSize is the largest object one PutObject may send; larger
// files go in parts whatever the threshold says.
const maxPutObjectSize = 5 << 30

// Config configures a Manager. Its zero value means boto3's defaults; New
// copies it, so later changes have no effect. Sizes are bytes.
type Config struct {
	// MultipartThreshold is the size from which an upload or copy is sent
	// in parts (boto3's multipart_threshold); 0 means 8 MiB. Files above
	// 5 GiB, PutObject's limit, always go in parts.
	MultipartThreshold int64
	// MultipartChunkSize is the size of each part of an upload or copy and
	// of each range of a download (multipart_chunksize); 0 means 8 MiB.
	// It must be between 5 MiB and 5 GiB, S3's limits on parts; it grows
	// when an object would need more than 10,000 parts.
	MultipartChunkSize int64
	// MaxConcurrency is how many requests of one transfer run at once, and
	// how many files of a directory transfer (max_concurrency); 0 means 10.
	MaxConcurrency int
	// NumDownloadAttempts is how many times a download range is fetched
	// when its body breaks, each attempt continuing from the byte the last
	// one reached (num_download_attempts); 0 means 5. Failed requests are
	// also retried by the client, separately.
	NumDownloadAttempts int
	// MaxIOQueue and IOChunkSize bound the reorder queue of a download
	// into a plain io.Writer: at most MaxIOQueue × IOChunkSize bytes wait
	// for their turn to be written (max_io_queue, io_chunksize; 0 means
	// 100 and 256 KiB), and a writer slower than the ranges arrive gets
	// what arrived meanwhile in one write. IOChunkSize is also the size of
	// each read of a download body.
	MaxIOQueue  int
	IOChunkSize int64
	// NoThreads runs every transfer on the caller's goroutine, one request
	// at a time, ignoring MaxConcurrency (boto3's use_threads=False): the
	// same engine with one worker, which starts no goroutine for an upload,
	// a download or a copy. (NewWriter reads what is written to it on a
	// goroutine of its own, which then sends the parts one at a time.)
	NoThreads bool
	// MaxBandwidth caps the bytes per second all transfers of the Manager
	// send and receive together (max_bandwidth); 0 means no cap.
	MaxBandwidth int64
	// MemoryBudget bounds the memory the Manager's transfers hold at once
	// for streams (uploads from an io.Reader, NewWriter) and for downloads
	// into a plain io.Writer; 0 means DefaultMemoryBudget. Files are read
	// and written in place and use none. A transfer waits for its share;
	// the budget must hold at least one part (MultipartChunkSize).
	MemoryBudget int64
	// Resume keeps a journal of each UploadFile and DownloadFile in
	// StateDir, so that a later call with the same arguments, after a
	// failure, a cancellation or a crash, continues where this one
	// stopped: the same multipart upload (its finished parts are kept) or
	// the same temporary file (its finished ranges are kept, if the object
	// has not changed). An interrupted transfer then leaves its parts or
	// temporary file behind instead of removing them. Journals are removed
	// on success.
	Resume bool
	// StateDir holds the resume journals; "" means "s3kit/transfer" under
	// os.UserCacheDir.
	StateDir string
	// DurableDownloads makes DownloadFile and DownloadDirectory return
	// only once each new file is on stable storage: its data is flushed
	// before the rename that puts it in place, and the rename is flushed
	// after it (the directory is synced). Finished ranges are written
	// back while later ones arrive (on Linux, sync_file_range), so that
	// the final flush has little left to do. Without it, as with boto3,
	// the AWS CLI, aws-sdk-go-v2 and minio-go, the file is complete
	// before it replaces the old one, but left to the operating system's
	// write-back: a crash of the program never leaves a partial file under
	// the name, a power loss or a crash of the system may (ext4, with its
	// default auto_da_alloc, writes the data before a rename that
	// replaces an existing file; other file systems may not).
	DurableDownloads bool
}

// Manager runs transfers with one configuration, one bandwidth cap and one
// memory budget. It is safe for concurrent use; its zero value is not
// usable (use New).
type Manager struct {
	api     API
	cfg     Config            // defaults filled in
	limiter multipart.Limiter // a *tokenBucket, or nil: no cap
	memory  *budget
}

// ErrInvalidConfig is wrapped by the errors of New about its Config.
var ErrInvalidConfig = errors.New("transfer: invalid config")

// New returns a Manager that sends its requests with client. A zero cfg
// means the defaults; invalid settings (negative sizes or counts, a chunk
// size outside 5 MiB to 5 GiB, a memory budget smaller than one chunk)
// are an error wrapping ErrInvalidConfig.
func New(client API, cfg Config) (*Manager, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil client", ErrInvalidConfig)
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	m := &Manager{api: client, cfg: c, memory: newBudget(c.MemoryBudget)}
	if c.MaxBandwidth > 0 {
		m.limiter = newTokenBucket(c.MaxBandwidth)
	}
	return m, nil
}

// Config returns the Manager's configuration with the defaults filled in.
func (m *Manager) Config() Config { return m.cfg }

// workers is how many requests of one transfer run at once: one without
// threads.
func (m *Manager) workers() int {
	if m.cfg.NoThreads {
		return 1
	}
	return m.cfg.MaxConcurrency
}

// String describes the Manager by its configuration, never by its
// client, which holds credentials.
func (m *Manager) String() string {
	if m == nil {
		return "transfer.Manager(nil)"
	}
	c := &m.cfg
	return fmt.Sprintf("transfer.Manager{MultipartThreshold: %d, MultipartChunkSize: %d, MaxConcurrency: %d, "+
		"NumDownloadAttempts: %d, MaxIOQueue: %d, IOChunkSize: %d, NoThreads: %t, MaxBandwidth: %d, "+
		"MemoryBudget: %d, Resume: %t, StateDir: %q}",
		c.MultipartThreshold, c.MultipartChunkSize, c.MaxConcurrency, c.NumDownloadAttempts, c.MaxIOQueue,
		c.IOChunkSize, c.NoThreads, c.MaxBandwidth, c.MemoryBudget, c.Resume, c.StateDir)
}

// GoString is used by %#v; it says what String says.
func (m *Manager) GoString() string { return m.String() }

// Format makes every verb print String, so that a Manager inside a logged
// struct cannot print the credentials its client holds: fmt prints the
// unexported fields of a struct without their own String methods.
func (m *Manager) Format(f fmt.State, verb rune) { formatAs(f, verb, m.String()) }

// formatAs writes s for any verb, quoted for %q.
func formatAs(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	io.WriteString(f, s)
}

func (c Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return c, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	switch {
	case c.MultipartThreshold < 0:
		return bad("negative MultipartThreshold %d", c.MultipartThreshold)
	case c.MultipartChunkSize < 0:
		return bad("negative MultipartChunkSize %d", c.MultipartChunkSize)
	case c.MaxConcurrency < 0:
		return bad("negative MaxConcurrency %d", c.MaxConcurrency)
	case c.NumDownloadAttempts < 0:
		return bad("negative NumDownloadAttempts %d", c.NumDownloadAttempts)
	case c.MaxIOQueue < 0:
		return bad("negative MaxIOQueue %d", c.MaxIOQueue)
	case c.IOChunkSize < 0:
		return bad("negative IOChunkSize %d", c.IOChunkSize)
	case c.MaxBandwidth < 0:
		return bad("negative MaxBandwidth %d", c.MaxBandwidth)
	case c.MemoryBudget < 0:
		return bad("negative MemoryBudget %d", c.MemoryBudget)
	}
	if c.MultipartThreshold == 0 {
		c.MultipartThreshold = DefaultMultipartThreshold
	}
	if c.MultipartChunkSize == 0 {
		c.MultipartChunkSize = DefaultMultipartChunkSize
	}
	if c.MultipartChunkSize < limits.MinPartSize || c.MultipartChunkSize > multipart.MaxPartSize {
		return bad("MultipartChunkSize %d is outside S3's part sizes, 5 MiB to 5 GiB", c.MultipartChunkSize)
	}
	if int64(int(c.MultipartChunkSize)) != c.MultipartChunkSize {
		// A stream's part is held in one []byte.
		return bad("MultipartChunkSize %d is too large for this platform", c.MultipartChunkSize)
	}
	if c.MaxConcurrency == 0 {
		c.MaxConcurrency = DefaultMaxConcurrency
	}
	if c.NumDownloadAttempts == 0 {
		c.NumDownloadAttempts = DefaultNumDownloadAttempts
	}
	if c.MaxIOQueue == 0 {
		c.MaxIOQueue = DefaultMaxIOQueue
	}
	if c.IOChunkSize == 0 {
		c.IOChunkSize = DefaultIOChunkSize
	}
	if c.IOChunkSize > c.MultipartChunkSize {
		return bad("IOChunkSize %d is larger than MultipartChunkSize %d", c.IOChunkSize, c.MultipartChunkSize)
	}
	if c.MemoryBudget == 0 {
		c.MemoryBudget = max(DefaultMemoryBudget, c.MultipartChunkSize)
	}
	if c.MemoryBudget < c.MultipartChunkSize {
		return bad("MemoryBudget %d cannot hold one part of %d bytes", c.MemoryBudget, c.MultipartChunkSize)
	}
	return c, nil
}

// stateDir returns the directory of the resume journals, creating it.
func (m *Manager) stateDir() (string, error) {
	dir := m.cfg.StateDir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("transfer: no directory for resume journals (set Config.StateDir): %w", err)
		}
		dir = filepath.Join(cache, "s3kit", "transfer")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("transfer: resume journals: %w", err)
	}
	return dir, nil
}

// Result describes a finished transfer.
type Result struct {
	Bucket, Key string
	// ETag and VersionID are the object's: the one written by an upload
	// or a copy, the one read by a download, the delete marker's version
	// for a Delete in a versioned bucket.
	ETag      string
	VersionID string
	// Size is the number of bytes of the object.
	Size int64
	// Checksums are the checksums S3 reported for the object.
	Checksums s3client.Checksums
	// UploadID is the multipart upload of an upload or copy sent in parts.
	UploadID string
	// Parts is the number of parts (uploads, copies) or ranges
	// (downloads) the object was moved in; 0 for a single request.
	Parts int
	// Resumed is the number of parts or ranges kept from an earlier,
	// interrupted attempt (Config.Resume).
	Resumed int
	// DeleteMarker reports that Delete created or removed a delete marker.
	DeleteMarker bool
}

// Error is the error of a transfer: which operation, on which object and
// file, and why. Err is the cause: an *s3client.Error, a
// *multipart.UploadError, an *os.PathError, a context error, or one of
// this package's sentinels; match it with errors.Is and errors.As.
type Error struct {
	Op     string // "UploadFile", "Upload", "DownloadFile", "Download", "Copy", "Delete", "NewWriter"
	Bucket string
	Key    string
	Path   string // the local file, if any
	Err    error
}

// Error formats as "transfer: Op bucket/key (path): cause".
func (e *Error) Error() string {
	s := "transfer: " + e.Op + " " + e.Bucket + "/" + e.Key
	if e.Path != "" {
		s += " (" + e.Path + ")"
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Sentinel errors, wrapped by an *Error.
var (
	// ErrObjectChanged is wrapped when the object was replaced while it
	// was being downloaded (its ETag no longer matched) or copied: the
	// transfer stops rather than mix two versions. It is the engine's
	// (multipart.ErrObjectChanged).
	ErrObjectChanged = multipart.ErrObjectChanged
	// ErrUnsafeKey is wrapped when DownloadDirectory meets a key that would
	// be written outside the target directory ("../x", "/etc/x"); the file
	// is skipped and reported.
	ErrUnsafeKey = errors.New("transfer: key would escape the target directory")
	// ErrShortBody is wrapped when a download range kept breaking off
	// before its end for NumDownloadAttempts attempts
	// (multipart.ErrShortBody).
	ErrShortBody = multipart.ErrShortBody
	// ErrObjectSize is wrapped when HeadObject gives an object size no S3
	// object can have: none, negative, or more than 5 TiB. The download fails
	// before its first GET and before it writes anything: DownloadFile leaves
	// the target as it was (multipart.ErrObjectSize).
	ErrObjectSize = multipart.ErrObjectSize
	// ErrWrongOption is wrapped when an option's value does not apply to
	// the operation: DownloadDirectory given a VersionID, which names one
	// object. (An option of the wrong kind does not compile.)
	ErrWrongOption = errors.New("transfer: option does not apply to this operation")
)

func newError(op, bucket, key, path string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Bucket: bucket, Key: key, Path: path, Err: err}
}
