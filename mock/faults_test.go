package mock

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const createInScale = "/api/v1/chatbots/account/" + accScale + "/create-chatbot"

func TestFaultStatusNTimes(t *testing.T) {
	tm := newTestMock(t)
	f := tm.do("POST", "/__mock/faults", "", map[string]any{
		"match": map[string]any{"operationId": "createChatbotInAccount"}, "action": map[string]any{"status": 500}, "times": 2,
	}).must(t, 201)
	if f.str("id") == "" || f.num("remaining") != 2 || f.at("probability") != nil {
		t.Fatalf("got rule %s", f.Raw)
	}
	for i := range 2 {
		r := tm.do("POST", createInScale, keyScale, map[string]any{"name": "n", "description": "d"}).must(t, 500)
		if r.code() != "INTERNAL_SERVER_ERROR" || r.Body["success"] != false {
			t.Fatalf("firing %d: got %s", i+1, r.Raw)
		}
	}
	tm.do("POST", createInScale, keyScale, map[string]any{"name": "n", "description": "d"}).must(t, 201)
	list := tm.do("GET", "/__mock/faults", "", nil).must(t, 200)
	if list.num("faults.0.remaining") != 0 || list.num("faults.0.hits") != 2 {
		t.Fatalf("spent rule: got %s", list.Raw)
	}
	// Only the matched operation.
	tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
}

func TestFaultStatusUsesTheDocumentedEnvelope(t *testing.T) {
	tm := newTestMock(t)
	cases := []struct {
		status int
		code   string
	}{
		{409, "CHATBOT_ALREADY_EXISTS"},
		{403, "INSUFFICIENT_PERMISSIONS"},
		{413, "PAYLOAD_TOO_LARGE"},
		{429, "RATE_LIMIT_EXCEEDED"},
	}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			tm.do("POST", "/__mock/faults", "", map[string]any{
				"match":  map[string]any{"operationId": "createChatbotInAccount", "method": "POST", "pathPrefix": "/api/v1/chatbots/account/", "accountId": accScale},
				"action": map[string]any{"status": tc.status}, "times": 1,
			}).must(t, 201)
			// Another account does not match the rule: its request reaches validation.
			tm.do("POST", "/api/v1/chatbots/account/"+accGrowth+"/create-chatbot", keyGrowth, map[string]any{"description": "d"}).must(t, 400)
			r := tm.do("POST", createInScale, keyScale, map[string]any{"name": "x", "description": "d"}).must(t, tc.status)
			if r.code() != tc.code {
				t.Fatalf("got code %q; want %q", r.code(), tc.code)
			}
			if by, _ := r.at("error.details.injectedBy").(string); !strings.HasPrefix(by, "fault-") {
				t.Fatalf("got details %v; want injectedBy", r.at("error.details"))
			}
			if tc.status == 429 && r.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		})
	}
}

func TestFaultUndeclaredStatusIsAnsweredAnyway(t *testing.T) {
	tm := newTestMock(t)
	tm.do("POST", "/__mock/faults", "", map[string]any{"match": map[string]any{"operationId": "getMyChatbots"}, "action": map[string]any{"status": 503}}).must(t, 201)
	res, body, err := tm.raw("GET", myChatbots, keyScale)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]any
	if res.StatusCode != 503 || json.Unmarshal(body, &env) != nil || env["success"] != false || env["statusCode"] != float64(503) {
		t.Fatalf("got %d %s; want a 503 error envelope", res.StatusCode, body)
	}
}

func TestFaultLatencyHoldsOnTheManualClock(t *testing.T) {
	tm := newTestMock(t)
	tm.do("POST", "/__mock/faults", "", map[string]any{"match": map[string]any{"pathPrefix": "/api/v1/chatbots/my"}, "action": map[string]any{"latency": "2s"}}).must(t, 201)
	done := make(chan resp, 1)
	go func() { done <- tm.do("GET", myChatbots, keyScale, nil) }()
	tm.waitSleepers(t, 1)
	tm.advance(t, time.Second)
	select {
	case <-done:
		t.Fatal("request finished before its 2 s latency had passed on the clock")
	case <-time.After(20 * time.Millisecond):
	}
	tm.advance(t, time.Second)
	if r := <-done; r.Status != 200 {
		t.Fatalf("got %d; want 200 after the latency", r.Status)
	}
	j := tm.do("GET", "/__mock/requests?operationId=getMyChatbots", "", nil).must(t, 200)
	if !strings.HasPrefix(j.str("requests.0.faultId"), "fault-") {
		t.Fatalf("journal: got %s; want the fault's id", j.Raw)
	}
}

