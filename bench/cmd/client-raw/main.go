// Command client-raw is the benchmark's baselines: what plain net/http does
// with no S3 library, against which each client is measured in the same
// run.
//
//   - raw: parallel part PUTs (create, parts, complete) with no signing and
//     no hashing, parallel ranged GETs into the file, and single PUTs and
//     GETs for small objects: the ceiling of the machine and the sink.
//   - raw-sha256: the same uploads plus a SHA-256 of each part, sent as
//     x-amz-content-sha256: the floor of any client that signs its payload
//     (each byte is read twice, once to hash it and once to send it).
//
// Both use one http.Transport cloned from http.DefaultTransport with enough
// idle connections for the concurrency (Go's default of 2 per host would
// re-dial most connections) and read and write through 256 KiB buffers.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"

	"github.com/s3kit/s3kit/bench/internal/harness"
)

func main() {
	harness.Main(map[string]harness.Factory{
		"raw":        func(cfg harness.Config) (harness.Client, error) { return newRaw(cfg, false), nil },
		"raw-sha256": func(cfg harness.Config) (harness.Client, error) { return newRaw(cfg, true), nil },
	})
}

const (
	defaultConcurrency = 8
	defaultPartSize    = 8 << 20
	copyBuffer         = 256 << 10
)

type raw struct {
	hc       *http.Client
	endpoint string
	conc     int
	partSize int64
	hash     bool
}

func newRaw(cfg harness.Config, hash bool) *raw {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 256
	t.DisableCompression = true
	r := &raw{hc: &http.Client{Transport: t}, endpoint: cfg.Endpoint, conc: cfg.Concurrency, partSize: cfg.PartSize, hash: hash}
	if r.conc <= 0 {
		r.conc = defaultConcurrency
	}
	if r.partSize <= 0 {
		r.partSize = defaultPartSize
	}
	return r
}

func (c *raw) url(bucket, key, query string) string {
	u := c.endpoint + "/" + bucket + "/" + key
	if query != "" {
		u += "?" + query
	}
	return u
}

// send sends a request and returns the response with its body read to the
// end and closed, or an error for a status other than 2xx.
func (c *raw) send(ctx context.Context, method, url string, body io.Reader, size int64, header map[string]string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
		}
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	var b []byte
	if resp.StatusCode/100 != 2 || method == "POST" {
		// Only errors and create/complete answers are read; other bodies
		// are empty and discarded without a buffer.
		b, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, nil, fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, b)
	}
	return resp, b, nil
}

type completePart struct {
	PartNumber int
	ETag       string
}

