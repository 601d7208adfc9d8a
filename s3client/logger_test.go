package s3client

// Config.Logger: a *slog.Logger receives the retry and request records,
// without secrets; nil and a nil *slog.Logger log nothing.

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestLogger(t *testing.T) {
	// The first answer of each pair is a 500, the second a success.
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body []byte) {
		if n%2 == 1 {
			writeError(w, http.StatusInternalServerError, "InternalError", "try again")
			return
		}
		w.Header().Set("ETag", `"e"`)
	})
	var buf bytes.Buffer
	for _, tc := range []struct {
		name   string
		logger Logger
		want   []string // substrings of the records, in order; none when nil
	}{
		{"slog", slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
			[]string{"s3kit: request", "status=500", "s3kit: retrying", "code=InternalError", "s3kit: request", "status=200"}},
		{"nil", nil, nil},
		{"nil *slog.Logger", (*slog.Logger)(nil), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf.Reset()
			c := newClient(t, f.URL, func(c *Config) { c.Logger = tc.logger })
			if _, err := c.PutObject(context.Background(), &PutObjectInput{Bucket: "b", Key: "k", Body: strings.NewReader("x")}); err != nil {
				t.Fatal(err)
			}
			logs := buf.String()
			if tc.want == nil && logs != "" {
				t.Fatalf("logged:\n%s", logs)
			}
			rest := logs
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("no %q (in order) in:\n%s", w, logs)
				}
				rest = rest[i+len(w):]
			}
			if strings.Contains(logs, testSecretKey) || strings.Contains(logs, "Signature=") {
				t.Errorf("a secret or a signature was logged:\n%s", logs)
			}
		})
	}
}
