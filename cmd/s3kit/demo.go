package main

// This file holds "s3kit demo" (what "make demo" runs): an embedded S3
// server on loopback, and the boto3 S3 guide walked through step by step
// with the s3kit library, each step printed and checked, or said not to
// be checked where the server cannot tell. demofront.go holds the small
// HTTP front of the server that records requests.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
	"github.com/s3kit/s3kit/transfer"
)

// The documentation's example key pair: the embedded server checks every
// signature against it, and the demo never reads the user's AWS
// configuration.
const (
	demoAccessKey = "AKIAIOSFODNN7EXAMPLE"
	demoSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	demoRegion    = "us-east-1"
	demoBucket    = "bucket-name" // the guide's names
	demoOther     = "otherbucket"
)

// demoBigSize is the size of the file the transfer steps move: above the
// 8 MiB multipart threshold, in three parts, and not a multiple of
// anything.
const demoBigSize = 20<<20 + 12345

// demoStep is one step of the demo: a title and a function that does the
// step, says what it did (d.say) and returns an error if a check failed.
type demoStep struct {
	title string
	run   func(ctx context.Context, d *demo) error
}

// demo is the state the steps share.
type demo struct {
	inv      *invocation
	out      io.Writer
	front    *demoFront
	endpoint string // the front's path-style URL
	port     string
	creds    sigv4.Credentials
	client   *s3client.Client // path style
	vclient  *s3client.Client // virtual-hosted style
	mgr      *transfer.Manager
	dir      string // temporary files
	bigFile  string
	bigSum   [32]byte
	// unchecked lists what the current step could not check, because the
	// server does not do it; runSteps prints it instead of "ok".
	unchecked []string
}

func runDemo(ctx context.Context, inv *invocation) error {
	start := time.Now()
	d, err := newDemo(inv)
	if err != nil {
		return during("demo: start", err)
	}
	defer d.close()
	if !inv.opts.quiet {
		fmt.Fprintf(inv.stdout, "s3kit demo: the boto3 S3 guide, step by step, with the s3kit Go library\n")
		fmt.Fprintf(inv.stdout, "server: %s (embedded gofakes3, in memory; nothing leaves this machine;\n", d.endpoint)
		fmt.Fprintf(inv.stdout, "        it checks signatures, POST policies and checksums, and keeps no ACLs)\n\n")
	}
	passed, failed := d.runSteps(ctx, demoSteps())
	elapsed := time.Since(start).Round(10 * time.Millisecond)
	total := passed + len(failed)
	if len(failed) > 0 {
		fmt.Fprintf(inv.stdout, "\ndemo: %d of %d steps passed, %d FAILED (%s) in %s\n", passed, total, len(failed), strings.Join(failed, ", "), elapsed)
		return errReported
	}
	fmt.Fprintf(inv.stdout, "\ndemo: all %d steps passed in %s\n", total, elapsed)
	return nil
}

// runSteps runs the steps in order, printing each with its outcome, and
// returns how many passed and the numbers of those that failed. A failed
// step does not stop the others: each step sets up what it needs.
func (d *demo) runSteps(ctx context.Context, steps []demoStep) (passed int, failed []string) {
	for i, s := range steps {
		num := fmt.Sprintf("%d", i+1)
		if !d.inv.opts.quiet {
			fmt.Fprintf(d.inv.stdout, "[%d/%d] %s\n", i+1, len(steps), s.title)
		}
		d.front.reset()
		d.unchecked = nil
		err := runStep(ctx, d, s)
		if err == nil && ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		if err != nil {
			failed = append(failed, num)
			fmt.Fprintf(d.inv.stdout, "      FAILED: %s\n", formatError(err))
			continue
		}
		passed++
		switch {
		case d.inv.opts.quiet:
		case len(d.unchecked) > 0:
			fmt.Fprintf(d.inv.stdout, "      not checked by this server: %s\n", strings.Join(d.unchecked, "; "))
		default:
			fmt.Fprintf(d.inv.stdout, "      ok\n")
		}
	}
	return passed, failed
}

// runStep runs one step, turning a panic into the step's failure, so that
// one broken step cannot hide the others' results.
func runStep(ctx context.Context, d *demo, s demoStep) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return s.run(ctx, d)
}