// multipart runs create, the parts (from parts, each given a buffer to hash
// with if hashing), and complete.
func (c *raw) multipart(ctx context.Context, bucket, key string, parts <-chan part) error {
	_, b, err := c.send(ctx, "POST", c.url(bucket, key, "uploads"), nil, 0, nil)
	if err != nil {
		return err
	}
	var init struct{ UploadId string }
	if err := xml.Unmarshal(b, &init); err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	var done []completePart
	var wg sync.WaitGroup
	for w := 0; w < c.conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var h hash.Hash
			buf := make([]byte, copyBuffer)
			if c.hash {
				h = sha256.New()
			}
			for p := range parts {
				if ctx.Err() != nil {
					p.release()
					continue
				}
				hdr := map[string]string{}
				if h != nil {
					h.Reset()
					if _, err := io.CopyBuffer(h, p.open(), buf); err != nil {
						cancel(err)
						p.release()
						continue
					}
					hdr["X-Amz-Content-Sha256"] = hex.EncodeToString(h.Sum(nil))
				}
				resp, _, err := c.send(ctx, "PUT", c.url(bucket, key, "partNumber="+strconv.Itoa(p.num)+"&uploadId="+init.UploadId), p.open(), p.size, hdr)
				p.release()
				if err != nil {
					cancel(err)
					continue
				}
				mu.Lock()
				done = append(done, completePart{p.num, resp.Header.Get("ETag")})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		c.send(context.Background(), "DELETE", c.url(bucket, key, "uploadId="+init.UploadId), nil, 0, nil)
		return err
	}
	slices.SortFunc(done, func(a, b completePart) int { return a.PartNumber - b.PartNumber })
	var body bytes.Buffer
	body.WriteString("<CompleteMultipartUpload>")
	for _, p := range done {
		fmt.Fprintf(&body, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", p.PartNumber, p.ETag)
	}
	body.WriteString("</CompleteMultipartUpload>")
	_, _, err = c.send(ctx, "POST", c.url(bucket, key, "uploadId="+init.UploadId), bytes.NewReader(body.Bytes()), int64(body.Len()), nil)
	return err
}

// part is one part to send: open returns a fresh reader of its bytes.
type part struct {
	num     int
	size    int64
	open    func() io.Reader
	release func()
}

func (c *raw) Upload(ctx context.Context, bucket, key, path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	parts := make(chan part)
	go func() {
		defer close(parts)
		for off, num := int64(0), 1; off < size; off, num = off+c.partSize, num+1 {
			n := min(c.partSize, size-off)
			parts <- part{num: num, size: n, open: func() io.Reader { return io.NewSectionReader(f, off, n) }, release: func() {}}
		}
	}()
	return c.multipart(ctx, bucket, key, parts)
}

// UploadStream reads r into conc+1 part buffers and sends them as they
// fill: the memory is bounded, and the reading overlaps the sending.
func (c *raw) UploadStream(ctx context.Context, bucket, key string, r io.Reader) error {
	free := make(chan []byte, c.conc+1)
	for i := 0; i < c.conc+1; i++ {
		free <- make([]byte, c.partSize)
	}
	parts := make(chan part)
	var readErr error
	go func() {
		defer close(parts)
		for num := 1; ; num++ {
			var buf []byte
			select {
			case buf = <-free:
			case <-ctx.Done():
				return
			}
			n, err := io.ReadFull(r, buf)
			if n > 0 || num == 1 {
				b := buf[:n]
				parts <- part{num: num, size: int64(n), open: func() io.Reader { return bytes.NewReader(b) }, release: func() { free <- buf }}
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return
			}
			if err != nil {
				readErr = err
				return
			}
		}
	}()
	err := c.multipart(ctx, bucket, key, parts)
	return errors.Join(err, readErr)
}

// Download GETs ranges of partSize, conc at a time, each written at its
// offset in the file.
func (c *raw) Download(ctx context.Context, bucket, key, path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	offs := make(chan int64)
	go func() {
		defer close(offs)
		for off := int64(0); off < size; off += c.partSize {
			offs <- off
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < c.conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, copyBuffer)
			for off := range offs {
				if ctx.Err() != nil {
					continue
				}
				if err := c.getRange(ctx, bucket, key, f, off, min(off+c.partSize, size)-1, buf); err != nil {
					cancel(err)
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(context.Cause(ctx), f.Close())
}

// DownloadTo GETs ranges of partSize, conc at a time, each into a buffer
// of its own, and writes the buffers to w in order: conc+1 buffers, so
// that the ranges after the one being written keep arriving.
func (c *raw) DownloadTo(ctx context.Context, bucket, key string, w io.Writer, size int64) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	n := int((size + c.partSize - 1) / c.partSize)
	free := make(chan []byte, c.conc+1)
	for range c.conc + 1 {
		free <- make([]byte, c.partSize)
	}
	ready := make([]chan []byte, n)
	for i := range ready {
		ready[i] = make(chan []byte, 1)
	}
	sem := make(chan struct{}, c.conc)
	go func() {
		for i := range n {
			var buf []byte
			select {
			case buf = <-free:
			case <-ctx.Done():
				return
			}
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				first := int64(i) * c.partSize
				last := min(first+c.partSize, size) - 1
				b := buf[:last-first+1]
				if err := c.getRange(ctx, bucket, key, &bufferAt{b: b, base: first}, first, last, nil); err != nil {
					cancel(err)
					return
				}
				ready[i] <- b
			}()
		}
	}()
	for i := range n {
		select {
		case b := <-ready[i]:
			if _, err := w.Write(b); err != nil {
				return err
			}
			free <- b[:cap(b)]
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// bufferAt is an io.WriterAt into b, which holds the bytes from base.
type bufferAt struct {
	b    []byte
	base int64
}

func (w *bufferAt) WriteAt(p []byte, off int64) (int, error) {
	if off < w.base || off-w.base+int64(len(p)) > int64(len(w.b)) {
		return 0, errors.New("write outside the range")
	}
	return copy(w.b[off-w.base:], p), nil
}

func (c *raw) getRange(ctx context.Context, bucket, key string, f io.WriterAt, first, last int64, buf []byte) error {
	req, err := http.NewRequestWithContext(ctx, "GET", c.url(bucket, key, ""), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Range", "bytes="+strconv.FormatInt(first, 10)+"-"+strconv.FormatInt(last, 10))
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent {
		return fmt.Errorf("GET range: %s", resp.Status)
	}
	var n int64
	if ba, ok := f.(*bufferAt); ok {
		// Straight into the range's buffer.
		var k int
		k, err = io.ReadFull(resp.Body, ba.b)
		n = int64(k)
		if err == io.ErrUnexpectedEOF {
			err = nil // the length check below says what is missing
		}
	} else {
		n, err = io.CopyBuffer(io.NewOffsetWriter(f, first), resp.Body, buf)
	}
	if err == nil && n != last-first+1 {
		err = fmt.Errorf("GET range %d-%d: %d bytes", first, last, n)
	}
	return err
}

func (c *raw) Put(ctx context.Context, bucket, key string, body []byte) error {
	_, _, err := c.send(ctx, "PUT", c.url(bucket, key, ""), bytes.NewReader(body), int64(len(body)), nil)
	return err
}

func (c *raw) Get(ctx context.Context, bucket, key string, buf []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.url(bucket, key, ""), nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET: %s", resp.Status)
	}
	return harness.ReadFull(resp.Body, buf)
}
