package store

import (
	"fmt"
	"testing"
)

// FINDING (minor, memory): the thread table's words (threadtable.go word: chatbot ids,
// modes, models, roles, message types) only grow. A chatbot that had a thread leaves its id
// there after DeleteChatbot, and Import is the only thing that starts them afresh, so a
// long-running mock that CI jobs create and delete sandboxes on keeps one word (string and
// map entry) per chatbot ever used. Bounded here: 200 chatbots made and deleted.
func TestReviewDeletedChatbotsLeaveNoWords(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	acc, err := s.chatbotAccount(bot)
	if err != nil {
		t.Fatal(err)
	}
	mustThread(t, s, bot, NewThread{})
	s.mu.RLock()
	base := len(s.threads.words)
	s.mu.RUnlock()
	for i := 0; i < 200; i++ {
		c, err := s.CreateChatbot(acc, "u1", NewChatbot{Name: fmt.Sprint("tmp", i)})
		if err != nil {
			t.Fatal(err)
		}
		th := mustThread(t, s, c.ID, NewThread{})
		if _, err := s.SendAgentMessage(c.ID, th.ID, AgentMessage{Content: "x"}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteChatbot(acc, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if n := len(s.threads.words); n > base+10 {
		t.Fatalf("%d words after 200 chatbots came and went (%d before)", n, base)
	}
}
