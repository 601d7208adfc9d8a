package reliability

// The client and the multipart engine under injected faults: PutObject from
// rewindable bodies and from streams, GetObject whole and in ranges,
// listings, the multipart primitives by hand and multipart.Uploader from a
// ReaderAt and from a stream, at fault rates of 5 % and 20 %; then each
// fault alone on the operation it matters most to, with its exact outcome.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/faultproxy"
	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

// job is one transfer of a run: it moves bytes and says which object it
// wrote (key, "" for a read) and what that object must hold.
type job struct {
	name string
	run  func(ctx context.Context, e *env) (key string, want string, err error)
	// prior are the contents the object may still hold after a failure
	// (what earlier writes of the key left); none for a fresh key.
	prior []string
}

// outcome checks one finished job: success means identical bytes;
// failure means a typed error and an object that is absent or whole (never
// partial). It returns whether the job succeeded.
func (e *env) outcome(t testing.TB, ta *tally, j job, key, want string, err error) {
	t.Helper()
	ta.transfers.Add(1)
	if err == nil {
		if key != "" {
			got, _, ok := e.object(key)
			if !ok || got != want {
				t.Errorf("%s: reported success but the object is %v (exists %v), want %s", j.name, got, ok, want)
				return
			}
		}
		ta.successes.Add(1)
		return
	}
	t.Logf("%s failed: %s", j.name, describe(err))
	var ue *multipart.UploadError
	if !isTyped(err, &ue) && !errors.Is(err, errShortRead) || errors.Is(err, errUntyped) {
		t.Errorf("%s: untyped error %T: %v", j.name, err, err)
		return
	}
	if key != "" {
		if got, _, ok := e.object(key); ok {
			switch {
			case got == want:
				ta.lateSuccesses.Add(1)
			case slices.Contains(j.prior, got):
				// The earlier content, untouched.
			default:
				t.Errorf("%s: failed (%v) and left a partial or wrong object %s", j.name, describe(err), key)
				return
			}
		}
	}
	ta.cleanFailures.Add(1)
}

// errShortRead marks a read that the test itself found short: a body that
// ended early must be an error, never a silent truncation.
var errShortRead = errors.New("reliability: body shorter than its object")

// readAll reads a GetObject answer and checks its bytes against want.
func readAll(out *s3client.GetObjectOutput, wantLen int64, want string) error {
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		return fmt.Errorf("%w: %d of %d bytes: %w", errShortRead, n, wantLen, err)
	}
	if n != wantLen || hex.EncodeToString(h.Sum(nil)) != want {
		return fmt.Errorf("reliability: silent corruption: read %d bytes (want %d), sha256 %x", n, wantLen, h.Sum(nil))
	}
	return nil
}

// runJobs runs jobs on workers goroutines and checks every outcome.
func (e *env) runJobs(t testing.TB, ta *tally, jobs []job, workers int) {
	ch := make(chan job)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				key, want, err := j.run(ctx, e)
				cancel()
				if err != nil && strings.Contains(err.Error(), "silent corruption") {
					t.Errorf("%s: %v", j.name, err)
					continue
				}
				e.outcome(t, ta, j, key, want, err)
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
}

// putJob uploads size bytes with PutObject, from a rewindable reader or a
// stream.
func putJob(key string, size int64, streamed bool) job {
	return job{name: fmt.Sprintf("PutObject %s (%d bytes, stream %v)", key, size, streamed), run: func(ctx context.Context, e *env) (string, string, error) {
		b := data(size, 1)
		var body io.Reader = bytes.NewReader(b)
		if streamed {
			body = stream{bytes.NewReader(b)}
		}
		_, err := e.client.PutObject(ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: body, ContentLength: size})
		if streamed && err != nil && !errors.Is(err, s3client.ErrBodyNotRewindable) && s3client.ErrorCode(err) == "" {
			// A stream gets one attempt: a transient failure says why
			// there was no retry.
			var ce *s3client.Error
			if errors.As(err, &ce) && ce.Attempts > 1 {
				return key, sum(b), fmt.Errorf("a stream was sent %d times: %w", ce.Attempts, err)
			}
		}
		return key, sum(b), err
	}}
}

