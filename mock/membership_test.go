package mock

import (
	"net/http"
	"testing"
	"time"
)

// myBots returns chatbotId → userChatbotRole of a my-chatbots answer.
func myBots(t testing.TB, r resp) map[string]any {
	t.Helper()
	out := map[string]any{}
	accounts, _ := r.at("data.accounts").([]any)
	for _, a := range accounts {
		bots, _ := a.(map[string]any)["chatbots"].([]any)
		for _, b := range bots {
			bm := b.(map[string]any)
			out[bm["chatbotId"].(string)] = bm["userChatbotRole"]
		}
	}
	return out
}

// The reference: "SUPER_ADMIN/owner sees all chatbots of the account; other members only
// those they were added to", with their role on each in userChatbotRole.
func TestMembersOtherThanSuperAdminSeeOnlyTheChatbotsTheyWereAddedTo(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	// A second chatbot of the Scale account that only the SUPER_ADMIN made.
	other := tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": "Members only", "description": "d"}).must(t, 201).str("data.chatbotId")
	owner := myBots(t, tm.do("GET", "/api/v1/chatbots/my-chatbots", keyScale, nil).must(t, 200))
	if owner[botShipping] != "SUPER_ADMIN" || owner[other] != "SUPER_ADMIN" {
		t.Fatalf("the SUPER_ADMIN sees every chatbot with its role: %v", owner)
	}
	for key, role := range map[string]string{keyScaleAdmin: "ADMIN", keyEditor: "EDITOR", keyAgent: "AGENT"} {
		got := myBots(t, tm.do("GET", "/api/v1/chatbots/my-chatbots", key, nil).must(t, 200))
		if len(got) != 1 || got[botShipping] != role {
			t.Fatalf("%s: got %v; want only %s with userChatbotRole %s", role, got, botShipping, role)
		}
		// The paginated list of the overview page follows the same membership.
		list := tm.do("GET", "/api/v1/chatbots", key, nil).must(t, 200)
		if n := len(list.at("data.chatbots").([]any)); n != 1 || list.str("data.chatbots.0.userChatbotRole") != role {
			t.Fatalf("%s: GET /v1/chatbots: %s", role, list.Raw)
		}
		// A non-member gets the documented 403 on the chatbot's routes.
		r := tm.do("GET", "/api/v1/chatbots/chatbot/"+other+"/appearance", key, nil).must(t, http.StatusForbidden)
		if r.code() != "CHATBOT_FETCH_FORBIDDEN" {
			t.Fatalf("%s on a chatbot it is not on: %s", role, r.Raw)
		}
		tm.do("GET", "/api/v1/chatbots/account/"+accScale+"/chatbot/"+other, key, nil).must(t, http.StatusForbidden)
		// All chatbots of an account is account-wide, as documented (no per-user filtering).
		all := tm.do("GET", "/api/v1/chatbots/account/"+accScale+"/all-chatbots", key, nil).must(t, 200)
		if all.num("data.count") != 2 || all.str("data.userRole") != role {
			t.Fatalf("%s: all-chatbots: %s", role, all.Raw)
		}
	}
}

// The reference: permissions follow the member's role on the chatbot.
func TestPermissionsFollowTheRoleOnTheChatbot(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	bot := tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": "Role bot", "description": "d"}).must(t, 201).str("data.chatbotId")
	snippet := "/api/v1/chatbots/chatbot/" + bot + "/text-snippet"
	// The editor of the account is an AGENT on this chatbot: it may read, not edit settings.
	tm.addMember(t, bot, userEditor, "AGENT")
	tm.do("GET", "/api/v1/chatbots/chatbot/"+bot+"/settings", keyEditor, nil).must(t, 200)
	r := tm.do("POST", snippet, keyEditor, map[string]any{"description": "x"}).must(t, http.StatusForbidden)
	if r.code() != "INSUFFICIENT_PERMISSIONS" || r.str("error.details.role") != "AGENT" || r.str("error.details.action") != "EDIT_CHATBOT_SETTINGS" {
		t.Fatalf("an AGENT on the chatbot: %s", r.Raw)
	}
	// Promoted to EDITOR on it, it may.
	tm.addMember(t, bot, userEditor, "EDITOR")
	tm.do("POST", snippet, keyEditor, map[string]any{"description": "x"}).must(t, 200)
	// The account's ADMIN made a chatbot: it is on it with its account role, and may delete it.
	mine := tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScaleAdmin,
		map[string]any{"name": "Admin bot", "description": "d"}).must(t, 201).str("data.chatbotId")
	tm.do("GET", "/api/v1/chatbots/chatbot/"+mine+"/settings", keyScaleAdmin, nil).must(t, 200)
	tm.do("DELETE", "/api/v1/chatbots/account/"+accScale+"/chatbot/"+mine, keyScaleAdmin, nil).must(t, 200)
	// Taken off the chatbot, the editor no longer reaches it.
	tm.do("DELETE", "/__mock/chatbots/"+bot+"/members/"+userEditor, "", nil).must(t, http.StatusNoContent)
	tm.do("GET", "/api/v1/chatbots/chatbot/"+bot+"/settings", keyEditor, nil).must(t, http.StatusForbidden)
}

