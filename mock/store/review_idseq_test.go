package store

import (
	"encoding/json"
	"testing"
)

// FINDING (import): Import takes the document's idSequence as it is (snapshot.go), and ids
// are derived from the seed and the sequence (ids.go), so a document whose idSequence is
// behind its own ids (edited, merged, or written by another tool) makes the store hand out
// ids it already holds. A new thread then takes an imported thread's id: threadTable.add
// (threadtable.go) overwrites the id map's entry, the old thread's row stays in its
// chatbot's trees, and the state no longer exports into a document Import accepts.
func TestReviewImportedIDSequenceBehindItsIDs(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	var old []Thread
	for i := 0; i < 3; i++ {
		old = append(old, mustThread(t, s, bot, NewThread{Title: sptr("old")}))
	}
	raw, _ := s.Export()
	doc := decodeDoc(t, raw)
	doc["idSequence"] = json.Number("0")
	in, _ := json.Marshal(doc)
	fresh := New(Config{Seed: 7})
	if _, err := fresh.Import(in); err != nil {
		t.Skipf("import refuses an idSequence behind its ids (the fix): %v", err)
	}
	for i := 0; i < 4; i++ {
		if _, err := fresh.CreateThread(bot, NewThread{Title: sptr("new")}); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	for _, th := range old {
		got, err := fresh.Thread(bot, th.ID)
		if err != nil || got.Title == nil || *got.Title != "old" {
			t.Errorf("imported thread %s now reads %s (%v)", th.ID, canon(t, got), err)
		}
	}
	out, err := fresh.Export()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Seed: 7}).Import(out); err != nil {
		t.Errorf("the store's own export no longer imports: %v", err)
	}
	fresh.mu.RLock()
	defer fresh.mu.RUnlock()
	if err := fresh.checkThreadIndexLocked(bot); err != nil {
		t.Errorf("index: %v", err)
	}
}
