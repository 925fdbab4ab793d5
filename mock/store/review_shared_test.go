package store

import (
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Review (issue 11): what the store hands out shares nothing with it, under the race
// detector too.

// FINDING: a thread created without a platform source is copied out (cloneThread, thread.go)
// with PlatformSource pointing at the package's shared apiSource (intern.go), not at a copy:
// the one pointer every such thread of every store decodes to. A caller that writes through
// its copy, which Store's contract ("returns copies, never pointers into the state") allows,
// changes what every other such thread reads, and what the next export writes.
func TestReviewCopiedPlatformSourceIsNotShared(t *testing.T) {
	s, _, bot, _ := newThreadStore(t, nil)
	a := mustThread(t, s, bot, NewThread{})
	b := mustThread(t, s, bot, NewThread{})
	if a.PlatformSource == nil || *a.PlatformSource != "api" {
		t.Fatalf("platform source %v, want api", a.PlatformSource)
	}
	saved := *apiSource
	defer func() { *apiSource = saved }()
	*a.PlatformSource = "mine" // the caller's own copy, or so the contract says
	got, err := s.Thread(bot, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *got.PlatformSource != "api" {
		t.Fatalf("writing through one returned copy changed another thread's platformSource to %q", *got.PlatformSource)
	}
}

// Copies taken before later writes do not change: every thread and message read is kept
// with its JSON at the time, and compared again once all writers are done. Readers page,
// read details and messages and export while writers append, update, escalate and reset.
func TestReviewCopiesStableUnderConcurrentWrites(t *testing.T) {
	s, clk, botA, botB := newThreadStore(t, nil)
	var ids [2][]string
	bots := [2]string{botA, botB}
	for b := range bots {
		for i := 0; i < 20; i++ {
			ids[b] = append(ids[b], mustThread(t, s, bots[b], NewThread{Title: sptr(fmt.Sprint("t", i)), VisitorName: sptr("v")}).ID)
		}
	}
	type kept struct {
		what string
		v    any
		json string
	}
	var mu sync.Mutex
	var keptAll []kept
	keep := func(what string, v any) {
		c := canon(t, v)
		mu.Lock()
		keptAll = append(keptAll, kept{what, v, c})
		mu.Unlock()
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w)))
			for i := 0; i < 150; i++ {
				b := rng.Intn(2)
				id := ids[b][rng.Intn(len(ids[b]))]
				var err error
				switch rng.Intn(5) {
				case 0:
					_, err = s.SendAgentMessage(bots[b], id, AgentMessage{Content: fmt.Sprint("m", i), AgentName: sptr("a")})
				case 1:
					_, err = s.UpdateThreads(bots[b], []ThreadUpdate{{ThreadID: id, Tags: &[]string{fmt.Sprint(i)},
						Title: OptString{Set: true, Value: sptr(fmt.Sprint("new", i))}, Important: bptr(i%2 == 0)}})
				case 2:
					_, _, err = s.ToggleEscalation(bots[b], id)
				case 3:
					_, err = s.VisitorMessage(bots[b], id, VisitorTurn{Content: "q", Reply: &VisitorReply{Content: "r",
						Sources: []MessageSource{{Title: "s", URL: "u"}}}})
				case 4:
					_, err = s.ReadThreadMessages(bots[b], id, "", 3)
				}
				if err != nil {
					errs <- err
					return
				}
				if i%10 == 0 {
					clk.advance(time.Millisecond)
				}
			}
		}(w)
	}
	var rwg sync.WaitGroup
	for r := 0; r < 3; r++ {
		rwg.Add(1)
		go func(r int) {
			defer rwg.Done()
			rng := rand.New(rand.NewSource(int64(100 + r)))
			for n := 0; n < 400 && !stop.Load(); n++ {
				b := rng.Intn(2)
				id := ids[b][rng.Intn(len(ids[b]))]
				switch rng.Intn(5) {
				case 0:
					p, err := s.ListThreads(bots[b], ThreadFilter{Important: bptr(rng.Intn(2) == 0)}, 1+rng.Intn(3), 5)
					if err != nil {
						errs <- err
						return
					}
					keep("list", p)
				case 1:
					d, err := s.ThreadDetails(bots[b], id)
					if err != nil {
						errs <- err
						return
					}
					keep("details", d)
				case 2:
					m, _, err := s.PeekMessages(bots[b], id, 0, 10)
					if err != nil {
						errs <- err
						return
					}
					keep("messages", m)
				case 3:
					v, err := s.VisitorContextOf(bots[b], id)
					if err != nil {
						errs <- err
						return
					}
					keep("visitor context", v.Thread)
				case 4:
					if n%20 == 0 {
						if _, err := s.Export(); err != nil {
							errs <- err
							return
						}
					}
				}
			}
		}(r)
	}
	wg.Wait()
	stop.Store(true)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// One more round of writes to every thread, then every kept copy is as it was.
	for b := range bots {
		for _, id := range ids[b] {
			if _, err := s.UpdateThreads(bots[b], []ThreadUpdate{{ThreadID: id, Tags: &[]string{"last"}, Title: OptString{Set: true}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, k := range keptAll {
		if now := canon(t, k.v); now != k.json {
			t.Fatalf("a %s copy changed after it was returned:\nthen %.300s\nnow  %.300s", k.what, k.json, now)
		}
	}
	checkOrder(t, s, botA)
	checkOrder(t, s, botB)
}
