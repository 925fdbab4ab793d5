// Package clock is the mock's time source: the real clock, or a manual one that moves only
// when told to, so that rate limits, retries and injected latency are testable without sleeping.
package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock tells the time and waits on it.
type Clock interface {
	Now() time.Time
	// Sleep waits until d has passed on this clock, or ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
	// Manual reports whether time moves only through Advance and Set.
	Manual() bool
}

// Real is the wall clock.
type Real struct{}

// Now returns the current wall-clock time in UTC.
func (Real) Now() time.Time { return time.Now().UTC() }

// Manual reports false.
func (Real) Manual() bool { return false }

// Sleep waits d in real time.
func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ManualClock is a clock that moves only through Advance and Set.
type ManualClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan struct{}
}

// NewManual returns a manual clock set to start.
func NewManual(start time.Time) *ManualClock { return &ManualClock{now: start.UTC()} }

// Manual reports true.
func (c *ManualClock) Manual() bool { return true }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (a negative d is ignored) and wakes due sleepers.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	if d < 0 {
		d = 0
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.wakeLocked()
	c.mu.Unlock()
	return now
}

// Set moves the clock to t; moving backwards is allowed (sleepers then wait longer).
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.wakeLocked()
	c.mu.Unlock()
}

// Sleepers reports how many goroutines wait on the clock (tests use it to know that a
// request is being held).
func (c *ManualClock) Sleepers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

func (c *ManualClock) wakeLocked() {
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			close(w.ch)
			continue
		}
		keep = append(keep, w)
	}
	c.waiters = keep
}

// Sleep waits until the clock has been moved past now+d, or ctx is done.
func (c *ManualClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	if d <= 0 {
		c.mu.Unlock()
		return ctx.Err()
	}
	w := waiter{at: c.now.Add(d), ch: make(chan struct{})}
	c.waiters = append(c.waiters, w)
	sort.SliceStable(c.waiters, func(i, j int) bool { return c.waiters[i].at.Before(c.waiters[j].at) })
	c.mu.Unlock()
	select {
	case <-w.ch:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		for i, x := range c.waiters {
			if x.ch == w.ch {
				c.waiters = append(c.waiters[:i], c.waiters[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		return ctx.Err()
	}
}
