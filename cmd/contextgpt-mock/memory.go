package main

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/contextgpt/sandbox/mock"
)

// parseByteSize reads --max-memory: a number of bytes with an optional unit (KiB, MiB,
// GiB, TiB, or K/M/G/T and KB/MB/GB/TB, all powers of 1024), or off (0: no ceiling).
func parseByteSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "off", "0":
		return 0, nil
	}
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	mult := map[string]float64{"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
		"mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40}[unit]
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 || f <= 0 {
		return 0, fmt.Errorf("--max-memory must be a size such as 2GiB or 512MiB, or off, not %q", s)
	}
	n := uint64(f * mult)
	if n < 16<<20 {
		return 0, fmt.Errorf("--max-memory %s is below 16MiB, less than the mock needs to start", s)
	}
	return n, nil
}

// softLimitShare is where GOMEMLIMIT goes under the ceiling: the collector works harder
// from there, so garbage alone rarely reaches the ceiling.
const softLimitShare = 0.8

// setSoftLimit sets the runtime's soft memory limit (GOMEMLIMIT) below the ceiling unless
// the environment set GOMEMLIMIT itself; it returns the limit in force.
func setSoftLimit(ceiling uint64, getenv func(string) string) int64 {
	if ceiling == 0 || getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	limit := int64(float64(ceiling) * softLimitShare)
	debug.SetMemoryLimit(limit)
	return limit
}

var defaultMaxMemory = fmt.Sprintf("%dGiB", mock.DefaultMaxMemory>>30)
