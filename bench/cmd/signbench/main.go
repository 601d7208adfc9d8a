// Command signbench runs the signing micro-benchmarks of package signbench
// once each and prints one JSON line per benchmark: the runner starts it
// once per round, so that the three signers are measured interleaved.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/s3kit/s3kit/bench/internal/signbench"
)

// Result is one benchmark's line.
type Result struct {
	Lib         string  `json:"lib"`
	Op          string  `json:"op"`
	NsPerOp     float64 `json:"ns_per_op"`
	AllocsPerOp int64   `json:"allocs_per_op"`
	BytesPerOp  int64   `json:"bytes_per_op"`
	N           int     `json:"n"`
}

func main() {
	testing.Init()
	benchtime := flag.String("benchtime", "500ms", "time (or Nx count) per benchmark, as go test -benchtime")
	flag.Parse()
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, bm := range signbench.All() {
		r := testing.Benchmark(bm.F)
		if r.N == 0 {
			fmt.Fprintf(os.Stderr, "%s %s: benchmark failed\n", bm.Lib, bm.Op)
			os.Exit(1)
		}
		enc.Encode(Result{Lib: bm.Lib, Op: bm.Op, NsPerOp: float64(r.T.Nanoseconds()) / float64(r.N),
			AllocsPerOp: r.AllocsPerOp(), BytesPerOp: r.AllocedBytesPerOp(), N: r.N})
	}
}
