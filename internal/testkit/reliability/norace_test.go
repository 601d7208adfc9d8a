//go:build !race

package reliability

// largeObject is the size of the largest transfer of the fault runs (see
// race_test.go for the race detector's).
const largeObject = 64 << 20
