package store

import (
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/plans"
)

// TestUpdatePanicReleasesLock: a panic inside an update used to leave the store's write lock
// held, so after the mock's recover answered 500 every later request hung.
func TestUpdatePanicReleasesLock(t *testing.T) {
	s := New(Config{Seed: 1})
	var fired []Event
	s.SetOnEvent(func(e Event) { fired = append(fired, e) })
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach the caller")
			}
		}()
		_ = s.update(func() error {
			s.emit(Event{Type: "NEW_MESSAGE", Key: "lost"})
			panic("boom")
		})
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := s.CreateAccount(NewAccount{Name: "after", Plan: plans.Scale}); err != nil {
			t.Errorf("CreateAccount after the panic: %v", err)
		}
		_ = s.update(func() error { s.emit(Event{Type: "NEW_MESSAGE", Key: "kept"}); return nil })
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the store is still locked after a panic in update")
	}
	if len(fired) != 1 || fired[0].Key != "kept" {
		t.Fatalf("got events %+v; want only the one of the update that finished", fired)
	}
}
