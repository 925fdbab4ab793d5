package store

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/plans"
)

// The scale benchmarks run each collection's operations with 10, 1,000 and 100,000 items
// already stored (loaded through the state importer's load, as a state file would be), so
// the three figures of a row show how an operation's cost grows with the collection. Creates
// grow the collection: every max(n/10, 10) creates the store is rebuilt, timer stopped, so a
// create always runs on n to 1.1n items. `make bench` runs them with a short -benchtime.

var scaleSizes = []int{10, 1000, 100000}

const (
	benchAccount = "361628903185300001"
	benchUser    = "bench-user"
	benchBot     = "361628903185300002"
	benchThread  = "bench-thread-0"
)

// benchClock is a store clock that ticks one millisecond per reading, so every record gets
// its own time and orders are the ones a live server would build.
func benchClock() func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Millisecond)
		return t
	}
}

// benchDoc is a state document with one enterprise account, one user and one chatbot, and
// n items of one collection: threads (every 2nd archived, every 3rd important), messages (in
// one thread), starters, follow-ups, instructions and personas (the first active),
// chatbots (in the account) or deliveries (every 2nd SUCCESS, the rest FAILED).
func benchDoc(coll string, n int) *stateDocument {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Second) }
	bot := &Chatbot{ID: benchBot, AccountID: benchAccount, Name: "Bench", IsActive: true, CreatedByUserID: benchUser,
		CreatedAt: base, UpdatedAt: base}
	doc := &stateDocument{Version: StateVersion, IDSequence: uint64(n) + 1000, // past the numeric ids below
		Accounts: []*Account{{ID: benchAccount, Name: "Bench", Plan: plans.Enterprise, CreatedAt: base}},
		Users:    []*User{{ID: benchUser, Name: "Bench", Memberships: map[string]Role{benchAccount: RoleSuperAdmin}, CreatedAt: base}},
		APIKeys:  []*APIKey{}, Chatbots: []*Chatbot{bot}, Threads: []*Thread{}, Messages: []*Message{},
		Leads: []*Lead{}, WebhookDeliveries: []*Delivery{}}
	thread := func(i int) *Thread {
		v, s := "visitor-"+strconv.Itoa(i%50), at(i)
		return &Thread{ID: "bench-thread-" + strconv.Itoa(i), ChatbotID: benchBot, VisitorID: &v, Mode: ModeAI,
			Tags: []string{}, Archived: i%2 == 1, Important: i%3 == 0, StartedAt: &s, UpdatedAt: s, LastActivity: s, Seq: uint64(i + 1)}
	}
	switch coll {
	case "threads":
		for i := 0; i < n; i++ { // n may be 0: an empty chatbot
			doc.Threads = append(doc.Threads, thread(i))
		}
	case "messages":
		doc.Threads = append(doc.Threads, thread(0))
		for i := 0; i < n; i++ {
			c := at(i)
			doc.Messages = append(doc.Messages, &Message{ID: "bench-message-" + strconv.Itoa(i), ThreadID: benchThread, ChatbotID: benchBot,
				MessageType: "USER_MESSAGE", Content: "Where is my parcel?", ContentTimestamp: &c, Role: RoleUser,
				Source: []MessageSource{}, CreatedAt: c, UpdatedAt: c, Seq: uint64(i + 1)})
		}
	case "starters":
		for i := 0; i < n; i++ {
			bot.Starters = append(bot.Starters, &Starter{ID: "bench-starter-" + strconv.Itoa(i), ChatbotID: benchBot, Rank: i,
				ButtonTitle: ptr("Track"), ButtonMessage: ptr("Where is my parcel?"), CreatedAt: at(i), UpdatedAt: at(i)})
		}
	case "follow-ups":
		for i := 0; i < n; i++ {
			bot.FollowUps = append(bot.FollowUps, &FollowUp{ID: "bench-followup-" + strconv.Itoa(i), ChatbotID: benchBot, Rank: i,
				ButtonTitle: ptr("Track"), ButtonMessage: ptr("Where is my parcel?"), CreatedAt: at(i), UpdatedAt: at(i)})
		}
	case "instructions":
		for i := 0; i < n; i++ {
			bot.Instructions = append(bot.Instructions, &Instruction{ID: "bench-instruction-" + strconv.Itoa(i), ChatbotID: benchBot,
				Title: ptr("Set " + strconv.Itoa(i)), Instruction: "Be brief.", CreativityLevel: 0.5, Deletable: true, IsActive: i == 0,
				CreatedAt: at(i), UpdatedAt: at(i)})
		}
	case "personas":
		for i := 0; i < n; i++ {
			bot.Personas = append(bot.Personas, &Persona{ID: "bench-persona-" + strconv.Itoa(i), ChatbotID: benchBot,
				Title: "Persona " + strconv.Itoa(i), Instructions: "Be kind.", CreativityLevel: 0.5, Deletable: true, IsActive: i == 0,
				CreatedAt: at(i), UpdatedAt: at(i)})
		}
	case "chatbots":
		for i := 1; i < n; i++ {
			doc.Chatbots = append(doc.Chatbots, &Chatbot{ID: fmt.Sprintf("%018d", idBase+10+i), AccountID: benchAccount,
				Name: "Bot " + strconv.Itoa(i), IsActive: true, CreatedByUserID: benchUser, CreatedAt: at(i), UpdatedAt: at(i)})
		}
	case "deliveries":
		for i := 0; i < n; i++ {
			status := DeliverySuccess
			if i%2 == 1 {
				status = DeliveryFailed
			}
			doc.WebhookDeliveries = append(doc.WebhookDeliveries, &Delivery{ID: "bench-delivery-" + strconv.Itoa(i), ChatbotID: benchBot,
				EventType: WebhookEventNewMessage, EventKey: "message:" + strconv.Itoa(i), ConfigID: "cfg", Status: status, Attempts: 1,
				RequestPayload: map[string]any{"event": WebhookEventNewMessage}, CreatedAt: at(i), UpdatedAt: at(i), Seq: uint64(i + 1)})
		}
	default:
		panic("benchDoc: unknown collection " + coll)
	}
	return doc
}

