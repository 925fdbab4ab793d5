package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The fixtures' keys and chatbot the attacks use (fixtures/default.yaml).
const (
	scaleKey      = "sk_test_scale_super_admin"
	enterpriseKey = "sk_test_enterprise_super_admin"
	scaleBot      = "361628903185310001"
)

// phase is what one attack saw.
type phase struct {
	name     string
	sent     int
	statuses map[int]int
	codes    map[string]int // error.code, STORE_LIMIT_REACHED split as /memory or /<resource>
	connErrs int
	maxBody  int
	dur      time.Duration
	peakRSS  uint64
	note     string
}

// memoryRefusals counts the writes the ceiling refused.
func (p *phase) memoryRefusals() int { return p.codes["STORE_LIMIT_REACHED/memory"] }

func (p *phase) fivexx() int {
	n := 0
	for s, c := range p.statuses {
		if s >= 500 {
			n += c
		}
	}
	return n
}

type attack struct {
	base    string
	workers int
	scale   float64
	mon     *mockProcess
	out     io.Writer
	client  *http.Client
}

// target is one flood: n requests made by mk, at most for limit, ending early once stop
// says so (a cap reached).
type target struct {
	name  string
	n     int
	limit time.Duration
	mk    func(i int) (*http.Request, error)
	stop  func(p *phase) bool
}

func (a *attack) count(n int) int { return max(1, int(float64(n)*a.scale)) }

func (a *attack) all(ctx context.Context) []*phase {
	a.client = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: a.workers,
		MaxConnsPerHost: a.workers, DisableCompression: true}}
	var out []*phase
	for _, t := range []target{a.longPaths(), a.journalFill(), a.journalReads(), a.sinkFlood(), a.sandboxFlood()} {
		out = append(out, a.flood(ctx, t))
	}
	out = append(out, a.bulk(ctx)...)
	out = append(out, a.after(ctx))
	out = append(out, a.flood(ctx, a.threadFlood()))
	return out
}

func (a *attack) req(method, path, key string, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	return r, nil
}

func (a *attack) longPaths() target {
	path := "/api/v1/chatting/" + strings.Repeat("a", 1<<20)
	return target{name: "paths: 1 MB paths", n: a.count(500), limit: 2 * time.Minute,
		mk: func(int) (*http.Request, error) { return a.req("GET", path, "", nil) }}
}

func (a *attack) journalFill() target {
	path := "/api/v1/chatting/" + strings.Repeat("j", 7<<10)
	return target{name: "journal: 7 KiB paths", n: a.count(10_000), limit: 2 * time.Minute,
		mk: func(int) (*http.Request, error) { return a.req("GET", path, "", nil) }}
}

func (a *attack) journalReads() target {
	return target{name: "journal: limit=1000 reads", n: a.count(200), limit: 2 * time.Minute,
		mk: func(int) (*http.Request, error) { return a.req("GET", "/__mock/requests?limit=1000", "", nil) }}
}

func (a *attack) sinkFlood() target {
	body := []byte(`{"pad":"` + strings.Repeat("s", 256<<10) + `"}`)
	return target{name: "sink: 256 KiB records", n: a.count(2_000), limit: 2 * time.Minute,
		mk: func(i int) (*http.Request, error) {
			return a.req("POST", fmt.Sprintf("/__mock/webhook-sink/flood-%d", i%1000), "", body)
		}}
}

// capped stops a flood after 50 refusals with STORE_LIMIT_REACHED (any resource).
func capped(p *phase) bool {
	n := 0
	for c, k := range p.codes {
		if strings.HasPrefix(c, "STORE_LIMIT_REACHED") {
			n += k
		}
	}
	return n >= 50
}

func (a *attack) sandboxFlood() target {
	return target{name: "sandboxes until the cap", n: a.count(11_000), limit: 3 * time.Minute, stop: capped,
		mk: func(int) (*http.Request, error) {
			return a.req("POST", "/__mock/sandboxes", "", []byte(`{"plan":"enterprise"}`))
		}}
}

