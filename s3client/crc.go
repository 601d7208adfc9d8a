package s3client

// Combining CRCs: the CRC of two byte strings one after the other, from
// their CRCs and the second one's length (zlib's crc32_combine, for the
// 32 and 64-bit reflected CRCs S3 uses), next door to the hashes of
// checksum.go.

// Reflected polynomials of the CRCs S3 uses.
const (
	polyCRC32     = 0xedb88320         // IEEE
	polyCRC32C    = 0x82f63b78         // Castagnoli
	polyCRC64NVME = 0x9a6c9329ac4bc9b5 // CRC-64/NVME
)

// gf2Times multiplies the GF(2) matrix mat by the vector vec.
func gf2Times(mat *[64]uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

// gf2Square sets square to mat×mat, over the first width rows.
func gf2Square(square, mat *[64]uint64, width int) {
	for n := 0; n < width; n++ {
		square[n] = gf2Times(mat, mat[n])
	}
}

// crcCombine returns the CRC of A followed by B, given the CRC of A, the
// CRC of B and the length of B, for a reflected CRC of the given width and
// polynomial whose initial value and final xor are all ones (CRC-32,
// CRC-32C and CRC-64/NVME are). It applies len(B) zero bytes to crcA by
// repeated squaring of the one-zero-bit operator, in O(log len) steps.
func crcCombine(width int, poly, crcA, crcB uint64, lenB int64) uint64 {
	if lenB <= 0 {
		return crcA
	}
	var even, odd [64]uint64
	odd[0] = poly // the operator for one zero bit
	row := uint64(1)
	for n := 1; n < width; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd, width) // two zero bits
	gf2Square(&odd, &even, width) // four zero bits
	for {
		gf2Square(&even, &odd, width) // first pass: one zero byte
		if lenB&1 != 0 {
			crcA = gf2Times(&even, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
		gf2Square(&odd, &even, width)
		if lenB&1 != 0 {
			crcA = gf2Times(&odd, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
	}
	return crcA ^ crcB
}

// CombineCRC returns the CRC of A followed by B, given the CRC of A, the
// CRC of B (as hash.Hash32's Sum32 or hash.Hash64's Sum64 give them) and
// the length of B, for ChecksumCRC32, ChecksumCRC32C and
// ChecksumCRC64NVME; ok is false for other algorithms. It takes O(log
// lenB) steps, so the ranges of a download can be checksummed as they
// arrive, in any order, and joined.
func CombineCRC(alg ChecksumAlgorithm, crcA, crcB uint64, lenB int64) (v uint64, ok bool) {
	switch alg {
	case ChecksumCRC32:
		return crcCombine(32, polyCRC32, crcA, crcB, lenB), true
	case ChecksumCRC32C:
		return crcCombine(32, polyCRC32C, crcA, crcB, lenB), true
	case ChecksumCRC64NVME:
		return crcCombine(64, polyCRC64NVME, crcA, crcB, lenB), true
	}
	return 0, false
}
