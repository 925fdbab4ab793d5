package mock

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/store"
)

// TestConcurrentCreateThreads creates N threads at once through HTTP (run with -race):
// exactly N more threads exist afterwards, and every one can be read.
func TestConcurrentCreateThreads(t *testing.T) {
	const n = 200
	// libopenapi-validator's strict check races with itself under concurrent responses (it
	// renders schemas into shared nodes: reported to the lead), so strict mode is off here;
	// tm.do still validates every response with kin-openapi.
	tm := newTestMock(t, func(cfg *Config) { cfg.Strict = false })
	before := tm.do("GET", threadsPath(botShipping), keyScale, nil).must(t, 200).intAt("data.pagination.total")
	ids := make([]string, n)
	var wg sync.WaitGroup
	keys := []string{keyScale, keyScaleAdmin, keyEditor, keyAgent}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := tm.do("POST", threadsPath(botShipping), keys[i%len(keys)], map[string]any{"title": "concurrent " + strconv.Itoa(i)})
			if r.Status != http.StatusCreated {
				t.Errorf("create %d: status %d: %s", i, r.Status, r.Raw)
				return
			}
			ids[i] = r.str("data.thread.id")
		}(i)
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	listed := map[string]bool{}
	total := 0
	for page := 1; ; page++ {
		r := tm.do("GET", threadsPath(botShipping)+"?limit=100&page="+strconv.Itoa(page), keyScale, nil).must(t, 200)
		total = r.intAt("data.pagination.total")
		threads := r.listAt("data.threads")
		for i := range threads {
			listed[r.str(fmt.Sprintf("data.threads.%d.id", i))] = true
		}
		if len(threads) < 100 {
			break
		}
	}
	if total != before+n || len(listed) != before+n {
		t.Fatalf("got total %d, %d distinct listed; want %d", total, len(listed), before+n)
	}
	for i, id := range ids {
		if !listed[id] {
			t.Fatalf("thread %d (%s) is not listed", i, id)
		}
		if got, err := tm.m.Store().Thread(botShipping, id); err != nil || *got.Title != "concurrent "+strconv.Itoa(i) {
			t.Fatalf("thread %d (%s): %v, %+v", i, id, err, got)
		}
	}
}

// threadEventLog records store events (the webhook hook is replaced for the test).
type threadEventLog struct {
	mu     sync.Mutex
	events []store.Event
}

