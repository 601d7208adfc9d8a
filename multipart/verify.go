package multipart

// Verifying a download against the checksum S3 holds for the object. The
// ranges of a parallel download arrive out of order; a CRC is linear, so
// each range's CRC is computed as its bytes arrive and the object's CRC is
// combined from them in order as they finish (s3client.CombineCRC). SHA
// digests cannot be combined: they are computed where the bytes are in
// order, or by reading the finished file back.

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/s3kit/s3kit/s3client"
)

// want is the checksum a download is verified against.
type want struct {
	alg   s3client.ChecksumAlgorithm
	value string // base64, as S3 sends it
}

// fullObjectChecksum returns the whole-object checksum of an object, if it
// has one (see s3client.Checksums.FullObject).
func fullObjectChecksum(c *s3client.Checksums) (want, bool) {
	alg, v, ok := c.FullObject()
	return want{alg, v}, ok
}

// combinable reports whether the algorithm is a CRC whose range values
// can be combined.
func (w want) combinable() bool {
	switch w.alg {
	case s3client.ChecksumCRC32, s3client.ChecksumCRC32C, s3client.ChecksumCRC64NVME:
		return true
	}
	return false
}

// newHash returns a hash of the algorithm.
func (w want) newHash() hash.Hash { return w.alg.NewHash() }

// sumOf returns the value of a CRC hash as a number.
func sumOf(h hash.Hash) uint64 {
	switch h := h.(type) {
	case hash.Hash64:
		return h.Sum64()
	case hash.Hash32:
		return uint64(h.Sum32())
	}
	return 0
}

// join returns the CRC of A followed by B, given the CRC of A, the CRC
// of B and the length of B.
func (w want) join(crcA, crcB uint64, lenB int64) uint64 {
	v, _ := s3client.CombineCRC(w.alg, crcA, crcB, lenB)
	return v
}

// combine returns the object's CRC from its ranges' CRCs and lengths.
func (w want) combine(crcs []uint64, lens []int64) uint64 {
	total := sumOf(w.newHash()) // of nothing
	for i := range crcs {
		total = w.join(total, crcs[i], lens[i])
	}
	return total
}

// crcJoin combines the CRCs of a download's ranges as they finish, in
// any order: it holds the CRC of ranges 0 to next-1, and the CRCs of the
// ranges that finished beyond a missing one until it arrives. Its memory
// grows with the ranges fetched out of order, never with the object's
// size as HeadObject states it (a slice per range was a fatal allocation
// for a server that claims an exabyte). Safe for concurrent use.
type crcJoin struct {
	w want

	mu      sync.Mutex
	off     bool // a range came from elsewhere (resume): no whole CRC
	next    int
	total   uint64
	pending map[int]rangeCRC
}

type rangeCRC struct {
	crc uint64
	n   int64
}

func newCRCJoin(w want) *crcJoin {
	return &crcJoin{w: w, total: sumOf(w.newHash())}
}

// add records the CRC of range i, n bytes long.
func (c *crcJoin) add(i int, crc uint64, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.off {
		return
	}
	if i != c.next {
		if c.pending == nil {
			c.pending = make(map[int]rangeCRC)
		}
		c.pending[i] = rangeCRC{crc, n}
		return
	}
	c.total = c.w.join(c.total, crc, n)
	c.next++
	for {
		r, ok := c.pending[c.next]
		if !ok {
			return
		}
		delete(c.pending, c.next)
		c.total = c.w.join(c.total, r.crc, r.n)
		c.next++
	}
}

// stop gives up on the whole CRC: some range will never be added.
func (c *crcJoin) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off, c.pending = true, nil
}

// sum returns the CRC of ranges 0 to n-1, if all of them were added.
func (c *crcJoin) sum(n int) (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total, !c.off && c.next == n
}

// encodeCRC returns a CRC value in S3's form: big-endian bytes, base64.
func (w want) encodeCRC(v uint64) string {
	if w.alg == s3client.ChecksumCRC64NVME {
		return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, v))
	}
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, uint32(v)))
}

// check compares a computed value with the wanted one.
func (w want) check(got string) error {
	if got != w.value {
		return fmt.Errorf("%w: the downloaded bytes' %s is %s, S3 has %s", s3client.ErrChecksumMismatch, w.alg, got, w.value)
	}
	return nil
}