// benchStore is a store holding benchDoc(coll, n).
func benchStore(tb testing.TB, coll string, n int) *Store {
	tb.Helper()
	// The per-chatbot list caps (100 starters, ...) and the chatbot caps (20,000) would stop
	// the creates at 1,000 and 100,000 items: the benchmarks measure cost, not the caps.
	lists := Caps{StartersPerChatbot: plans.Unlimited, FollowUpsPerChatbot: plans.Unlimited,
		InstructionsPerChatbot: plans.Unlimited, PersonasPerChatbot: plans.Unlimited, LocalizationsPerChatbot: plans.Unlimited,
		Chatbots: plans.Unlimited, ChatbotsPerAccount: plans.Unlimited}
	s := New(Config{Seed: 1, Now: benchClock(), Caps: lists})
	doc := benchDoc(coll, n)
	s.ids.seq = doc.IDSequence
	if err := s.load(doc); err != nil {
		tb.Fatalf("load: %v", err)
	}
	return s
}

var benchPrincipal = Principal{UserID: benchUser, AccountID: benchAccount, Role: RoleSuperAdmin, Plan: plans.Enterprise}

// scaleOp is one benchmarked operation: setup runs once per store (timer stopped) and
// returns the operation, called with the iteration number.
type scaleOp struct {
	name   string
	grows  bool // the operation adds an item: rebuild the store every max(n/10, 10) calls
	mutate bool // the operation changes the store: do not share it with the read benchmarks
	fresh  bool // the operation's setup needs the store as built: rebuild it for every call
	setup  func(b *testing.B, s *Store, n int) func(i int) error
}

func runScale(b *testing.B, coll string, ops []scaleOp) {
	for _, n := range scaleSizes {
		shared := (*Store)(nil)
		for _, op := range ops {
			// The testing package calls a benchmark several times while it sizes b.N: the
			// store is built once and kept across those calls (building 100,000 items is
			// most of `make bench`'s time), but for fresh operations.
			var s *Store
			grown, seq := 0, 0 // seq numbers the calls across all of them (names, keys stay unique)
			every := max(n/10, 10)
			b.Run(fmt.Sprintf("%s/%s/n=%d", coll, op.name, n), func(b *testing.B) {
				b.StopTimer()
				switch {
				case op.fresh || s == nil && (op.grows || op.mutate):
					s, grown = benchStore(b, coll, n), 0
				case s == nil:
					if shared == nil {
						shared = benchStore(b, coll, n)
					}
					s = shared
				}
				fn := op.setup(b, s, n)
				b.ReportAllocs()
				b.StartTimer()
				for range b.N {
					if op.grows && grown >= every {
						b.StopTimer()
						s, grown = benchStore(b, coll, n), 0
						fn = op.setup(b, s, n)
						b.StartTimer()
					}
					if err := fn(seq); err != nil {
						b.Fatalf("%s: %v", op.name, err)
					}
					grown++
					seq++
				}
			})
		}
	}
}

