package reliability

// The soak: S3KIT_SOAK_SECONDS (default 2) of mixed concurrent operations
// through the fault proxy at a 10 % fault rate — puts, streams, multipart
// uploads, file uploads and downloads, downloads into writers, listings,
// copies and deletes — with the same checks as the fault suites after
// every operation and at the end.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/faultproxy"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

// soakDuration reads S3KIT_SOAK_SECONDS.
func soakDuration(t testing.TB) time.Duration {
	s := os.Getenv("S3KIT_SOAK_SECONDS")
	if s == "" {
		return 2 * time.Second
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("S3KIT_SOAK_SECONDS=%q: want a number of seconds", s)
	}
	return time.Duration(n) * time.Second
}

// soakWorker owns a key prefix and knows what each of its objects holds.
type soakWorker struct {
	id      int
	te      *transferEnv
	rng     *rand.Rand
	objects map[string]string // key → sha256 of what it certainly holds
	sizes   map[string]int64  // and its size
	history map[string][]string
	salt    uint64
}

// forget drops what a failed write leaves uncertain (the old or the new
// content, both whole: outcome has checked that).
func (w *soakWorker) forget(key string) { delete(w.objects, key) }

// pick returns one of the worker's objects, or "".
func (w *soakWorker) pick() string {
	if len(w.objects) == 0 {
		return ""
	}
	i := w.rng.IntN(len(w.objects))
	for k := range w.objects {
		if i == 0 {
			return k
		}
		i--
	}
	return ""
}

func (w *soakWorker) step(ctx context.Context, t *testing.T, ta *tally) {
	te := w.te
	w.salt++
	key := fmt.Sprintf("w%d/%d", w.id, w.rng.IntN(8))
	size := int64(w.rng.IntN(256 << 10))
	var j job
	switch op := w.rng.IntN(10); op {
	case 0, 1:
		j = putJob(key, size, op == 1)
	case 2:
		j = uploadJob(te, key, 5*unit+int64(w.rng.IntN(6*unit)), true)
	case 3:
		j = uploadFileJob(te, key, 5*unit+int64(w.rng.IntN(2*unit)))
	case 4:
		j = writerJob(te, key, int64(w.rng.IntN(7*unit)))
	case 5, 6:
		src := w.pick()
		if src == "" {
			return
		}
		want := w.objects[src]
		name := fmt.Sprintf("DownloadFile %s", src)
		target := filepath.Join(te.downDir, fmt.Sprintf("w%d-%d", w.id, w.salt))
		j = job{name: name, run: func(ctx context.Context, e *env) (string, string, error) {
			_, err := te.m.DownloadFile(ctx, e.bucket, src, target)
			if err == nil {
				b, rerr := os.ReadFile(target)
				os.Remove(target)
				if rerr != nil || sum(b) != want {
					return "", "", fmt.Errorf("reliability: silent corruption: %s downloaded differently", src)
				}
			}
			if _, serr := os.Stat(target); err != nil && serr == nil {
				return "", "", fmt.Errorf("reliability: silent corruption: a failed download left %s", target)
			}
			return "", "", typed(err)
		}}
		if op == 6 {
			j = job{name: "Download " + src, run: func(ctx context.Context, e *env) (string, string, error) {
				h := sha256.New()
				_, err := te.m.Download(ctx, e.bucket, src, h)
				if err == nil && hex.EncodeToString(h.Sum(nil)) != want {
					return "", "", fmt.Errorf("reliability: silent corruption: %s downloaded differently", src)
				}
				return "", "", typed(err)
			}}
		}
	case 7:
		src := w.pick()
		if src == "" || src == key || w.sizes[src] >= 5*unit {
			// gofakes3 has no UploadPartCopy: only objects under the
			// multipart threshold can be copied here.
			return
		}
		want := w.objects[src]
		j = job{name: fmt.Sprintf("Copy %s to %s", src, key), run: func(ctx context.Context, e *env) (string, string, error) {
			_, err := te.m.Copy(ctx, transfer.CopySource{Bucket: e.bucket, Key: src}, e.bucket, key)
			return key, want, typed(err)
		}}
	case 8:
		prefix := fmt.Sprintf("w%d/", w.id)
		certain := make(map[string]bool)
		for k := range w.objects {
			certain[k] = true
		}
		j = job{name: "ListObjectsV2 " + prefix, run: func(ctx context.Context, e *env) (string, string, error) {
			seen := map[string]bool{}
			for o, err := range e.client.AllObjects(ctx, &s3client.ListObjectsV2Input{Bucket: e.bucket, Prefix: prefix, MaxKeys: 3}) {
				if err != nil {
					return "", "", err
				}
				seen[o.Key] = true
			}
			for k := range certain {
				if !seen[k] {
					return "", "", fmt.Errorf("reliability: silent corruption: %s not listed", k)
				}
			}
			return "", "", nil
		}}
	case 9:
		j = job{name: "Delete " + key, run: func(ctx context.Context, e *env) (string, string, error) {
			_, err := te.m.Delete(ctx, e.bucket, key)
			return "", "", typed(err)
		}}
		defer func() {
			if _, _, ok := te.object(key); ok {
				w.forget(key) // a failed delete
			} else {
				delete(w.objects, key)
			}
		}()
	}
	j.prior = w.history[key]
	k, want, err := j.run(ctx, te.env)
	if err != nil && bytes.Contains([]byte(err.Error()), []byte("silent corruption")) {
		t.Errorf("%s: %v", j.name, err)
		return
	}
	te.outcome(t, ta, j, k, want, err)
	if k != "" {
		w.history[k] = append(w.history[k], want)
		if err == nil {
			w.objects[k] = want
			_, w.sizes[k], _ = te.object(k)
		} else {
			w.forget(k)
		}
	}
}

func TestSoak(t *testing.T) {
	d := soakDuration(t)
	if d == 0 {
		return
	}
	s := seed(t) + 200
	te := newTransferEnv(t, options{})
	before := goroutines()
	te.proxy.SetSchedule(faultproxy.Random(s, 0.10))

	const workers = 4
	var ta tally
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for i := range workers {
		w := &soakWorker{id: i, te: te, rng: rand.New(rand.NewPCG(s, uint64(i))),
			objects: map[string]string{}, sizes: map[string]int64{}, history: map[string][]string{}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				w.step(ctx, t, &ta)
				cancel()
			}
		}()
	}
	wg.Wait()
	te.proxy.SetSchedule(nil)

	te.checkNoUploads(t)
	te.checkFiles(t)
	te.checkNoLeaks(t, before)
	ta.report(t, fmt.Sprintf("soak %v, seed %d, rate 10%%, %d workers", d, s, workers), te.env, 0)
}
