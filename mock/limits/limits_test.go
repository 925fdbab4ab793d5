package limits

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/plans"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestWindowExactlyNThenRetryAfterFreesASlot(t *testing.T) {
	w := NewWindow(3, time.Second)
	now := t0
	for i := range 3 {
		d := w.Allow("k", now.Add(time.Duration(i)*100*time.Millisecond))
		if !d.Allowed || d.Remaining != 2-i {
			t.Fatalf("request %d: got allowed=%v remaining=%d; want true, %d", i+1, d.Allowed, d.Remaining, 2-i)
		}
	}
	now = now.Add(250 * time.Millisecond)
	d := w.Allow("k", now)
	if d.Allowed {
		t.Fatal("4th request in the window passed")
	}
	// The oldest event (t0) leaves at t0+1s: 750ms from now, rounded up to 1 s.
	if d.RetryAfter != 750*time.Millisecond || Seconds(d.RetryAfter) != 1 {
		t.Fatalf("got RetryAfter %v (%d s); want 750ms (1 s)", d.RetryAfter, Seconds(d.RetryAfter))
	}
	// At exactly t0+1s the event at t0 is out: (now − window, now] is half-open.
	if d := w.Allow("k", t0.Add(time.Second)); !d.Allowed {
		t.Fatal("request at t0+1s refused; the event at t0 should have left the window")
	}
	if d := w.Allow("k", t0.Add(time.Second)); d.Allowed {
		t.Fatal("second request at t0+1s passed; the events at 100 and 200 ms are still in")
	}
}

func TestWindowKeysAreIndependent(t *testing.T) {
	w := NewWindow(1, time.Minute)
	if !w.Allow("a", t0).Allowed || !w.Allow("b", t0).Allowed {
		t.Fatal("first request of a key refused")
	}
	if w.Allow("a", t0).Allowed {
		t.Fatal("second request of a passed")
	}
}

func TestWindowAllowNIsAllOrNothing(t *testing.T) {
	w := NewWindow(5, time.Minute)
	w.AllowN("k", t0, 4)
	if d := w.AllowN("k", t0, 2); d.Allowed || d.Remaining != 1 {
		t.Fatalf("got allowed=%v remaining=%d; want refused with 1 left", d.Allowed, d.Remaining)
	}
	if d := w.AllowN("k", t0, 1); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("got allowed=%v remaining=%d; want allowed, 0 left", d.Allowed, d.Remaining)
	}
}

func TestWindowMemoryIsBounded(t *testing.T) {
	w := NewWindow(10, time.Second)
	now := t0
	for i := range 3 * sweepEvery {
		now = now.Add(time.Millisecond)
		w.Allow(fmt.Sprint("ip-", i), now)
	}
	if n := w.Keys(); n > sweepEvery+1000 {
		t.Fatalf("got %d keys held; want old keys swept", n)
	}
	// One key hammered for long keeps only its window's events.
	for range 100000 {
		now = now.Add(time.Millisecond)
		w.Allow("hot", now)
	}
	w.mu.Lock()
	l := w.logs["hot"]
	size := cap(l.times)
	w.mu.Unlock()
	if size > 1000 {
		t.Fatalf("got a log of capacity %d for a 10-event window; want it pruned", size)
	}
}

func TestConcurrency(t *testing.T) {
	c := NewConcurrency(2)
	_, r1 := c.Acquire("acc")
	d, r2 := c.Acquire("acc")
	if !d.Allowed || d.Remaining != 0 {
		t.Fatalf("got %+v; want the 2nd slot", d)
	}
	if d, _ := c.Acquire("acc"); d.Allowed || Seconds(d.RetryAfter) != 1 {
		t.Fatalf("got %+v; want refused with Retry-After 1", d)
	}
	if d, r := c.Acquire("other"); !d.Allowed {
		t.Fatal("another key was refused")
	} else {
		r()
	}
	r1()
	r1() // releasing twice frees one slot only
	if d, _ := c.Acquire("acc"); !d.Allowed {
		t.Fatal("slot not freed")
	}
	if d, _ := c.Acquire("acc"); d.Allowed {
		t.Fatal("double release freed two slots")
	}
	r2()
}