func BenchmarkScaleThreads(b *testing.B) {
	yes := true
	list := func(f ThreadFilter, last bool) func(b *testing.B, s *Store, n int) func(int) error {
		return func(b *testing.B, s *Store, n int) func(int) error {
			page := 1
			if last {
				pg, err := s.ListThreads(benchBot, f, 1, 20)
				if err != nil {
					b.Fatal(err)
				}
				page = max(1, (pg.Total+19)/20)
			}
			return func(int) error {
				pg, err := s.ListThreads(benchBot, f, page, 20)
				if err == nil && len(pg.Threads) == 0 {
					err = fmt.Errorf("empty page %d", page)
				}
				return err
			}
		}
	}
	runScale(b, "threads", []scaleOp{
		{name: "create", grows: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			title := "New"
			return func(int) error { _, err := s.CreateThread(benchBot, NewThread{Title: &title}); return err }
		}},
		{name: "get", setup: func(b *testing.B, s *Store, n int) func(int) error {
			id := "bench-thread-" + strconv.Itoa(n/2)
			return func(int) error { _, err := s.Thread(benchBot, id); return err }
		}},
		{name: "details", setup: func(b *testing.B, s *Store, n int) func(int) error {
			id := "bench-thread-" + strconv.Itoa(n/2)
			return func(int) error { _, err := s.ThreadDetails(benchBot, id); return err }
		}},
		{name: "update", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			id := "bench-thread-" + strconv.Itoa(n/2)
			return func(i int) error {
				v := i%2 == 0
				_, err := s.UpdateThreads(benchBot, []ThreadUpdate{{ThreadID: id, Resolved: &v}})
				return err
			}
		}},
		{name: "list-first", setup: list(ThreadFilter{}, false)},
		{name: "list-last", setup: list(ThreadFilter{}, true)},
		{name: "filtered-first", setup: list(ThreadFilter{Archived: &yes}, false)},
		{name: "filtered-last", setup: list(ThreadFilter{Archived: &yes}, true)},
		{name: "two-filters", setup: list(ThreadFilter{Archived: &yes, Important: &yes}, false)},
	})
}

func BenchmarkScaleMessages(b *testing.B) {
	runScale(b, "messages", []scaleOp{
		{name: "create", grows: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			return func(int) error {
				_, err := s.SendAgentMessage(benchBot, benchThread, AgentMessage{Content: "On its way."})
				return err
			}
		}},
		{name: "edit", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			id := "bench-message-" + strconv.Itoa(n/2)
			return func(int) error { _, err := s.EditMessage(benchBot, id, "Edited.", benchUser); return err }
		}},
		{name: "list-first", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			return func(int) error { _, err := s.ReadThreadMessages(benchBot, benchThread, "", 20); return err }
		}},
		{name: "list-last", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			before := "bench-message-" + strconv.Itoa(min(20, n-1))
			return func(int) error { _, err := s.ReadThreadMessages(benchBot, benchThread, before, 20); return err }
		}},
		{name: "cursor-middle", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			before := "bench-message-" + strconv.Itoa(n/2)
			return func(int) error { _, err := s.ReadThreadMessages(benchBot, benchThread, before, 20); return err }
		}},
	})
}

// rankedOps are the benchmarks of starters and follow-ups (whole lists, ranked).
func rankedOps(create func(s *Store) error, update func(s *Store, id string) error, list func(s *Store) (int, error),
	del func(s *Store, id string) error, idOf func(i int) string) []scaleOp {
	return []scaleOp{
		{name: "create", grows: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			return func(int) error { return create(s) }
		}},
		{name: "update", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			id := idOf(n / 2)
			return func(int) error { return update(s, id) }
		}},
		{name: "list", setup: func(b *testing.B, s *Store, n int) func(int) error {
			return func(int) error {
				got, err := list(s)
				if err == nil && got != n {
					err = fmt.Errorf("listed %d, want %d", got, n)
				}
				return err
			}
		}},
		// delete-last removes the newest item and makes a new one, so the list keeps its size.
		{name: "delete+create", fresh: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			next := idOf(n - 1)
			return func(int) error {
				if err := del(s, next); err != nil {
					return err
				}
				if err := create(s); err != nil {
					return err
				}
				next = s.lastCreatedForBench()
				return nil
			}
		}},
	}
}

