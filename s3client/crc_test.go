package s3client

import (
	"hash"
	"math/rand/v2"
	"testing"
)

func sum64(h hash.Hash) uint64 {
	switch h := h.(type) {
	case hash.Hash64:
		return h.Sum64()
	case hash.Hash32:
		return uint64(h.Sum32())
	}
	return 0
}

// CombineCRC joins the CRCs of random cuts of the same bytes into the CRC
// of the whole, for each CRC S3 uses; other algorithms say they cannot.
func TestCombineCRC(t *testing.T) {
	data := make([]byte, 70_000)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for _, alg := range []ChecksumAlgorithm{ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME} {
		whole := alg.NewHash()
		whole.Write(data)
		for trial := range 10 {
			cut := r.IntN(len(data) + 1)
			a, b := alg.NewHash(), alg.NewHash()
			a.Write(data[:cut])
			b.Write(data[cut:])
			got, ok := CombineCRC(alg, sum64(a), sum64(b), int64(len(data)-cut))
			if !ok || got != sum64(whole) {
				t.Fatalf("%s trial %d (cut at %d): %x, %v; want %x", alg, trial, cut, got, ok, sum64(whole))
			}
		}
	}
	for _, alg := range []ChecksumAlgorithm{ChecksumSHA1, ChecksumSHA256, ChecksumNone} {
		if _, ok := CombineCRC(alg, 1, 2, 3); ok {
			t.Errorf("%q combined", alg)
		}
	}
}
