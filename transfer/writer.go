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

	// UseThreads: the engine reads a pipe on its own goroutine.
	pw   *io.PipeWriter
	done chan struct{}

	// No threads: the caller's Write and Close send the parts.
	mu sync.Mutex
	sw *serialWriter

	res     *Result
	err     error
	closed  bool
	release func() // gives the memory back, once
}

// NewWriter starts an upload to bucket/key of the bytes written to the
// returned Writer. Parts of MultipartChunkSize are sent as they fill (on
// MaxConcurrency workers, from the Manager's memory budget); data of at
// most one part is sent with one PutObject at Close. Only a Close that
// returns nil proves the object was written. Cancelling ctx aborts the
// upload, even if Close is never called; so does a failed Close. UploadArgs
// and progress options apply.
//
// NewWriter waits for its share of the memory budget, which the Writer
// holds until Close, or until the upload ends on its own (ctx's end, a
// failure).
func (m *Manager) NewWriter(ctx context.Context, bucket, key string, opts ...Option) (*Writer, error) {
	const op = "NewWriter"
	o, err := parseOptions(op, takesUpload|takesProgress, opts)
	if err == nil {
		_, _, err = o.upload.fullObject()
	}
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
	h := m.uploadHooks(o.upload, w.rep)
	if !m.threads {
		w.sw = m.newSerialWriter(h, o.upload, w.rep, bucket, key)
		w.stop = context.AfterFunc(ctx, func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.sw.abandon(ctx)
			w.release()
		})
		return w, nil
	}
	pr, pw := io.Pipe()
	w.pw, w.done = pw, make(chan struct{})
	go func() {
		defer close(w.done)
		defer w.release()
		res, err := m.engineUpload(ctx, h, o.upload, w.rep, bucket, key, pr, -1, grant, false, "")
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
	if w.sw != nil {
		w.mu.Lock()
		defer w.mu.Unlock()
		n, err := w.sw.write(w.ctx, p)
		if err != nil {
			return n, w.wrap(err)
		}
		return n, nil
	}
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
	if w.sw != nil {
		w.mu.Lock()
		res, err := w.sw.close(w.ctx)
		w.mu.Unlock()
		w.res = res
		if err != nil {
			w.err = w.wrap(err)
		}
	} else {
		w.pw.Close()
		<-w.done
	}
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