// lastCreatedForBench is the id the store generated last (a uuid made by ids.uuid).
func (s *Store) lastCreatedForBench() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.ids
	g.seq--
	return g.uuid()
}

func BenchmarkScaleStarters(b *testing.B) {
	in := PairInput{ButtonTitle: ptr("Track"), ButtonMessage: ptr("Where is my parcel?")}
	runScale(b, "starters", rankedOps(
		func(s *Store) error { _, err := s.CreateStarter(benchBot, in); return err },
		func(s *Store, id string) error { _, err := s.UpdateStarter(benchBot, id, in); return err },
		func(s *Store) (int, error) { l, err := s.Starters(benchBot); return len(l), err },
		func(s *Store, id string) error { _, err := s.DeleteStarters(benchBot, []string{id}); return err },
		func(i int) string { return "bench-starter-" + strconv.Itoa(i) }))
}

func BenchmarkScaleFollowUps(b *testing.B) {
	in := PairInput{ButtonTitle: ptr("Track"), ButtonMessage: ptr("Where is my parcel?")}
	runScale(b, "follow-ups", rankedOps(
		func(s *Store) error { _, err := s.CreateFollowUp(benchBot, in, nil); return err },
		func(s *Store, id string) error { _, err := s.UpdateFollowUp(benchBot, id, in, nil); return err },
		func(s *Store) (int, error) { l, err := s.FollowUps(benchBot); return len(l), err },
		func(s *Store, id string) error { _, err := s.DeleteFollowUps(benchBot, []string{id}); return err },
		func(i int) string { return "bench-followup-" + strconv.Itoa(i) }))
}

func BenchmarkScaleInstructions(b *testing.B) {
	ops := rankedOps(
		func(s *Store) error {
			_, err := s.CreateInstruction(benchBot, NewInstruction{Title: "New", Instruction: "Be brief."})
			return err
		},
		func(s *Store, id string) error {
			_, err := s.UpdateInstruction(benchBot, id, InstructionPatch{Instruction: ptr("Be briefer.")})
			return err
		},
		func(s *Store) (int, error) { l, err := s.Instructions(benchBot); return len(l), err },
		func(s *Store, id string) error { _, err := s.DeleteInstructions(benchBot, []string{id}); return err },
		func(i int) string { return "bench-instruction-" + strconv.Itoa(i) })
	ops = append(ops, scaleOp{name: "select", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
		ids := []string{"bench-instruction-0", "bench-instruction-" + strconv.Itoa(n-1)}
		return func(i int) error { _, _, err := s.SelectInstruction(benchBot, SelectInput{ID: ids[i%2]}); return err }
	}}, scaleOp{name: "select-by-title", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
		titles := []string{"set 0", "SET " + strconv.Itoa(n-1)} // the first and the last, in another case
		return func(i int) error {
			x, _, err := s.SelectInstruction(benchBot, SelectInput{Title: &titles[i%2]})
			if err == nil && !strings.EqualFold(*x.Title, titles[i%2]) {
				err = fmt.Errorf("selected %q for %q", *x.Title, titles[i%2])
			}
			return err
		}
	}})
	runScale(b, "instructions", ops)
}

func BenchmarkScalePersonas(b *testing.B) {
	ops := rankedOps(
		func(s *Store) error {
			_, err := s.CreatePersona(benchBot, NewPersona{Title: "New", Instructions: "Be kind."})
			return err
		},
		func(s *Store, id string) error {
			_, err := s.UpdatePersona(benchBot, id, PersonaPatch{Instructions: ptr("Be kinder.")})
			return err
		},
		func(s *Store) (int, error) { l, err := s.Personas(benchBot); return len(l), err },
		func(s *Store, id string) error { _, err := s.DeletePersonas(benchBot, []string{id}); return err },
		func(i int) string { return "bench-persona-" + strconv.Itoa(i) })
	ops = append(ops, scaleOp{name: "select", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
		ids := []string{"bench-persona-0", "bench-persona-" + strconv.Itoa(n-1)}
		return func(i int) error { _, _, err := s.SelectPersona(benchBot, SelectInput{ID: ids[i%2]}); return err }
	}}, scaleOp{name: "select-by-title", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
		titles := []string{"persona 0", "PERSONA " + strconv.Itoa(n-1)}
		return func(i int) error {
			x, _, err := s.SelectPersona(benchBot, SelectInput{Title: &titles[i%2]})
			if err == nil && !strings.EqualFold(x.Title, titles[i%2]) {
				err = fmt.Errorf("selected %q for %q", x.Title, titles[i%2])
			}
			return err
		}
	}})
	runScale(b, "personas", ops)
}

