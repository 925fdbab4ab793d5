package mock

import (
	"encoding/json"
	"fmt"
	"github.com/contextgpt/sandbox/mock/journal"
	"github.com/contextgpt/sandbox/mock/limits"
	"github.com/contextgpt/sandbox/mock/store"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Attack 8 (issue 10): Prefer: latency had no upper bound; fault rules neither.
func TestAttackPreferLatencyUnbounded(t *testing.T) {
	tm := newTestMock(t)
	res, body, err := tm.rawH("GET", "/api/v1/chatbots/my-chatbots", keyScale, map[string]string{"Prefer": "latency=11m"})
	if err != nil || res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "longer than 10m0s") {
		t.Fatalf("Prefer: latency=11m: %v %v %s", err, res, body)
	}
	r := tm.do("POST", "/__mock/faults", "", map[string]any{"action": map[string]any{"latency": "240h"}})
	if r.Status != http.StatusBadRequest || r.code() != "INVALID_FAULT" {
		t.Fatalf("fault latency 240h: %d %s", r.Status, r.Raw)
	}
	tm.do("POST", "/__mock/faults", "", map[string]any{"action": map[string]any{"latency": "10m"}}).must(t, http.StatusCreated)
}

// Attack 3 (issue 10): a kill -9 lost every write since start (the state file was written
// only at shutdown). The file follows the store within the save interval, without Close.
func TestAttackKillLosesAtMostTheSaveInterval(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	tm := newTestMock(t, func(c *Config) { c.StateFile = state; c.StateSaveInterval = 20 * time.Millisecond })
	for i := 0; i < 3; i++ {
		acc := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, http.StatusCreated).str("accountId")
		deadline := time.Now().Add(5 * time.Second)
		for {
			b, _ := os.ReadFile(state)
			if strings.Contains(string(b), acc) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("sandbox %d not in the state file within 5 s", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// Idle: nothing changes, nothing is rewritten.
	st1, _ := os.Stat(state)
	time.Sleep(100 * time.Millisecond)
	if st2, _ := os.Stat(state); !st2.ModTime().Equal(st1.ModTime()) {
		t.Fatal("the state file is rewritten while nothing changes")
	}
}

// rawH sends a request with headers and no contract check (for answers outside the spec).
func (tm *testMock) rawH(method, path, key string, hdr map[string]string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, tm.srv.URL+path, nil)
	if err != nil {
		return nil, nil, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := tm.srv.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

func withCaps(c store.Caps) testOption {
	return func(cfg *Config) {
		l := limits.Documented()
		l.Caps = limits.Caps(c)
		cfg.Limits = l
	}
}

// Attack 2 (issue 10): each journal entry kept the whole URL; 500 requests with a 1 MB path
// took the process to 2.4 GB. A target over 8 KiB is answered 414 in the envelope, headers
// over 32 KiB 431, and the journal keeps at most 1 KiB of a path.
func TestAttackJournalMemoryBlowup(t *testing.T) {
	tm := newTestMock(t)
	long := "/api/v1/chatting/" + strings.Repeat("a", 100<<10)
	r := tm.do("GET", long, "", nil)
	if r.Status != http.StatusRequestURITooLong || r.code() != "URI_TOO_LONG" || r.at("success") != false {
		t.Fatalf("100 KiB path: %d %.300s", r.Status, r.Raw)
	}
	r = tm.do("GET", "/__mock/requests?x="+strings.Repeat("a", 9<<10), "", nil)
	if r.Status != http.StatusRequestURITooLong || r.code() != "URI_TOO_LONG" {
		t.Fatalf("long control-plane query: %d %.300s", r.Status, r.Raw)
	}
	big := strings.Repeat("b", 6<<10)
	r = tm.doH("GET", "/api/v1/chatbots/my-chatbots", keyScale, nil, map[string]string{"X-A": big, "X-B": big, "X-C": big, "X-D": big, "X-E": big, "X-F": big})
	if r.Status != http.StatusRequestHeaderFieldsTooLarge || r.code() != "HEADER_FIELDS_TOO_LARGE" {
		t.Fatalf("36 KiB of headers: %d %.300s", r.Status, r.Raw)
	}
	r = tm.doH("GET", "/api/v1/chatbots/my-chatbots", keyScale, nil, map[string]string{"X-A": strings.Repeat("c", 9<<10)})
	if r.Status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("one 9 KiB header: %d %.300s", r.Status, r.Raw)
	}
	// Just under the cap: answered as usual, journaled with the path cut at 1 KiB.
	tm.do("GET", "/api/v1/chatting/"+strings.Repeat("z", 7<<10), keyScale, nil)
	for _, e := range func() []journal.Entry { es, _ := tm.m.journal.List(journal.Filter{}); return es }() {
		if len(e.Path) > maxJournalPath {
			t.Fatalf("journal keeps a %d-byte path", len(e.Path))
		}
	}
}

// Attack 2 (issue 10): writes grew memory without bound (no cap on threads, messages,
// chatbots, sandboxes). Past a cap the answer is 403 STORE_LIMIT_REACHED and nothing is
// stored.
func TestAttackUnboundedStoreGrowth(t *testing.T) {
	caps := store.DefaultCaps()
	caps.Threads, caps.MessagesPerAccount, caps.Chatbots, caps.Accounts = 7, 12, 6, 9
	tm := newTestMock(t, withCaps(caps))
	threads := tm.countState(t, "threads")
	var id string
	for i := threads; i < 7; i++ {
		id = createTestThread(t, tm, map[string]any{})
	}
	r := tm.do("POST", threadsPath(botShipping), keyScale, map[string]any{}).must(t, http.StatusForbidden)
	if r.code() != "STORE_LIMIT_REACHED" || r.at("error.details.limit") != float64(7) {
		t.Fatalf("thread past the cap: %s", r.Raw)
	}
	if n := tm.countState(t, "threads"); n != 7 {
		t.Fatalf("%d threads stored; want 7", n)
	}
	createsUntilCapped(t, "message", 20, func(int) resp {
		return tm.do("POST", threadPath(botShipping, id)+"/message", keyScale, map[string]any{"content": "hello"})
	})
	createsUntilCapped(t, "chatbot", 10, func(i int) resp {
		return tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale, map[string]any{"name": fmt.Sprintf("cap %d", i), "description": "x"})
	})
	createsUntilCapped(t, "sandbox", 10, func(int) resp {
		return tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"})
	})
}

// createsUntilCapped calls create until it answers 403, which must be STORE_LIMIT_REACHED;
// every answer before it must be 201, and the cap must apply within max+2 creates.
func createsUntilCapped(t *testing.T, what string, max int, create func(i int) resp) {
	t.Helper()
	for i := 0; ; i++ {
		r := create(i)
		if r.Status == http.StatusForbidden {
			if r.code() != "STORE_LIMIT_REACHED" {
				t.Fatalf("%s past the cap: %s", what, r.Raw)
			}
			return
		}
		r.must(t, http.StatusCreated)
		if i > max {
			t.Fatalf("the %s cap never applied", what)
		}
	}
}

// Attack 2 (issue 10): no cap on sink records or deliveries. A sink keeps its newest
// 1,000 records; a chatbot's delivery log forgets its oldest finished delivery past its cap.
func TestAttackSinkAndDeliveryGrowth(t *testing.T) {
	caps := store.DefaultCaps()
	caps.DeliveriesPerChatbot = 3
	tm := newTestMock(t, withCaps(caps))
	for i := 0; i < maxSinkRecords+5; i++ {
		tm.do("POST", "/__mock/webhook-sink/flood", "", map[string]any{"n": i}).must(t, http.StatusOK)
	}
	r := tm.do("GET", "/__mock/webhook-sink/flood", "", nil).must(t, http.StatusOK)
	if ds, _ := r.at("deliveries").([]any); len(ds) != maxSinkRecords || r.at("deliveries.0.body.n") != float64(5) {
		t.Fatalf("sink keeps %d records, first %v", len(ds), r.at("deliveries.0.body.n"))
	}
	tm.hookToSink(t, "log")
	for i := 0; i < 6; i++ {
		tm.do("POST", webhookPath(botShipping)+"/test", keyScale, map[string]any{"eventType": "NEW_LEAD"}).must(t, http.StatusAccepted)
		tm.waitDelivery(t, botShipping)
	}
	if ds := tm.m.Store().Deliveries(botShipping, "", ""); len(ds) != 3 {
		t.Fatalf("the delivery log holds %d; want 3", len(ds))
	}
}

// countState is how many records of a collection the state export holds.
func (tm *testMock) countState(t testing.TB, collection string) int {
	t.Helper()
	var doc map[string]json.RawMessage
	var items []json.RawMessage
	if err := json.Unmarshal(tm.getState(t), &doc); err != nil || json.Unmarshal(doc[collection], &items) != nil {
		t.Fatalf("state: %v", err)
	}
	return len(items)
}

// Attack 5 (issue 10): a fontFamily nested 9,998 levels deep was accepted and saved; the
// next start failed and a PUT of the exported state was refused. Bodies nest at most 64
// levels (400 in the envelope), and whatever the API accepted re-imports.
func TestAttackDeepJSONAcceptedButUnsavable(t *testing.T) {
	tm := newTestMock(t)
	deep := strings.Repeat(`{"a":`, 9998) + `1` + strings.Repeat(`}`, 9998)
	r := tm.do("POST", appearanceRoute(botShipping), keyScale, `{"fontFamily":`+deep+`}`)
	if r.Status != http.StatusBadRequest || r.code() != "REQUEST_VALIDATION_FAILED" || !strings.Contains(string(r.Raw), "levels deep") {
		t.Fatalf("9,998 levels: %d %.300s", r.Status, r.Raw)
	}
	// At the cap, whatever is accepted round-trips through the state export.
	ok := strings.Repeat(`[`, maxJSONDepth-1) + strings.Repeat(`]`, maxJSONDepth-1)
	tm.do("POST", "/__mock/webhook-sink/deep", "", `{"x":`+ok+`}`).must(t, http.StatusOK)
	tm.do("POST", appearanceRoute(botShipping), keyScale, `{"fontFamily":"Inter","chatWindowTitle":`+strings.Repeat(`[`, 40)+strings.Repeat(`]`, 40)+`}`)
	state := tm.getState(t)
	tm.do("PUT", "/__mock/state", "", state).must(t, http.StatusOK)
	if again := tm.getState(t); string(again) != string(state) {
		t.Fatal("the state changed on a round trip")
	}
	if d := jsonDepth(state); d > maxJSONDepth+16 {
		t.Fatalf("state nests %d levels", d)
	}
}

// Attack 7 (issue 10): six black-hole receivers in account A delayed account B's delivery
// from 0.12 s to 29.7 s (four shared workers). One account's deliveries take at most a
// quarter of the workers.
func TestAttackWebhookTenantStarvation(t *testing.T) {
	tm := newTestMock(t, func(c *Config) { c.WebhookTimeout = time.Minute })
	release := make(chan struct{})
	hole := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hole.Close()
	defer close(release)
	sb := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "enterprise"}).must(t, http.StatusCreated)
	key, acc := sb.str("apiKey"), sb.str("accountId")
	for i := 0; i < 6; i++ {
		bot := tm.do("POST", "/api/v1/chatbots/account/"+acc+"/create-chatbot", key, map[string]any{"name": fmt.Sprintf("hole %d", i), "description": "x"}).
			must(t, http.StatusCreated).str("data.chatbotId")
		if bot == "" {
			bot = tm.do("GET", "/api/v1/chatbots/account/"+acc, key, nil).str(fmt.Sprintf("data.chatbots.%d.chatbotId", i))
		}
		tm.do("PUT", webhookPath(bot), key, map[string]any{"url": hole.URL, "secret": sinkSecret}).must(t, http.StatusCreated)
		tm.do("POST", webhookPath(bot)+"/test", key, map[string]any{"eventType": "NEW_LEAD"}).must(t, http.StatusAccepted)
	}
	time.Sleep(100 * time.Millisecond) // account A's attempts are in flight
	tm.hookToSink(t, "b")
	start := time.Now()
	tm.do("POST", webhookPath(botShipping)+"/test", keyScale, map[string]any{"eventType": "NEW_LEAD"}).must(t, http.StatusAccepted)
	tm.sinkDeliveries(t, "b", 1) // fails the test after 5 s
	t.Logf("account B's delivery arrived after %s with account A's six receivers hanging", time.Since(start))
}