func TestFaultDropClosesTheConnection(t *testing.T) {
	tm := newTestMock(t)
	tm.do("POST", "/__mock/faults", "", map[string]any{"match": map[string]any{"method": "GET"}, "action": map[string]any{"drop": true}, "times": 1}).must(t, 201)
	if res, _, err := tm.raw("GET", myChatbots, keyScale); err == nil {
		t.Fatalf("got status %d; want the connection dropped", res.StatusCode)
	}
	tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
	j := tm.do("GET", "/__mock/requests?limit=2", "", nil).must(t, 200)
	if j.num("requests.1.status") != 0 || j.str("requests.1.faultId") == "" {
		t.Fatalf("journal: got %s; want the dropped request with status 0", j.Raw)
	}
}

func TestFaultMalformedBody(t *testing.T) {
	tm := newTestMock(t)
	tm.do("POST", "/__mock/faults", "", map[string]any{"match": map[string]any{"operationId": "getMyChatbots"}, "action": map[string]any{"malformedBody": true}, "times": 2}).must(t, 201)
	res, body, err := tm.raw("GET", myChatbots, keyScale)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if res.StatusCode != 200 || json.Valid(body) || json.Unmarshal(body, &v) == nil || !strings.HasPrefix(string(body), `{"`) {
		t.Fatalf("got %d %q; want 200 with a truncated JSON body", res.StatusCode, body)
	}
	// With a status: that status, truncated.
	tm.do("POST", "/__mock/faults", "", map[string]any{"match": map[string]any{"operationId": "getChatbotById"}, "action": map[string]any{"malformedBody": true, "status": 500}}).must(t, 201)
	res, body, err = tm.raw("GET", "/api/v1/chatbots/account/"+accScale+"/chatbot/"+botShipping, keyScale)
	if err != nil || res.StatusCode != 500 || json.Valid(body) {
		t.Fatalf("got %v %d %q; want 500 with a truncated body", err, res.StatusCode, body)
	}
}

// firings sends n requests to a mock with a 50 % rule and reports which were hit.
func firings(t *testing.T, seed int64, n int) string {
	tm := newControlMock(t, func(c *Config) { c.Seed = seed }, nil)
	tm.do("POST", "/__mock/faults", "", map[string]any{"match": map[string]any{"operationId": "getMyChatbots"}, "action": map[string]any{"status": 500}, "probability": 0.5}).must(t, 201)
	var b strings.Builder
	for range n {
		if tm.do("GET", myChatbots, keyScale, nil).Status == 500 {
			b.WriteByte('x')
		} else {
			b.WriteByte('.')
		}
	}
	// Reset restarts the sequence from the seed.
	tm.do("POST", "/__mock/reset", "", nil).must(t, 200)
	tm.do("POST", "/__mock/faults", "", map[string]any{"match": map[string]any{"operationId": "getMyChatbots"}, "action": map[string]any{"status": 500}, "probability": 0.5}).must(t, 201)
	var again strings.Builder
	for range n {
		if tm.do("GET", myChatbots, keyScale, nil).Status == 500 {
			again.WriteByte('x')
		} else {
			again.WriteByte('.')
		}
	}
	if again.String() != b.String() {
		t.Fatalf("after reset: got %s; want %s", again.String(), b.String())
	}
	return b.String()
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	a, b := firings(t, 7, 40), firings(t, 7, 40)
	if a != b {
		t.Fatalf("same seed, different sequences:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Fatalf("got %s; want some requests hit and some not at p=0.5", a)
	}
	if c := firings(t, 8, 40); c == a {
		t.Fatalf("seeds 7 and 8 gave the same sequence %s", a)
	}
}

func TestPreferHeader(t *testing.T) {
	tm := newTestMock(t)
	bot := "/api/v1/chatbots/account/" + accScale + "/chatbot/" + botShipping
	r := tm.doH("GET", bot, keyScale, nil, map[string]string{"Prefer": "code=404"}).must(t, 404)
	if r.code() != "CHATBOT_NOT_FOUND" {
		t.Fatalf("got %q; want the documented CHATBOT_NOT_FOUND", r.code())
	}
	tm.doH("GET", bot, keyScale, nil, map[string]string{"Prefer": "code=200"}).must(t, 200)
	r = tm.doH("GET", bot, keyScale, nil, map[string]string{"Prefer": "code=503"}).must(t, 400)
	if r.code() != "REQUEST_VALIDATION_FAILED" || !strings.Contains(r.str("error.message"), "declares") {
		t.Fatalf("got %s; want a 400 that names the declared statuses", r.Raw)
	}
	done := make(chan resp, 1)
	go func() {
		done <- tm.doH("GET", bot, keyScale, nil, map[string]string{"Prefer": "latency=200ms, code=500"})
	}()
	tm.waitSleepers(t, 1)
	tm.advance(t, 200*time.Millisecond)
	if r := <-done; r.Status != 500 || r.code() != "INTERNAL_SERVER_ERROR" {
		t.Fatalf("got %d %s; want 500 after 200ms", r.Status, r.code())
	}
}

func TestFaultAdminErrors(t *testing.T) {
	tm := newTestMock(t)
	cases := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"unknown operation", map[string]any{"match": map[string]any{"operationId": "createChatbotz"}, "action": map[string]any{"status": 500}}, 400, "INVALID_FAULT"},
		{"empty action", map[string]any{"action": map[string]any{"drop": false}}, 400, "INVALID_FAULT"},
		{"status out of range", map[string]any{"action": map[string]any{"status": 302}}, 400, ""},
		{"bad duration", map[string]any{"action": map[string]any{"latency": "soon"}}, 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tm.do("POST", "/__mock/faults", "", tc.body).must(t, tc.status)
			if tc.code != "" && r.str("error.code") != tc.code {
				t.Fatalf("got %s; want %s", r.Raw, tc.code)
			}
		})
	}
	if c := tm.do("DELETE", "/__mock/faults/fault-99", "", nil).must(t, 404).str("error.code"); c != "FAULT_NOT_FOUND" {
		t.Fatalf("got %q; want FAULT_NOT_FOUND", c)
	}
	if n := len(tm.do("GET", "/__mock/faults", "", nil).must(t, 200).at("faults").([]any)); n != 0 {
		t.Fatalf("got %d rules; want none after refusals", n)
	}
}

