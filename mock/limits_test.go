package mock

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock/plans"
)

const myChatbots = "/api/v1/chatbots/my-chatbots"

func TestPerIPLimit(t *testing.T) {
	tm := newTestMock(t)
	for i := range 100 {
		if i == 50 {
			tm.advance(t, 400*time.Millisecond)
		}
		r := tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
		if got := r.intHeader("X-RateLimit-Remaining"); got != 99-i {
			t.Fatalf("request %d: got X-RateLimit-Remaining %d; want %d", i+1, got, 99-i)
		}
		if got := r.intHeader("X-RateLimit-Limit"); got != 100 {
			t.Fatalf("got X-RateLimit-Limit %d; want 100", got)
		}
	}
	// 101st, 400 ms after the first 50: they leave the window 600 ms from now → 1 s.
	r := tm.do("GET", myChatbots, keyScale, nil)
	want429(t, r, "RATE_LIMIT_EXCEEDED", 1, 100, 1)
	// X-RateLimit-Reset is the Unix time of the reset on the mock's clock, as the
	// developers' overview shows.
	if got, want := int64(r.intHeader("X-RateLimit-Reset")), tm.clock.Now().Unix()+1; got != want {
		t.Fatalf("got X-RateLimit-Reset %d; want %d (a Unix time)", got, want)
	}
	// Before auth: an unknown key is refused by the IP limit, not with 401.
	want429(t, tm.do("GET", myChatbots, "sk_unknown", nil), "RATE_LIMIT_EXCEEDED", 1, 100, 1)
	// Unknown paths under /api are limited too.
	tm.do("GET", "/api/v1/nothing-here", keyScale, nil).must(t, 429)
	// Not on /api/v1/chatting/*, never on /__mock/*.
	tm.do("GET", "/api/v1/chatting/"+botShipping+"/threads", keyScale, nil).must(t, 200)
	tm.do("GET", "/__mock/health", "", nil).must(t, 200)

	// Advancing by Retry-After (to +1.4 s) frees the window: both batches are at or before
	// now − 1 s.
	tm.advance(t, time.Duration(r.intHeader("Retry-After"))*time.Second)
	for range 100 {
		tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
	}
	tm.do("GET", myChatbots, keyScale, nil).must(t, 429)
}

func TestPerUserLimit(t *testing.T) {
	tm := newControlMock(t, withLimitsFile(t, "perIP: {requests: -1}\n"), nil)
	for i := range 500 {
		if i > 0 && i%100 == 0 {
			tm.advance(t, 10*time.Second)
		}
		r := tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
		if got := r.intHeader("X-RateLimit-Remaining"); got != 499-i {
			t.Fatalf("request %d: got X-RateLimit-Remaining %d; want %d", i+1, got, 499-i)
		}
	}
	// At +40 s; the first 100 (at +0 s) leave the 60 s window in 20 s.
	r := tm.do("GET", myChatbots, keyScale, nil)
	want429(t, r, "RATE_LIMIT_EXCEEDED", 20, 500, 60)
	if got, want := int64(r.intHeader("X-RateLimit-Reset")), tm.clock.Now().Unix()+20; got != want {
		t.Fatalf("got X-RateLimit-Reset %d; want %d (a Unix time)", got, want)
	}
	// Per user: another user of the same account is not limited; after auth: a bad key is 401.
	tm.do("GET", myChatbots, keyScaleAdmin, nil).must(t, 200)
	tm.do("GET", myChatbots, "sk_unknown", nil).must(t, 401)
	// All of /api: chatting too.
	tm.do("GET", "/api/v1/chatting/"+botShipping+"/threads", keyScale, nil).must(t, 429)

	tm.advance(t, 20*time.Second)
	for range 100 {
		tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
	}
	tm.do("GET", myChatbots, keyScale, nil).must(t, 429)
}

