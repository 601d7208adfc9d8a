package transfer

// Bad input refused before any request, and values that print without
// the credentials of the client they hold.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// requestCounter is a server that counts the requests reaching it and
// fails them all.
func requestCounter(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeError(w, http.StatusInternalServerError, "InternalError")
	}))
	t.Cleanup(ts.Close)
	return ts, &n
}

func TestRefusedBeforeAnyRequest(t *testing.T) {
	ts, requests := requestCounter(t)
	client := newTestClient(t, ts.URL, nil, func(c *s3client.Config) { c.MaxAttempts = 1 })
	ctx := context.Background()
	for _, resume := range []bool{false, true} {
		for _, threads := range []bool{true, false} {
			cfg := Config{Resume: resume, StateDir: t.TempDir()}
			if !threads {
				cfg = noThreads(cfg)
			}
			m := newManager(t, client, cfg)
			dir := t.TempDir()
			target := filepath.Join(dir, "target")
			if err := os.Mkdir(target, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, target, "inside", []byte("keep"))
			for _, tc := range []struct {
				name    string
				call    func() error
				invalid bool // wraps s3client.ErrInvalidInput
			}{
				{"Upload nil reader", func() error { _, err := m.Upload(ctx, nil, testBucket, "k"); return err }, true},
				{"Download nil writer", func() error { _, err := m.Download(ctx, testBucket, "k", nil); return err }, true},
				{"DownloadAt nil writer", func() error { _, err := m.DownloadAt(ctx, testBucket, "k", nil); return err }, true},
				{"DownloadFile empty name", func() error { _, err := m.DownloadFile(ctx, testBucket, "k", ""); return err }, true},
				{"DownloadFile onto a directory", func() error {
					_, err := m.DownloadFile(ctx, testBucket, "k", target)
					return err
				}, false},
				{"DownloadFile into a missing directory", func() error {
					_, err := m.DownloadFile(ctx, testBucket, "k", filepath.Join(dir, "no", "such", "f"))
					if err != nil && !errors.Is(err, os.ErrNotExist) {
						return fmt.Errorf("want os.ErrNotExist: %w", err)
					}
					return err
				}, false},
			} {
				t.Run(fmt.Sprintf("%s/resume=%v/threads=%v", tc.name, resume, threads), func(t *testing.T) {
					before := requests.Load()
					err := tc.call()
					var te *Error
					if !errors.As(err, &te) {
						t.Fatalf("err = %v, want a *transfer.Error", err)
					}
					if tc.invalid && !errors.Is(err, s3client.ErrInvalidInput) {
						t.Errorf("err = %v, want s3client.ErrInvalidInput", err)
					}
					if n := requests.Load() - before; n != 0 {
						t.Errorf("%d requests sent", n)
					}
				})
			}
			if b, err := os.ReadFile(filepath.Join(target, "inside")); err != nil || string(b) != "keep" {
				t.Errorf("the directory's content changed: %q, %v", b, err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("%d entries beside the target directory, want none", len(ents)-1)
			}
			if js := journals(t, cfg.StateDir); len(js) != 0 {
				t.Errorf("journals left: %v", js)
			}
		}
	}
}

// The temporary file is made before HeadObject; when HeadObject fails it
// is removed, unless it is the file of an earlier, interrupted download,
// which the next call resumes.
func TestDownloadFileHeadFails(t *testing.T) {
	t.Run("new", func(t *testing.T) {
		e := newEnv(t)
		cfg := resumeConfig(t, true)
		dir := t.TempDir()
		m := newManager(t, e.client, cfg)
		if _, err := m.DownloadFile(context.Background(), testBucket, "missing", filepath.Join(dir, "out")); !s3client.IsNotFound(err) {
			t.Fatalf("err = %v, want not found", err)
		}
		if tmp := tempFiles(t, dir); len(tmp) != 0 {
			t.Errorf("temporary files left: %v", tmp)
		}
		if js := journals(t, cfg.StateDir); len(js) != 0 {
			t.Errorf("journals left: %v", js)
		}
	})
	t.Run("resumed", func(t *testing.T) {
		e := newEnv(t)
		data := randBytes(4*testRange, 61)
		e.srv.PutObject(t, testBucket, "obj", data, nil)
		sh := newShim(t, e.srv)
		var broken, headFails atomic.Bool
		broken.Store(true)
		sh.cut = func(r *http.Request) int64 {
			if broken.Load() && strings.HasPrefix(r.Header.Get("Range"), fmt.Sprintf("bytes=%d-", 2*testRange)) {
				return 10
			}
			return -1
		}
		cfg := resumeConfig(t, true)
		cfg.MaxConcurrency, cfg.NumDownloadAttempts = 1, 1
		dir := t.TempDir()
		target := filepath.Join(dir, "out")
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if headFails.Load() && r.Method == http.MethodHead {
				return nil, errors.New("network down")
			}
			return http.DefaultTransport.RoundTrip(r)
		})}
		client := newTestClient(t, sh.URL(), hc, func(c *s3client.Config) { c.MaxAttempts = 1 })
		m := smallRanges(newManager(t, client, cfg))
		if _, err := m.DownloadFile(context.Background(), testBucket, "obj", target); !errors.Is(err, ErrShortBody) {
			t.Fatalf("first attempt: %v", err)
		}
		tmp := tempFiles(t, dir)
		if len(tmp) != 1 {
			t.Fatalf("temporary files after the failure: %v", tmp)
		}
		headFails.Store(true)
		if _, err := m.DownloadFile(context.Background(), testBucket, "obj", target); err == nil {
			t.Fatal("download without HeadObject succeeded")
		}
		if got := tempFiles(t, dir); len(got) != 1 || got[0] != tmp[0] {
			t.Fatalf("temporary files after a failed HeadObject: %v, want %v kept", got, tmp)
		}
		headFails.Store(false)
		broken.Store(false)
		res, err := m.DownloadFile(context.Background(), testBucket, "obj", target)
		if err != nil {
			t.Fatal(err)
		}
		if res.Resumed != 2 {
			t.Errorf("%d ranges resumed, want 2", res.Resumed)
		}
		if got, _ := os.ReadFile(target); !bytes.Equal(got, data) {
			t.Error("file differs")
		}
		if tmp := tempFiles(t, dir); len(tmp) != 0 {
			t.Errorf("temporary files left: %v", tmp)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Values that hold a client print, with every verb, without its
// credentials: fmt does not call the String methods of their unexported
// fields, so they need their own.
func TestFormatHidesCredentials(t *testing.T) {
	const secret, token = "sEcReT/kEy+NeVeR+PrInTeD0123456789abcd", "ToKeN-NeVeR-PrInTeD"
	client, err := s3client.New(s3client.Config{Region: "us-east-1", Endpoint: "http://127.0.0.1:1",
		Credentials: sigv4.NewStaticProvider("AKIDFORMAT", secret, token)})
	if err != nil {
		t.Fatal(err)
	}
	m := newManager(t, client, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := m.NewWriter(ctx, testBucket, "k")
	if err != nil {
		t.Fatal(err)
	}
	cancel() // the upload ends without a request
	w.Close()
	// A struct of the caller's that logs them in exported fields (fmt
	// calls no method of an unexported field: nothing can protect those).
	type holder struct {
		M   *Manager
		W   *Writer
		Opt CopyOption
	}
	values := map[string]any{
		"*Manager":     m,
		"*Writer":      w,
		"SourceClient": SourceClient(client),
		"struct":       holder{m, w, SourceClient(client)},
		"*struct":      &holder{m, w, SourceClient(client)},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			s := fmt.Sprintf(verb, v)
			if strings.Contains(s, secret) || strings.Contains(s, token) {
				t.Errorf("%s %s shows the credentials: %s", verb, name, s)
			}
		}
	}
	if s := fmt.Sprint(m); !strings.Contains(s, "MultipartChunkSize: 8388608") {
		t.Errorf("Manager prints as %s, want its configuration", s)
	}
	if s := fmt.Sprintf("%q", m); !strings.HasPrefix(s, `"transfer.Manager{`) {
		t.Errorf("%%q of a Manager = %s, want it quoted", s)
	}
	if s := fmt.Sprint(w); s != `transfer.Writer{Bucket: "bkt", Key: "k"}` {
		t.Errorf("Writer prints as %s", s)
	}
}
