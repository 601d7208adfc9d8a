package credentials

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestEnvProvider(t *testing.T) {
	tests := []struct {
		name          string
		env           map[string]string
		ok            bool
		notConfigured bool
		wantToken     string
		wantExpires   time.Time
	}{
		{"none", nil, false, true, "", time.Time{}},
		{"keys", map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret}, true, false, "", time.Time{}},
		{"keys and token", map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret, "AWS_SESSION_TOKEN": testSession}, true, false, testSession, time.Time{}},
		{"boto2 token name", map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret, "AWS_SECURITY_TOKEN": testSession}, true, false, testSession, time.Time{}},
		{"standard token name wins", map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret, "AWS_SESSION_TOKEN": testSession, "AWS_SECURITY_TOKEN": "old"}, true, false, testSession, time.Time{}},
		{"expiration", map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret, "AWS_CREDENTIAL_EXPIRATION": "2030-05-06T07:08:09Z"},
			true, false, "", time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)},
		{"bad expiration", map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret, "AWS_CREDENTIAL_EXPIRATION": "tomorrow"}, false, false, "", time.Time{}},
		{"id only", map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID}, false, false, "", time.Time{}},
		{"secret only", map[string]string{"AWS_SECRET_ACCESS_KEY": testSecret, "AWS_SESSION_TOKEN": testSession}, false, false, "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := EnvProvider{Getenv: env(tt.env)}
			creds, err := p.Retrieve(context.Background())
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				if errors.Is(err, ErrNotConfigured) != tt.notConfigured {
					t.Errorf("errors.Is(ErrNotConfigured) wrong for %v", err)
				}
				assertNoSecrets(t, "error", err.Error())
				return
			}
			if creds.AccessKeyID != testAccessKeyID || creds.SecretAccessKey != testSecret || creds.SessionToken != tt.wantToken || !creds.Expires.Equal(tt.wantExpires) {
				t.Errorf("creds = %v", creds)
			}
			assertFormatsClean(t, p)
		})
	}
}
