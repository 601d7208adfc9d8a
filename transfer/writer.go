package transfer

// NewWriter: an upload for code that produces its data by writing (tar,
// gzip, encoders). The parts go up while the caller writes; Close
// completes the upload. aws-sdk-go-v2 leaves this to the user, with an
// io.Pipe and a goroutine; here the pipe is inside.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// Writer is an upload in progress, written to by its caller; see
// NewWriter. Write and Close must not be called concurrently with each
// other.
type Writer struct {
	m    *Manager
	ctx  context.Context
	stop func() bool // unregisters the cancellation hook
	rep  *reporter
	op   string

	// The engine reads the pipe on a goroutine of its own.
	pw   *io.PipeWriter
	done chan struct{}

	res     *Result
	err     error
	closed  bool
	release func() // gives the memory back, once
}

// NewWriter starts an upload to bucket/key of the bytes written to the
// returned Writer. Parts of MultipartChunkSize are sent as they fill (on
// MaxConcurrency workers, from the Manager's memory budget; with NoThreads
// one at a time, on the one goroutine that reads what is written); data of at
// most one part is sent with one PutObject at Close. Only a Close that
// returns nil proves the object was written. Cancelling ctx aborts the
// upload, even if Close is never called; so does a failed Close. UploadArgs
// and progress options apply.
//
// NewWriter waits for its share of the memory budget, which the Writer
// holds until Close, or until the upload ends on its own (ctx's end, a
// failure).
func (m *Manager) NewWriter(ctx context.Context, bucket, key string, opts ...UploadOption) (*Writer, error) {
	const op = "NewWriter"
	o := options(opts, UploadOption.uploadOption)
	_, _, err := o.upload.fullObject()
	if err != nil {
		return nil, newError(op, bucket, key, "", err)
	}
	grant, err := m.memory.Acquire(ctx, m.streamBudget())
	if err != nil {
		return nil, newError(op, bucket, key, "", err)
	}
	w := &Writer{m: m, ctx: ctx, rep: newReporter(o, nil, "Upload", bucket, key, ""), op: op}
	var once sync.Once
	w.release = func() { once.Do(func() { m.memory.Release(grant) }) }
	w.rep.start(-1)
	u := m.uploader(o.upload, w.rep, grant)
	pr, pw := io.Pipe()
	w.pw, w.done = pw, make(chan struct{})
	go func() {
		defer close(w.done)
		defer w.release()
		res, err := m.engineUpload(ctx, u, o.upload, bucket, key, pr, -1, "")
		if err == nil {
			w.res = res
		} else {
			w.err = newError(op, bucket, key, "", err)
			// Writers blocked in the pipe learn that the upload failed.
			pr.CloseWithError(w.err)
		}
	}()
	// The engine stops at a failed read: closing the pipe with the
	// context's cause is what aborts an upload whose writer has gone.
	w.stop = context.AfterFunc(ctx, func() { pw.CloseWithError(context.Cause(ctx)) })
	return w, nil
}

// String names the object the Writer uploads; like the Manager's, it
// never shows the client.
func (w *Writer) String() string {
	if w == nil || w.rep == nil {
		return "transfer.Writer(nil)"
	}
	return "transfer.Writer{Bucket: " + strconv.Quote(w.rep.bucket) + ", Key: " + strconv.Quote(w.rep.key) + "}"
}

// GoString is used by %#v; it says what String says.
func (w *Writer) GoString() string { return w.String() }

// Format makes every verb print String (see Manager.Format).
func (w *Writer) Format(f fmt.State, verb rune) { formatAs(f, verb, w.String()) }

// Write sends p on its way. An error means the upload failed (and was
// aborted); the Writer is then unusable.
func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.pw.Write(p)
	if errors.Is(err, io.ErrClosedPipe) && w.ctx.Err() != nil {
		// The cancellation hook closed the pipe.
		err = context.Cause(w.ctx)
	}
	if err != nil {
		err = w.wrap(err)
	}
	return n, err
}

// Close completes the upload and releases the Writer's memory. A nil
// error is the only proof that the object was written; a second Close
// returns the first one's result.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	w.stop()
	defer w.release()
	w.pw.Close()
	<-w.done
	w.rep.finish(w.err)
	return w.err
}

// Result returns what the upload wrote, after a Close that returned nil.
func (w *Writer) Result() *Result {
	if !w.closed || w.err != nil {
		return nil
	}
	return w.res
}

func (w *Writer) wrap(err error) error {
	var te *Error
	if errors.As(err, &te) {
		return err
	}
	return newError(w.op, w.rep.bucket, w.rep.key, "", err)
}
