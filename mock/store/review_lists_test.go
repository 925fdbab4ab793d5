package store

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"
)

// Review (issue 11): list pages and filters, on imported odd values and after random
// writes, against a brute-force answer computed from a full export.

type exportedDoc struct {
	Threads  []Thread  `json:"threads"`
	Messages []Message `json:"messages"`
	Leads    []Lead    `json:"leads"`
}

func exportOf(t *testing.T, s *Store) exportedDoc {
	t.Helper()
	raw, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	var d exportedDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func bptr(b bool) *bool     { return &b }
func sptr(s string) *string { return &s }

// reviewFilters are single filters and combinations of two and three.
func reviewFilters(modes, models []string) []ThreadFilter {
	fs := []ThreadFilter{{}}
	for _, m := range modes {
		fs = append(fs, ThreadFilter{Mode: sptr(m)})
	}
	for _, m := range models {
		fs = append(fs, ThreadFilter{LLMModelID: sptr(m)})
	}
	for _, v := range []bool{false, true} {
		fs = append(fs, ThreadFilter{Resolved: bptr(v)}, ThreadFilter{Archived: bptr(v)}, ThreadFilter{Escalated: bptr(v)},
			ThreadFilter{Important: bptr(v)}, ThreadFilter{Anonymous: bptr(v)})
		for _, m := range modes {
			fs = append(fs, ThreadFilter{Mode: sptr(m), Escalated: bptr(v)}, ThreadFilter{Mode: sptr(m), Archived: bptr(v), Anonymous: bptr(!v)})
		}
		for _, m := range models {
			fs = append(fs, ThreadFilter{LLMModelID: sptr(m), Resolved: bptr(v), Important: bptr(v)})
		}
	}
	return fs
}

func filterString(f ThreadFilter) string {
	s := ""
	if f.Mode != nil {
		s += " mode=" + *f.Mode
	}
	if f.LLMModelID != nil {
		s += " model=" + *f.LLMModelID
	}
	for i, p := range []*bool{f.Resolved, f.Archived, f.Escalated, f.Important, f.Anonymous} {
		if p != nil {
			s += fmt.Sprintf(" %s=%v", []string{"resolved", "archived", "escalated", "important", "anonymous"}[i], *p)
		}
	}
	return "{" + s + " }"
}

// checkListsAgainstExport pages through every filter of a chatbot (limit 3) and compares
// ids and totals with a sort of the exported threads.
func checkListsAgainstExport(t *testing.T, s *Store, bot string, fs []ThreadFilter) (compared int) {
	t.Helper()
	d := exportOf(t, s)
	var all []Thread
	for _, th := range d.Threads {
		if th.ChatbotID == bot {
			all = append(all, th)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return threadBefore(&all[i], &all[j]) })
	for _, f := range fs {
		var want []string
		for i := range all {
			if f.match(&all[i]) {
				want = append(want, all[i].ID)
			}
		}
		var got []string
		for page := 1; page <= len(want)/3+2; page++ {
			p, err := s.ListThreads(bot, f, page, 3)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != len(want) {
				t.Errorf("filter %s: total %d, want %d", filterString(f), p.Total, len(want))
				break
			}
			for _, th := range p.Threads {
				got = append(got, th.ID)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("filter %s:\n got %.300q\nwant %.300q", filterString(f), got, want)
		}
		compared += len(want)
	}
	return compared
}

// Imported threads with odd activity times (year 1, 9999, before 1678 and after 2262
// where the trees' time prefix saturates, ties) and odd modes and models list in the same
// order and with the same totals as a sort of the export.
func TestReviewListsOfImportedOddThreads(t *testing.T) {
	doc, threads, _ := oddDoc(t)
	bot := threads[0]["chatbotId"].(string)
	in, _ := json.Marshal(doc)
	s := New(Config{Seed: 7})
	if _, err := s.Import(in); err != nil {
		t.Fatal(err)
	}
	checkListsAgainstExport(t, s, bot, reviewFilters([]string{"AI", "AGENT", "HUMAN", "", "weird mode"}, []string{"m1", "M1"}))
}

// FINDING (minor, predates the thread table): a thread whose llmModel has the empty id is
// in no model tree (index.go botThreads.trees and indexThreadLocked skip model ""), so
// ListThreads with LLMModelID "" finds none of them while ThreadFilter.match, and the
// export, say they match. Not reachable over HTTP today (mock/threads.go ignores an empty
// llmModelId query), reachable through the store API and an imported state.
func TestReviewListEmptyModelID(t *testing.T) {
	doc, threads, _ := oddDoc(t)
	bot := threads[0]["chatbotId"].(string)
	in, _ := json.Marshal(doc)
	s := New(Config{Seed: 7})
	if _, err := s.Import(in); err != nil {
		t.Fatal(err)
	}
	checkListsAgainstExport(t, s, bot, reviewFilters(nil, []string{""}))
}

// Random writes of every kind on two chatbots with a clock that often stands still
// (ties in activity), then every filter of both against the export.
func TestReviewListsAfterRandomWrites(t *testing.T) {
	s, clk, botA, botB := newThreadStore(t, nil)
	if _, err := s.CreateLeadSettings(botA, Doc{}, Doc{"enableLeadCollection": true, "autoEscalateOnLeadCapture": true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateHumanSupportSettings(botA, Doc{}, Doc{"enableHumanSupport": true}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(3))
	var ids [2][]string
	bots := [2]string{botA, botB}
	for step := 0; step < 400; step++ {
		if rng.Intn(3) == 0 {
			clk.advance(time.Duration(rng.Intn(3)) * time.Second)
		}
		b := rng.Intn(2)
		bot := bots[b]
		if len(ids[b]) == 0 || rng.Intn(6) == 0 {
			var in NewThread
			if rng.Intn(2) == 0 {
				in.VisitorName = sptr("n")
			}
			if rng.Intn(3) == 0 {
				in.Mode = ModeAgent
			}
			ids[b] = append(ids[b], mustThread(t, s, bot, in).ID)
			continue
		}
		id := ids[b][rng.Intn(len(ids[b]))]
		var err error
		switch rng.Intn(8) {
		case 0:
			_, err = s.UpdateThreads(bot, []ThreadUpdate{{ThreadID: id, Resolved: bptr(rng.Intn(2) == 0), Archived: bptr(rng.Intn(2) == 0),
				Important: bptr(rng.Intn(2) == 0), Mode: sptr([]string{ModeAI, ModeAgent, ModeHuman}[rng.Intn(3)])}})
		case 1:
			_, _, err = s.ToggleEscalation(bot, id)
		case 2:
			_, err = s.SendAgentMessage(bot, id, AgentMessage{Content: "hi"})
		case 3:
			var r ResetResult
			r, err = s.ResetConversation(bot, id)
			if err == nil {
				ids[b] = append(ids[b], r.NewThread.ID)
			}
		case 4:
			turn := VisitorTurn{Content: "q", Reply: &VisitorReply{Content: "a"}}
			if rng.Intn(3) == 0 {
				turn.Lead = LeadInput{Email: sptr(fmt.Sprintf("v%d@example.com", rng.Intn(3)))}
			}
			if rng.Intn(5) == 0 {
				turn.Escalate = true
			}
			_, err = s.VisitorMessage(bot, id, turn)
		case 5:
			_, err = s.VisitorContact(bot, id, LeadInput{Name: sptr("Ada")})
			if codeOf(err) == "LEAD_COLLECTION_DISABLED" {
				err = nil
			}
		case 6:
			_, err = s.ReadThreadMessages(bot, id, "", 5)
		case 7:
			_, err = s.UpdateThreads(bot, []ThreadUpdate{{ThreadID: id, Escalated: bptr(rng.Intn(2) == 0), Tags: &[]string{"x"}}})
		}
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
	}
	fs := reviewFilters([]string{ModeAI, ModeAgent, ModeHuman}, []string{SimulatedModelID})
	if n := checkListsAgainstExport(t, s, botA, fs) + checkListsAgainstExport(t, s, botB, fs); n < 500 {
		t.Fatalf("only %d listed threads compared: the walk did too little to mean anything", n)
	}
	checkOrder(t, s, botA)
	checkOrder(t, s, botB)
}
