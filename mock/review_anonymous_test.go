package mock

import (
	"net/http"
	"strings"
	"testing"
)

// Review (issue 11), over HTTP: store.TestReviewSameLeadAgainLeavesAnonymousStale's
// finding. A visitor's thread is reset, the visitor leaves an e-mail on the old thread, an
// agent replies on the new one (AGENT mode: no AI reply), and the visitor sends the same
// e-mail there. The new thread answers anonymous false but stays in the anonymous=true
// list and out of the anonymous=false one (lead.go captureLeadLocked does not move it).
func TestReviewAnonymousListAfterTheSameLeadAgain(t *testing.T) {
	tm := newTestMock(t)
	tm.do("POST", "/api/v1/chatbots/chatbot/"+botShipping+"/lead-settings", keyScale, map[string]any{"enableLeadCollection": true}).must(t, http.StatusCreated)
	chat := "/api/v1/chatting/" + botShipping
	old := tm.openVisitor(t, botShipping)
	reset := tm.do("POST", chat+"/thread/"+old+"/reset", keyScale, map[string]any{}).must(t, http.StatusCreated)
	fresh := reset.str("data.newThread.id")
	if fresh == "" {
		fresh = reset.str("data.thread.id")
	}
	if fresh == "" {
		t.Fatalf("no new thread in %s", reset.Raw)
	}
	tm.do("POST", visitorContactPath(botShipping, old), "", map[string]any{"email": "ada@example.com"}).must(t, http.StatusCreated)
	tm.do("POST", chat+"/thread/"+fresh+"/message", keyScale, map[string]any{"content": "an agent here"}).must(t, http.StatusCreated)
	tm.do("POST", visitorMsgPath(botShipping, fresh), "", map[string]any{"content": "I am ada@example.com"}).must(t, http.StatusCreated)
	d := tm.do("GET", chat+"/thread/"+fresh, keyScale, nil).must(t, http.StatusOK)
	if d.at("data.thread.anonymous") != false {
		t.Fatalf("the thread should read anonymous false: %s", d.Raw)
	}
	anon := tm.do("GET", chat+"/threads?limit=100&anonymous=true", keyScale, nil).must(t, http.StatusOK)
	named := tm.do("GET", chat+"/threads?limit=100&anonymous=false", keyScale, nil).must(t, http.StatusOK)
	if strings.Contains(string(anon.Raw), fresh) {
		t.Errorf("thread %s (anonymous false) is listed under anonymous=true", fresh)
	}
	if !strings.Contains(string(named.Raw), fresh) {
		t.Errorf("thread %s (anonymous false) is missing from anonymous=false", fresh)
	}
}
