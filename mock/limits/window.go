package limits

import (
	"sync"
	"time"
)

// Unlimited marks a limit that does not apply.
const Unlimited = -1

// Decision is the outcome of one check of one limit.
type Decision struct {
	// Allowed reports whether the request passes (and was counted).
	Allowed bool
	// Limit is the limit's size; Remaining what is left in its window after this request.
	Limit     int
	Remaining int
	// Reset is how long until the window frees a slot (0 when nothing is counted).
	Reset time.Duration
	// RetryAfter, on a refusal, is how long until a request would pass.
	RetryAfter time.Duration
	// Window is the limit's window (0 for a concurrency limit).
	Window time.Duration
}

// Seconds rounds a duration up to whole seconds.
func Seconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// Window is a sliding-log limiter: per key, at most Limit events in any window of length
// Window. An event at t counts at now while t > now − Window, so advancing the clock by a
// refusal's RetryAfter always frees a slot. Memory stays bounded: each check prunes its key's
// expired events, and keys left empty are swept from time to time.
type Window struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	logs   map[string]*eventLog
	checks int
}

// eventLog is a key's events in time order, as a slice whose head is dropped lazily.
type eventLog struct {
	times []time.Time
	head  int
}

func (l *eventLog) live() []time.Time { return l.times[l.head:] }

// prune drops the events at or before cutoff.
func (l *eventLog) prune(cutoff time.Time) {
	t := l.times
	for l.head < len(t) && !t[l.head].After(cutoff) {
		l.head++
	}
	if l.head == len(t) {
		l.times, l.head = t[:0], 0
		return
	}
	// Compact when the dead head outweighs the live tail, so memory follows the live count.
	if l.head > 64 && l.head*2 > len(t) {
		n := copy(t, t[l.head:])
		l.times, l.head = t[:n], 0
	}
}

// sweepEvery is how many checks pass between sweeps of empty keys.
const sweepEvery = 4096

// NewWindow returns a sliding-log limiter; a limit of Unlimited (or below) never refuses.
func NewWindow(limit int, window time.Duration) *Window {
	return &Window{limit: limit, window: window, logs: map[string]*eventLog{}}
}

// Limit is the limiter's size.
func (w *Window) Limit() int { return w.limit }

// Span is the limiter's window.
func (w *Window) Span() time.Duration { return w.window }

// Allow counts one event for key at now if the window has room.
func (w *Window) Allow(key string, now time.Time) Decision { return w.AllowN(key, now, 1) }

// AllowN counts n events for key at now if all of them fit, else none.
func (w *Window) AllowN(key string, now time.Time, n int) Decision {
	w.mu.Lock()
	defer w.mu.Unlock()
	d := w.checkLocked(key, now, n)
	if d.Allowed && w.limit >= 0 && n > 0 {
		w.commitLocked(key, now, n, &d)
	}
	return d
}

// Check tells whether n events for key would pass at now, without counting them.
func (w *Window) Check(key string, now time.Time, n int) Decision {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.checkLocked(key, now, n)
}

// Commit counts n events for key at now without checking (after a Check of several limits
// that must pass together).
func (w *Window) Commit(key string, now time.Time, n int) Decision {
	w.mu.Lock()
	defer w.mu.Unlock()
	d := w.checkLocked(key, now, 0)
	if w.limit >= 0 && n > 0 {
		w.commitLocked(key, now, n, &d)
	}
	return d
}

func (w *Window) checkLocked(key string, now time.Time, n int) Decision {
	d := Decision{Limit: w.limit, Window: w.window}
	if w.limit < 0 {
		d.Allowed, d.Remaining, d.Limit = true, Unlimited, Unlimited
		return d
	}
	w.checks++
	if w.checks%sweepEvery == 0 {
		w.sweepLocked(now)
	}
	cutoff := now.Add(-w.window)
	var live []time.Time
	if l := w.logs[key]; l != nil {
		l.prune(cutoff)
		live = l.live()
	}
	count := len(live)
	if len(live) > 0 {
		d.Reset = live[0].Sub(cutoff)
	}
	if count+n <= w.limit {
		d.Allowed = true
		d.Remaining = w.limit - count
		return d
	}
	// Refused: a request passes once the events that keep it out have left the window. The
	// k-th oldest must go, with k = count + n − limit; it leaves at its time + window.
	d.Remaining = max(w.limit-count, 0)
	k := count + n - w.limit
	if n > w.limit || k > count {
		d.RetryAfter = w.window // never fits; answer one full window
		return d
	}
	d.RetryAfter = live[k-1].Sub(cutoff)
	return d
}