func (a *attack) threadFlood() target {
	body := []byte(`{"title":"Memory attack","visitorName":"Ada Lovelace","visitorEmail":"ada@example.com","platformSource":"api"}`)
	return target{name: "threads until a cap", n: a.count(210_000), limit: 3 * time.Minute, stop: capped,
		mk: func(int) (*http.Request, error) {
			return a.req("POST", "/api/v1/chatting/"+scaleBot+"/threads", scaleKey, body)
		}}
}

// bulk creates chatbots, then instruction sets of ~900 KiB across them until the memory
// ceiling refuses them.
func (a *attack) bulk(ctx context.Context) []*phase {
	var mu sync.Mutex
	var bots []string
	create := a.flood(ctx, target{name: "bulk: chatbots", n: a.count(40), limit: time.Minute,
		mk: func(i int) (*http.Request, error) {
			return a.req("POST", "/api/v1/chatbots", enterpriseKey, []byte(fmt.Sprintf(`{"chatbotName":"memattack %d"}`, i)))
		},
	})
	create.note = "chatbots for the instruction sets"
	// The ids come back in the bodies; flood() keeps none, so list them.
	r, err := a.req("GET", "/api/v1/chatbots?limit=100", enterpriseKey, nil)
	if err == nil {
		if res, err := a.client.Do(r); err == nil {
			var env struct {
				Data struct {
					Chatbots []struct {
						ChatbotID string `json:"chatbotId"`
					} `json:"chatbots"`
				} `json:"data"`
			}
			_ = json.NewDecoder(res.Body).Decode(&env)
			res.Body.Close()
			for _, b := range env.Data.Chatbots {
				mu.Lock()
				bots = append(bots, b.ChatbotID)
				mu.Unlock()
			}
		}
	}
	if len(bots) == 0 {
		create.note = "no chatbot to fill"
		return []*phase{create}
	}
	text := strings.Repeat("Answer briefly. ", (900<<10)/16)
	body, _ := json.Marshal(map[string]string{"title": "", "instruction": text})
	fill := a.flood(ctx, target{name: "bulk: 900 KiB instructions", n: a.count(4_000), limit: 3 * time.Minute,
		stop: func(p *phase) bool { return p.memoryRefusals() >= 100 },
		mk: func(i int) (*http.Request, error) {
			b := bytes.Replace(body, []byte(`"title":""`), []byte(fmt.Sprintf(`"title":"set %d"`, i)), 1)
			return a.req("POST", "/api/v1/chatbots/chatbot/"+bots[i%len(bots)]+"/instructions", enterpriseKey, b)
		}})
	return []*phase{create, fill}
}

// after checks the ceiling's promises once it refused writes: reads answer, reset makes
// room, writes resume.
func (a *attack) after(ctx context.Context) *phase {
	p := &phase{name: "after: read, reset, write", statuses: map[int]int{}, codes: map[string]int{}}
	start := time.Now()
	do := func(method, path, key string, body []byte) int {
		r, err := a.req(method, path, key, body)
		if err != nil {
			p.connErrs++
			return 0
		}
		st, code, _, err := a.send(ctx, r)
		p.sent++
		if err != nil {
			p.connErrs++
			return 0
		}
		p.statuses[st]++
		if code != "" {
			p.codes[code]++
		}
		return st
	}
	thread := []byte(`{"title":"after"}`)
	read := do("GET", "/api/v1/chatbots/my-chatbots", scaleKey, nil)
	write := do("POST", "/api/v1/chatting/"+scaleBot+"/threads", scaleKey, thread)
	do("POST", "/__mock/reset", "", nil)
	resumed := time.Duration(-1)
	for t0 := time.Now(); time.Since(t0) < 15*time.Second; time.Sleep(50 * time.Millisecond) {
		if do("POST", "/api/v1/chatting/"+scaleBot+"/threads", scaleKey, thread) == http.StatusCreated {
			resumed = time.Since(t0)
			break
		}
	}
	p.dur = time.Since(start)
	p.note = fmt.Sprintf("read %d, write %d before reset; writes resumed after %s", read, write, resumed.Round(time.Millisecond))
	if resumed < 0 {
		p.note = fmt.Sprintf("read %d, write %d before reset; writes did NOT resume within 15 s", read, write)
		p.statuses[599]++ // counted as a failure
	}
	return p
}

