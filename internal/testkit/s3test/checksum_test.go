package s3test

import (
	"encoding/base64"
	"encoding/hex"
	"testing"
)

func TestChecksumValueKnownAnswers(t *testing.T) {
	// Check values from the CRC catalogue ("123456789") and FIPS 180 ("abc"),
	// as big-endian hex.
	tests := []struct {
		header string
		input  string
		hex    string
	}{
		{"x-amz-checksum-crc32", "123456789", "cbf43926"},
		{"x-amz-checksum-crc32c", "123456789", "e3069283"},
		{"x-amz-checksum-crc64nvme", "123456789", "ae8b14860a799888"},
		{"X-Amz-Checksum-Sha1", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"x-amz-checksum-sha256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"x-amz-checksum-crc32", "", "00000000"},
	}
	for _, tt := range tests {
		t.Run(tt.header+"/"+tt.input, func(t *testing.T) {
			raw, err := hex.DecodeString(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			want := base64.StdEncoding.EncodeToString(raw)
			got, ok := ChecksumValue(tt.header, []byte(tt.input))
			if !ok || got != want {
				t.Errorf("ChecksumValue = %q, %v; want %q, true", got, ok, want)
			}
		})
	}
}

func TestChecksumHeaderNames(t *testing.T) {
	tests := []struct {
		name          string
		value, family bool
	}{
		{"x-amz-checksum-crc32", true, true},
		{"X-AMZ-CHECKSUM-CRC64NVME", true, true},
		{"x-amz-checksum-algorithm", false, true},
		{"x-amz-checksum-mode", false, true},
		{"x-amz-checksum-md5", false, true},
		{"content-md5", false, false},
	}
	for _, tt := range tests {
		if got := isChecksumHeader(tt.name); got != tt.value {
			t.Errorf("isChecksumHeader(%q) = %v, want %v", tt.name, got, tt.value)
		}
		if got := isChecksumFamily(tt.name); got != tt.family {
			t.Errorf("isChecksumFamily(%q) = %v, want %v", tt.name, got, tt.family)
		}
	}
	if _, ok := ChecksumValue("x-amz-checksum-md5", nil); ok {
		t.Error("ChecksumValue accepted an unknown algorithm")
	}
}
