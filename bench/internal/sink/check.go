package sink

// Reading a request's payload: always to the end, through the aws-chunked
// decoder when the body is framed; in verify mode also through the checks
// S3 would make (payload hash, Content-MD5, additional checksum) and the
// pattern comparison.

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/s3kit/s3kit/bench/internal/pattern"
)

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	// CRC-64/NVME, reflected polynomial, as hash/crc64 expects it.
	nvme = crc64.MakeTable(0x9a6c9329ac4bc9b5)
)

// checksumHeaders are the additional checksums S3 knows, by header name.
var checksumHeaders = []string{
	"X-Amz-Checksum-Crc32", "X-Amz-Checksum-Crc32c", "X-Amz-Checksum-Crc64nvme",
	"X-Amz-Checksum-Sha1", "X-Amz-Checksum-Sha256",
}

func newChecksum(header string) hash.Hash {
	switch strings.ToLower(header) {
	case "x-amz-checksum-crc32":
		return crc32.NewIEEE()
	case "x-amz-checksum-crc32c":
		return crc32.New(castagnoli)
	case "x-amz-checksum-crc64nvme":
		return crc64.New(nvme)
	case "x-amz-checksum-sha1":
		return sha1.New()
	case "x-amz-checksum-sha256":
		return sha256.New()
	}
	return nil
}

// readBufs are the handlers' read buffers: large, so that a part moves in
// few Read calls, and pooled, so that a request allocates none.
var readBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

type payloadResult struct {
	size     int64     // decoded payload bytes
	checksum [2]string // the additional checksum to echo: header name, value
	crc      uint32    // CRC-32C of the payload (verify mode, parts)
	verified bool
}

// verifier holds the verify-mode hashes of one payload.
type verifier struct {
	payloadHash string // hex x-amz-content-sha256 to check, if signed
	sha         hash.Hash
	md5         hash.Hash
	md5Want     string
	sum         hash.Hash // the additional checksum
	crc         hash.Hash // for placing a part at Complete
	whole       *pattern.Checker
}

func (v *verifier) data(p []byte) {
	if v.sha != nil {
		v.sha.Write(p)
	}
	if v.md5 != nil {
		v.md5.Write(p)
	}
	if v.sum != nil {
		v.sum.Write(p)
	}
	if v.crc != nil {
		v.crc.Write(p)
	}
	if v.whole != nil {
		v.whole.Write(p)
	}
}

func isChunked(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") ||
		strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked")
}

// readPayload reads r's body to the end. whole says the payload is a whole
// object (PutObject), compared with the pattern from offset 0 in verify
// mode; a part is only CRC'd, and placed at CompleteMultipartUpload.
func (s *Server) readPayload(r *http.Request, whole bool) (payloadResult, error) {
	var res payloadResult
	var v *verifier
	if s.verify.Load() {
		v = &verifier{}
		if ph := r.Header.Get("X-Amz-Content-Sha256"); len(ph) == 64 {
			v.payloadHash, v.sha = ph, sha256.New()
		}
		if m := r.Header.Get("Content-Md5"); m != "" {
			v.md5Want, v.md5 = m, md5.New()
		}
		if whole {
			v.whole = &pattern.Checker{}
		} else {
			v.crc = crc32.New(castagnoli)
		}
	}
	chunked := isChunked(r)
	trailerName := ""
	for _, name := range checksumHeaders {
		if val := r.Header.Get(name); val != "" {
			res.checksum = [2]string{name, val}
			break
		}
	}
	if res.checksum[0] == "" && chunked {
		if t := r.Header.Get("X-Amz-Trailer"); t != "" {
			trailerName = http.CanonicalHeaderKey(strings.TrimSpace(t))
		}
	}
	if v != nil {
		if res.checksum[0] != "" {
			v.sum = newChecksum(res.checksum[0])
		} else if trailerName != "" {
			v.sum = newChecksum(trailerName)
		}
	}

	var dec chunkDecoder
	var onData func([]byte)
	if v != nil {
		onData = v.data
	}
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	var raw int64
	var framing error
	for {
		n, err := r.Body.Read(buf)
		if n > 0 {
			raw += int64(n)
			if chunked {
				if framing == nil {
					framing = dec.write(buf[:n], onData)
				}
			} else {
				res.size += int64(n)
				if onData != nil {
					onData(buf[:n])
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			s.bytesIn.Add(raw)
			return res, err
		}
	}
	s.bytesIn.Add(raw)
	if chunked {
		if framing != nil {
			return res, framing
		}
		if !dec.finished() {
			return res, fmt.Errorf("aws-chunked body ended inside its framing")
		}
		res.size = dec.decoded
		if dl := r.Header.Get("X-Amz-Decoded-Content-Length"); dl != "" {
			if n, err := strconv.ParseInt(dl, 10, 64); err != nil || n != res.size {
				return res, fmt.Errorf("x-amz-decoded-content-length %s, but %d bytes decoded", dl, res.size)
			}
		}
		if trailerName != "" {
			val := dec.trailer(strings.ToLower(trailerName))
			if val == "" {
				return res, fmt.Errorf("trailer %s announced but not sent", trailerName)
			}
			res.checksum = [2]string{trailerName, val}
		}
	}
	if v == nil {
		return res, nil
	}
	if v.sha != nil {
		if got := hex.EncodeToString(v.sha.Sum(nil)); got != v.payloadHash {
			return res, fmt.Errorf("x-amz-content-sha256 %s, payload hashes to %s", v.payloadHash, got)
		}
	}
	if v.md5 != nil {
		if got := base64.StdEncoding.EncodeToString(v.md5.Sum(nil)); got != v.md5Want {
			return res, fmt.Errorf("Content-MD5 %s, payload hashes to %s", v.md5Want, got)
		}
	}
	if v.sum != nil {
		if got := base64.StdEncoding.EncodeToString(v.sum.Sum(nil)); got != res.checksum[1] {
			return res, fmt.Errorf("%s %s, payload sums to %s", res.checksum[0], res.checksum[1], got)
		}
	} else if res.checksum[0] != "" {
		return res, fmt.Errorf("unknown checksum %s", res.checksum[0])
	}
	if v.whole != nil && v.whole.Bad {
		return res, fmt.Errorf("payload differs from the pattern")
	}
	if v.crc != nil {
		res.crc, res.verified = v.crc.(hash.Hash32).Sum32(), true
	}
	return res, nil
}

// checkLayout places each part of a completed upload at its offset and, for
// the parts received in verify mode, compares their CRC-32C with the
// pattern's there.
func (s *Server) checkLayout(bucket, key string, parts []*partRecord) {
	var off int64
	for i, p := range parts {
		if p.verified && patternCRC(off, p.size) != p.crc {
			s.fail("CompleteMultipartUpload %s/%s: part %d of %d (bytes %d-%d) differs from the pattern", bucket, key, i+1, len(parts), off, off+p.size-1)
		}
		off += p.size
	}
}

func patternCRC(off, n int64) uint32 {
	var crc uint32
	for n > 0 {
		w := pattern.Window(off, n)
		crc = crc32.Update(crc, castagnoli, w)
		off += int64(len(w))
		n -= int64(len(w))
	}
	return crc
}