// getJob reads a seeded object, whole or a range of it.
func getJob(key string, obj []byte, rng string, first, last int64) job {
	return job{name: fmt.Sprintf("GetObject %s %s", key, rng), run: func(ctx context.Context, e *env) (string, string, error) {
		want := obj
		if rng != "" {
			want = obj[first : last+1]
		}
		out, err := e.client.GetObject(ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key, Range: rng})
		if err != nil {
			return "", "", err
		}
		if out.ContentLength != int64(len(want)) {
			out.Body.Close()
			return "", "", fmt.Errorf("reliability: silent corruption: Content-Length %d, want %d", out.ContentLength, len(want))
		}
		return "", "", readAll(out, int64(len(want)), sum(want))
	}}
}

// listJob lists a prefix of seeded objects and checks the keys.
func listJob(prefix string, keys []string) job {
	return job{name: "ListObjectsV2 " + prefix, run: func(ctx context.Context, e *env) (string, string, error) {
		var got []string
		for o, err := range e.client.AllObjects(ctx, &s3client.ListObjectsV2Input{Bucket: e.bucket, Prefix: prefix, MaxKeys: 2}) {
			if err != nil {
				return "", "", err
			}
			got = append(got, o.Key)
		}
		if strings.Join(got, ",") != strings.Join(keys, ",") {
			return "", "", fmt.Errorf("reliability: silent corruption: listed %q, want %q", got, keys)
		}
		return "", "", nil
	}}
}

// primitivesJob runs a multipart upload by hand: create, parts, complete;
// on failure it aborts as an engine would (through the faults, with the
// client's retries) and reports the first error.
func primitivesJob(key string, partSizes ...int64) job {
	return job{name: fmt.Sprintf("multipart primitives %s %v", key, partSizes), run: func(ctx context.Context, e *env) (string, string, error) {
		var total int64
		for _, s := range partSizes {
			total += s
		}
		b := data(total, 2)
		cr, err := e.client.CreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{Bucket: e.bucket, Key: key})
		if err != nil {
			return key, sum(b), err
		}
		fail := func(err error) (string, string, error) {
			aerr := e.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3client.AbortMultipartUploadInput{Bucket: e.bucket, Key: key, UploadID: cr.UploadID})
			if aerr != nil && !s3client.IsNotFound(aerr) {
				// The abort failed through the faults: clean up as an
				// operator would, and say so.
				e.direct.AbortMultipartUpload(context.Background(), &s3client.AbortMultipartUploadInput{Bucket: e.bucket, Key: key, UploadID: cr.UploadID})
				return key, sum(b), errors.Join(err, aerr)
			}
			return key, sum(b), err
		}
		var parts []s3client.CompletedPart
		var off int64
		for i, s := range partSizes {
			out, err := e.client.UploadPart(ctx, &s3client.UploadPartInput{Bucket: e.bucket, Key: key, UploadID: cr.UploadID,
				PartNumber: i + 1, Body: bytes.NewReader(b[off : off+s]), ContentLength: s})
			if err != nil {
				return fail(err)
			}
			parts = append(parts, s3client.CompletedPart{PartNumber: i + 1, ETag: out.ETag})
			off += s
		}
		listed := 0
		for p, err := range e.client.AllParts(ctx, &s3client.ListPartsInput{Bucket: e.bucket, Key: key, UploadID: cr.UploadID}) {
			if err != nil {
				return fail(err)
			}
			if p.ETag != parts[listed].ETag {
				return fail(fmt.Errorf("reliability: silent corruption: part %d listed with ETag %s, uploaded %s", p.PartNumber, p.ETag, parts[listed].ETag))
			}
			listed++
		}
		if _, err := e.client.CompleteMultipartUpload(ctx, &s3client.CompleteMultipartUploadInput{Bucket: e.bucket, Key: key, UploadID: cr.UploadID, Parts: parts}); err != nil {
			return fail(err)
		}
		return key, sum(b), nil
	}}
}

