// Command sink runs the benchmark's S3 sink on its own, for running and
// profiling one client by hand:
//
//	go run ./cmd/sink -cert /tmp/sink.pem -object bench/big=1073741824 &
//	SSL_CERT_FILE=/tmp/sink.pem go run ./cmd/client-s3kit -op download \
//	    -endpoint https://127.0.0.1:PORT -key big -size 1073741824 -file /dev/shm/x -cpuprofile cpu.out
//
// It prints its two endpoints and serves until interrupted. -verify checks
// what clients send (see package sink).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/s3kit/s3kit/bench/internal/sink"
)

type objects []string

func (o *objects) String() string     { return strings.Join(*o, ",") }
func (o *objects) Set(v string) error { *o = append(*o, v); return nil }

func main() {
	certFile := flag.String("cert", "", "write the https certificate (PEM) to this file")
	verify := flag.Bool("verify", false, "check uploaded bytes, hashes and checksums")
	partSize := flag.Int64("partsize", 8<<20, "part layout of the -object objects")
	var objs objects
	flag.Var(&objs, "object", "bucket/key=size: an object to serve (repeatable)")
	flag.Parse()

	s, err := sink.Start(&sink.Options{Logf: log.Printf})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	s.SetVerify(*verify)
	for _, o := range objs {
		name, size, ok := strings.Cut(o, "=")
		bucket, key, ok2 := strings.Cut(name, "/")
		n, err := strconv.ParseInt(size, 10, 64)
		if !ok || !ok2 || err != nil {
			log.Fatalf("-object %q: want bucket/key=size", o)
		}
		s.AddObject(bucket, key, n, *partSize)
	}
	if *certFile != "" {
		if err := os.WriteFile(*certFile, s.CertPEM, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("http  %s\nhttps %s\n", s.HTTPURL, s.HTTPSURL)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	st := s.Stats()
	fmt.Printf("requests %d, in %d bytes, out %d bytes, failures %d\n", st.Requests, st.BytesIn, st.BytesOut, st.Failures)
	for _, m := range st.Messages {
		fmt.Println(" ", m)
	}
}
