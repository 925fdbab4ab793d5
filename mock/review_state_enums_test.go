package mock

import "testing"

// FINDING (import; not the tables' own): PUT /__mock/state checks ids and references but not the values the
// spec enumerates (snapshot.go: threads check only their chatbot, messages their thread).
// A thread whose mode, or a message whose role or messageType, is outside the spec's enum
// is accepted, and every later answer that carries it breaks the contract. Either the
// import refuses it (400, nothing changed) or the answers stay valid; this test accepts
// both and fails on the third outcome (strict mode reports the violation).
func TestReviewStateImportOfValuesOutsideTheSpec(t *testing.T) {
	tm := newTestMock(t)
	doc, ids := reviewOddState(t, tm)
	threads := doc["threads"].([]any)
	th := threads[len(threads)-1].(map[string]any)
	th["mode"] = "SOMETHING"
	msgs := doc["messages"].([]any)
	m := msgs[len(msgs)-1].(map[string]any)
	m["role"], m["messageType"] = "robot", "ROBOT_MESSAGE"
	r := tm.do("PUT", "/__mock/state", "", doc)
	if r.Status == 400 {
		return // refused: fine
	}
	r.must(t, 200)
	chat := "/api/v1/chatting/" + botShipping
	last := ids[len(ids)-1]
	tm.do("GET", chat+"/threads?limit=100", keyScale, nil)
	tm.do("GET", chat+"/thread/"+last, keyScale, nil)
	tm.do("GET", chat+"/thread/"+last+"/messages", keyScale, nil)
}
