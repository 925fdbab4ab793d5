package store

import (
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// Review (issue 11): a clock that jumps back and forth (the mock's manual clock, an
// integrator's --clock) while threads are written: each thread's messages stay in order,
// every list matches a sort of the export, and the state round-trips.
func TestReviewClockJumpsKeepListsAndMessagesInOrder(t *testing.T) {
	s, clk, bot, _ := newThreadStore(t, nil)
	rng := rand.New(rand.NewSource(21))
	var ids []string
	for i := 0; i < 20; i++ {
		ids = append(ids, mustThread(t, s, bot, NewThread{}).ID)
	}
	for step := 0; step < 300; step++ {
		clk.advance(time.Duration(rng.Intn(7)-3) * time.Hour) // back as often as forward
		id := ids[rng.Intn(len(ids))]
		var err error
		switch rng.Intn(4) {
		case 0:
			_, err = s.SendAgentMessage(bot, id, AgentMessage{Content: fmt.Sprint(step)})
		case 1:
			_, err = s.VisitorMessage(bot, id, VisitorTurn{Content: fmt.Sprint(step), Reply: &VisitorReply{Content: "r"}})
		case 2:
			_, _, err = s.ToggleEscalation(bot, id)
		case 3:
			var th Thread
			th, err = s.CreateThread(bot, NewThread{})
			ids = append(ids, th.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		msgs, _, err := s.PeekMessages(bot, id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(msgs); i++ {
			if msgs[i].CreatedAt.Before(msgs[i-1].CreatedAt) {
				t.Fatalf("thread %s: message %d at %v is before message %d at %v", id, i, msgs[i].CreatedAt, i-1, msgs[i-1].CreatedAt)
			}
		}
	}
	checkListsAgainstExport(t, s, bot, reviewFilters([]string{ModeAI, ModeAgent}, nil))
	checkOrder(t, s, bot)
	checkReadsAgainstExport(t, s)
	raw, _ := s.Export()
	s2 := New(Config{Seed: 7, Now: clk.Now})
	if _, err := s2.Import(raw); err != nil {
		t.Fatal(err)
	}
	if raw2, _ := s2.Export(); string(raw2) != string(raw) {
		t.Fatal("export -> import -> export differs")
	}
	checkOrder(t, s2, bot)
}
