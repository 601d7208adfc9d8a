//go:build conformance

package conformance

// A real browser posts presignpost's HTML upload form to versitygw: headless
// Chromium, driven through chromedriver's WebDriver HTTP API (JSON over
// net/http, so no new module), attaches a file and submits. What a browser
// sends (its own multipart boundary, field order, file part headers) is not
// what MultipartBody writes, so this is the check that the form works where
// it is meant to be used. scripts/browser.sh installs Chromium;
// scripts/conformance.sh runs it before the suite.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/conformance"
	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// chromiumArgs start a browser that needs no display, no sandbox (the test
// may run as root) and no network beyond what the test serves on loopback.
var chromiumArgs = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
	"--disable-background-networking", "--disable-component-update",
	"--disable-sync", "--disable-quic",
	// A proxy from the environment must not see loopback traffic (Chromium
	// bypasses loopback by default; this makes it independent of that).
	"--no-proxy-server",
}

const (
	uploadMax     = 48 << 10 // the policy's content-length-range upper bound
	browserBudget = 60 * time.Second
)

func TestBrowserPresignedPOST(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	hc, err := conformance.LoopbackClient("")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s3client.New(s3client.Config{
		Region:          mustEnv(t, "S3KIT_CONFORMANCE_REGION"),
		Endpoint:        mustEnv(t, "S3KIT_CONFORMANCE_ENDPOINT"),
		AddressingStyle: s3client.AddressingPath,
		Credentials: sigv4.NewStaticProvider(mustEnv(t, "S3KIT_CONFORMANCE_ACCESS_KEY"),
			mustEnv(t, "S3KIT_CONFORMANCE_SECRET_KEY"), ""),
		HTTPClient: hc,
	})
	if err != nil {
		t.Fatal(err)
	}
	bucket := fmt.Sprintf("s3kit-browser-%d", time.Now().UnixNano()%1e9)
	if _, err := c.CreateBucket(ctx, &s3client.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}

	// The page server: /form/<name> is an upload form, /done is where S3
	// sends the browser after a successful upload (success_action_redirect),
	// with bucket, key and etag in the query.
	var (
		mu    sync.Mutex
		forms = map[string][]byte{}
		done  = map[string]url.Values{} // by key
	)
	pages := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/form/"):
			page, ok := forms[strings.TrimPrefix(r.URL.Path, "/form/")]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		case r.URL.Path == "/done":
			done[r.URL.Query().Get("key")] = r.URL.Query()
			io.WriteString(w, "<!DOCTYPE html><title>uploaded</title><p>uploaded</p>")
		default:
			http.NotFound(w, r)
		}
	}))
	// Registered before the browser's cleanup, so it runs after Chromium
	// has quit and holds no connection to it.
	t.Cleanup(pages.Close)

	dir := t.TempDir()
	wd := startWebDriver(t, ctx, dir)

	fits := pattern(40<<10 + 7) // every byte value, CR, LF and NUL among them
	tests := []struct {
		name   string
		file   []byte
		accept bool
	}{
		{"fits", fits, true},
		{"too large", pattern(uploadMax + 1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := "browser/" + strings.ReplaceAll(tc.name, " ", "-") + ".bin"
			signed, err := c.PresignPost(ctx, &presignpost.Policy{
				Bucket: bucket,
				Key:    key,
				Fields: map[string]string{
					"Content-Type":            "application/octet-stream",
					"x-amz-meta-uploaded-by":  "chromium",
					"success_action_redirect": pages.URL + "/done",
				},
				Conditions: []presignpost.Condition{presignpost.ContentLengthRange(1, uploadMax)},
				Expires:    5 * time.Minute,
			})
			if err != nil {
				t.Fatalf("PresignPost: %v", err)
			}
			var page bytes.Buffer
			if err := signed.HTML(&page); err != nil {
				t.Fatal(err)
			}
			name := strings.ReplaceAll(tc.name, " ", "-")
			mu.Lock()
			forms[name] = page.Bytes()
			mu.Unlock()
			path := filepath.Join(dir, "upload "+name+".bin")
			if err := os.WriteFile(path, tc.file, 0o600); err != nil {
				t.Fatal(err)
			}

			formURL := pages.URL + "/form/" + name
			wd.navigate(t, formURL)
			wd.sendKeys(t, wd.find(t, `input[type="file"]`), path)
			wd.click(t, wd.find(t, `input[type="submit"]`))
			landed := wd.awaitNavigation(t, formURL)
			shown := wd.text(t)

			mu.Lock()
			q, redirected := done[key]
			mu.Unlock()
			if !tc.accept {
				if redirected || strings.HasPrefix(landed, pages.URL) {
					t.Errorf("the server accepted a file of %d bytes, over the policy's %d: landed on %s", len(tc.file), uploadMax, landed)
				}
				// S3 answers with an XML error, which the browser shows.
				if !strings.Contains(shown, "EntityTooLarge") {
					t.Errorf("the browser shows no EntityTooLarge error:\n%.2000s", shown)
				}
				_, err := c.HeadObject(ctx, &s3client.GetObjectInput{Bucket: bucket, Key: key})
				if !s3client.IsNotFound(err) {
					t.Errorf("HeadObject after the refused upload: %v, want not found", err)
				}
				return
			}
			if !redirected {
				t.Fatalf("the browser did not come back through success_action_redirect; it shows %s:\n%.2000s", landed, shown)
			}
			if q.Get("bucket") != bucket || q.Get("etag") == "" {
				t.Errorf("redirect query = %v, want bucket %q and an etag", q, bucket)
			}
			if got := getObject(t, ctx, c, bucket, key); !bytes.Equal(got, tc.file) {
				t.Errorf("the object differs from the file the browser sent: %d bytes, want %d", len(got), len(tc.file))
			}
			head, err := c.HeadObject(ctx, &s3client.GetObjectInput{Bucket: bucket, Key: key})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if head.ContentType != "application/octet-stream" || head.Metadata["uploaded-by"] != "chromium" {
				t.Errorf("form fields not applied: Content-Type %q, metadata %v", head.ContentType, head.Metadata)
			}
			if head.ETag != q.Get("etag") {
				t.Errorf("ETag %s, redirect said %s", head.ETag, q.Get("etag"))
			}
		})
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func getObject(t *testing.T, ctx context.Context, c *s3client.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(ctx, &s3client.GetObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("GetObject body: %v", err)
	}
	return b
}

// webDriver is one chromedriver process with one browser session, spoken to
// with the W3C WebDriver protocol.
type webDriver struct {
	ctx     context.Context
	base    string // http://127.0.0.1:port/session/<id>
	http    *http.Client
	logPath string
}

// webDriverError is the error object of the protocol.
type webDriverError struct {
	Status  int
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *webDriverError) Error() string {
	return fmt.Sprintf("webdriver: %d %s: %s", e.Status, e.Code, e.Message)
}

var driverPortRE = regexp.MustCompile(`started successfully on port (\d+)`)

// startWebDriver starts chromedriver on a port it picks and a headless
// Chromium session with a fresh profile under dir. Both are gone when the
// test ends: the session is deleted (which quits Chromium), chromedriver is
// stopped, and anything left in its process group is killed.
func startWebDriver(t *testing.T, ctx context.Context, dir string) *webDriver {
	t.Helper()
	if why := os.Getenv("S3KIT_BROWSER_MISSING"); why != "" {
		// scripts/conformance.sh could not install the browser: an
		// optional tool, so the run goes on and says why this case did not.
		t.Skipf("no headless Chromium on this machine: %s", why)
	}
	chromium := envOr("S3KIT_CHROMIUM", "/usr/bin/chromium")
	driver := envOr("S3KIT_CHROMEDRIVER", "/usr/bin/chromedriver")
	for _, bin := range []string{chromium, driver} {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("%v: install the Debian packages chromium and chromium-driver (scripts/browser.sh ensure does, as root)", err)
		}
	}
	profile := filepath.Join(dir, "profile")
	logPath := filepath.Join(dir, "chromedriver.log")
	cmd := exec.Command(driver, "--port=0", "--log-path="+logPath)
	// Its own process group, so that cleanup reaches a Chromium that
	// outlives chromedriver; HOME in the temp dir keeps the user's alone.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(), "HOME="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting chromedriver: %v", err)
	}
	exited := make(chan struct{})
	portc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := driverPortRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case portc <- m[1]:
				default:
				}
			}
		}
		cmd.Wait()
		close(exited)
	}()
	wd := &webDriver{ctx: ctx, http: &http.Client{Timeout: 30 * time.Second}, logPath: logPath}
	t.Cleanup(func() {
		// The test's context may be done by now; cleanup has its own.
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		wd.ctx = cctx
		if wd.base != "" {
			if err := wd.call(http.MethodDelete, "", nil, nil); err != nil {
				t.Errorf("deleting the WebDriver session: %v", err)
			}
		}
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			t.Errorf("chromedriver (pid %d) ignored SIGTERM; killing it", cmd.Process.Pid)
		}
		// The group is ours (Setpgid above); ESRCH means it is already empty.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		if t.Failed() {
			wd.logTail(t)
		}
	})

	var port string
	select {
	case port = <-portc:
	case <-exited:
		t.Fatalf("chromedriver exited during start-up")
	case <-time.After(15 * time.Second):
		t.Fatalf("chromedriver did not say which port it listens on within 15s")
	}
	root := "http://127.0.0.1:" + port
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName":      "chrome",
		"pageLoadStrategy": "normal",
		"goog:chromeOptions": map[string]any{
			"binary": chromium,
			"args":   append(append([]string(nil), chromiumArgs...), "--user-data-dir="+profile),
		},
	}}}
	var sess struct {
		SessionID string `json:"sessionId"`
	}
	wd.base = root + "/session"
	if err := wd.call(http.MethodPost, "", caps, &sess); err != nil {
		wd.base = ""
		t.Fatalf("creating a headless Chromium session: %v", err)
	}
	wd.base = root + "/session/" + sess.SessionID
	timeouts := map[string]int{"pageLoad": 20000, "script": 5000, "implicit": 0}
	if err := wd.call(http.MethodPost, "/timeouts", timeouts, nil); err != nil {
		t.Fatalf("setting timeouts: %v", err)
	}
	return wd
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// call sends one command to the session (path "" is the session itself) and
// decodes the "value" of the answer into out.
func (wd *webDriver) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(wd.ctx, method, wd.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := wd.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("webdriver: %s %s: %d, not JSON: %.200s", method, path, resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK {
		werr := &webDriverError{Status: resp.StatusCode}
		json.Unmarshal(env.Value, werr)
		return werr
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(env.Value, out)
}

func (wd *webDriver) navigate(t *testing.T, u string) {
	t.Helper()
	if err := wd.call(http.MethodPost, "/url", map[string]string{"url": u}, nil); err != nil {
		t.Fatalf("navigating to %s: %v", u, err)
	}
}

// elementKey is the W3C name of an element reference.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

func (wd *webDriver) find(t *testing.T, css string) string {
	t.Helper()
	var ref map[string]string
	if err := wd.call(http.MethodPost, "/element", map[string]string{"using": "css selector", "value": css}, &ref); err != nil {
		t.Fatalf("finding %s: %v", css, err)
	}
	if ref[elementKey] == "" {
		t.Fatalf("finding %s: no element reference in %v", css, ref)
	}
	return ref[elementKey]
}

// sendKeys types text into an element; for a file input the text is the
// path of the file to attach.
func (wd *webDriver) sendKeys(t *testing.T, elem, text string) {
	t.Helper()
	if err := wd.call(http.MethodPost, "/element/"+elem+"/value", map[string]string{"text": text}, nil); err != nil {
		t.Fatalf("sending keys: %v", err)
	}
}

func (wd *webDriver) click(t *testing.T, elem string) {
	t.Helper()
	if err := wd.call(http.MethodPost, "/element/"+elem+"/click", map[string]any{}, nil); err != nil {
		t.Fatalf("clicking: %v", err)
	}
}

// awaitNavigation waits until the browser has left from and the new page
// has loaded, and returns the new page's URL.
func (wd *webDriver) awaitNavigation(t *testing.T, from string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var cur, state string
		err := wd.call(http.MethodGet, "/url", nil, &cur)
		if err == nil && cur != from {
			err = wd.call(http.MethodPost, "/execute/sync", map[string]any{"script": "return document.readyState", "args": []any{}}, &state)
			if err == nil && state == "complete" {
				return cur
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the browser stayed on %s (last error: %v)", cur, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// text returns the text the page shows. For an XML answer (an S3 error)
// that is Chromium's XML tree view, which shows the elements' text; the page
// source would bury it under the viewer's style sheet.
func (wd *webDriver) text(t *testing.T) string {
	t.Helper()
	const script = "return document.body ? document.body.innerText : document.documentElement.textContent"
	var text string
	if err := wd.call(http.MethodPost, "/execute/sync", map[string]any{"script": script, "args": []any{}}, &text); err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	return text
}

// logTail logs the end of chromedriver's log, for a failed test.
func (wd *webDriver) logTail(t *testing.T) {
	b, err := os.ReadFile(wd.logPath)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			t.Logf("chromedriver log: %v", err)
		}
		return
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	t.Logf("last lines of the chromedriver log:\n%s", b)
}