// checkHash compares a hash of all the bytes with the wanted value.
func (w want) checkHash(h hash.Hash) error {
	return w.check(base64.StdEncoding.EncodeToString(h.Sum(nil)))
}

// checkReader hashes n bytes of r and compares them.
func (w want) checkReader(r io.ReaderAt, off, n int64) error {
	h := w.newHash()
	if _, err := io.Copy(h, io.NewSectionReader(r, off, n)); err != nil {
		return fmt.Errorf("multipart: reading the download back to verify it: %w", err)
	}
	return w.checkHash(h)
}

// composite returns the algorithm, value and part count of a composite
// checksum ("value-N", of a multipart object's part checksums), if the
// object has one with 1 ≤ N ≤ 10,000.
func composite(c *s3client.Checksums) (s3client.ChecksumAlgorithm, string, int, bool) {
	for _, a := range s3client.ChecksumAlgorithms() {
		v := c.Get(a)
		i := strings.LastIndexByte(v, '-')
		if i < 0 {
			continue
		}
		n, err := strconv.Atoi(v[i+1:])
		if err != nil || n < 1 || n > s3client.MaxPartNumber {
			return "", "", 0, false
		}
		return a, v[:i], n, true
	}
	return "", "", 0, false
}

// checkParts verifies a downloaded multipart object against its composite
// checksum: GetObjectAttributes lists the parts with their sizes and
// checksums; each part's bytes, read back from the destination, must have
// its checksum, and the checksum of the part checksums must be the
// object's. A server that lists no parts, or not all of them, or fails the
// request, leaves the download unverified, as an object without a checksum
// is; parts that do not add up to the object, or bytes that differ, fail
// it.
func (d *Download) checkParts(ctx context.Context) error {
	alg, value, n, ok := composite(&d.Checksums)
	if !ok {
		return nil
	}
	parts := make([]s3client.ObjectPart, 0, min(n, 1000))
	in := &s3client.GetObjectAttributesInput{Bucket: d.in.Bucket, Key: d.in.Key, VersionID: d.VersionID,
		Attributes: []string{s3client.AttributeObjectParts}, MaxParts: 1000,
		SSECustomer: d.in.SSECustomer, Common: d.in.Common}
	for len(parts) < n {
		out, err := d.client.GetObjectAttributes(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return nil // the store cannot tell: unverified
		}
		op := out.ObjectParts
		if op == nil || len(op.Parts) == 0 {
			return nil
		}
		for _, p := range op.Parts {
			if p.PartNumber != len(parts)+1 || len(parts) == n {
				return fmt.Errorf("%w: GetObjectAttributes lists part %d after %d of %d parts", s3client.ErrChecksumMismatch, p.PartNumber, len(parts), n)
			}
			parts = append(parts, p)
		}
		if !op.IsTruncated {
			break
		}
		if op.NextPartNumberMarker <= in.PartNumberMarker {
			return nil // a listing that does not advance: unverified
		}
		in.PartNumberMarker = op.NextPartNumberMarker
	}
	if len(parts) != n {
		return nil
	}
	whole := alg.NewHash()
	var off int64
	for _, p := range parts {
		sum := p.Checksums.Get(alg)
		raw, err := base64.StdEncoding.DecodeString(sum)
		if sum == "" || err != nil {
			return nil // parts listed without their checksums: unverified
		}
		if p.Size < 0 || p.Size > d.Size-off {
			return fmt.Errorf("%w: the parts listed hold more than the object's %d bytes", s3client.ErrChecksumMismatch, d.Size)
		}
		w := want{alg: alg, value: sum}
		if err := w.checkReader(d.ra, d.base+off, p.Size); err != nil {
			return fmt.Errorf("part %d: %w", p.PartNumber, err)
		}
		whole.Write(raw)
		off += p.Size
	}
	if off != d.Size {
		return fmt.Errorf("%w: the parts listed hold %d bytes, the object %d", s3client.ErrChecksumMismatch, off, d.Size)
	}
	return want{alg: alg, value: value}.checkHash(whole)
}
