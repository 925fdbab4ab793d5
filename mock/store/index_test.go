package store

import (
	"bytes"
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/plans"
)

// TestIndexesUnderRandomWrites drives every write that moves a thread in its chatbot's
// order or between filters (creates, agent and visitor messages, status updates, the
// escalation toggle, resets, lead captures with auto-escalation) at random, and after each
// one checks the trees against a full sort; every few steps it compares ListThreads with
// random filters, ThreadDetails' visitor figures, delivery pages and chatbot pages with a
// brute-force answer. At the end the state round-trips byte for byte and the imported
// store's indexes pass the same checks.
func TestIndexesUnderRandomWrites(t *testing.T) {
	s, clk, botA, botB := newThreadStore(t, nil)
	for _, bot := range []string{botA, botB} {
		s.mu.Lock()
		s.chatbots[bot].LeadSettings = Doc{"enableLeadCollection": true, "autoEscalateOnLeadCapture": true}
		s.mu.Unlock()
	}
	rng := rand.New(rand.NewSource(11))
	bots := []string{botA, botB}
	threads := map[string][]string{}
	pickBool := func() *bool { v := rng.Intn(2) == 0; return &v }
	modes := []string{ModeAI, ModeAgent, ModeHuman}
	cfg := map[string]WebhookConfig{botA: {ID: "cfg-a", ChatbotID: botA}, botB: {ID: "cfg-b", ChatbotID: botB}}
	var deliveries []string
	statuses := []string{DeliveryPending, DeliveryRetrying, DeliverySuccess, DeliveryFailed}
	events := AllWebhookEvents()
	for step := 0; step < 1500; step++ {
		if rng.Intn(3) == 0 {
			clk.advance(time.Duration(rng.Intn(3)) * time.Millisecond)
		}
		bot := bots[rng.Intn(2)]
		ids := threads[bot]
		var err error
		switch op := rng.Intn(10); {
		case op < 2 || len(ids) == 0:
			in := NewThread{}
			if rng.Intn(2) == 0 {
				in.VisitorName = ptr("Ada")
			}
			if len(ids) > 0 && rng.Intn(3) == 0 { // the same visitor again
				old, _ := s.Thread(bot, ids[rng.Intn(len(ids))])
				in.VisitorID = old.VisitorID
			}
			var th Thread
			th, err = s.CreateThread(bot, in)
			threads[bot] = append(threads[bot], th.ID)
		case op == 2:
			_, err = s.SendAgentMessage(bot, ids[rng.Intn(len(ids))], AgentMessage{Content: "hello"})
		case op == 3:
			_, err = s.VisitorMessage(bot, ids[rng.Intn(len(ids))], VisitorTurn{Content: "hi", Escalate: rng.Intn(4) == 0})
		case op == 4:
			var items []ThreadUpdate
			for k := 0; k < 1+rng.Intn(3); k++ {
				u := ThreadUpdate{ThreadID: ids[rng.Intn(len(ids))]}
				switch rng.Intn(6) {
				case 0:
					u.Resolved = pickBool()
				case 1:
					u.Archived = pickBool()
				case 2:
					u.Escalated = pickBool()
				case 3:
					u.Important = pickBool()
				case 4:
					u.Mode = &modes[rng.Intn(3)]
				default:
					u.Resolved, u.Important = pickBool(), pickBool()
				}
				items = append(items, u)
			}
			_, err = s.UpdateThreads(bot, items)
		case op == 5:
			_, _, err = s.ToggleEscalation(bot, ids[rng.Intn(len(ids))])
		case op == 6:
			var r ResetResult
			r, err = s.ResetConversation(bot, ids[rng.Intn(len(ids))])
			threads[bot] = append(threads[bot], r.NewThread.ID)
		case op == 7:
			_, err = s.VisitorContact(bot, ids[rng.Intn(len(ids))], LeadInput{Email: ptr("ada@example.com")})
		case op == 8:
			var d Delivery
			d, _, err = s.RecordDelivery(cfg[bot], events[rng.Intn(3)], fmt.Sprintf("k%d", rng.Intn(200)), nil)
			deliveries = append(deliveries, d.ID)
		default:
			if len(deliveries) > 0 {
				_, err = s.UpdateDelivery(deliveries[rng.Intn(len(deliveries))], func(d *Delivery, _ time.Time) {
					d.Status = statuses[rng.Intn(4)]
				})
			}
		}
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		checkOrder(t, s, bot)
		if step%25 == 0 {
			checkQueries(t, s, bot, rng)
		}
	}
	data, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	n := New(Config{Seed: 7, Now: clk.Now})
	if _, err := n.Import(data); err != nil {
		t.Fatal(err)
	}
	again, err := n.Export()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Fatal("export → import → export changed the document")
	}
	for _, bot := range bots {
		checkOrder(t, n, bot)
		checkQueries(t, n, bot, rng)
	}
}

