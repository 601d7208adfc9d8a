//go:build conformance

package conformance

// `s3kit sync` against versitygw: the command is built once and run as a
// user runs it, configured by the environment only (AWS_ENDPOINT_URL,
// AWS_CA_BUNDLE, the keys), in the three directions, with --delete,
// --exclude, --size-only and a second run that transfers nothing; what is
// in the buckets and the directories afterwards is read back with the
// library.

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/conformance"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// buildS3kit builds cmd/s3kit into a directory of the test.
func buildS3kit(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "s3kit")
	if out, err := exec.Command(gobin, "build", "-o", bin, "github.com/s3kit/s3kit/cmd/s3kit").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/s3kit: %v\n%s", err, out)
	}
	return bin
}

// syncTarget is one way of reaching versitygw: what the CLI is given in
// its environment and on its command line, and a library client to check
// what it did.
type syncTarget struct {
	t      *testing.T
	bin    string
	env    []string
	flags  []string
	client *s3client.Client
	ctx    context.Context
}

func TestVersitygwSync(t *testing.T) {
	bin := buildS3kit(t)
	caFile := os.Getenv("S3KIT_CONFORMANCE_CA_FILE")
	targets := []struct {
		name, endpointVar string
		style             s3client.AddressingStyle
	}{
		{"http/path", "S3KIT_CONFORMANCE_ENDPOINT", s3client.AddressingPath},
		{"http/virtual", "S3KIT_CONFORMANCE_ENDPOINT", s3client.AddressingVirtual},
		{"https/path", "S3KIT_CONFORMANCE_HTTPS_ENDPOINT", s3client.AddressingPath},
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			endpoint := mustEnv(t, tg.endpointVar)
			if tg.style == s3client.AddressingVirtual {
				endpoint = conformance.LocalhostEndpoint(endpoint)
			}
			region := mustEnv(t, "S3KIT_CONFORMANCE_REGION")
			access, secret := mustEnv(t, "S3KIT_CONFORMANCE_ACCESS_KEY"), mustEnv(t, "S3KIT_CONFORMANCE_SECRET_KEY")
			home := t.TempDir()
			// Only what the test sets: neither the machine's AWS
			// settings nor its proxies take part.
			env := []string{
				"PATH=" + os.Getenv("PATH"), "HOME=" + home,
				"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
				"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
				"AWS_EC2_METADATA_DISABLED=true",
				"AWS_ENDPOINT_URL=" + endpoint, "AWS_REGION=" + region,
				"AWS_ACCESS_KEY_ID=" + access, "AWS_SECRET_ACCESS_KEY=" + secret,
			}
			hcCA := ""
			if strings.HasPrefix(endpoint, "https:") {
				env = append(env, "AWS_CA_BUNDLE="+caFile)
				hcCA = caFile
			}
			hc, err := conformance.LoopbackClient(hcCA)
			if err != nil {
				t.Fatal(err)
			}
			c, err := s3client.New(s3client.Config{Region: region, Endpoint: endpoint, AddressingStyle: tg.style,
				Credentials: sigv4.NewStaticProvider(access, secret, ""), HTTPClient: hc})
			if err != nil {
				t.Fatal(err)
			}
			st := &syncTarget{t: t, bin: bin, env: env, client: c, ctx: context.Background(),
				flags: []string{"--addressing-style", tg.style.String(), "--no-progress"}}
			st.run()
		})
	}
}

// counts is what a sync's summary line says it did.
type counts struct{ copied, deleted, same int }

var summaryRE = regexp.MustCompile(`(?m)^sync: (\d+) file\(s\) \w+ \([^)]*\), (\d+) deleted, (\d+) up to date$`)

