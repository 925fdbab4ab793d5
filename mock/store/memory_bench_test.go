package store

import (
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
)

// decodedThread is a NewThread as a request body decodes it: title, visitor name and e-mail,
// each a string of its own (as encoding/json makes them), not constants shared by every call.
func decodedThread() NewThread {
	title, name, email := strings.Clone("Order question"), strings.Clone("Ada Lovelace"), strings.Clone("ada@example.com")
	return NewThread{Title: &title, VisitorName: &name, VisitorEmail: &email}
}

// BenchmarkMemory reports the heap a stored thread and a stored message take, indexes
// included, and the heap objects each leaves (what every collection must mark): 100,000
// threads made through CreateThread (title, visitor name and e-mail, as decoded from a
// request), then 100,000 messages of about 100 bytes spread over 1,000 of them. Run it with
// -benchtime=1x.
func BenchmarkMemory(b *testing.B) {
	const threads, messages, busy = 100000, 100000, 1000
	heap := func() (bytes, objects uint64) {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc, ms.HeapObjects
	}
	for b.Loop() {
		s := benchStore(b, "threads", 0)
		content := "Your parcel left our warehouse this morning and should arrive tomorrow before noon. Anything else?"
		before, objBefore := heap()
		ids := make([]string, 0, busy)
		for i := 0; i < threads; i++ {
			t, err := s.CreateThread(benchBot, decodedThread())
			if err != nil {
				b.Fatal(err)
			}
			if i < busy {
				ids = append(ids, t.ID)
			}
		}
		mid, objMid := heap()
		for i := 0; i < messages; i++ {
			if _, err := s.SendAgentMessage(benchBot, ids[i%busy], AgentMessage{Content: strings.Clone(content)}); err != nil {
				b.Fatal(err)
			}
		}
		after, objAfter := heap()
		b.ReportMetric(float64(mid-before)/threads, "B/thread")
		b.ReportMetric(float64(after-mid)/messages, "B/message")
		b.ReportMetric(float64(objMid-objBefore)/threads, "objects/thread")
		b.ReportMetric(float64(objAfter-objMid)/messages, "objects/message")
		runtime.KeepAlive(s)
	}
}

// BenchmarkGCWithThreads is the time of a full garbage collection of a store holding
// 100,000 threads made through CreateThread from decoded bodies (what every GC cycle of a
// server holding them must mark, however little the requests allocate), and the collector's
// CPU for it
// (gc-cpu-ms/op, from runtime/metrics: less noisy than the wall time on a shared machine).
// Run it with a few iterations.
func BenchmarkGCWithThreads(b *testing.B) {
	s := benchStore(b, "threads", 0)
	for i := 0; i < 100000; i++ {
		if _, err := s.CreateThread(benchBot, decodedThread()); err != nil {
			b.Fatal(err)
		}
	}
	collectWith(b, s)
}

// BenchmarkGCWithMessages is BenchmarkGCWithThreads for 100,000 messages of about 100 bytes
// over 1,000 threads.
func BenchmarkGCWithMessages(b *testing.B) {
	s := benchStore(b, "threads", 0)
	const threads, messages = 1000, 100000
	ids := make([]string, 0, threads)
	for i := 0; i < threads; i++ {
		t, err := s.CreateThread(benchBot, decodedThread())
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, t.ID)
	}
	content := "Your parcel left our warehouse this morning and should arrive tomorrow before noon. Anything else?"
	for i := 0; i < messages; i++ {
		if _, err := s.SendAgentMessage(benchBot, ids[i%threads], AgentMessage{Content: strings.Clone(content)}); err != nil {
			b.Fatal(err)
		}
	}
	collectWith(b, s)
}

// collectWith times full collections while s is live and reports the collector's CPU for
// each (gc-cpu-ms/op, from runtime/metrics).
func collectWith(b *testing.B, s *Store) {
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