// checkQueries compares filtered thread pages, visitor figures and delivery pages with a
// brute-force answer.
func checkQueries(t *testing.T, s *Store, bot string, rng *rand.Rand) {
	t.Helper()
	s.mu.RLock()
	var all []*Thread
	for _, th := range s.threadsLocked() {
		if th.ChatbotID == bot {
			x := *th
			all = append(all, &x)
		}
	}
	msgs := map[string][]*Message{}
	for _, m := range s.messagesLocked() {
		if m.ChatbotID == bot {
			msgs[m.ThreadID] = append(msgs[m.ThreadID], m)
		}
	}
	var dels []Delivery
	for _, d := range s.deliveries {
		if d.ChatbotID == bot {
			dels = append(dels, cloneDelivery(d))
		}
	}
	s.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return threadBefore(all[i], all[j]) })
	yes, no := true, false
	bools := []*bool{nil, &yes, &no}
	modes := []*string{nil, ptr(ModeAI), ptr(ModeAgent), ptr(ModeHuman), ptr("NONE")}
	for k := 0; k < 20; k++ {
		f := ThreadFilter{Mode: modes[rng.Intn(len(modes))], Resolved: bools[rng.Intn(3)], Archived: bools[rng.Intn(3)],
			Escalated: bools[rng.Intn(3)], Important: bools[rng.Intn(3)], Anonymous: bools[rng.Intn(3)]}
		if rng.Intn(2) == 0 {
			f = ThreadFilter{Archived: bools[rng.Intn(3)]}
		}
		var want []string
		for _, th := range all {
			if f.match(th) {
				want = append(want, th.ID)
			}
		}
		page, limit := 1+rng.Intn(4), 1+rng.Intn(7)
		got, err := s.ListThreads(bot, f, page, limit)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != len(want) {
			t.Fatalf("filter %+v: total %d, want %d", f, got.Total, len(want))
		}
		start := min((page-1)*limit, len(want))
		exp := want[start:min(start+limit, len(want))]
		if len(got.Threads) != len(exp) {
			t.Fatalf("filter %+v page %d/%d: %d threads, want %d", f, page, limit, len(got.Threads), len(exp))
		}
		for i := range exp {
			if got.Threads[i].ID != exp[i] {
				t.Fatalf("filter %+v page %d/%d: [%d] = %s, want %s", f, page, limit, i, got.Threads[i].ID, exp[i])
			}
		}
	}
	for _, th := range all {
		d, err := s.ThreadDetails(bot, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		sessions, messages := 0, 0
		var first, last time.Time
		seen := func(at time.Time) {
			if first.IsZero() || at.Before(first) {
				first = at
			}
			if at.After(last) {
				last = at
			}
		}
		for _, o := range all {
			if *o.VisitorID != *th.VisitorID {
				continue
			}
			sessions++
			seen(*o.StartedAt)
			for _, m := range msgs[o.ID] {
				if m.Role == RoleUser {
					messages++
					seen(m.CreatedAt)
				}
			}
		}
		if *d.VisitorTotalSessions != sessions || *d.VisitorTotalMessages != messages ||
			!d.VisitorFirstSeenAt.Equal(first) || !d.VisitorLastSeenAt.Equal(last) {
			t.Fatalf("thread %s visitor: %d sessions, %d messages, %v..%v; want %d, %d, %v..%v", th.ID,
				*d.VisitorTotalSessions, *d.VisitorTotalMessages, d.VisitorFirstSeenAt, d.VisitorLastSeenAt, sessions, messages, first, last)
		}
	}
	sort.Slice(dels, func(i, j int) bool {
		if !dels[i].CreatedAt.Equal(dels[j].CreatedAt) {
			return dels[i].CreatedAt.After(dels[j].CreatedAt)
		}
		return dels[i].Seq > dels[j].Seq
	})
	for _, status := range []string{"", DeliverySuccess, DeliveryPending, "NONE"} {
		for _, event := range []string{"", WebhookEventNewLead} {
			var want []string
			for _, d := range dels {
				if (status == "" || d.Status == status) && (event == "" || d.EventType == event) {
					want = append(want, d.ID)
				}
			}
			page, limit := 1+rng.Intn(3), 1+rng.Intn(9)
			got, total := s.DeliveryPage(bot, status, event, page, limit)
			start := min((page-1)*limit, len(want))
			exp := want[start:min(start+limit, len(want))]
			if total != len(want) || len(got) != len(exp) {
				t.Fatalf("deliveries %q/%q page %d/%d: %d of %d, want %d of %d", status, event, page, limit, len(got), total, len(exp), len(want))
			}
			for i := range exp {
				if got[i].ID != exp[i] {
					t.Fatalf("deliveries %q/%q page %d/%d: [%d] = %s, want %s", status, event, page, limit, i, got[i].ID, exp[i])
				}
			}
		}
	}
}