func TestControlPlaneAddsAUserWithARoleAndItsKey(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	sb := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, 201)
	acc, ownerKey := sb.str("accountId"), sb.str("apiKey")
	bot := tm.do("POST", "/api/v1/chatbots/account/"+acc+"/create-chatbot", ownerKey,
		map[string]any{"name": "Sandbox bot", "description": "d"}).must(t, 201).str("data.chatbotId")
	u := tm.do("POST", "/__mock/accounts/"+acc+"/users", "", map[string]any{"role": "agent", "name": "Ann Agent"}).must(t, 201)
	if u.str("role") != "AGENT" || u.str("apiKey") == "" || u.str("accountId") != acc || u.str("name") != "Ann Agent" {
		t.Fatalf("added user: %s", u.Raw)
	}
	key, id := u.str("apiKey"), u.str("userId")
	// A member of the account but of no chatbot: it lists the account, with no chatbots.
	mine := tm.do("GET", "/api/v1/chatbots/my-chatbots", key, nil).must(t, 200)
	if mine.str("data.accounts.0.accountId") != acc || mine.str("data.accounts.0.userRole") != "AGENT" || len(myBots(t, mine)) != 0 {
		t.Fatalf("before being added: %s", mine.Raw)
	}
	tm.do("GET", "/api/v1/chatting/"+bot+"/threads", key, nil).must(t, http.StatusForbidden)
	m := tm.do("PUT", "/__mock/chatbots/"+bot+"/members/"+id, "", nil).must(t, 200)
	if m.str("role") != "AGENT" {
		t.Fatalf("default role on the chatbot is the account role: %s", m.Raw)
	}
	if got := myBots(t, tm.do("GET", "/api/v1/chatbots/my-chatbots", key, nil).must(t, 200)); got[bot] != "AGENT" {
		t.Fatalf("after being added: %v", got)
	}
	tm.do("GET", "/api/v1/chatting/"+bot+"/threads", key, nil).must(t, 200)
	// Errors.
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"POST", "/__mock/accounts/999/users", map[string]any{"role": "AGENT"}, 404, "ACCOUNT_NOT_FOUND"},
		{"POST", "/__mock/accounts/" + acc + "/users", map[string]any{"role": "OWNER"}, 400, "INVALID_REQUEST"},
		{"PUT", "/__mock/chatbots/" + bot + "/members/nobody", nil, 404, "USER_NOT_FOUND"},
		{"PUT", "/__mock/chatbots/999/members/" + id, nil, 404, "CHATBOT_NOT_FOUND"},
		{"PUT", "/__mock/chatbots/" + botShipping + "/members/" + id, nil, 409, "NOT_A_MEMBER"},
		{"PUT", "/__mock/chatbots/" + bot + "/members/" + id, map[string]any{"role": "SUPER_ADMIN"}, 400, "INVALID_REQUEST"},
		{"DELETE", "/__mock/chatbots/" + botShipping + "/members/" + id, nil, 404, "CHATBOT_MEMBER_NOT_FOUND"},
	} {
		r := tm.do(tc.method, tc.path, "", tc.body).must(t, tc.status)
		if got := r.at("error.code"); got != tc.code {
			t.Fatalf("%s %s: got %v; want %s: %s", tc.method, tc.path, got, tc.code, r.Raw)
		}
	}
	// Membership survives export and import; the sandbox's deletion takes the user along.
	state := tm.do("GET", "/__mock/state", "", nil).must(t, 200)
	tm.do("PUT", "/__mock/state", "", state.Raw).must(t, 200)
	tm.do("GET", "/api/v1/chatting/"+bot+"/threads", key, nil).must(t, 200)
	tm.do("DELETE", "/__mock/sandboxes/"+acc, "", nil).must(t, http.StatusNoContent)
	tm.do("GET", "/api/v1/chatbots/my-chatbots", key, nil).must(t, http.StatusUnauthorized)
}

