package mock

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestTimestampMatchesTimeFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2026, 6, 1, 12, 0, 0, 0, time.FixedZone("x", 5*3600+1800)),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for range 2000 {
		cases = append(cases, time.Unix(r.Int64N(1<<35), r.Int64N(1e9)))
	}
	for _, tc := range cases {
		want := tc.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		if got := timestamp(tc); got != want {
			t.Fatalf("timestamp(%v) = %q; want %q", tc, got, want)
		}
	}
}

func BenchmarkTimestamp(b *testing.B) {
	t := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		_ = timestamp(t)
	}
}