// Attack 8 (issue 10): limit=10&limit=abc and page=%zz answered 200; //api/v1/chatbots was
// served; HEAD on a GET route answered 405.
func TestAttackLenientRequestParsing(t *testing.T) {
	tm := newTestMock(t)
	list := "/api/v1/chatting/" + botShipping + "/threads"
	for _, q := range []string{"?limit=10&limit=abc", "?page=%zz", "?limit=10&limit=10"} {
		r := tm.do("GET", list+q, keyScale, nil)
		if r.Status != http.StatusBadRequest || r.code() != "REQUEST_VALIDATION_FAILED" {
			t.Fatalf("%s: %d %s", q, r.Status, r.Raw)
		}
	}
	tm.do("GET", list+"?limit=10", keyScale, nil).must(t, http.StatusOK)
	if res, body, _ := tm.rawH("GET", "//api/v1/chatbots/my-chatbots", keyScale, nil); res.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "RESOURCE_NOT_FOUND") {
		t.Fatalf("//api: %d %s", res.StatusCode, body)
	}
	res, body, err := tm.rawH("HEAD", "/api/v1/chatbots/my-chatbots", keyScale, nil)
	if err != nil || res.StatusCode != http.StatusOK || len(body) != 0 || res.Header.Get("Content-Type") == "" {
		t.Fatalf("HEAD: %v %v %q", err, res, body)
	}
	if res, _, _ := tm.rawH("HEAD", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale, nil); res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("HEAD on a POST route: %d", res.StatusCode)
	}
}

