package store

import (
	"runtime"
	"runtime/metrics"
	"testing"
)

// BenchmarkMemory reports the heap a stored thread and a stored message take, indexes
// included: 100,000 threads made through CreateThread (title, visitor name and e-mail), then
// 100,000 messages of about 100 bytes spread over 1,000 of them. Run it with -benchtime=1x.
func BenchmarkMemory(b *testing.B) {
	const threads, messages, busy = 100000, 100000, 1000
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for b.Loop() {
		s := benchStore(b, "threads", 0)
		title, name, email := "Order question", "Ada Lovelace", "ada@example.com"
		content := "Your parcel left our warehouse this morning and should arrive tomorrow before noon. Anything else?"
		before := heap()
		ids := make([]string, 0, busy)
		for i := 0; i < threads; i++ {
			t, err := s.CreateThread(benchBot, NewThread{Title: &title, VisitorName: &name, VisitorEmail: &email})
			if err != nil {
				b.Fatal(err)
			}
			if i < busy {
				ids = append(ids, t.ID)
			}
		}
		mid := heap()
		for i := 0; i < messages; i++ {
			if _, err := s.SendAgentMessage(benchBot, ids[i%busy], AgentMessage{Content: content}); err != nil {
				b.Fatal(err)
			}
		}
		after := heap()
		b.ReportMetric(float64(mid-before)/threads, "B/thread")
		b.ReportMetric(float64(after-mid)/messages, "B/message")
		runtime.KeepAlive(s)
	}
}

// BenchmarkGCWithThreads is the time of a full garbage collection of a store holding
// 100,000 threads made through CreateThread (what every GC cycle of a server holding them
// must mark, however little the requests allocate), and the collector's CPU for it
// (gc-cpu-ms/op, from runtime/metrics: less noisy than the wall time on a shared machine).
// Run it with a few iterations.
func BenchmarkGCWithThreads(b *testing.B) {
	s := benchStore(b, "threads", 0)
	for i := 0; i < 100000; i++ {
		if _, err := s.CreateThread(benchBot, NewThread{VisitorName: ptr("Ada")}); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	gcCPU := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(gcCPU)
	before := gcCPU[0].Value.Float64()
	b.ResetTimer()
	for b.Loop() {
		runtime.GC()
	}
	metrics.Read(gcCPU)
	b.ReportMetric((gcCPU[0].Value.Float64()-before)*1e3/float64(b.N), "gc-cpu-ms/op")
	runtime.KeepAlive(s)
}