func (l *threadEventLog) add(e store.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *threadEventLog) of(typ string) []store.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []store.Event
	for _, e := range l.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func TestEscalationEvents(t *testing.T) {
	tm := newTestMock(t)
	var log threadEventLog
	tm.m.Store().SetOnEvent(log.add)
	id := createTestThread(t, tm, map[string]any{"visitorName": "Ada", "visitorEmail": "ada@example.com"})
	path := threadPath(botShipping, id) + "/escalate"
	for i, want := range []bool{true, false, true, false, true} {
		r := tm.do("PATCH", path, keyAgent, nil).must(t, 200)
		if r.boolAt("data.thread.escalated") != want {
			t.Fatalf("toggle %d: escalated %v; want %v", i, r.boolAt("data.thread.escalated"), want)
		}
	}
	evs := log.of("CONVERSATION_ESCALATED")
	if len(evs) != 3 {
		t.Fatalf("got %d CONVERSATION_ESCALATED events; want 3 (one per false→true flip)", len(evs))
	}
	keys := map[string]bool{}
	for _, e := range evs {
		if !strings.HasPrefix(e.Key, "escalated:"+id+":") || keys[e.Key] {
			t.Fatalf("event key %q: want escalated:%s:<seq>, unique", e.Key, id)
		}
		keys[e.Key] = true
		if e.ChatbotID != botShipping || e.Data["threadId"] != id || e.Data["chatbotId"] != botShipping {
			t.Fatalf("event data: %+v", e)
		}
		if url, _ := e.Data["dashboardUrl"].(string); !strings.HasSuffix(url, "/"+botShipping+"/chat-history/"+id) {
			t.Fatalf("dashboardUrl %q", url)
		}
		// The visitor left contact details: it is identified, so `user` names it.
		if u, _ := e.Data["user"].(map[string]any); u["email"] != "ada@example.com" || u["name"] != "Ada" || u["verified"] != false || u["id"] == nil {
			t.Fatalf("user %v", e.Data["user"])
		}
		lead, _ := e.Data["leadInfo"].(map[string]any)
		if lead["email"] != "ada@example.com" || lead["phone"] != nil {
			t.Fatalf("leadInfo %v", e.Data["leadInfo"])
		}
	}
	// update-thread setting escalated fires nothing; it is not the toggle.
	other := createTestThread(t, tm, nil)
	tm.do("PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{{"threadId": other, "escalated": true}}).must(t, 200)
	if n := len(log.of("CONVERSATION_ESCALATED")); n != 3 {
		t.Fatalf("update-thread fired an escalation event: %d events", n)
	}
	// An anonymous thread escalates with leadInfo null.
	tm.do("PATCH", threadPath(botShipping, createTestThread(t, tm, nil))+"/escalate", keyAgent, nil).must(t, 200)
	if evs := log.of("CONVERSATION_ESCALATED"); len(evs) != 4 || evs[3].Data["leadInfo"] != nil {
		t.Fatalf("anonymous escalation: %+v", evs)
	}
}

func TestAgentMessageEvent(t *testing.T) {
	tm := newTestMock(t)
	var log threadEventLog
	tm.m.Store().SetOnEvent(log.add)
	id := createTestThread(t, tm, nil)
	r := tm.do("POST", threadPath(botShipping, id)+"/message", keyAgent, map[string]any{"content": "On my way"}).must(t, 201)
	evs := log.of("NEW_MESSAGE")
	if len(evs) != 1 {
		t.Fatalf("got %d NEW_MESSAGE events; want 1", len(evs))
	}
	d := evs[0].Data
	if d["messageId"] != r.str("data.message.id") || d["role"] != "AGENT" || d["question"] != nil || d["answer"] != "On my way" || d["threadId"] != id {
		t.Fatalf("event data: %v", d)
	}
	if src, ok := d["sources"].([]any); !ok || len(src) != 0 {
		t.Fatalf("sources: %#v; want []", d["sources"])
	}
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(d["createdAt"])); err != nil {
		t.Fatalf("createdAt: %v", err)
	}
	// Escalation and reset messages are SYSTEM (and the "/reset" a logged command): no NEW_MESSAGE.
	tm.do("PATCH", threadPath(botShipping, id)+"/escalate", keyAgent, nil).must(t, 200)
	tm.do("POST", threadPath(botShipping, id)+"/reset", keyAgent, nil).must(t, 201)
	if n := len(log.of("NEW_MESSAGE")); n != 1 {
		t.Fatalf("got %d NEW_MESSAGE events after escalate and reset; want 1", n)
	}
}

func TestAgentMessageMode(t *testing.T) {
	tm := newTestMock(t)
	for _, tc := range []struct{ start, want string }{{"AI", "AGENT"}, {"AGENT", "AGENT"}, {"HUMAN", "HUMAN"}} {
		id := createTestThread(t, tm, nil)
		tm.do("PATCH", updateThreadsPath(botShipping), keyScale, []map[string]any{{"threadId": id, "mode": tc.start}}).must(t, 200)
		tm.do("POST", threadPath(botShipping, id)+"/message", keyScale, map[string]any{"content": "hi"}).must(t, 201)
		if got := tm.do("GET", threadPath(botShipping, id), keyScale, nil).must(t, 200).str("data.thread.mode"); got != tc.want {
			t.Errorf("mode %s after an agent message: got %s; want %s", tc.start, got, tc.want)
		}
	}
}