// The reference: my-chatbots is "cached 10 min per user".
func TestMyChatbotsIsCachedTenMinutesPerUser(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	count := func(key string) int {
		return int(tm.do("GET", "/api/v1/chatbots/my-chatbots", key, nil).must(t, 200).num("data.totalCount"))
	}
	before := count(keyScale)
	tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": "Cached away", "description": "d"}).must(t, 201)
	if got := count(keyScale); got != before {
		t.Fatalf("a create is seen at once (%d → %d); the real API serves the cached list for 10 minutes", before, got)
	}
	// Per user: the ADMIN's first call is not cached yet, and all-chatbots is never cached.
	if n := tm.do("GET", "/api/v1/chatbots/account/"+accScale+"/all-chatbots", keyScale, nil).must(t, 200).num("data.count"); int(n) != before+1 {
		t.Fatalf("all-chatbots: %v", n)
	}
	tm.advance(t, 9*time.Minute+59*time.Second)
	if got := count(keyScale); got != before {
		t.Fatalf("expired early: %d", got)
	}
	tm.advance(t, time.Second)
	if got := count(keyScale); got != before+1 {
		t.Fatalf("after 10 minutes: got %d; want %d", got, before+1)
	}
	// The control plane drops it; so do reset, import, sandbox deletion and membership changes.
	tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": "Cached again", "description": "d"}).must(t, 201)
	tm.do("DELETE", "/__mock/caches/my-chatbots", "", nil).must(t, http.StatusNoContent)
	if got := count(keyScale); got != before+2 {
		t.Fatalf("after the control plane dropped it: %d", got)
	}
	tm.do("POST", "/__mock/reset", "", nil).must(t, 200)
	if got := count(keyScale); got != before {
		t.Fatalf("after reset: %d; want %d", got, before)
	}
	bot := tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": "Membership", "description": "d"}).must(t, 201).str("data.chatbotId")
	before = count(keyEditor)
	tm.addMember(t, bot, userEditor, "")
	if got := count(keyEditor); got != before+1 {
		t.Fatalf("a membership change drops the cache: %d; want %d", got, before+1)
	}
	if tm.m.myChatbots.size() == 0 {
		t.Fatal("nothing cached")
	}
	state := tm.do("GET", "/__mock/state", "", nil).must(t, 200)
	tm.do("PUT", "/__mock/state", "", state.Raw).must(t, 200)
	if tm.m.myChatbots.size() != 0 {
		t.Fatal("an import keeps cached answers")
	}
	sb := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, 201)
	count(keyScale)
	tm.do("DELETE", "/__mock/sandboxes/"+sb.str("accountId"), "", nil).must(t, http.StatusNoContent)
	if tm.m.myChatbots.size() != 0 {
		t.Fatal("a sandbox deletion keeps cached answers")
	}
}

func TestMyChatbotsCacheCanBeSwitchedOff(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t, func(c *Config) { c.MyChatbotsTTL = 0 })
	before := tm.do("GET", "/api/v1/chatbots/my-chatbots", keyScale, nil).must(t, 200).num("data.totalCount")
	tm.do("POST", "/api/v1/chatbots/account/"+accScale+"/create-chatbot", keyScale,
		map[string]any{"name": "Seen at once", "description": "d"}).must(t, 201)
	if got := tm.do("GET", "/api/v1/chatbots/my-chatbots", keyScale, nil).must(t, 200).num("data.totalCount"); got != before+1 {
		t.Fatalf("with the cache off: got %v; want %v", got, before+1)
	}
}