// TestChatbotPageAcrossAccounts checks chatbot pages for a caller in one and in three
// accounts against the whole list, and the case-insensitive name check on create and rename.
// As ADMIN the caller's chatbots come from its memberships; as SUPER_ADMIN from the
// accounts' trees (TestChatbotPageMergedTrees covers that path at more sizes).
func TestChatbotPageAcrossAccounts(t *testing.T) {
	for _, role := range []Role{RoleAdmin, RoleSuperAdmin} {
		t.Run(string(role), func(t *testing.T) { testChatbotPageAcrossAccounts(t, role) })
	}
}

func testChatbotPageAcrossAccounts(t *testing.T, role Role) {
	clk := &testClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s := New(Config{Seed: 3, Now: clk.Now})
	var accs []string
	members := map[string]Role{}
	for i := 0; i < 3; i++ {
		a, err := s.CreateAccount(NewAccount{Name: fmt.Sprint("A", i), Plan: plans.Enterprise})
		if err != nil {
			t.Fatal(err)
		}
		accs = append(accs, a.ID)
		members[a.ID] = role
	}
	u, err := s.CreateUser(NewUser{Name: "U", Memberships: members})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(5))
	for i := 0; i < 60; i++ {
		if rng.Intn(2) == 0 {
			clk.advance(time.Millisecond)
		}
		if _, err := s.CreateChatbot(accs[rng.Intn(3)], u.ID, NewChatbot{Name: fmt.Sprint("Bot ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	p := Principal{UserID: u.ID}
	var want []Chatbot
	for _, a := range accs {
		want = append(want, s.AccountChatbots(a)...)
	}
	sort.SliceStable(want, func(i, j int) bool { return chatbotCmp(&want[i], &want[j]) < 0 })
	for page := 1; page <= 9; page++ {
		got, total := s.ChatbotPage(p, page, 7)
		start := min((page-1)*7, len(want))
		exp := want[start:min(start+7, len(want))]
		if total != 60 || len(got) != len(exp) {
			t.Fatalf("page %d: %d of %d, want %d of 60", page, len(got), total, len(exp))
		}
		for i := range exp {
			if got[i].ID != exp[i].ID {
				t.Fatalf("page %d [%d]: %s, want %s", page, i, got[i].ID, exp[i].ID)
			}
		}
	}
	var first Chatbot
	for _, c := range want {
		if c.Name == "Bot 0" {
			first = c
		}
	}
	if _, err := s.CreateChatbot(first.AccountID, u.ID, NewChatbot{Name: "  bOT 0 "}); codeOf(err) != "CHATBOT_ALREADY_EXISTS" {
		t.Fatalf("duplicate name: %v", err)
	}
	bot := s.AccountChatbots(accs[1])[0]
	if _, err := s.UpdateChatbot(accs[1], bot.ID, ChatbotPatch{Name: ptr(bot.Name + "")}); err != nil {
		t.Fatalf("renaming to its own name: %v", err)
	}
	if _, err := s.UpdateChatbot(accs[1], bot.ID, ChatbotPatch{Name: ptr("Fresh")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateChatbot(accs[1], u.ID, NewChatbot{Name: bot.Name}); err != nil {
		t.Fatalf("the old name is free after a rename: %v", err)
	}
	if _, err := s.CreateChatbot(accs[1], u.ID, NewChatbot{Name: "FRESH"}); codeOf(err) != "CHATBOT_ALREADY_EXISTS" {
		t.Fatalf("the new name is taken after a rename: %v", err)
	}
}

// TestChatbotPageMergedTrees pages through the chatbots of a SUPER_ADMIN of one to four
// accounts (some empty, creation times often equal) at several limits, against the whole
// list sorted: every page, and the page past the end.
func TestChatbotPageMergedTrees(t *testing.T) {
	for accounts := 1; accounts <= 4; accounts++ {
		clk := &testClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
		s := New(Config{Seed: int64(accounts), Now: clk.Now})
		var accs []string
		members := map[string]Role{}
		for i := 0; i < accounts; i++ {
			a, err := s.CreateAccount(NewAccount{Name: fmt.Sprint("A", i), Plan: plans.Enterprise})
			if err != nil {
				t.Fatal(err)
			}
			accs = append(accs, a.ID)
			members[a.ID] = RoleSuperAdmin
		}
		u, err := s.CreateUser(NewUser{Name: "U", Memberships: members})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewSource(int64(accounts)))
		n := 0
		for i := 0; i < 90; i++ {
			if rng.Intn(3) == 0 {
				clk.advance(time.Millisecond)
			}
			acc := accs[rng.Intn(len(accs))]
			if accounts == 4 && acc == accs[3] {
				continue // one account stays empty
			}
			if _, err := s.CreateChatbot(acc, u.ID, NewChatbot{Name: fmt.Sprint("Bot ", i)}); err != nil {
				t.Fatal(err)
			}
			n++
		}
		var want []Chatbot
		for _, a := range accs {
			want = append(want, s.AccountChatbots(a)...)
		}
		sort.SliceStable(want, func(i, j int) bool { return chatbotCmp(&want[i], &want[j]) < 0 })
		p := Principal{UserID: u.ID}
		for _, limit := range []int{1, 4, 7, 100} {
			for page := 1; (page-1)*limit <= n; page++ {
				got, total := s.ChatbotPage(p, page, limit)
				start := min((page-1)*limit, n)
				exp := want[start:min(start+limit, n)]
				if total != n || len(got) != len(exp) {
					t.Fatalf("%d accounts, limit %d, page %d: %d of %d, want %d of %d", accounts, limit, page, len(got), total, len(exp), n)
				}
				for i := range exp {
					if got[i].ID != exp[i].ID {
						t.Fatalf("%d accounts, limit %d, page %d [%d]: %s, want %s", accounts, limit, page, i, got[i].ID, exp[i].ID)
					}
				}
			}
		}
	}
}