// uploaderJob uploads with multipart.Uploader, from a ReaderAt or a stream.
func uploaderJob(key string, size int64, streamed bool) job {
	return job{name: fmt.Sprintf("Uploader %s (%d bytes, stream %v)", key, size, streamed), run: func(ctx context.Context, e *env) (string, string, error) {
		b := data(size, 3)
		var body io.Reader = bytes.NewReader(b)
		if streamed {
			body = stream{bytes.NewReader(b)}
		}
		u := &multipart.Uploader{Client: e.client, PartSize: partSize, Concurrency: 4}
		_, err := u.Upload(ctx, &multipart.UploadInput{Bucket: e.bucket, Key: key, Body: body, Size: size})
		var ue *multipart.UploadError
		if errors.As(err, &ue) && ue.UploadID != "" && !ue.Aborted {
			// Either the abort itself failed through the faults, or the
			// upload was gone already (completed by an answer that was
			// lost): the check of uploads left decides which.
			e.t.Logf("%s: failed without a successful abort: %v", key, describe(err))
		}
		return key, sum(b), err
	}}
}

func TestClientUnderFaults(t *testing.T) {
	for i, rate := range []float64{0.05, 0.20} {
		t.Run(fmt.Sprintf("rate=%.0f%%", rate*100), func(t *testing.T) {
			s := seed(t) + uint64(i)
			// The first rate sends signed payloads with CRC32C checksums
			// in headers or trailers; the second aws-chunked streaming
			// with signed chunks, so that cuts land in its framing too.
			o := options{checksums: s3client.ChecksumWhenSupported}
			if i == 1 {
				o = options{payload: s3client.PayloadSigningStreaming}
			}
			e := newEnv(t, o)
			before := goroutines()

			// Seed the objects the reads need, before faults start.
			objs := map[string][]byte{}
			var listKeys []string
			for _, size := range []int64{0, 1, unit + 7, 9 * unit} {
				key := fmt.Sprintf("seed/%d", size)
				objs[key] = data(size, 9)
				e.srv.PutObject(t, e.bucket, key, objs[key], nil)
				listKeys = append(listKeys, key)
			}
			slices.Sort(listKeys) // a listing's order
			large := fmt.Sprintf("seed/%d", 9*unit)

			var jobs []job
			for _, size := range []int64{0, 1, 4097, 64 << 10, unit + 3, 5 * unit} {
				jobs = append(jobs, putJob(fmt.Sprintf("put/%d", size), size, false))
			}
			for _, size := range []int64{1, 100_000, 2*unit + 1} {
				jobs = append(jobs, putJob(fmt.Sprintf("stream/%d", size), size, true))
			}
			for key, obj := range objs {
				jobs = append(jobs, getJob(key, obj, "", 0, 0))
			}
			jobs = append(jobs, getJob(large, objs[large], "bytes=100-2000099", 100, 2000099))
			jobs = append(jobs, listJob("seed/", listKeys), listJob("seed/", listKeys))
			jobs = append(jobs, primitivesJob("primitives/a", 256<<10, 256<<10, 10), primitivesJob("primitives/b", unit, 1))
			for _, size := range []int64{0, 5 * unit, 5*unit + 1, 17 * unit} {
				jobs = append(jobs, uploaderJob(fmt.Sprintf("uploader/%d", size), size, false))
			}
			for _, size := range []int64{unit, 11 * unit} {
				jobs = append(jobs, uploaderJob(fmt.Sprintf("uploader-stream/%d", size), size, true))
			}
			jobs = append(jobs, uploaderJob("big/large", largeObject, false))

			e.proxy.SetSchedule(faultproxy.Random(s, rate))
			var ta tally
			e.runJobs(t, &ta, jobs, 4)
			e.proxy.SetSchedule(nil)

			e.checkNoUploads(t)
			e.checkNoLeaks(t, before)
			ta.report(t, fmt.Sprintf("client and engine, seed %d, rate %.0f%%", s, rate*100), e, 0)
			if ta.transfers.Load() != int64(len(jobs)) {
				t.Errorf("%d outcomes for %d jobs", ta.transfers.Load(), len(jobs))
			}
		})
	}
}
