package s3client

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestTransportBoundsConnectionsPerHost sends more concurrent PutObject
// calls than DefaultMaxConnsPerHost to a server that holds every request
// until all calls have asked for a connection and as many requests as the
// bound allows are in its handler at once. The server counts the
// connections open at once: never more than the bound, though the calls
// were all waiting together.
func TestTransportBoundsConnectionsPerHost(t *testing.T) {
	const bound = DefaultMaxConnsPerHost
	const calls = bound + 64
	var (
		open, peak, accepted atomic.Int64
		inHandler, asked     atomic.Int64
		release              = make(chan struct{})
		releaseOnce          sync.Once
	)
	// Both conditions only grow until the release, so whichever event
	// completes them sees them both.
	maybeRelease := func() {
		if inHandler.Load() >= bound && asked.Load() >= calls {
			releaseOnce.Do(func() { close(release) })
		}
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		inHandler.Add(1)
		maybeRelease()
		<-release
		w.Header().Set("ETag", `"d41d8cd98f00b204e9800998ecf8427e"`)
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			accepted.Add(1)
			n := open.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newClient(t, srv.URL)

	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GetConn: func(string) { asked.Add(1); maybeRelease() },
	})
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k" + strconv.Itoa(i), Body: strings.NewReader("x")})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := peak.Load(); p > bound {
		t.Errorf("%d connections were open at once, want at most %d", p, bound)
	}
	if a := accepted.Load(); a > bound {
		t.Errorf("%d connections were opened in all, want at most %d (none was closed)", a, bound)
	}
	if got := inHandler.Load(); got != calls {
		t.Errorf("the server served %d requests, want %d", got, calls)
	}
}

// TestTransportDefaults pins the settings DefaultTransport documents.
func TestTransportDefaults(t *testing.T) {
	tr := DefaultTransport()
	tests := []struct {
		name      string
		got, want int
	}{
		{"MaxConnsPerHost", tr.MaxConnsPerHost, DefaultMaxConnsPerHost},
		{"MaxIdleConnsPerHost", tr.MaxIdleConnsPerHost, DefaultMaxConnsPerHost},
		{"ReadBufferSize", tr.ReadBufferSize, 64 << 10},
		{"WriteBufferSize", tr.WriteBufferSize, 64 << 10},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}