// sync runs `s3kit sync args...` and returns its summary's counts; the
// command must succeed.
func (st *syncTarget) sync(args ...string) counts {
	st.t.Helper()
	cmd := exec.Command(st.bin, append(append([]string{"sync"}, args...), st.flags...)...)
	cmd.Env = st.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		st.t.Fatalf("s3kit sync %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	m := summaryRE.FindStringSubmatch(stdout.String())
	if m == nil {
		st.t.Fatalf("s3kit sync %s: no summary line in\n%s", strings.Join(args, " "), stdout.String())
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	return counts{n(m[1]), n(m[2]), n(m[3])}
}

func (st *syncTarget) want(what string, got, want counts) {
	st.t.Helper()
	if got != want {
		st.t.Errorf("%s: copied %d, deleted %d, up to date %d; want %d, %d, %d", what,
			got.copied, got.deleted, got.same, want.copied, want.deleted, want.same)
	}
}

func (st *syncTarget) check(what string, err error) {
	st.t.Helper()
	if err != nil {
		st.t.Fatalf("%s: %v", what, err)
	}
}

// bucket makes a bucket for the test and removes it, with what is left
// in it, at the end.
func (st *syncTarget) bucket(name string) string {
	st.t.Helper()
	_, err := st.client.CreateBucket(st.ctx, &s3client.CreateBucketInput{Bucket: name})
	st.check("CreateBucket "+name, err)
	st.t.Cleanup(func() {
		for key := range st.objects(name, "") {
			st.client.DeleteObject(st.ctx, &s3client.DeleteObjectInput{Bucket: name, Key: key})
		}
		st.client.DeleteBucket(st.ctx, &s3client.DeleteBucketInput{Bucket: name})
	})
	return name
}

// objects returns the keys under prefix (without it) and their
// LastModified.
func (st *syncTarget) objects(bucket, prefix string) map[string]time.Time {
	st.t.Helper()
	out := map[string]time.Time{}
	for o, err := range st.client.AllObjects(st.ctx, &s3client.ListObjectsV2Input{Bucket: bucket, Prefix: prefix}) {
		st.check("ListObjectsV2", err)
		out[strings.TrimPrefix(o.Key, prefix)] = o.LastModified
	}
	return out
}

// contents returns the objects under prefix (without it) and their data.
func (st *syncTarget) contents(bucket, prefix string) map[string]string {
	st.t.Helper()
	out := map[string]string{}
	for key := range st.objects(bucket, prefix) {
		o, err := st.client.GetObject(st.ctx, &s3client.GetObjectInput{Bucket: bucket, Key: prefix + key})
		st.check("GetObject "+key, err)
		b, err := io.ReadAll(o.Body)
		o.Body.Close()
		st.check("reading "+key, err)
		out[key] = string(b)
	}
	return out
}

func (st *syncTarget) put(bucket, key, data string) {
	st.t.Helper()
	_, err := st.client.PutObject(st.ctx, &s3client.PutObjectInput{Bucket: bucket, Key: key, Body: strings.NewReader(data)})
	st.check("PutObject "+key, err)
}

func (st *syncTarget) remove(bucket, key string) {
	st.t.Helper()
	_, err := st.client.DeleteObject(st.ctx, &s3client.DeleteObjectInput{Bucket: bucket, Key: key})
	st.check("DeleteObject "+key, err)
}

// files returns the regular files under dir, by slash-separated path, and
// their data.
func (st *syncTarget) files(dir string) map[string]string {
	st.t.Helper()
	out := map[string]string{}
	st.check("walk "+dir, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	}))
	return out
}

func writeFile(t *testing.T, dir, rel, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// setTime sets a file's modification time.
func setTime(t *testing.T, dir, rel string, mtime time.Time) {
	t.Helper()
	if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(rel)), mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// sameTree reports a difference between two trees of path → data, by
// path, without printing the large ones whole.
func sameTree(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
		t.Errorf("%s: paths %q, want %q", what, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		return
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: %s holds %d bytes that differ from the %d expected", what, p, len(got[p]), len(w))
		}
	}
}

