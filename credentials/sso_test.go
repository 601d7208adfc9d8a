package credentials

// Tests of SSO profiles against a fake IAM Identity Center portal and
// OIDC service on loopback.

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	ssoAccessToken  = "SSOACCESSTOKEN-old"
	ssoFreshToken   = "SSOACCESSTOKEN-fresh"
	ssoRefreshToken = "SSOREFRESHTOKEN"
	ssoClientSecret = "SSOCLIENTSECRET"
	ssoStartURL     = "https://corp.awsapps.com/start"
)

// fakeSSO is the portal and the OIDC service: it hands role credentials
// for the token it knows, and a fresh token for the refresh token.
type fakeSSO struct {
	srv *httptest.Server

	mu        sync.Mutex
	valid     string // the access token the portal accepts
	refreshes int
	roleCalls []string // "account/role" of each GetRoleCredentials
}

func newFakeSSO(t *testing.T) *fakeSSO {
	f := &fakeSSO{valid: ssoAccessToken}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/federation/credentials":
			if r.Header.Get("X-Amz-Sso_bearer_token") != f.valid {
				w.Header().Set("X-Amzn-Errortype", "UnauthorizedException")
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprintf(w, `{"message":"Session token not found or invalid: %s"}`, r.Header.Get("X-Amz-Sso_bearer_token"))
				return
			}
			q := r.URL.Query()
			f.roleCalls = append(f.roleCalls, q.Get("account_id")+"/"+q.Get("role_name"))
			fmt.Fprintf(w, `{"roleCredentials":{"accessKeyId":%q,"secretAccessKey":%q,"sessionToken":%q,"expiration":%d}}`,
				testAccessKeyID, testSecret, testSession, time.Now().Add(time.Hour).UnixMilli())
		case r.Method == http.MethodPost && r.URL.Path == "/token":
			var in map[string]string
			b, _ := io.ReadAll(r.Body)
			json.Unmarshal(b, &in)
			if in["grantType"] != "refresh_token" || in["refreshToken"] != ssoRefreshToken || in["clientId"] != "client-1" || in["clientSecret"] != ssoClientSecret {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"error":"invalid_grant"}`)
				return
			}
			f.refreshes++
			f.valid = ssoFreshToken
			fmt.Fprintf(w, `{"accessToken":%q,"expiresIn":3600,"refreshToken":"SSOREFRESHTOKEN-2","tokenType":"Bearer"}`, ssoFreshToken)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// writeSSOToken writes a cache file named as the AWS CLI names it.
func writeSSOToken(t *testing.T, home, id string, tok map[string]string) string {
	t.Helper()
	dir := filepath.Join(home, ".aws", "sso", "cache")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(id))
	path := filepath.Join(dir, hex.EncodeToString(sum[:])+".json")
	b, _ := json.Marshal(tok)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSSOProfiles(t *testing.T) {
	const sessionConfig = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Reader\nregion = eu-west-1\n" +
		"[sso-session corp]\nsso_start_url = " + ssoStartURL + "\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n"
	const legacyConfig = "[profile dev]\nsso_start_url = " + ssoStartURL + "\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Reader\n"
	valid := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	expired := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	later := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	refreshable := map[string]string{"accessToken": ssoAccessToken, "expiresAt": expired, "refreshToken": ssoRefreshToken,
		"clientId": "client-1", "clientSecret": ssoClientSecret, "registrationExpiresAt": later, "startUrl": ssoStartURL, "region": "eu-west-1"}
	tests := []struct {
		name      string
		config    string
		cacheID   string            // "" writes no cache file
		token     map[string]string // the cache file
		wantErr   string
		refreshes int
	}{
		{name: "sso_session", config: sessionConfig, cacheID: "corp", token: map[string]string{"accessToken": ssoAccessToken, "expiresAt": valid}},
		{name: "legacy", config: legacyConfig, cacheID: ssoStartURL, token: map[string]string{"accessToken": ssoAccessToken, "expiresAt": valid}},
		{name: "expired, refreshed", config: sessionConfig, cacheID: "corp", token: refreshable, refreshes: 1},
		{name: "expired without a refresh token", config: sessionConfig, cacheID: "corp",
			token: map[string]string{"accessToken": ssoAccessToken, "expiresAt": expired}, wantErr: "run aws sso login --profile dev"},
		{name: "expired legacy token, which cannot be refreshed", config: legacyConfig, cacheID: ssoStartURL, token: refreshable, wantErr: "run aws sso login --profile dev"},
		{name: "registration expired", config: sessionConfig, cacheID: "corp",
			token: withValue(refreshable, "registrationExpiresAt", expired), wantErr: "run aws sso login --profile dev"},
		{name: "refresh refused", config: sessionConfig, cacheID: "corp",
			token: withValue(refreshable, "refreshToken", "SSOREVOKED"), wantErr: "run aws sso login --profile dev"},
		{name: "not signed in", config: sessionConfig, wantErr: "run aws sso login --profile dev"},
		{name: "token the portal refuses", config: sessionConfig, cacheID: "corp",
			token: map[string]string{"accessToken": "SSOACCESSTOKEN-revoked", "expiresAt": valid}, wantErr: "run aws sso login --profile dev"},
		{name: "cache named by the start URL for a session profile", config: sessionConfig, cacheID: ssoStartURL,
			token: map[string]string{"accessToken": ssoAccessToken, "expiresAt": valid}, wantErr: "run aws sso login --profile dev"},
		{name: "no role", config: strings.Replace(sessionConfig, "sso_role_name = Reader\n", "", 1), wantErr: "needs sso_role_name"},
		{name: "no session section", config: "[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n", wantErr: "no [sso-session corp] section"},
		{name: "start URLs differ", config: strings.Replace(sessionConfig, "sso_account_id", "sso_start_url = https://other.awsapps.com/start\nsso_account_id", 1),
			wantErr: "sso_start_url differs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeSSO(t)
			m := isolatedEnv(t)
			m["AWS_CONFIG_FILE"] = writeFile(t, "config", tt.config)
			var cachePath string
			if tt.cacheID != "" {
				cachePath = writeSSOToken(t, m["HOME"], tt.cacheID, tt.token)
			}
			net := newTestNet(t)
			p := NewSharedConfigProvider(Options{Profile: "dev", Getenv: env(m), HTTPClient: net.client(),
				SSOPortalEndpoint: fake.srv.URL, SSOOIDCEndpoint: fake.srv.URL})
			creds, err := p.Retrieve(context.Background())
			assertFormatsClean(t, p)
			for _, tok := range []string{ssoAccessToken, ssoFreshToken, ssoRefreshToken, ssoClientSecret, "SSOACCESSTOKEN", "SSOREVOKED"} {
				if err != nil && strings.Contains(err.Error(), tok) {
					t.Errorf("the error shows a token: %v", err)
				}
				if strings.Contains(fmt.Sprintf("%v %+v %#v", p, p, creds), tok) {
					t.Errorf("the provider or credentials print a token")
				}
			}
			fake.mu.Lock()
			refreshes, calls := fake.refreshes, fake.roleCalls
			fake.mu.Unlock()
			if refreshes != tt.refreshes {
				t.Errorf("%d refreshes, want %d", refreshes, tt.refreshes)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if creds.AccessKeyID != testAccessKeyID || creds.SecretAccessKey != testSecret || creds.SessionToken != testSession || creds.Expires.IsZero() {
				t.Errorf("credentials %v", creds)
			}
			if len(calls) != 1 || calls[0] != "111122223333/Reader" {
				t.Errorf("GetRoleCredentials calls %v", calls)
			}
			if !strings.Contains(p.String(), "sso role Reader in account 111122223333") {
				t.Errorf("String() = %s", p)
			}
			if tt.refreshes > 0 {
				// The cache holds the fresh token, as the CLI leaves it.
				var tok map[string]string
				b, _ := os.ReadFile(cachePath)
				if json.Unmarshal(b, &tok) != nil || tok["accessToken"] != ssoFreshToken || tok["refreshToken"] != "SSOREFRESHTOKEN-2" || tok["clientSecret"] != ssoClientSecret {
					t.Errorf("the cache file was not updated")
				}
				if exp, err := time.Parse(time.RFC3339, tok["expiresAt"]); err != nil || !exp.After(time.Now()) {
					t.Errorf("the refreshed token's expiresAt %q", tok["expiresAt"])
				}
			}
		})
	}
}

func withValue(m map[string]string, k, v string) map[string]string {
	out := map[string]string{}
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}
