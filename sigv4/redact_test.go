package sigv4

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSignerPrintsNoSecret: a Signer that has signed holds derived keys;
// printed under any verb — a wrong one makes fmt show what its pointers
// lead to — it shows neither the secret nor anything derived from it that
// fmt can print as text.
func TestSignerPrintsNoSecret(t *testing.T) {
	const secret = "signerSecretKeyThatMustNotPrint0123456789"
	var s Signer
	req, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/k", nil)
	if err := s.Sign(req, Credentials{AccessKeyID: "AKID", SecretAccessKey: secret}, "us-east-1", UnsignedPayload, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%s", "%v", "%+v", "%#v", "%q", "%x", "%d"} {
		out := fmt.Sprintf(verb, &s) // a variable verb: vet would refuse the wrong ones written out
		if strings.Contains(out, secret) || strings.Contains(out, fmt.Sprintf("%x", secret)) {
			t.Errorf("%s of a *Signer shows the secret: %.200s", verb, out)
		}
	}
}