// flood runs one target with a.workers connections and samples the mock's RSS meanwhile.
func (a *attack) flood(ctx context.Context, t target) *phase {
	p := &phase{name: t.name, statuses: map[int]int{}, codes: map[string]int{}}
	ctx, cancel := context.WithTimeout(ctx, t.limit)
	defer cancel()
	stopRSS := a.sampleRSS(p)
	var next atomic.Int64
	var stopped atomic.Bool
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range a.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && !stopped.Load() {
				i := int(next.Add(1)) - 1
				if i >= t.n {
					return
				}
				r, err := t.mk(i)
				if err != nil {
					return
				}
				st, code, size, err := a.send(ctx, r)
				mu.Lock()
				p.sent++
				if err != nil {
					p.connErrs++
				} else {
					p.statuses[st]++
					p.maxBody = max(p.maxBody, size)
					if code != "" {
						p.codes[code]++
					}
				}
				if t.stop != nil && t.stop(p) {
					stopped.Store(true)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	p.dur = time.Since(start)
	stopRSS()
	switch {
	case stopped.Load():
		p.note = "stopped: cap reached"
	case ctx.Err() != nil && p.sent < t.n:
		p.note = fmt.Sprintf("stopped at the time bound (%s)", t.limit)
	}
	fmt.Fprintf(a.out, "memattack: %-28s %6d requests in %5.1fs, peak RSS %4d MiB\n", p.name, p.sent, p.dur.Seconds(), p.peakRSS>>20)
	return p
}

// send does one request and reads the answer: status, error code (STORE_LIMIT_REACHED with
// its resource) and body size.
func (a *attack) send(ctx context.Context, r *http.Request) (status int, code string, size int, err error) {
	res, err := a.client.Do(r.WithContext(ctx))
	if err != nil {
		return 0, "", 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, "", len(b), err
	}
	if res.StatusCode >= 400 {
		var env struct {
			Error struct {
				Code    string `json:"code"`
				Details struct {
					Resource string `json:"resource"`
				} `json:"details"`
			} `json:"error"`
		}
		if json.Unmarshal(b, &env) != nil {
			code = "(not JSON)"
		} else {
			code = env.Error.Code
			if code == "STORE_LIMIT_REACHED" {
				code += "/" + env.Error.Details.Resource
			}
		}
	}
	return res.StatusCode, code, len(b), nil
}

// sampleRSS records the mock's largest resident set while a phase runs (every 20 ms).
func (a *attack) sampleRSS(p *phase) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if st, err := a.mon.status(); err == nil {
				p.peakRSS = max(p.peakRSS, st.rss)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// runtimePeak is the highest runtime-memory sample of the mock's own watch (what
// GOMEMLIMIT counts; RSS adds the binary and what the runtime has not yet returned).
func (a *attack) runtimePeak(ctx context.Context) (uint64, error) {
	r, err := a.req("GET", "/__mock/health", "", nil)
	if err != nil {
		return 0, err
	}
	res, err := a.client.Do(r.WithContext(ctx))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var h struct {
		Memory struct {
			PeakBytes uint64 `json:"peakBytes"`
		} `json:"memory"`
	}
	if err := json.NewDecoder(res.Body).Decode(&h); err != nil {
		return 0, err
	}
	return h.Memory.PeakBytes, nil
}