func (w *Window) commitLocked(key string, now time.Time, n int, d *Decision) {
	l := w.logs[key]
	if l == nil {
		l = &eventLog{}
		w.logs[key] = l
	}
	// Keep the log in time order even if the clock was set back.
	if k := len(l.times); k > 0 && now.Before(l.times[k-1]) {
		now = l.times[k-1]
	}
	for range n {
		l.times = append(l.times, now)
	}
	live := l.live()
	d.Remaining = max(w.limit-len(live), 0)
	d.Reset = live[0].Sub(now.Add(-w.window))
}

func (w *Window) sweepLocked(now time.Time) {
	cutoff := now.Add(-w.window)
	for k, l := range w.logs {
		l.prune(cutoff)
		if len(l.live()) == 0 {
			delete(w.logs, k)
		}
	}
}

// Keys reports how many keys hold events (tests use it to check that memory is bounded).
func (w *Window) Keys() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.logs)
}

// Reset forgets every event.
func (w *Window) Reset() {
	w.mu.Lock()
	w.logs = map[string]*eventLog{}
	w.mu.Unlock()
}

// Concurrency counts requests in flight per key.
type Concurrency struct {
	mu       sync.Mutex
	limit    int
	inflight map[string]int
}

// NewConcurrency returns a limiter of limit requests in flight per key (Unlimited: none).
func NewConcurrency(limit int) *Concurrency {
	return &Concurrency{limit: limit, inflight: map[string]int{}}
}

// Acquire takes a slot for key; when the decision allows, release must be called once the
// request is done. A refusal's RetryAfter is one second (no one can know when a slot frees).
func (c *Concurrency) Acquire(key string) (Decision, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.limit < 0 {
		return Decision{Allowed: true, Limit: Unlimited, Remaining: Unlimited}, func() {}
	}
	n := c.inflight[key]
	if n >= c.limit {
		return Decision{Limit: c.limit, Remaining: 0, RetryAfter: time.Second}, func() {}
	}
	c.inflight[key] = n + 1
	var once sync.Once
	return Decision{Allowed: true, Limit: c.limit, Remaining: c.limit - n - 1}, func() {
		once.Do(func() {
			c.mu.Lock()
			if c.inflight[key] <= 1 {
				delete(c.inflight, key)
			} else {
				c.inflight[key]--
			}
			c.mu.Unlock()
		})
	}
}

// InFlight reports the requests in flight for key.
func (c *Concurrency) InFlight(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inflight[key]
}

// Monthly counts events per key and calendar month (UTC) of the clock.
type Monthly struct {
	mu     sync.Mutex
	counts map[string]monthCount
}

type monthCount struct {
	year  int
	month time.Month
	n     int
}

// NewMonthly returns an empty monthly counter.
func NewMonthly() *Monthly { return &Monthly{counts: map[string]monthCount{}} }

// Check tells whether n more events fit a monthly limit at now, without counting them.
func (m *Monthly) Check(key string, now time.Time, n, limit int) Decision {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.checkLocked(key, now, n, limit)
}

func (m *Monthly) checkLocked(key string, now time.Time, n, limit int) Decision {
	now = now.UTC()
	y, mo, _ := now.Date()
	start := time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	next := start.AddDate(0, 1, 0)
	d := Decision{Limit: limit, Window: next.Sub(start)}
	if limit < 0 {
		d.Allowed, d.Limit, d.Remaining = true, Unlimited, Unlimited
		return d
	}
	count := 0
	if c, ok := m.counts[key]; ok && c.year == y && c.month == mo {
		count = c.n
	}
	if count > 0 {
		d.Reset = next.Sub(now)
	}
	d.Remaining = max(limit-count, 0)
	if count+n <= limit {
		d.Allowed = true
		return d
	}
	d.RetryAfter = next.Sub(now)
	return d
}

// Commit counts n events at now; it returns the decision after counting.
func (m *Monthly) Commit(key string, now time.Time, n, limit int) Decision {
	m.mu.Lock()
	defer m.mu.Unlock()
	now = now.UTC()
	y, mo, _ := now.Date()
	c := m.counts[key]
	if c.year != y || c.month != mo {
		c = monthCount{year: y, month: mo}
	}
	c.n += n
	m.counts[key] = c
	d := m.checkLocked(key, now, 0, limit)
	return d
}

// Forget drops a key's count (its account was deleted).
func (m *Monthly) Forget(key string) {
	m.mu.Lock()
	delete(m.counts, key)
	m.mu.Unlock()
}

// Reset forgets every count.
func (m *Monthly) Reset() {
	m.mu.Lock()
	m.counts = map[string]monthCount{}
	m.mu.Unlock()
}