// Attack 8 (issue 10): NUL characters and lone surrogates were stored in titles.
func TestAttackNulAndLoneSurrogatesInText(t *testing.T) {
	tm := newTestMock(t)
	for _, title := range []string{`"a\u0000b"`, `"\ud800"`, `"x\udc00"`, `"\ud800\u0041"`} {
		r := tm.do("POST", threadsPath(botShipping), keyScale, `{"title":`+title+`}`)
		if r.Status != http.StatusBadRequest || r.code() != "REQUEST_VALIDATION_FAILED" {
			t.Fatalf("title %s: %d %s", title, r.Status, r.Raw)
		}
	}
	// A proper pair (an emoji) and other escapes are text like any other.
	tm.do("POST", threadsPath(botShipping), keyScale, `{"title":"ok \ud83d\ude00 \n \\u0000"}`).must(t, http.StatusCreated)
}

// Attack 6 (issue 10): 10 slow uploads locked every upload of their account (the slot was
// taken before the body was read). Bodies are read first.
func TestAttackSlowUploadsLockTheAccount(t *testing.T) {
	tm := newTestMock(t)
	path := "/api/v1/chatbots/chatbot/" + botShipping + "/settings/icons"
	var writers []*io.PipeWriter
	done := make(chan struct{}, 10)
	for i := 0; i < 10; i++ {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		req, _ := http.NewRequest("PATCH", tm.srv.URL+path, pr)
		req.Header.Set("Authorization", "Bearer "+keyScale)
		req.Header.Set("Content-Type", "application/json")
		go func() {
			if res, err := tm.srv.Client().Do(req); err == nil {
				res.Body.Close()
			}
			done <- struct{}{}
		}()
		_, _ = pw.Write([]byte(`{"botIconSrc":`)) // and nothing more, for now
	}
	time.Sleep(200 * time.Millisecond)
	r := tm.do("PATCH", path, keyScale, map[string]any{"botIconSrc": "https://cdn.example.com/bot.png"})
	for _, pw := range writers {
		_, _ = pw.Write([]byte(`"https://cdn.example.com/b.png"}`))
		pw.Close()
	}
	for range writers {
		<-done
	}
	if r.Status == http.StatusTooManyRequests {
		t.Fatalf("an upload was refused while 10 others trickled their bodies: %s", r.Raw)
	}
	if r.Status >= 500 {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
}
