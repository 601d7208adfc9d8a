package sigv4

import (
	"encoding/hex"
	"time"
)

// SignPOSTPolicy returns the signature of a browser-based POST upload: the
// hex HMAC-SHA256, with the signing key of creds for region and t, of the
// base64-encoded policy (which is itself the string to sign). The form must
// carry the matching x-amz-credential (AccessKeyID + "/" + CredentialScope),
// x-amz-algorithm and x-amz-date fields.
func (s *Signer) SignPOSTPolicy(base64Policy string, creds Credentials, region string, t time.Time) (string, error) {
	if err := checkInput(creds, region, "-", false); err != nil {
		return "", err
	}
	t = t.UTC()
	sig := s.keys.sign(creds.SecretAccessKey, t, region, s.service(), []byte(base64Policy))
	return hex.EncodeToString(sig[:]), nil
}