func TestMonthlyCalendarMonth(t *testing.T) {
	m := NewMonthly()
	now := time.Date(2026, 3, 31, 23, 59, 30, 0, time.UTC)
	m.Commit("a", now, 2, 2)
	d := m.Check("a", now, 1, 2)
	if d.Allowed || d.RetryAfter != 30*time.Second {
		t.Fatalf("got %+v; want refused until April (30 s)", d)
	}
	if d := m.Check("a", now.Add(30*time.Second), 1, 2); !d.Allowed {
		t.Fatal("refused in the next month")
	}
}

func TestPlansChargeAllOrNothing(t *testing.T) {
	table := plans.Documented()
	table[plans.Starter] = plans.Limits{APIAccess: true, MessagesPerMin: 3, AIRepliesPerMin: 1, MessagesPerMonth: 100}
	p := NewPlans(table, time.Minute)
	if _, _, ok := p.Charge("a", plans.Starter, t0, 1, 1); !ok {
		t.Fatal("first charge refused")
	}
	d, kind, ok := p.Charge("a", plans.Starter, t0, 1, 1)
	if ok || kind != KindAIRepliesPerMin || Seconds(d.RetryAfter) != 60 {
		t.Fatalf("got ok=%v kind=%s retry=%v; want refused by AI replies, 60 s", ok, kind, d.RetryAfter)
	}
	// Nothing was counted: two more messages alone still fit.
	if _, _, ok := p.Charge("a", plans.Starter, t0, 2, 0); !ok {
		t.Fatal("the refused charge counted its message")
	}
	if _, kind, ok := p.Charge("a", plans.Starter, t0, 1, 0); ok || kind != KindMessagesPerMin {
		t.Fatalf("got ok=%v kind=%s; want messages/min spent", ok, kind)
	}
}

func TestParse(t *testing.T) {
	cfg, err := Parse("f.yaml", []byte("perUser: {requests: -1}\nperIP: {window: 2s}\nuploadConcurrency: 3\nplans:\n  Starter: {messagesPerMinute: 5, messagesPerMonth: 7}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PerUser.Requests != Unlimited || cfg.PerUser.Window != time.Minute {
		t.Fatalf("perUser: got %+v", cfg.PerUser)
	}
	if cfg.PerIP.Requests != 100 || cfg.PerIP.Window != 2*time.Second {
		t.Fatalf("perIP: got %+v", cfg.PerIP)
	}
	st := cfg.Plans[plans.Starter]
	if cfg.UploadConcurrency != 3 || st.MessagesPerMin != 5 || st.MessagesPerMonth != 7 || st.AIRepliesPerMin != 150 {
		t.Fatalf("got %d, %+v", cfg.UploadConcurrency, st)
	}
	for _, bad := range []string{"perUsr: {requests: 1}", "perIP: {window: soon}", "plans: {gold: {chatbots: 1}}", "uploadConcurrency: -5"} {
		if _, err := Parse("bad", []byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "limits: ") {
			t.Errorf("%q: got %v; want a limits error", bad, err)
		}
	}
	if cfg, err := Parse("empty", nil); err != nil || cfg.PerIP.Requests != 100 {
		t.Fatalf("empty file: got %v, %v", cfg, err)
	}
	if cfg, err := Load("off"); err != nil || cfg != nil {
		t.Fatalf("off: got %v, %v", cfg, err)
	}
}

// BenchmarkWindowAllow measures one limiter check on a busy key (the per-user limit).
func BenchmarkWindowAllow(b *testing.B) {
	w := NewWindow(500, time.Minute)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(100 * time.Millisecond)
		w.Allow("user", now)
	}
}

// BenchmarkWindowAllowManyKeys measures the per-IP limit with many clients.
func BenchmarkWindowAllowManyKeys(b *testing.B) {
	w := NewWindow(100, time.Second)
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprint("10.0.", i/256, ".", i%256)
	}
	now := t0
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Millisecond)
		w.Allow(keys[i%len(keys)], now)
		i++
	}
}

// Regression: monthly counts of deleted sandboxes stayed in memory for good.
func TestMonthlyForget(t *testing.T) {
	m := NewMonthly()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m.Commit("acc", now, 5, 10)
	if d := m.Check("acc", now, 0, 10); d.Remaining != 5 {
		t.Fatalf("got remaining %d; want 5", d.Remaining)
	}
	m.Forget("acc")
	if d := m.Check("acc", now, 0, 10); d.Remaining != 10 {
		t.Fatalf("after Forget: got remaining %d; want 10", d.Remaining)
	}
	if len(m.counts) != 0 {
		t.Fatalf("got %d keys; want 0", len(m.counts))
	}
}
