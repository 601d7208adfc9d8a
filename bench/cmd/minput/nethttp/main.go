// Command nethttp is the binary-size floor of any S3 library built on
// net/http: one unsigned PUT with the standard library alone, to the
// endpoint given as the only argument.
package main

import (
	"log"
	"net/http"
	"os"
	"strings"
)

func main() {
	req, err := http.NewRequest(http.MethodPut, os.Args[1]+"/bench/binsize/nethttp", strings.NewReader("hello"))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		log.Fatal(resp.Status)
	}
}
