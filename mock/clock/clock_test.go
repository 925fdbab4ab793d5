package clock

import (
	"context"
	"testing"
	"time"
)

func TestManualSleepWakesOnlyWhenAdvancedPastDeadline(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewManual(start)
	done := make(chan error, 1)
	go func() { done <- c.Sleep(context.Background(), 2*time.Second) }()
	for c.Sleepers() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.Advance(1999 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("sleeper woke before its deadline")
	case <-time.After(20 * time.Millisecond):
	}
	c.Advance(time.Millisecond)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("got %v; want nil", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("sleeper did not wake at its deadline")
	}
	if got, want := c.Now(), start.Add(2*time.Second); !got.Equal(want) {
		t.Fatalf("got %v; want %v", got, want)
	}
}

func TestManualSleepCancelled(t *testing.T) {
	c := NewManual(time.Unix(0, 0))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); err == nil {
		t.Fatal("got nil; want context error")
	}
	if n := c.Sleepers(); n != 0 {
		t.Fatalf("got %d sleepers; want 0", n)
	}
}
