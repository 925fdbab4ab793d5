package mock

import (
	"net/http"
	"regexp"
	"testing"
)

var eighteenDigits = regexp.MustCompile(`^[0-9]{18}$`)

// The reference's examples write createdByUserId as an 18-digit number
// ("360596271623307865"), like account and chatbot ids: so are the mock's user ids, in the
// fixtures, in sandboxes and for users the control plane adds.
func TestCreatedByUserIdIsAnEighteenDigitNumberAsTheExamplesShow(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	fixture := tm.do("GET", "/api/v1/chatbots/account/"+accScale+"/chatbot/"+botShipping, keyScale, nil).must(t, http.StatusOK)
	if got := fixture.str("data.createdByUserId"); !eighteenDigits.MatchString(got) {
		t.Fatalf("fixture chatbot: createdByUserId %q; want 18 digits", got)
	}
	sb := tm.do("POST", "/__mock/sandboxes", "", map[string]any{"plan": "scale"}).must(t, http.StatusCreated)
	key, acc, user := sb.str("apiKey"), sb.str("accountId"), sb.str("userId")
	if !eighteenDigits.MatchString(user) {
		t.Fatalf("sandbox userId %q; want 18 digits", user)
	}
	bot := tm.do("POST", "/api/v1/chatbots/account/"+acc+"/create-chatbot", key,
		map[string]any{"name": "Ids", "description": "d"}).must(t, http.StatusCreated).str("data.chatbotId")
	got := tm.do("GET", "/api/v1/chatbots/account/"+acc+"/chatbot/"+bot, key, nil).must(t, http.StatusOK)
	if got.str("data.createdByUserId") != user {
		t.Fatalf("createdByUserId %q; want the creator %q", got.str("data.createdByUserId"), user)
	}
	mine := tm.do("GET", "/api/v1/chatbots/my-chatbots", key, nil).must(t, http.StatusOK)
	if c := mine.str("data.accounts.0.chatbots.0.createdByUserId"); c != user {
		t.Fatalf("my-chatbots createdByUserId %q; want %q", c, user)
	}
	added := tm.do("POST", "/__mock/accounts/"+acc+"/users", "", map[string]any{"role": "EDITOR"}).must(t, http.StatusCreated)
	if id := added.str("userId"); !eighteenDigits.MatchString(id) || id == user {
		t.Fatalf("added user id %q; want a fresh 18-digit id", id)
	}
}

// Message roles have one documented spelling, the reference's Message.role (user,
// assistant, AGENT), in the API and in NEW_MESSAGE webhook payloads alike.
func TestMessageRolesHaveOneSpellingInTheAPIAndWebhooks(t *testing.T) {
	t.Parallel()
	tm := newTestMock(t)
	var log threadEventLog
	tm.m.Store().SetOnEvent(log.add)
	thread := tm.openVisitor(t, botShipping)
	tm.say(t, botShipping, thread, customsQuestion).must(t, http.StatusCreated)
	tm.do("POST", threadPath(botShipping, thread)+"/message", keyAgent, map[string]any{"content": "On my way"}).must(t, http.StatusCreated)

	msgs := tm.do("GET", threadPath(botShipping, thread)+"/messages", keyScale, nil).must(t, http.StatusOK)
	apiRole := map[string]string{}
	list, _ := msgs.at("data.messages").([]any)
	for _, m := range list {
		mm := m.(map[string]any)
		apiRole[mm["id"].(string)], _ = mm["role"].(string)
	}
	seen := map[string]bool{}
	for _, ev := range log.of("NEW_MESSAGE") {
		id, _ := ev.Data["messageId"].(string)
		role, _ := ev.Data["role"].(string)
		if want, ok := apiRole[id]; !ok || role != want {
			t.Errorf("NEW_MESSAGE for %s: role %q; the API says %q", id, role, want)
		}
		seen[role] = true
	}
	for _, r := range []string{"user", "assistant", "AGENT"} {
		if !seen[r] {
			t.Errorf("no NEW_MESSAGE with role %q; saw %v", r, seen)
		}
	}
}