func TestRateLimitHeadersOnEveryAPIResponse(t *testing.T) {
	tm := newTestMock(t)
	cases := []struct {
		name, method, path, key string
		body                    any
		status, limit           int
	}{
		{"ok", "GET", myChatbots, keyScale, nil, 200, 100},
		{"not found", "GET", "/api/v1/nothing", keyScale, nil, 404, 100},
		{"method not allowed", "PUT", myChatbots, keyScale, nil, 405, 100},
		{"unauthorized", "GET", myChatbots, "sk_nope", nil, 401, 100},
		{"validation", "PATCH", "/api/v1/chatbots/account/" + accScale + "/chatbot/" + botShipping, keyScale, map[string]any{"isActive": "yes"}, 400, 100},
		// Chatting is not under the IP limit: the per-user limit is the applicable one.
		{"chatting", "GET", "/api/v1/chatting/" + botShipping + "/threads", keyScale, nil, 200, 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tm.do(tc.method, tc.path, tc.key, tc.body).must(t, tc.status)
			if got := r.intHeader("X-RateLimit-Limit"); got != tc.limit {
				t.Fatalf("got X-RateLimit-Limit %d; want %d", got, tc.limit)
			}
			if r.intHeader("X-RateLimit-Remaining") < 0 || r.intHeader("X-RateLimit-Reset") < 0 {
				t.Fatalf("missing X-RateLimit-Remaining/-Reset: %v", r.Header)
			}
			if r.Header.Get("X-Request-Id") == "" {
				t.Fatal("missing X-Request-Id")
			}
		})
	}
	off := newControlMock(t, func(c *Config) { c.Limits = nil }, nil)
	if r := off.do("GET", myChatbots, keyScale, nil).must(t, 200); r.Header.Get("X-RateLimit-Limit") != "" {
		t.Fatal("--limits off still sends X-RateLimit-Limit")
	}
	if got := off.do("GET", "/__mock/health", "", nil).str("limits"); got != "off" {
		t.Fatalf("health limits: got %q; want off", got)
	}
	if got := tm.do("GET", "/__mock/health", "", nil).str("limits"); got != "documented" {
		t.Fatalf("health limits: got %q; want documented", got)
	}
}

func TestUploadConcurrency(t *testing.T) {
	tm := newTestMock(t)
	tm.do("POST", "/__mock/faults", "", map[string]any{
		"match":  map[string]any{"operationId": "updateIconsApi", "accountId": accScale},
		"action": map[string]any{"latency": "5s"},
	}).must(t, 201)
	path := "/api/v1/chatbots/chatbot/" + botShipping + "/settings/icons"
	body := map[string]any{"botIconSrc": "https://cdn.example.com/bot.png"}
	var wg sync.WaitGroup
	statuses := make([]int, 10)
	for i := range 10 {
		wg.Go(func() { statuses[i] = tm.do("PATCH", path, keyScale, body).Status })
	}
	tm.waitSleepers(t, 10)
	// The 11th upload of the account is refused at once, on any upload route.
	r := tm.do("PATCH", path, keyScale, body)
	want429(t, r, "RATE_LIMIT_EXCEEDED", 1, 10, 0)
	tm.do("PATCH", "/api/v1/chatbots/chatbot/"+botShipping+"/appearance", keyEditor, map[string]any{}).must(t, 429)
	// Other routes and other accounts are not held back.
	tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
	if s := tm.do("PATCH", "/api/v1/chatbots/chatbot/"+botOutfitters+"/settings/icons", keyGrowth, body).Status; s == 429 {
		t.Fatal("an upload of another account was refused")
	}
	tm.advance(t, 5*time.Second)
	wg.Wait()
	for i, s := range statuses {
		if s == 0 || s == 429 {
			t.Fatalf("held upload %d: got status %d; want it answered by the handler", i, s)
		}
	}
	// Slots are released when the handler returns.
	if n := tm.m.limits.Uploads.InFlight(accScale); n != 0 {
		t.Fatalf("got %d uploads in flight; want 0", n)
	}
	tm.do("DELETE", "/__mock/faults/fault-1", "", nil).must(t, 204)
	if s := tm.do("PATCH", path, keyScale, body).Status; s == 429 {
		t.Fatal("upload refused after the others finished")
	}
}

