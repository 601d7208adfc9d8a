//go:build race

package reliability

// largeObject is the size of the largest transfer of the fault runs. Under
// the race detector every byte a test moves costs tens of times more, and
// the 64 MiB runs took three minutes of a 2-core machine: there it is 21
// MiB, still five parts and more ranges than workers, so every concurrent
// path the large size takes is taken. make test also runs the fault tests
// without -race, at 64 MiB (the norace build of this file).
const largeObject = 21<<20 + 11
