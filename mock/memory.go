package mock

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// The memory ceiling (--max-memory, README "Limits and safety"): a watch samples the Go
// runtime's memory (what GOMEMLIMIT counts: every byte the runtime has mapped, minus what
// it has returned to the system) and, while it is at or over the ceiling, refuses every
// write that could store something with 403 STORE_LIMIT_REACHED; reads, deletes and
// POST /__mock/reset keep working, so a client can always look and make room. Request
// bodies in memory at once are bounded separately (maxBodyBytesInFlight), so the figure
// cannot be overrun between two samples by a burst of large uploads.
const (
	// DefaultMaxMemory is --max-memory's default.
	DefaultMaxMemory = 2 << 30
	// memorySampleEvery is how often the watch reads the runtime's figure (~1 µs a read).
	memorySampleEvery = 50 * time.Millisecond
	// memoryResume: writes resume below this share of the ceiling (no flapping at the edge).
	memoryResume = 0.95
	// maxBodyBytesInFlight bounds the request bodies the API holds at once (every
	// connection's, together); past it a request is 429 RATE_LIMIT_EXCEEDED, Retry-After 1.
	maxBodyBytesInFlight = 128 << 20
)

// memoryGuard is the watch. ceiling 0: no ceiling (the watch does not run).
type memoryGuard struct {
	ceiling uint64
	read    func() uint64 // the runtime's figure (tests may replace it)
	over    atomic.Bool
	used    atomic.Uint64
	peak    atomic.Uint64
	lastGC  time.Time
	stop    chan struct{}
	done    chan struct{}

	bodyMu    sync.Mutex
	bodyBytes int64 // request bodies held now (reserveBody)
}

// runtimeMemory is what GOMEMLIMIT limits: /memory/classes/total minus heap/released.
func runtimeMemory() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}

func newMemoryGuard(ceiling uint64, read func() uint64) *memoryGuard {
	if read == nil {
		read = runtimeMemory
	}
	g := &memoryGuard{ceiling: ceiling, read: read, stop: make(chan struct{}), done: make(chan struct{})}
	if ceiling == 0 {
		close(g.done)
		return g
	}
	g.sample() // the first answer already knows
	go g.watch()
	return g
}

func (g *memoryGuard) watch() {
	defer close(g.done)
	t := time.NewTicker(memorySampleEvery)
	defer t.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-t.C:
			g.sample()
		}
	}
}

func (g *memoryGuard) sample() {
	used := g.read()
	g.used.Store(used)
	if used > g.peak.Load() {
		g.peak.Store(used)
	}
	switch {
	case used >= g.ceiling:
		if !g.over.Swap(true) || time.Since(g.lastGC) > time.Second {
			// Over: collect and return freed memory now rather than refuse writes for
			// garbage (the soft limit, GOMEMLIMIT, keeps the heap under it otherwise).
			g.lastGC = time.Now()
			debug.FreeOSMemory()
		}
	case float64(used) < memoryResume*float64(g.ceiling):
		g.over.Store(false)
	}
}

func (g *memoryGuard) close(context.Context) error {
	if g.ceiling != 0 {
		select {
		case <-g.stop:
		default:
			close(g.stop)
		}
	}
	<-g.done
	return nil
}

// refuse is the 403 a write gets while the process is over its ceiling, nil otherwise.
func (g *memoryGuard) refuse() *apierr.Error {
	if g == nil || !g.over.Load() {
		return nil
	}
	return apierr.New(apierr.StoreLimitReached,
		"The mock reached its memory ceiling of %s (--max-memory; %s in use now): writes are refused until its use falls below %s, after data is deleted or the mock is reset",
		byteSize(g.ceiling), byteSize(g.used.Load()), byteSize(uint64(memoryResume*float64(g.ceiling)))).
		WithDetails(map[string]any{"resource": "memory", "limit": g.ceiling})
}

// importMemoryFactor is how many bytes of process memory an imported state document takes
// per byte of JSON while it is decoded and the new store built beside the old one (measured:
// a 27.5 MB export took a fresh mock to 130 MB in use, 4.7x).
const importMemoryFactor = 5

// refuseImport is the 403 a state import gets when the store it would build cannot fit under
// the ceiling: the watch checks a request as it starts, and one import can grow the process
// by several times its size before the next sample.
func (g *memoryGuard) refuseImport(size int) *apierr.Error {
	if g == nil || g.ceiling == 0 || uint64(size)*importMemoryFactor <= g.ceiling {
		return nil
	}
	return apierr.New(apierr.StoreLimitReached,
		"A state document of %s needs about %s of memory to import, over the mock's ceiling of %s (--max-memory): nothing was imported",
		byteSize(uint64(size)), byteSize(uint64(size)*importMemoryFactor), byteSize(g.ceiling)).
		WithDetails(map[string]any{"resource": "memory", "limit": g.ceiling})
}

// reserveBody takes n bytes of the in-flight body budget; release gives them back (once,
// however often it is called).
func (g *memoryGuard) reserveBody(n int64) (release func(), ok bool) {
	if !g.takeBody(n) {
		return func() {}, false
	}
	var once sync.Once
	return func() { once.Do(func() { g.giveBackBody(n) }) }, true
}

// takeBody takes n bytes of the in-flight body budget, false when they do not fit (a body
// alone is always let in); giveBackBody returns them. The request chain calls the two
// itself (call.heldBody): reserveBody's closure was an allocation a request.
func (g *memoryGuard) takeBody(n int64) bool {
	if g == nil {
		return true
	}
	g.bodyMu.Lock()
	defer g.bodyMu.Unlock()
	if g.bodyBytes+n > maxBodyBytesInFlight && g.bodyBytes > 0 {
		return false
	}
	g.bodyBytes += n
	return true
}

func (g *memoryGuard) giveBackBody(n int64) {
	if g == nil {
		return
	}
	g.bodyMu.Lock()
	g.bodyBytes -= n
	g.bodyMu.Unlock()
}

func bodyBudgetExceeded() *apierr.Error {
	return &apierr.Error{Code: apierr.RateLimitExceeded,
		Message:   "The mock is receiving too many large request bodies at once; retry in a second",
		Details:   map[string]any{"limit": "bodyBytesInFlight", "limitBytes": maxBodyBytesInFlight},
		RateLimit: &apierr.RateLimit{RetryAfter: 1}}
}

// Memory reports the watch's figures: the ceiling (0: none), the runtime's memory at the
// last sample and the highest sample since start.
func (m *Mock) Memory() (ceiling, used, peak uint64) {
	g := m.memory
	return g.ceiling, g.used.Load(), g.peak.Load()
}

// storesOnWrite reports whether a request may store something: every POST, PUT and PATCH
// (DELETE frees, GET and HEAD read).
func storesOnWrite(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// memoryExemptAdmin are the control-plane writes that keep working over the ceiling: they
// make room or store nothing that grows.
var memoryExemptAdmin = map[string]bool{"resetMock": true, "setClock": true}

func byteSize(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