// chargingMyChatbots makes getMyChatbots count one message against the caller's plan, as
// sendAgentMessage and the visitor helper do: the plan limits seen end to end over HTTP.
func chargingMyChatbots(m *Mock) {
	orig := m.ops["getMyChatbots"]
	m.ops["getMyChatbots"] = operation{perm: orig.perm, fn: func(c *call) (result, error) {
		if e := c.m.chargeMessages(c.who.AccountID, c.who.Plan, 1, 0); e != nil {
			return result{}, e
		}
		return orig.fn(c)
	}}
}

const planLimitsFile = `
perIP: {requests: -1}
perUser: {requests: -1}
plans:
  scale: {messagesPerMinute: 5, aiRepliesPerMinute: 2, messagesPerMonth: 8}
`

func TestPlanMessagesPerMinute(t *testing.T) {
	tm := newControlMock(t, withLimitsFile(t, planLimitsFile), chargingMyChatbots)
	for i := range 5 {
		tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
		if i == 1 {
			tm.advance(t, 15*time.Second)
		}
	}
	// At +15 s; the first two leave the 60 s window in 45 s.
	r := tm.do("GET", myChatbots, keyScale, nil)
	want429(t, r, "MESSAGES_LIMIT_REACHED", 45, 5, 60)
	if got := r.intHeader("X-RateLimit-Limit"); got != 5 {
		t.Fatalf("got X-RateLimit-Limit %d; want the plan's 5", got)
	}
	// Per account: other users of the account share it; other accounts do not.
	tm.do("GET", myChatbots, keyScaleAdmin, nil).must(t, 429)
	if e := tm.m.chargeMessages(accGrowth, plans.Scale, 5, 0); e != nil {
		t.Fatalf("another account was refused: %v", e)
	}
	tm.advance(t, 45*time.Second)
	tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
	tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
	tm.do("GET", myChatbots, keyScale, nil).must(t, 429)
}

func TestPlanAIRepliesPerMinuteAllOrNothing(t *testing.T) {
	tm := newControlMock(t, withLimitsFile(t, planLimitsFile), nil)
	for range 2 {
		if e := tm.m.chargeMessages(accScale, plans.Scale, 1, 1); e != nil {
			t.Fatalf("charge refused: %v", e)
		}
	}
	e := tm.m.chargeMessages(accScale, plans.Scale, 1, 1)
	if e == nil || e.Code != "MESSAGES_LIMIT_REACHED" || e.RateLimit == nil || e.RateLimit.RetryAfter != 60 || e.RateLimit.Limit != 2 {
		t.Fatalf("got %+v; want MESSAGES_LIMIT_REACHED on the 2 AI replies/min, Retry-After 60", e)
	}
	if e.Details["limit"] != "aiRepliesPerMinute" {
		t.Fatalf("got details %v; want limit aiRepliesPerMinute", e.Details)
	}
	// The refused visitor message was not counted: 3 more messages (without replies) fit.
	if e := tm.m.chargeMessages(accScale, plans.Scale, 3, 0); e != nil {
		t.Fatalf("refused charge was counted: %v", e)
	}
	if e := tm.m.chargeMessages(accScale, plans.Scale, 1, 0); e == nil || e.Details["limit"] != "messagesPerMinute" {
		t.Fatalf("got %v; want messages/min spent", e)
	}
	tm.advance(t, 60*time.Second)
	if e := tm.m.chargeMessages(accScale, plans.Scale, 1, 1); e != nil {
		t.Fatalf("refused after the window: %v", e)
	}
}