// say prints a line of a step's account, indented under its title.
func (d *demo) say(format string, args ...any) {
	if !d.inv.opts.quiet {
		fmt.Fprintf(d.inv.stdout, "      "+format+"\n", args...)
	}
}

func newDemo(inv *invocation) (*demo, error) {
	d := &demo{inv: inv, out: inv.stdout,
		creds: sigv4.Credentials{AccessKeyID: demoAccessKey, SecretAccessKey: demoSecretKey}}
	handler, _, err := s3test.NewHandler(s3test.WithCredentials(d.creds), s3test.WithPOSTPolicies())
	if err != nil {
		return nil, err
	}
	if d.front, err = newDemoFront(handler); err != nil {
		return nil, err
	}
	d.endpoint = d.front.url
	u, _ := url.Parse(d.endpoint)
	d.port = u.Port()
	if d.client, err = d.newClient(s3client.AddressingPath, demoRegion); err != nil {
		d.close()
		return nil, err
	}
	if d.vclient, err = d.newClient(s3client.AddressingVirtual, demoRegion); err != nil {
		d.close()
		return nil, err
	}
	if d.mgr, err = transfer.New(d.client, transfer.Config{}); err != nil {
		d.close()
		return nil, err
	}
	if d.dir, err = os.MkdirTemp("", "s3kit-demo-"); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// newClient returns a client of the embedded server. Virtual-hosted style
// needs a host name to put the bucket in front of: "localhost", whose
// sub-domains the client's transport sends to 127.0.0.1.
func (d *demo) newClient(style s3client.AddressingStyle, region string) (*s3client.Client, error) {
	endpoint := d.endpoint
	if style == s3client.AddressingVirtual {
		endpoint = "http://localhost:" + d.port
	}
	return s3client.New(s3client.Config{
		Region:          region,
		Endpoint:        endpoint,
		AddressingStyle: style,
		Credentials:     sigv4.NewStaticProvider(demoAccessKey, demoSecretKey, ""),
		HTTPClient:      localhostAware(nil),
		UserAgent:       "s3kit-demo",
	})
}

func (d *demo) close() {
	if d.front != nil {
		d.front.close()
	}
	if d.dir != "" {
		os.RemoveAll(d.dir)
	}
}

// demoData returns n bytes that are the same on every run and compress
// badly, as real files do.
func demoData(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}).Read(b)
	return b
}

// notChecked records a part of the step that the server cannot check:
// what was sent is shown, what S3 would do with it is not.
func (d *demo) notChecked(what string) { d.unchecked = append(d.unchecked, what) }

// check returns an error saying what was expected when ok is false.
func check(ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return fmt.Errorf("check failed: "+format, args...)
}

// progressFor returns what shows a transfer's progress: the guide's
// callback, which counts the bytes, and the bar on a terminal (nil
// without one, which is no option). done must be called when the transfer
// is over; it erases the bar.
func (d *demo) progressFor(label string, seen *int64, calls *int) (cb transfer.Callback, bar transfer.Listener, done func()) {
	cb = func(n int64) {
		// Calls are serialized by the manager, as in the guide's
		// ProgressPercentage with its lock.
		*seen += n
		*calls++
	}
	done = func() {}
	if d.inv.showProgress() {
		b := newProgressBar(d.inv.stderr, d.inv.progressWidth(), label, -1, false)
		bar, done = b.listener(), b.finish
	}
	return cb, bar, done
}

func demoSteps() []demoStep {
	return []demoStep{
		{"Addressing styles: virtual-hosted and path (Config AddressingStyle)", stepAddressing},
		{"UploadFile with ExtraArgs (Metadata, ACL, grants) and a progress callback", stepUploadFile},
		{"Upload from a stream (upload_fileobj): unknown length, sent in parts as it is read", stepUploadStream},
		{"DownloadFile with a progress callback", stepDownloadFile},
		{"Download into memory (download_fileobj)", stepDownloadMemory},
		{"Managed Copy, with a SourceClient, and with MetadataDirective REPLACE", stepCopy},
		{"TransferConfig: MultipartThreshold", stepThreshold},
		{"TransferConfig: MaxConcurrency", stepConcurrency},
		{"TransferConfig: no threads (NoThreads, boto3's use_threads=False)", stepNoThreads},
		{"Presigned URL: a GET fetched with plain net/http", stepPresignGet},
		{"Presigned URL: a PUT sent with plain net/http", stepPresignPut},
		{"Presigned POST: a form upload, and a condition that rejects a too large file", stepPresignPost},
	}
}