func TestJournal(t *testing.T) {
	tm := newTestMock(t)
	ok := tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
	tm.do("GET", myChatbots, "sk_nope", nil).must(t, 401)
	tm.do("GET", "/api/v1/nowhere", keyScale, nil).must(t, 404)
	tm.advance(t, time.Minute)
	tm.do("POST", createInScale, keyScale, map[string]any{"name": "j", "description": "d"}).must(t, 201)
	tm.do("GET", "/__mock/health", "", nil).must(t, 200) // not journaled
	all := tm.do("GET", "/__mock/requests", "", nil).must(t, 200)
	if all.num("total") != 4 {
		t.Fatalf("got %v entries; want 4 API requests\n%s", all.num("total"), all.Raw)
	}
	if all.str("requests.0.operationId") != "createChatbotInAccount" || all.num("requests.0.status") != 201 || all.str("requests.0.accountId") != accScale {
		t.Fatalf("newest entry: got %s", all.Raw)
	}
	if all.at("requests.1.operationId") != nil || all.at("requests.2.accountId") != nil {
		t.Fatalf("unmatched / unauthenticated entries: got %s", all.Raw)
	}
	if got := all.str("requests.3.requestId"); got != ok.Header.Get("X-Request-Id") || got == "" {
		t.Fatalf("got requestId %q; want the X-Request-Id answered, %q", got, ok.Header.Get("X-Request-Id"))
	}
	for q, want := range map[string]float64{
		"?status=401":                        1,
		"?operationId=getMyChatbots":         2,
		"?accountId=" + accScale:             2, // the 404 never reached auth
		"?since=2026-03-02T09:00:30Z":        1,
		"?limit=1&operationId=getMyChatbots": 2,
	} {
		r := tm.do("GET", "/__mock/requests"+q, "", nil).must(t, 200)
		if r.num("total") != want {
			t.Errorf("%s: got total %v; want %v", q, r.num("total"), want)
		}
	}
	if n := len(tm.do("GET", "/__mock/requests?limit=1", "", nil).at("requests").([]any)); n != 1 {
		t.Fatalf("limit=1: got %d entries", n)
	}
	tm.do("GET", "/__mock/requests?limit=5000", "", nil).must(t, 400)
	tm.do("DELETE", "/__mock/requests", "", nil).must(t, 204)
	if tm.do("GET", "/__mock/requests", "", nil).num("total") != 0 {
		t.Fatal("journal not cleared")
	}
}