func (st *syncTarget) run() {
	t := st.t
	seq := bucketSeq()
	b1 := st.bucket(fmt.Sprintf("s3kit-sync-%d-a", seq))
	b2 := st.bucket(fmt.Sprintf("s3kit-sync-%d-b", seq))

	// 9 MiB: over the 8 MiB multipart threshold, so that the upload, the
	// download and the copy each go in parts.
	big := make([]byte, 9<<20)
	rand.Read(big)
	tree := map[string]string{
		"a.txt":            "alpha",
		"dir/b.txt":        "bravo",
		"dir/sub/c.log":    "charlie",
		"with space/ü.txt": "unicode",
		"big.bin":          string(big),
		"skip/x.tmp":       "excluded",
	}
	src := t.TempDir()
	for p, d := range tree {
		writeFile(t, src, p, d)
	}
	// The files are older than anything the server will write.
	past := time.Now().Add(-time.Hour)
	for p := range tree {
		setTime(t, src, p, past)
	}
	up := "s3://" + b1 + "/up/"
	uploaded := maps.Clone(tree)
	delete(uploaded, "skip/x.tmp")

	// --- local → S3 ---
	st.want("first upload", st.sync(src, up, "--exclude", "*.tmp"), counts{copied: 5})
	sameTree(t, "after the first upload", st.contents(b1, "up/"), uploaded)
	before := st.objects(b1, "up/")
	st.want("second upload", st.sync(src, up, "--exclude", "*.tmp"), counts{same: 5})
	if after := st.objects(b1, "up/"); !maps.Equal(after, before) {
		t.Errorf("the second upload rewrote objects: LastModified %v, then %v", before, after)
	}

	// An excluded key in the bucket is neither deleted nor compared; a
	// same-sized change is invisible to --size-only; a file removed
	// locally is deleted with --delete.
	st.put(b1, "up/keep.tmp", "kept")
	writeFile(t, src, "a.txt", "ALPHA")
	setTime(t, src, "a.txt", time.Now().Add(time.Hour)) // newer than its object
	writeFile(t, src, "dir/sub/c.log", "charlie, longer")
	setTime(t, src, "dir/sub/c.log", past)
	if err := os.Remove(filepath.Join(src, "dir", "b.txt")); err != nil {
		t.Fatal(err)
	}
	st.want("upload --size-only --delete", st.sync(src, up, "--exclude", "*.tmp", "--size-only", "--delete"),
		counts{copied: 1, deleted: 1, same: 3})
	want := maps.Clone(uploaded)
	delete(want, "dir/b.txt")
	want["dir/sub/c.log"] = "charlie, longer"
	want["keep.tmp"] = "kept"
	sameTree(t, "after upload --size-only --delete", st.contents(b1, "up/"), want)
	// Without --size-only, the newer a.txt goes up.
	st.want("upload of a newer file", st.sync(src, up, "--exclude", "*.tmp"), counts{copied: 1, same: 3})
	want["a.txt"] = "ALPHA"
	sameTree(t, "after the upload of a newer file", st.contents(b1, "up/"), want)
	setTime(t, src, "a.txt", past)

	// --- S3 → local ---
	dl := filepath.Join(t.TempDir(), "dl") // sync makes it
	st.want("download --exclude", st.sync(up, dl, "--exclude", "dir/*"), counts{copied: 4})
	wantFiles := maps.Clone(want)
	delete(wantFiles, "dir/sub/c.log")
	sameTree(t, "after download --exclude", st.files(dl), wantFiles)
	st.want("download of the rest", st.sync(up, dl), counts{copied: 1, same: 4})
	sameTree(t, "after the download of the rest", st.files(dl), want)
	// The files carry their objects' times, so that nothing is newer.
	for key, lm := range st.objects(b1, "up/") {
		fi, err := os.Stat(filepath.Join(dl, filepath.FromSlash(key)))
		st.check("stat "+key, err)
		if !fi.ModTime().Truncate(time.Second).Equal(lm.Truncate(time.Second)) {
			t.Errorf("%s: file time %v, object's LastModified %v", key, fi.ModTime(), lm)
		}
	}
	st.want("second download", st.sync(up, dl), counts{same: 5})
	writeFile(t, dl, "stale.txt", "not in the bucket")
	writeFile(t, dl, "dir/local-only.txt", "excluded, so kept")
	st.want("download --delete --exclude", st.sync(up, dl, "--delete", "--exclude", "dir/*"), counts{deleted: 1, same: 4})
	wantFiles = maps.Clone(want)
	wantFiles["dir/local-only.txt"] = "excluded, so kept"
	sameTree(t, "after download --delete --exclude", st.files(dl), wantFiles)

	// --- S3 → S3 ---
	mirror := "s3://" + b2 + "/mirror/"
	st.want("first copy", st.sync(up, mirror), counts{copied: 5})
	sameTree(t, "after the first copy", st.contents(b2, "mirror/"), want)
	before = st.objects(b2, "mirror/")
	st.want("second copy", st.sync(up, mirror), counts{same: 5})
	if after := st.objects(b2, "mirror/"); !maps.Equal(after, before) {
		t.Errorf("the second copy rewrote objects: LastModified %v, then %v", before, after)
	}
	// A same-sized change of the source, newer than its copy.
	waitPast(t, before["with space/ü.txt"])
	st.put(b1, "up/with space/ü.txt", "UNICODE")
	st.want("copy --size-only", st.sync(up, mirror, "--size-only"), counts{same: 5})
	st.want("copy of a newer object", st.sync(up, mirror), counts{copied: 1, same: 4})
	want["with space/ü.txt"] = "UNICODE"
	sameTree(t, "after the copy of a newer object", st.contents(b2, "mirror/"), want)
	// --delete removes what the source lacks, except what is excluded.
	st.remove(b1, "up/a.txt")
	st.put(b2, "mirror/extra.txt", "only in the copy")
	st.put(b2, "mirror/dir/extra.txt", "excluded, so kept")
	st.want("copy --delete --exclude", st.sync(up, mirror, "--delete", "--exclude", "dir/*"), counts{deleted: 2, same: 3})
	delete(want, "a.txt")
	want["dir/extra.txt"] = "excluded, so kept"
	sameTree(t, "after copy --delete --exclude", st.contents(b2, "mirror/"), want)
	// The source is left as it was.
	delete(want, "dir/extra.txt")
	sameTree(t, "the source after the copies", st.contents(b1, "up/"), want)
}

// bucketSeq numbers the test's buckets, unique across runs.
func bucketSeq() int64 {
	syncSeq.Lock()
	defer syncSeq.Unlock()
	syncSeq.n++
	return time.Now().UnixNano()%1e9*100 + syncSeq.n
}

var syncSeq struct {
	sync.Mutex
	n int64
}

// waitPast waits until the clock is in a later second than t, so that
// what is written next is newer to the second, as sync compares times.
func waitPast(t *testing.T, tm time.Time) {
	t.Helper()
	next := tm.Truncate(time.Second).Add(time.Second)
	if d := time.Until(next); d > 0 {
		time.Sleep(d + 50*time.Millisecond)
	}
}