func stepAddressing(ctx context.Context, d *demo) error {
	for _, b := range []string{demoBucket, demoOther} {
		if _, err := d.client.CreateBucket(ctx, &s3client.CreateBucketInput{Bucket: b}); err != nil {
			return err
		}
	}
	d.say("created s3://%s and s3://%s (path style)", demoBucket, demoOther)
	body := []byte("hello, virtual-hosted world\n")
	if _, err := d.vclient.PutObject(ctx, &s3client.PutObjectInput{Bucket: demoBucket, Key: "hello.txt", Body: bytes.NewReader(body)}); err != nil {
		return err
	}
	out, err := d.client.GetObject(ctx, &s3client.GetObjectInput{Bucket: demoBucket, Key: "hello.txt"})
	if err != nil {
		return err
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil {
		return err
	}
	reqs := d.front.take()
	put, get := reqs.find("PUT", "hello.txt"), reqs.find("GET", "hello.txt")
	if put == nil || get == nil {
		return fmt.Errorf("check failed: the server saw no PUT or GET of hello.txt")
	}
	d.say("virtual-hosted: %s http://%s%s", put.Method, put.Host, put.Path)
	d.say("path:           %s http://%s%s", get.Method, get.Host, get.Path)
	d.say("auto, the default, is virtual-hosted on AWS and path style on a custom endpoint;")
	d.say("with path style on AWS, set the bucket's region (here: %s)", d.client.Region())
	if err := check(strings.HasPrefix(put.Host, demoBucket+".localhost:") && put.Path == "/hello.txt",
		"virtual-hosted PUT went to %s%s", put.Host, put.Path); err != nil {
		return err
	}
	if err := check(put.Host != get.Host && get.Path == "/"+demoBucket+"/hello.txt",
		"path-style GET went to %s%s", get.Host, get.Path); err != nil {
		return err
	}
	return check(bytes.Equal(got, body), "read back %q, wrote %q", got, body)
}

func stepUploadFile(ctx context.Context, d *demo) error {
	data := demoData(demoBigSize, 1)
	d.bigSum = sha256.Sum256(data)
	d.bigFile = filepath.Join(d.dir, "tmp.bin")
	if err := os.WriteFile(d.bigFile, data, 0o600); err != nil {
		return err
	}
	var seen int64
	var calls int
	cb, bar, done := d.progressFor("tmp.bin", &seen, &calls)
	res, err := d.mgr.UploadFile(ctx, d.bigFile, demoBucket, "key-name", cb, bar,
		transfer.UploadArgs{ObjectProperties: s3client.ObjectProperties{Metadata: map[string]string{"mykey": "myvalue"}, ACL: "public-read"}})
	done()
	if err != nil {
		return err
	}
	d.say("uploaded %s (%s) to s3://%s/key-name in %d parts, ETag %s", filepath.Base(d.bigFile), humanBytes(demoBigSize), demoBucket, res.Parts, res.ETag)
	d.say("progress callback: %d calls, %d bytes in all", calls, seen)
	if err := check(seen == demoBigSize, "the callback counted %d bytes of %d", seen, demoBigSize); err != nil {
		return err
	}
	head, err := d.client.HeadObject(ctx, &s3client.GetObjectInput{Bucket: demoBucket, Key: "key-name"})
	if err != nil {
		return err
	}
	d.say("metadata read back: mykey=%s", head.Metadata["mykey"])
	if err := check(head.Metadata["mykey"] == "myvalue" && head.ContentLength == demoBigSize,
		"HeadObject says metadata %v and size %d", head.Metadata, head.ContentLength); err != nil {
		return err
	}
	create := d.front.take().find("POST", "key-name", "uploads")
	if err := check(create != nil && create.Header.Get("X-Amz-Acl") == "public-read",
		"CreateMultipartUpload did not carry x-amz-acl: public-read"); err != nil {
		return err
	}
	d.say("x-amz-acl: public-read sent with CreateMultipartUpload")
	d.notChecked("the ACL read back (gofakes3 keeps no ACLs)")

	// Custom grants: a canned ACL and grants cannot go together.
	small := filepath.Join(d.dir, "tmp.txt")
	if err := os.WriteFile(small, []byte("the guide's tmp.txt\n"), 0o600); err != nil {
		return err
	}
	_, err = d.mgr.UploadFile(ctx, small, demoBucket, "tmp.txt", transfer.UploadArgs{ObjectProperties: s3client.ObjectProperties{
		GrantRead:        `uri="http://acs.amazonaws.com/groups/global/AllUsers"`,
		GrantFullControl: `id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"`,
		Metadata:         map[string]string{"mykey": "myvalue"},
	}})
	if err != nil {
		return err
	}
	put := d.front.take().find("PUT", "tmp.txt")
	if err := check(put != nil && strings.Contains(put.Header.Get("X-Amz-Grant-Read"), "AllUsers") &&
		strings.HasPrefix(put.Header.Get("X-Amz-Grant-Full-Control"), `id="79a59df9`),
		"PutObject did not carry the grant headers"); err != nil {
		return err
	}
	d.say("x-amz-grant-read and x-amz-grant-full-control sent with PutObject of tmp.txt")
	d.notChecked("the grants read back")
	return nil
}

func stepUploadStream(ctx context.Context, d *demo) error {
	const size = 9<<20 + 777
	data := demoData(size, 2)
	// A pipe: no Seek, no ReadAt, no length, as a socket or stdin.
	pr, pw := io.Pipe()
	go func() {
		for off := 0; off < len(data); off += 64 << 10 {
			if _, err := pw.Write(data[off:min(off+64<<10, len(data))]); err != nil {
				return
			}
		}
		pw.Close()
	}()
	res, err := d.mgr.Upload(ctx, pr, demoBucket, "stream.bin")
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		return err
	}
	d.say("uploaded %s from an io.Pipe in %d parts", humanBytes(size), res.Parts)
	out, err := d.client.GetObject(ctx, &s3client.GetObjectInput{Bucket: demoBucket, Key: "stream.bin"})
	if err != nil {
		return err
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil {
		return err
	}
	return check(bytes.Equal(got, data), "read back %d bytes that differ from the %d sent", len(got), len(data))
}

func stepDownloadFile(ctx context.Context, d *demo) error {
	if d.bigFile == "" {
		return errors.New("needs step 2's upload")
	}
	target := filepath.Join(d.dir, "downloaded.bin")
	var seen int64
	var calls int
	cb, bar, done := d.progressFor("downloaded.bin", &seen, &calls)
	res, err := d.mgr.DownloadFile(ctx, demoBucket, "key-name", target, cb, bar)
	done()
	if err != nil {
		return err
	}
	got, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	d.say("downloaded s3://%s/key-name to %s (%s, %d ranges in parallel)", demoBucket, filepath.Base(target), humanBytes(res.Size), res.Parts)
	d.say("progress callback: %d calls, %d bytes in all", calls, seen)
	if err := check(seen == demoBigSize, "the callback counted %d bytes of %d", seen, demoBigSize); err != nil {
		return err
	}
	if err := check(sha256.Sum256(got) == d.bigSum, "the downloaded file differs from the uploaded one"); err != nil {
		return err
	}
	d.say("SHA-256 of the file matches the original")
	return nil
}

func stepDownloadMemory(ctx context.Context, d *demo) error {
	var buf bytes.Buffer
	res, err := d.mgr.Download(ctx, demoBucket, "key-name", &buf)
	if err != nil {
		return err
	}
	d.say("downloaded %s into a bytes.Buffer (ranges in parallel, written in order)", humanBytes(res.Size))
	return check(sha256.Sum256(buf.Bytes()) == d.bigSum && res.Size == demoBigSize,
		"the %d bytes in memory differ from the uploaded file", buf.Len())
}

func stepCopy(ctx context.Context, d *demo) error {
	src := transfer.CopySource{Bucket: demoBucket, Key: "tmp.txt"}
	if _, err := d.client.HeadObject(ctx, &s3client.GetObjectInput{Bucket: src.Bucket, Key: src.Key}); err != nil {
		return fmt.Errorf("needs step 2's tmp.txt: %w", err)
	}
	var seen int64
	if _, err := d.mgr.Copy(ctx, src, demoOther, "otherkey", transfer.Callback(func(n int64) { seen += n })); err != nil {
		return err
	}
	want, err := d.get(ctx, src.Bucket, src.Key)
	if err != nil {
		return err
	}
	got, err := d.get(ctx, demoOther, "otherkey")
	if err != nil {
		return err
	}
	d.say("copied s3://%s/%s to s3://%s/otherkey inside S3 (callback: %d bytes, in one step)", src.Bucket, src.Key, demoOther, seen)
	if err := check(bytes.Equal(got, want), "the copy holds %q, the source %q", got, want); err != nil {
		return err
	}

	// A source in another region: its HeadObject goes through a client of
	// that region, as boto3's SourceClient.
	sourceClient, err := d.newClient(s3client.AddressingPath, "eu-central-1")
	if err != nil {
		return err
	}
	d.front.take()
	if _, err := d.mgr.Copy(ctx, src, demoOther, "otherkey-2", transfer.SourceClient(sourceClient)); err != nil {
		return err
	}
	head := d.front.take().find("HEAD", src.Key)
	if err := check(head != nil && strings.Contains(head.Header.Get("Authorization"), "/eu-central-1/s3/aws4_request"),
		"the source's HeadObject was not signed for eu-central-1"); err != nil {
		return err
	}
	d.say("with SourceClient (eu-central-1): the source's HeadObject was signed for eu-central-1")
	d.notChecked("SourceClient across regions (this server has one region and accepts any)")

	_, err = d.mgr.Copy(ctx, src, demoBucket, "mykey", transfer.CopyArgs{
		ObjectProperties:  s3client.ObjectProperties{Metadata: map[string]string{"my-new-key": "my-new-value"}},
		MetadataDirective: "REPLACE",
	})
	if err != nil {
		return err
	}
	copyReq := d.front.take().find("PUT", "mykey")
	meta, err := d.client.HeadObject(ctx, &s3client.GetObjectInput{Bucket: demoBucket, Key: "mykey"})
	if err != nil {
		return err
	}
	d.say("copied with MetadataDirective REPLACE: my-new-key=%s", meta.Metadata["my-new-key"])
	if err := check(copyReq != nil && copyReq.Header.Get("X-Amz-Metadata-Directive") == "REPLACE",
		"CopyObject did not carry x-amz-metadata-directive: REPLACE"); err != nil {
		return err
	}
	if err := check(meta.Metadata["my-new-key"] == "my-new-value", "the copy's metadata is %v", meta.Metadata); err != nil {
		return err
	}
	d.notChecked("MetadataDirective REPLACE (gofakes3 merges the source's metadata: S3 would drop mykey)")

	// Above MultipartThreshold a copy goes in UploadPartCopy parts.
	if d.bigFile == "" {
		return errors.New("needs step 2's upload")
	}
	res, err := d.mgr.Copy(ctx, transfer.CopySource{Bucket: demoBucket, Key: "key-name"}, demoOther, "big-copy")
	if err != nil {
		return err
	}
	parts := 0
	for _, r := range d.front.take() {
		if r.Method == "PUT" && strings.HasSuffix(r.Path, "/big-copy") && r.Header.Get("X-Amz-Copy-Source") != "" && strings.Contains(r.RawQuery, "partNumber=") {
			parts++
		}
	}
	big, err := d.client.HeadObject(ctx, &s3client.GetObjectInput{Bucket: demoOther, Key: "big-copy"})
	if err != nil {
		return err
	}
	d.say("copied the %s key-name in %d UploadPartCopy parts", humanBytes(demoBigSize), parts)
	return check(parts == 3 && res.Parts == 3 && big.ContentLength == demoBigSize, "want 3 UploadPartCopy parts and %d bytes, saw %d parts and %d bytes", demoBigSize, parts, big.ContentLength)
}

func (d *demo) get(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := d.client.GetObject(ctx, &s3client.GetObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func stepThreshold(ctx context.Context, d *demo) error {
	if d.bigFile == "" {
		return errors.New("needs step 2's file")
	}
	for _, c := range []struct {
		name      string
		threshold int64
		parts     bool
	}{
		{"MultipartThreshold 5 GiB", 5 << 30, false},
		{"the default, 8 MiB", 0, true},
	} {
		mgr, err := transfer.New(d.client, transfer.Config{MultipartThreshold: c.threshold})
		if err != nil {
			return err
		}
		d.front.take()
		res, err := mgr.UploadFile(ctx, d.bigFile, demoBucket, "threshold.bin")
		if err != nil {
			return err
		}
		reqs := d.front.take()
		puts, parts := 0, 0
		for _, r := range reqs {
			if r.Method == "PUT" && strings.HasSuffix(r.Path, "/threshold.bin") {
				if strings.Contains(r.RawQuery, "uploadId=") {
					parts++
				} else {
					puts++
				}
			}
		}
		d.say("%-25s %s -> %d PutObject, %d UploadPart", c.name+":", humanBytes(demoBigSize), puts, parts)
		if c.parts {
			if err := check(puts == 0 && parts == res.Parts && parts == 3, "want 3 parts, saw %d PutObject and %d UploadPart", puts, parts); err != nil {
				return err
			}
		} else if err := check(puts == 1 && parts == 0, "want one PutObject, saw %d PutObject and %d UploadPart", puts, parts); err != nil {
			return err
		}
	}
	return nil
}

func stepConcurrency(ctx context.Context, d *demo) error {
	if d.bigFile == "" {
		return errors.New("needs step 2's upload")
	}
	// 5 MiB ranges: the 20 MiB object is 5 ranges, so a limit above 5
	// is never reached.
	for _, limit := range []int{2, 20} {
		mgr, err := transfer.New(d.client, transfer.Config{MaxConcurrency: limit, MultipartChunkSize: 5 << 20})
		if err != nil {
			return err
		}
		d.front.resetPeak()
		var buf bytes.Buffer
		res, err := mgr.Download(ctx, demoBucket, "key-name", &buf)
		if err != nil {
			return err
		}
		peak := d.front.peak()
		d.say("MaxConcurrency %-2d: %d ranges, at most %d requests at once on the server", limit, res.Parts, peak)
		if err := check(peak <= limit && sha256.Sum256(buf.Bytes()) == d.bigSum, "peak %d above the limit %d, or bytes differ", peak, limit); err != nil {
			return err
		}
	}
	return nil
}

func stepNoThreads(ctx context.Context, d *demo) error {
	if d.bigFile == "" {
		return errors.New("needs step 2's upload")
	}
	mgr, err := transfer.New(d.client, transfer.Config{NoThreads: true, MaxConcurrency: 20})
	if err != nil {
		return err
	}
	d.front.resetPeak()
	target := filepath.Join(d.dir, "serial.bin")
	res, err := mgr.DownloadFile(ctx, demoBucket, "key-name", target)
	if err != nil {
		return err
	}
	if _, err := mgr.UploadFile(ctx, d.bigFile, demoBucket, "serial.bin"); err != nil {
		return err
	}
	peak := d.front.peak()
	got, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	d.say("NoThreads: a download in %d ranges and an upload in parts, one request at a time (peak %d)", res.Parts, peak)
	d.say("MaxConcurrency (20 here) is ignored, as boto3 ignores max_concurrency without threads")
	return check(peak == 1 && sha256.Sum256(got) == d.bigSum, "peak %d requests at once, or bytes differ", peak)
}

func stepPresignGet(ctx context.Context, d *demo) error {
	req, err := d.client.PresignGetObject(ctx, &s3client.GetObjectInput{Bucket: demoBucket, Key: "tmp.txt"}, 15*time.Minute)
	if err != nil {
		return err
	}
	d.say("URL: %s", shortURL(req.URL))
	resp, err := http.Get(req.URL)
	if err != nil {
		return err
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	want, err := d.get(ctx, demoBucket, "tmp.txt")
	if err != nil {
		return err
	}
	d.say("http.Get: %s, %d bytes (valid until %s)", resp.Status, len(got), req.Expires.UTC().Format(time.TimeOnly+" UTC"))
	if err := check(resp.StatusCode == 200 && bytes.Equal(got, want), "got %s and %q", resp.Status, got); err != nil {
		return err
	}
	// The server checks the signature: a URL whose expiry was changed
	// after signing is refused.
	tampered := strings.Replace(req.URL, "X-Amz-Expires=900", "X-Amz-Expires=3600", 1)
	resp, err = http.Get(tampered)
	if err != nil {
		return err
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	d.say("the same URL with X-Amz-Expires=3600: %s %s", resp.Status, xmlCode(msg))
	return check(tampered != req.URL && resp.StatusCode == 403 && xmlCode(msg) == "SignatureDoesNotMatch", "the tampered URL got %s %s", resp.Status, xmlCode(msg))
}

// shortURL shows a presigned URL with its signature elided.
func shortURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	q := u.Query()
	if sig := q.Get("X-Amz-Signature"); len(sig) > 12 {
		q.Set("X-Amz-Signature", sig[:12]+"...")
	}
	u.RawQuery = strings.ReplaceAll(q.Encode(), "%2F", "/")
	return u.String()
}

func stepPresignPut(ctx context.Context, d *demo) error {
	body := []byte("uploaded with a presigned PUT, no credentials needed\n")
	req, err := d.client.PresignPutObject(ctx, &s3client.PutObjectInput{Bucket: demoBucket, Key: "presigned-put.txt", ObjectProperties: s3client.ObjectProperties{ContentType: "text/plain"}}, 15*time.Minute)
	if err != nil {
		return err
	}
	d.say("URL: %s", shortURL(req.URL))
	hreq, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for name, values := range req.Header {
		// Signed headers must be sent exactly as signed.
		hreq.Header[name] = values
	}
	resp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d.say("PUT with the signed header Content-Type: text/plain: %s", resp.Status)
	got, err := d.get(ctx, demoBucket, "presigned-put.txt")
	if err != nil {
		return err
	}
	return check(resp.StatusCode == 200 && bytes.Equal(got, body), "got %s, object %q", resp.Status, got)
}

func stepPresignPost(ctx context.Context, d *demo) error {
	// The guide's first form: just a bucket and a key.
	plain, err := d.client.PresignPost(ctx, &presignpost.Policy{Bucket: demoBucket, Key: "key-name-post"})
	if err != nil {
		return err
	}
	status, err := postForm(ctx, plain, "file.txt", []byte("file_content"))
	if err != nil {
		return err
	}
	got, err := d.get(ctx, demoBucket, "key-name-post")
	if err != nil {
		return err
	}
	d.say("POST %s with %d fields and the file: %s", plain.URL, len(plain.Fields), status)
	if err := check(string(got) == "file_content", "the posted object holds %q", got); err != nil {
		return err
	}

	// The guide's second form: a fixed ACL, and a size range.
	const key = "uploads/avatar.txt"
	p := &presignpost.Policy{
		Bucket: demoBucket,
		Key:    key,
		Fields: map[string]string{"acl": "public-read"},
		Conditions: []presignpost.Condition{
			presignpost.Eq("acl", "public-read"),
			presignpost.ContentLengthRange(10, 100),
		},
	}
	signed, err := d.client.PresignPost(ctx, p)
	if err != nil {
		return err
	}
	d.say("conditions: %v", signed.Conditions[:4])
	small := bytes.Repeat([]byte("s"), 50)
	status, err = postForm(ctx, signed, "avatar.txt", small)
	if err != nil {
		return err
	}
	d.say("50 bytes:   %s", status)
	if got, err := d.get(ctx, demoBucket, key); err != nil || !bytes.Equal(got, small) {
		return fmt.Errorf("check failed: the accepted upload is not there (%v)", err)
	}
	status, err = postForm(ctx, signed, "avatar.txt", bytes.Repeat([]byte("b"), 1000))
	if err != nil {
		return err
	}
	d.say("1000 bytes: %s", status)
	got, err = d.get(ctx, demoBucket, key)
	if err != nil {
		return err
	}
	if err := check(strings.HasPrefix(status, "400") && strings.Contains(status, "EntityTooLarge") && bytes.Equal(got, small),
		"the too large upload was not refused (%s)", status); err != nil {
		return err
	}
	d.say("gofakes3 does not check POST policies: the server checks each form")
	d.say("with presignpost.Verify (signature) and presignpost.Check (conditions), as S3 does")
	return nil
}

// postForm posts the form with a file, as a browser would, with plain
// net/http, and returns the status and, for an error, S3's error code.
func postForm(ctx context.Context, s *presignpost.Signed, filename string, file []byte) (string, error) {
	var body bytes.Buffer
	contentType, err := s.MultipartBody(&body, filename, bytes.NewReader(file))
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, &body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode >= 300 {
		if code := xmlCode(msg); code != "" {
			return resp.Status + " " + code, nil
		}
	}
	return resp.Status, nil
}

// xmlCode returns the <Code> of an S3 error document.
func xmlCode(b []byte) string {
	s := string(b)
	i := strings.Index(s, "<Code>")
	j := strings.Index(s, "</Code>")
	if i < 0 || j < i {
		return ""
	}
	return s[i+len("<Code>") : j]
}