func BenchmarkScaleChatbots(b *testing.B) {
	list := func(last bool) func(b *testing.B, s *Store, n int) func(int) error {
		return func(b *testing.B, s *Store, n int) func(int) error {
			page := 1
			if last {
				page = (n + 19) / 20
			}
			return func(int) error {
				bots, total := s.ChatbotPage(benchPrincipal, page, 20)
				if len(bots) == 0 || total != n {
					return fmt.Errorf("page %d: %d chatbots of %d", page, len(bots), total)
				}
				return nil
			}
		}
	}
	runScale(b, "chatbots", []scaleOp{
		{name: "create", grows: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			return func(i int) error {
				_, err := s.CreateChatbot(benchAccount, benchUser, NewChatbot{Name: "New bot " + strconv.Itoa(i)})
				return err
			}
		}},
		{name: "get", setup: func(b *testing.B, s *Store, n int) func(int) error {
			return func(int) error {
				if _, ok := s.Chatbot(benchBot); !ok {
					return fmt.Errorf("not found")
				}
				return nil
			}
		}},
		{name: "rename", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			return func(i int) error {
				name := "Renamed " + strconv.Itoa(i%2)
				_, err := s.UpdateChatbot(benchAccount, benchBot, ChatbotPatch{Name: &name})
				return err
			}
		}},
		{name: "list-first", setup: list(false)},
		{name: "list-last", setup: list(true)},
		{name: "two-accounts-last", fresh: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			// A second account with one chatbot, created at the end, and the bench user a
			// SUPER_ADMIN of both: the last page merges two trees.
			a, err := s.CreateAccount(NewAccount{Name: "Second", Plan: plans.Enterprise})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.update(func() error { s.users[benchUser].Memberships[a.ID] = RoleSuperAdmin; return nil }); err != nil {
				b.Fatal(err)
			}
			if _, err := s.CreateChatbot(a.ID, benchUser, NewChatbot{Name: "Other"}); err != nil {
				b.Fatal(err)
			}
			page := (n + 1 + 19) / 20
			return func(int) error {
				bots, total := s.ChatbotPage(benchPrincipal, page, 20)
				if len(bots) == 0 || total != n+1 || bots[len(bots)-1].Name != "Other" {
					return fmt.Errorf("page %d: %d chatbots of %d", page, len(bots), total)
				}
				return nil
			}
		}},
	})
}

func BenchmarkScaleDeliveries(b *testing.B) {
	list := func(status string, last bool) func(b *testing.B, s *Store, n int) func(int) error {
		return func(b *testing.B, s *Store, n int) func(int) error {
			page := 1
			if last {
				_, total := s.DeliveryPage(benchBot, status, "", 1, 20)
				page = max(1, (total+19)/20)
			}
			return func(int) error {
				items, _ := s.DeliveryPage(benchBot, status, "", page, 20)
				if len(items) == 0 {
					return fmt.Errorf("empty page %d", page)
				}
				return nil
			}
		}
	}
	cfg := WebhookConfig{ID: "cfg", ChatbotID: benchBot}
	payload := map[string]any{"event": WebhookEventNewMessage}
	runScale(b, "deliveries", []scaleOp{
		{name: "create", grows: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			return func(i int) error {
				_, dup, err := s.RecordDelivery(cfg, WebhookEventNewMessage, "new:"+strconv.Itoa(i), payload)
				if dup {
					err = fmt.Errorf("duplicate")
				}
				return err
			}
		}},
		{name: "get", setup: func(b *testing.B, s *Store, n int) func(int) error {
			id := "bench-delivery-" + strconv.Itoa(n/2)
			return func(int) error { _, err := s.Delivery(benchBot, id); return err }
		}},
		{name: "update", mutate: true, setup: func(b *testing.B, s *Store, n int) func(int) error {
			id := "bench-delivery-" + strconv.Itoa(n/2)
			return func(i int) error {
				_, err := s.UpdateDelivery(id, func(d *Delivery, _ time.Time) {
					d.Status = DeliverySuccess
					if i%2 == 0 {
						d.Status = DeliveryFailed
					}
				})
				return err
			}
		}},
		{name: "list-first", setup: list("", false)},
		{name: "list-last", setup: list("", true)},
		{name: "filtered-first", setup: list(DeliverySuccess, false)},
		{name: "filtered-last", setup: list(DeliverySuccess, true)},
	})
}
