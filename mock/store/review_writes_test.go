package store

import (
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// Review (issue 11): no lost writes. Every write that answers with the thread or message
// it changed is followed by a fresh read (outside the write: a new decode of the record),
// which must say the same; and the same again after an export → import.

func sameAsRead(t *testing.T, s *Store, what string, th Thread) {
	t.Helper()
	got, err := s.Thread(th.ChatbotID, th.ID)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if a, b := canon(t, got), canon(t, th); a != b {
		t.Fatalf("%s: the write answered\n%s\nbut the thread reads\n%s", what, b, a)
	}
}

func msgAsRead(t *testing.T, s *Store, what string, m Message) {
	t.Helper()
	list, _, err := s.PeekMessages(m.ChatbotID, m.ThreadID, 0, 0)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, x := range list {
		if x.ID == m.ID {
			if a, b := canon(t, x), canon(t, m); a != b {
				t.Fatalf("%s: the write answered\n%s\nbut the message reads\n%s", what, b, a)
			}
			return
		}
	}
	t.Fatalf("%s: message %s is not in its thread", what, m.ID)
}

func TestReviewEveryWriteReadsBack(t *testing.T) {
	s, clk, bot, _ := newThreadStore(t, nil)
	if _, err := s.CreateLeadSettings(bot, Doc{}, Doc{"enableLeadCollection": true, "autoEscalateOnLeadCapture": true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateHumanSupportSettings(bot, Doc{}, Doc{"enableHumanSupport": true}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(11))
	var ids []string
	var msgs []Message
	for i := 0; i < 6; i++ {
		th := mustThread(t, s, bot, NewThread{Title: sptr("t"), PlatformSource: sptr("widget")})
		sameAsRead(t, s, "create", th)
		ids = append(ids, th.ID)
	}
	for step := 0; step < 300; step++ {
		if rng.Intn(2) == 0 {
			clk.advance(time.Duration(rng.Intn(1500)) * time.Millisecond)
		}
		id := ids[rng.Intn(len(ids))]
		what := fmt.Sprintf("step %d", step)
		switch rng.Intn(9) {
		case 0:
			out, err := s.UpdateThreads(bot, []ThreadUpdate{
				{ThreadID: id, Archived: bptr(rng.Intn(2) == 0), Tags: &[]string{fmt.Sprint(step)}, Title: OptString{Set: true, Value: sptr(fmt.Sprint("T", step))}},
				{ThreadID: id, InternalNotes: OptString{Set: true, Value: sptr("notes")}, Mode: sptr(ModeHuman), Important: bptr(true)},
			})
			if err != nil {
				t.Fatal(err)
			}
			sameAsRead(t, s, what+" update", out[1])
		case 1:
			th, m, err := s.ToggleEscalation(bot, id)
			if err != nil {
				t.Fatal(err)
			}
			sameAsRead(t, s, what+" escalate", th)
			msgAsRead(t, s, what+" escalate", m)
			msgs = append(msgs, m)
		case 2:
			m, err := s.SendAgentMessage(bot, id, AgentMessage{Content: fmt.Sprint("agent ", step), AgentName: sptr("Bo")})
			if err != nil {
				t.Fatal(err)
			}
			msgAsRead(t, s, what+" agent", m)
			msgs = append(msgs, m)
		case 3:
			r, err := s.ResetConversation(bot, id)
			if err != nil {
				t.Fatal(err)
			}
			sameAsRead(t, s, what+" reset new", r.NewThread)
			old, _ := s.Thread(bot, id)
			if !old.Archived || old.EndedAt == nil {
				t.Fatalf("%s: reset left the old thread unarchived", what)
			}
			ids = append(ids, r.NewThread.ID)
		case 4:
			turn := VisitorTurn{Content: "q", Reply: &VisitorReply{Content: "a", Sources: []MessageSource{{Title: "s", URL: "u", Snippet: "x"}}}}
			if rng.Intn(3) == 0 {
				turn.Lead = LeadInput{Email: sptr(fmt.Sprintf("v%d@example.com", step))}
			}
			turn.Escalate = rng.Intn(4) == 0
			out, err := s.VisitorMessage(bot, id, turn)
			if err != nil {
				t.Fatal(err)
			}
			sameAsRead(t, s, what+" visitor", out.Thread)
			msgAsRead(t, s, what+" visitor", out.Message)
			if out.Reply != nil {
				msgAsRead(t, s, what+" reply", *out.Reply)
				if out.Reply.LLMModelID == nil {
					t.Fatalf("%s: the reply has no model id", what)
				}
			}
			msgs = append(msgs, out.Message)
		case 5:
			if _, err := s.VisitorContact(bot, id, LeadInput{Name: sptr(fmt.Sprint("N", step)), Phone: sptr("+1 555")}); err != nil {
				t.Fatal(err)
			}
			th, _ := s.Thread(bot, id)
			if th.VisitorName == nil || *th.VisitorName != fmt.Sprint("N", step) || th.Anonymous {
				t.Fatalf("%s: the contact did not reach the thread: %s", what, canon(t, th))
			}
		case 6:
			p, err := s.ReadThreadMessages(bot, id, "", 2)
			if err != nil {
				t.Fatal(err)
			}
			if p.Thread.UnreadMessagesCount != 0 {
				t.Fatalf("%s: read answered unread %d", what, p.Thread.UnreadMessagesCount)
			}
			sameAsRead(t, s, what+" read", p.Thread)
		case 7:
			if len(msgs) == 0 {
				continue
			}
			m := msgs[rng.Intn(len(msgs))]
			out, err := s.EditMessage(bot, m.ID, fmt.Sprint("edited ", step), "u1")
			if err != nil {
				t.Fatal(err)
			}
			if !out.IsEdited || out.EditedBy == nil || *out.EditedBy != "u1" || out.EditedAt == nil {
				t.Fatalf("%s: edit answered %s", what, canon(t, out))
			}
			msgAsRead(t, s, what+" edit", out)
		case 8:
			th, err := s.CreateThread(bot, NewThread{VisitorEmail: sptr("e@example.com"), Anonymous: bptr(true), Mode: ModeAgent})
			if err != nil {
				t.Fatal(err)
			}
			sameAsRead(t, s, what+" create", th)
			ids = append(ids, th.ID)
		}
	}
	before, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	checkReadsAgainstExport(t, s)
	s2 := New(Config{Seed: 7, Now: clk.Now})
	if _, err := s2.Import(before); err != nil {
		t.Fatal(err)
	}
	after, err := s2.Export()
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Fatal("export → import → export differs after the writes")
	}
	checkReadsAgainstExport(t, s2)
	checkOrder(t, s2, bot)
}
