package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/internal/mocktest"

	"github.com/contextgpt/sandbox/mock"
)

// BenchmarkAddedLatency sends the same request to the mock directly and through the proxy,
// alternately, and reports the p50 of each and their difference (the proxy's cost on
// loopback, validation included as it competes for the CPU). Target: added-p50 under 1 ms.
func BenchmarkAddedLatency(b *testing.B) {
	cfg := mock.DefaultConfig()
	cfg.Limits = nil
	up := mocktest.Start(b, cfg)
	p, err := New(Config{Upstream: up.URL})
	if err != nil {
		b.Fatal(err)
	}
	px := httptest.NewServer(p)
	defer func() { px.Close(); _ = p.Close() }()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	get := func(base string) time.Duration {
		req, _ := http.NewRequest("GET", base+"/api/v1/chatting/"+bot+"/threads?page=1&limit=5", nil)
		req.Header.Set("Authorization", "Bearer "+keyScale)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return time.Since(start)
	}
	for range 20 { // warm: connections, the validator's compiled schemas
		get(up.URL)
		get(px.URL)
	}
	p.Settle(10 * time.Second)
	direct := make([]time.Duration, 0, b.N)
	proxied := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		direct = append(direct, get(up.URL))
		proxied = append(proxied, get(px.URL))
	}
	b.StopTimer()
	p.Settle(10 * time.Second)
	d, q := p50(direct), p50(proxied)
	b.ReportMetric(float64(d.Microseconds()), "direct-p50-µs")
	b.ReportMetric(float64(q.Microseconds()), "proxy-p50-µs")
	b.ReportMetric(float64((q - d).Microseconds()), "added-p50-µs")
	if rep := p.Snapshot(); len(rep.Findings) > 0 {
		b.Fatalf("findings on clean traffic: %+v", rep.Findings[0])
	}
}

func p50(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