func TestClockAdmin(t *testing.T) {
	tm := newTestMock(t)
	c := tm.do("GET", "/__mock/clock", "", nil).must(t, 200)
	if c.str("mode") != "manual" || c.str("now") != "2026-03-02T09:00:00Z" {
		t.Fatalf("got %s", c.Raw)
	}
	if got := tm.do("POST", "/__mock/clock", "", map[string]any{"advance": "61s"}).must(t, 200).str("now"); got != "2026-03-02T09:01:01Z" {
		t.Fatalf("advance: got %s", got)
	}
	if got := tm.do("POST", "/__mock/clock", "", map[string]any{"now": "2026-08-01T00:00:00Z"}).must(t, 200).str("now"); got != "2026-08-01T00:00:00Z" {
		t.Fatalf("now: got %s", got)
	}
	if code := tm.do("POST", "/__mock/clock", "", map[string]any{"now": "2026-07-01T00:00:00Z"}).must(t, 400).str("error.code"); code != "CLOCK_BACKWARDS" {
		t.Fatalf("got %s; want CLOCK_BACKWARDS", code)
	}
	tm.do("POST", "/__mock/clock", "", map[string]any{"now": "2026-08-01T00:00:00Z", "advance": "1s"}).must(t, 400)
	tm.do("POST", "/__mock/clock", "", map[string]any{}).must(t, 400)
	real := newControlMock(t, func(c *Config) { c.Clock = nil }, nil)
	if code := real.do("POST", "/__mock/clock", "", map[string]any{"advance": "1s"}).must(t, 409).str("error.code"); code != "CLOCK_NOT_MANUAL" {
		t.Fatalf("got %s; want CLOCK_NOT_MANUAL", code)
	}
	if real.do("GET", "/__mock/clock", "", nil).must(t, 200).str("mode") != "real" {
		t.Fatal("real clock not reported")
	}
}

func TestResetClearsJournalFaultsAndCounters(t *testing.T) {
	tm := newControlMock(t, withLimitsFile(t, "perIP: {requests: -1}\nperUser: {requests: 2}\n"), nil)
	tm.do("POST", createInScale, keyScale, map[string]any{"name": "gone after reset", "description": "d"}).must(t, 201)
	tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
	tm.do("GET", myChatbots, keyScale, nil).must(t, 429)
	tm.do("POST", "/__mock/faults", "", map[string]any{"action": map[string]any{"status": 500}, "match": map[string]any{"operationId": "getChatbotById"}}).must(t, 201)
	before := tm.clock.Now()
	tm.do("POST", "/__mock/reset", "", nil).must(t, 200)
	if tm.do("GET", "/__mock/requests", "", nil).num("total") != 0 {
		t.Fatal("journal not cleared")
	}
	if n := len(tm.do("GET", "/__mock/faults", "", nil).at("faults").([]any)); n != 0 {
		t.Fatal("fault rules not cleared")
	}
	if !tm.clock.Now().Equal(before) {
		t.Fatal("reset moved the clock")
	}
	r := tm.do("GET", myChatbots, keyScale, nil).must(t, 200) // the per-user counter is cleared
	if n := len(r.at("data.accounts.0.chatbots").([]any)); n != 1 {
		t.Fatalf("got %d chatbots; want the fixtures' 1", n)
	}
}

func TestConcurrentFaultsAndJournalRace(t *testing.T) {
	tm := newTestMock(t)
	tm.do("POST", "/__mock/faults", "", map[string]any{"action": map[string]any{"status": 500}, "match": map[string]any{"operationId": "getMyChatbots"}, "probability": 0.3}).must(t, 201)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				tm.do("GET", myChatbots, keyScale, nil)
				tm.do("GET", "/__mock/requests?limit=5", "", nil)
			}
		})
	}
	wg.Wait()
	if tm.do("GET", "/__mock/requests", "", nil).num("total") != 80 {
		t.Fatal("journal lost entries")
	}
}

// The control plane is never hit by fault rules, even one whose path prefix names it, so a
// test can always remove the rule it made.
func TestFaultsNeverHitTheControlPlane(t *testing.T) {
	tm := newTestMock(t)
	rule := tm.do("POST", "/__mock/faults", "", map[string]any{
		"match": map[string]any{"pathPrefix": "/__mock"}, "action": map[string]any{"status": 500}}).must(t, 201)
	tm.do("GET", "/__mock/health", "", nil).must(t, 200)
	tm.do("DELETE", "/__mock/faults/"+rule.str("id"), "", nil).must(t, 204)
	// The same rule on the API's prefix does bite (the rule itself works).
	tm.do("POST", "/__mock/faults", "", map[string]any{
		"match": map[string]any{"pathPrefix": "/api/v1/chatbots/my-chatbots"}, "action": map[string]any{"status": 500}}).must(t, 201)
	tm.do("GET", myChatbots, keyScale, nil).must(t, 500)
}
