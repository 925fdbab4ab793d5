package store

import (
	"testing"
)

// Review (issue 11): the filter trees after visitor writes.

// FINDING: a visitor message whose contact details equal the lead its visitor already
// left (captureLeadLocked, lead.go: the "!changed" return) sets the thread's anonymous
// false without moving it in the trees (no syncThreadLocked), and VisitorMessage moves it
// only when an escalation or an AI reply follows (visitor.go). A thread in AGENT mode
// stays listed under anonymous=true and missing from anonymous=false, and the multi-filter
// walk, which reads the index key, agrees with the stale trees. Reachable over HTTP: reset
// a visitor's thread, send the contact on the old one, an agent replies on the new one,
// the visitor sends the same e-mail there.
func TestReviewSameLeadAgainLeavesAnonymousStale(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	if _, err := s.CreateLeadSettings(bot, Doc{}, Doc{"enableLeadCollection": true}); err != nil {
		t.Fatal(err)
	}
	first := mustThread(t, s, bot, NewThread{})
	r, err := s.ResetConversation(bot, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	second := r.NewThread
	if !second.Anonymous {
		t.Fatal("the new thread of an anonymous visitor should start anonymous")
	}
	email := "ada@example.com"
	if _, err := s.VisitorContact(bot, first.ID, LeadInput{Email: &email}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendAgentMessage(bot, second.ID, AgentMessage{Content: "an agent takes over"}); err != nil {
		t.Fatal(err)
	}
	out, err := s.VisitorMessage(bot, second.ID, VisitorTurn{Content: "it is ada@example.com", Lead: LeadInput{Email: &email}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Thread.Anonymous {
		t.Fatal("the thread should no longer be anonymous")
	}
	checkListsAgainstExport(t, s, bot, []ThreadFilter{{Anonymous: bptr(true)}, {Anonymous: bptr(false)},
		{Anonymous: bptr(false), Mode: sptr(ModeAgent)}})
	checkOrder(t, s, bot)
}
