package store

import "testing"

// FINDING (performance, 1cc38fc): the visitor index keeps a visitor by the two ids' 16
// bytes only when both are canonical UUIDs (index.go uuidPair), but chatbot ids are never
// UUIDs: the store makes them 18-digit numbers (ids.go numeric, freshNumericLocked) and
// fixtures pin numeric ones. So every visitor lands in byStr, the map of two strings the
// collector scans, and byUUID stays empty: the pointer-free map the commit describes is
// never used outside imports with UUID chatbot ids. (The benchmarks use the numeric
// benchBot, so their figures include this.)
func TestReviewVisitorStatsUsePointerFreeKeys(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	for i := 0; i < 10; i++ {
		mustThread(t, s, bot, NewThread{})
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if u, str := len(s.idx.visitors.byUUID), len(s.idx.visitors.byStr); u != 10 || str != 0 {
		t.Fatalf("chatbot %s: %d visitors keyed by bytes, %d by strings; want all 10 by bytes", bot, u, str)
	}
}
