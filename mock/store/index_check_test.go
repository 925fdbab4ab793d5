package store

import (
	"fmt"
	"sort"
)

// checkThreadIndexLocked compares a chatbot's thread trees with a full sort and a scan of
// its threads (tests only: this is the O(n) work the trees spare requests).
func (s *Store) checkThreadIndexLocked(bot string) error {
	var want []*Thread
	for _, t := range s.threadsLocked() {
		if t.ChatbotID == bot {
			want = append(want, t)
		}
	}
	sort.Slice(want, func(i, j int) bool {
		a, b := want[i], want[j]
		if !a.LastActivity.Equal(b.LastActivity) {
			return a.LastActivity.After(b.LastActivity)
		}
		return a.ID > b.ID
	})
	b := s.idx.threadsByBot[bot]
	if b == nil {
		if len(want) > 0 {
			return fmt.Errorf("chatbot %s: %d threads, no index", bot, len(want))
		}
		return nil
	}
	check := func(name string, tr *ostree[int32], keep func(*Thread) bool) error {
		var exp []*Thread
		for _, t := range want {
			if keep(t) {
				exp = append(exp, t)
			}
		}
		if tr.Len() != len(exp) {
			return fmt.Errorf("%s: %d threads indexed, want %d", name, tr.Len(), len(exp))
		}
		i := 0
		var err error
		tr.Ascend(0, func(row int32) bool {
			t := s.threads.at(row)
			if t.ID != exp[i].ID {
				err = fmt.Errorf("%s: at %d %s, want %s", name, i, t.ID, exp[i].ID)
				return false
			}
			if t.ix != t.currentIx() {
				err = fmt.Errorf("%s: thread %s indexed as %+v, is %+v", name, t.ID, t.ix, t.currentIx())
				return false
			}
			i++
			return true
		})
		return err
	}
	if err := check("all", b.all, func(*Thread) bool { return true }); err != nil {
		return err
	}
	for mode, tr := range b.mode {
		if err := check("mode "+mode, tr, func(t *Thread) bool { return t.Mode == mode }); err != nil {
			return err
		}
	}
	for model, tr := range b.model {
		if err := check("model "+model, tr, func(t *Thread) bool { return t.LLMModel != nil && t.LLMModel.ID == model }); err != nil {
			return err
		}
	}
	for f := range b.flag {
		for v := range 2 {
			if err := check(fmt.Sprintf("flag %d=%d", f, v), b.flag[f][v], func(t *Thread) bool {
				return int(t.currentIx().flags>>f&1) == v
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// threadBefore orders threads newest activity first, id as tie-break, on their live fields.
func threadBefore(a, b *Thread) bool {
	if !a.LastActivity.Equal(b.LastActivity) {
		return a.LastActivity.After(b.LastActivity)
	}
	return a.ID > b.ID
}

// threadsLocked is every stored thread, thawed (tests only).
func (s *Store) threadsLocked() []*Thread {
	var out []*Thread
	s.threads.each(func(row int32, _, _ string) { out = append(out, s.threads.at(row)) })
	return out
}

// messagesLocked is every stored message, thawed (tests only).
func (s *Store) messagesLocked() []*Message {
	var out []*Message
	s.messages.each(func(row int32, _ string) { out = append(out, s.messages.at(row)) })
	return out
}