func TestPlanMonthlyQuota(t *testing.T) {
	tm := newControlMock(t, withLimitsFile(t, planLimitsFile), chargingMyChatbots)
	// 8 messages a month, 5 a minute: spread them over minutes.
	for i := range 8 {
		if i == 5 {
			tm.advance(t, time.Minute)
		}
		tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
	}
	now := tm.clock.Now() // 2026-03-02T09:01:00Z
	next := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	wantRetry := int(next.Sub(now) / time.Second)
	window := int(31 * 24 * time.Hour / time.Second)
	r := tm.do("GET", myChatbots, keyScale, nil)
	want429(t, r, "MESSAGES_LIMIT_REACHED", wantRetry, 8, window)
	tm.advance(t, time.Hour) // a new minute does not help
	tm.do("GET", myChatbots, keyScale, nil).must(t, 429)
	tm.do("POST", "/__mock/clock", "", map[string]any{"now": "2026-04-01T00:00:00Z"}).must(t, 200)
	tm.do("GET", myChatbots, keyScale, nil).must(t, 200)
}

func TestSandboxesAreIsolated(t *testing.T) {
	tm := newControlMock(t, withLimitsFile(t, `
perIP: {requests: -1}
perUser: {requests: 30}
plans:
  scale: {messagesPerMinute: 3}
`), nil)
	a := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, 201)
	b := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, 201)
	boxes := []resp{a, b}
	bots := make([]string, 2)
	threads := make([]string, 2)
	t.Run("parallel", func(t *testing.T) {
		for i, box := range boxes {
			t.Run(fmt.Sprint("sandbox", i), func(t *testing.T) {
				t.Parallel()
				key, acc := box.str("apiKey"), box.str("accountId")
				bot := tm.do("POST", "/api/v1/chatbots/account/"+acc+"/create-chatbot", key,
					map[string]any{"name": "Same name", "description": "d"}).must(t, 201).str("data.chatbotId")
				bots[i] = bot
				threads[i] = tm.do("POST", "/api/v1/chatting/"+bot+"/threads", key, map[string]any{"title": "t"}).must(t, 201).str("data.thread.id")
				mine := tm.do("GET", myChatbots, key, nil).must(t, 200)
				accs, _ := mine.at("data.accounts").([]any)
				if len(accs) != 1 || mine.str("data.accounts.0.accountId") != acc {
					t.Errorf("sandbox %d sees accounts %v; want only its own", i, accs)
				}
				if n := len(mine.at("data.accounts.0.chatbots").([]any)); n != 1 {
					t.Errorf("sandbox %d sees %d chatbots; want 1", i, n)
				}
				for range 3 {
					if e := tm.m.chargeMessages(acc, plans.Scale, 1, 0); e != nil {
						t.Errorf("sandbox %d: charge refused: %v", i, e)
					}
				}
			})
		}
	})
	if t.Failed() {
		return
	}
	ka, kb := a.str("apiKey"), b.str("apiKey")
	// Data: neither sees the other's chatbots or threads (another account's chatbot reads as
	// a missing one).
	if c := tm.do("GET", "/api/v1/chatting/"+bots[1]+"/threads", ka, nil).must(t, 404).code(); c != "CHATBOT_NOT_FOUND" {
		t.Fatalf("got %s; want CHATBOT_NOT_FOUND", c)
	}
	tm.do("GET", "/api/v1/chatting/"+bots[0]+"/thread/"+threads[0], kb, nil).must(t, 404)
	tm.do("GET", "/api/v1/chatbots/account/"+b.str("accountId")+"/chatbot/"+bots[1], ka, nil).must(t, 403)
	// Plan limits: A's spent quota is A's alone.
	if e := tm.m.chargeMessages(a.str("accountId"), plans.Scale, 1, 0); e == nil {
		t.Fatal("sandbox A's messages/min was not spent")
	}
	tm.advance(t, time.Minute)
	// Per-user limits: A spends its 30 requests; B is untouched.
	for range 30 {
		tm.do("GET", myChatbots, ka, nil).must(t, 200)
	}
	tm.do("GET", myChatbots, ka, nil).must(t, 429)
	r := tm.do("GET", myChatbots, kb, nil).must(t, 200)
	if got := r.intHeader("X-RateLimit-Remaining"); got < 20 {
		t.Fatalf("sandbox B has %d requests left; want its own budget", got)
	}
	_ = http.StatusOK
}
