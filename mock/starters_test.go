package mock

import (
	"net/http"
	"net/url"
	"path"
	"slices"
	"testing"
)

// pairResource describes conversation starters or follow-up prompts for the shared tests.
type pairResource struct {
	name        string
	path        string // collection path
	deleteParam string
	idInBody    bool // starters: id in the body; follow-ups: in the path
	fixtures    int  // items botShipping has in the fixtures
}

func pairResources() []pairResource {
	base := "/api/v1/chatbots/chatbot/" + botShipping
	return []pairResource{
		{name: "starters", path: base + "/conversation-starters", deleteParam: "convoStartId", idInBody: true, fixtures: 3},
		{name: "follow-ups", path: base + "/follow-up-prompts", deleteParam: "followUpPromptId", fixtures: 2},
	}
}

// update sends the resource's update with id placed where it belongs.
func (p pairResource) update(tm *testMock, key, id string, body map[string]any) resp {
	if p.idInBody {
		b := map[string]any{"id": id}
		for k, v := range body {
			b[k] = v
		}
		return tm.do("PATCH", p.path, key, b)
	}
	return tm.do("PATCH", p.path+"/"+url.PathEscape(id), key, body)
}

func (p pairResource) del(tm *testMock, key string, ids ...string) resp {
	q := url.Values{}
	for _, id := range ids {
		q.Add(p.deleteParam, id)
	}
	return tm.do("DELETE", p.path+"?"+q.Encode(), key, nil)
}

// list returns the ids in the order served and checks ranks are 0..n-1 ascending.
func (p pairResource) list(t *testing.T, tm *testMock, key string) []string {
	t.Helper()
	r := tm.do("GET", p.path, key, nil).must(t, 200)
	items, _ := r.at("data.data").([]any)
	if n, _ := r.at("data.count").(float64); int(n) != len(items) {
		t.Fatalf("got count %v for %d items", r.at("data.count"), len(items))
	}
	ids := make([]string, 0, len(items))
	for i, it := range items {
		m := it.(map[string]any)
		if rank, _ := m["rank"].(float64); int(rank) != i {
			t.Fatalf("item %d has rank %v; want %d (%s)", i, m["rank"], i, r.Raw)
		}
		ids = append(ids, m["id"].(string))
	}
	return ids
}

func testPairLifecycle(t *testing.T, tm *testMock) {
	for _, p := range pairResources() {
		t.Run(p.name, func(t *testing.T) {
			ids := p.list(t, tm, keyAgent)
			if len(ids) != p.fixtures {
				t.Fatalf("got %d items; want %d from the fixtures", len(ids), p.fixtures)
			}
			btn := tm.do("POST", p.path, keyEditor, map[string]any{"buttonTitle": "Hours", "buttonMessage": "When are you open?"}).must(t, http.StatusCreated)
			if btn.at("data.rank") != float64(p.fixtures) || btn.at("data.linkText") != nil {
				t.Fatalf("got %s; want rank %d with a null link pair", btn.Raw, p.fixtures)
			}
			if p.name == "follow-ups" && btn.at("data.esclate") != false {
				t.Fatalf("got esclate %v; want the default false", btn.at("data.esclate"))
			}
			link := tm.do("POST", p.path, keyScale, map[string]any{"linkText": "Docs", "linkSrc": "https://example.com/docs", "buttonTitle": ""}).must(t, http.StatusCreated)
			if link.at("data.rank") != float64(p.fixtures+1) || link.at("data.buttonTitle") != nil {
				t.Fatalf("got %s; want the next rank with a null button pair", link.Raw)
			}

			// Switching a button to a link clears the button pair, and back.
			id := btn.str("data.id")
			sw := p.update(tm, keyScale, id, map[string]any{"linkText": "Opening hours", "linkSrc": "https://example.com/hours"}).must(t, 200)
			if sw.at("data.buttonTitle") != nil || sw.at("data.buttonMessage") != nil || sw.str("data.linkText") != "Opening hours" {
				t.Fatalf("switch to link: %s", sw.Raw)
			}
			back := p.update(tm, keyScale, id, map[string]any{"buttonTitle": "Hours", "buttonMessage": "Open?"}).must(t, 200)
			if back.at("data.linkText") != nil || back.at("data.linkSrc") != nil || back.str("data.buttonMessage") != "Open?" {
				t.Fatalf("switch to button: %s", back.Raw)
			}
			if back.at("data.rank") != float64(p.fixtures) {
				t.Fatalf("update moved the item: rank %v", back.at("data.rank"))
			}
			if r := p.update(tm, keyScale, "00000000-0000-4000-8000-000000000000", map[string]any{"buttonTitle": "a", "buttonMessage": "b"}).must(t, 404); r.code() != "RESOURCE_NOT_FOUND" {
				t.Fatalf("got code %q; want RESOURCE_NOT_FOUND", r.code())
			}

			// Reorder: reversed.
			ids = p.list(t, tm, keyScale)
			rev := make([]string, len(ids))
			for i, v := range ids {
				rev[len(ids)-1-i] = v
			}
			ro := tm.do("PATCH", p.path+"/reorder", keyScale, map[string]any{"orderedIds": rev}).must(t, 200)
			if _, has := ro.Body["data"]; has {
				t.Fatalf("reorder answered data: %s", ro.Raw)
			}
			if got := p.list(t, tm, keyScale); !slices.Equal(got, rev) {
				t.Fatalf("got order %v; want %v", got, rev)
			}

			// Delete: partial success, ranks re-packed.
			unknown := "11111111-1111-4111-8111-111111111111"
			d := p.del(tm, keyScale, rev[0], unknown, rev[2], rev[0]).must(t, 200)
			if d.at("data.deletedCount") != float64(2) || d.at("data.failedCount") != float64(1) || d.str("data.failedIds.0") != unknown {
				t.Fatalf("delete outcome: %s", d.Raw)
			}
			if d.str("data.deletedIds.0") != rev[0] || d.str("data.deletedIds.1") != rev[2] {
				t.Fatalf("deletedIds: %s", d.Raw)
			}
			left := p.list(t, tm, keyScale)
			want := append([]string{rev[1]}, rev[3:]...)
			if !slices.Equal(left, want) {
				t.Fatalf("got %v after delete; want %v", left, want)
			}
			if r := p.del(tm, keyScale, unknown).must(t, 404); r.code() != "RESOURCE_NOT_FOUND" {
				t.Fatalf("got code %q; want RESOURCE_NOT_FOUND", r.code())
			}
			// A new item goes after the re-packed ones.
			n := tm.do("POST", p.path, keyScale, map[string]any{"buttonTitle": "x", "buttonMessage": "y"}).must(t, http.StatusCreated)
			if n.at("data.rank") != float64(len(left)) {
				t.Fatalf("got rank %v; want %d", n.at("data.rank"), len(left))
			}
		})
	}
}

func testFollowUpEsclate(t *testing.T, tm *testMock) {
	p := pairResources()[1]
	r := tm.do("POST", p.path, keyScale, map[string]any{"buttonTitle": "Human", "buttonMessage": "A person please", "esclate": true}).must(t, http.StatusCreated)
	id := r.str("data.id")
	if r.at("data.esclate") != true {
		t.Fatalf("got esclate %v; want true", r.at("data.esclate"))
	}
	u := p.update(tm, keyScale, id, map[string]any{"buttonTitle": "Agent", "buttonMessage": "An agent please"}).must(t, 200)
	if u.at("data.esclate") != true {
		t.Fatal("an update without esclate changed it")
	}
	u = p.update(tm, keyScale, id, map[string]any{"buttonTitle": "Agent", "buttonMessage": "An agent please", "esclate": false}).must(t, 200)
	if u.at("data.esclate") != false {
		t.Fatal("esclate false was not applied")
	}
}

func testPairErrors(t *testing.T, tm *testMock) {
	for _, p := range pairResources() {
		existing := p.list(t, tm, keyScale)
		writes := []struct {
			name   string
			body   map[string]any
			status int
			code   string
			field  string
		}{
			{"both pairs", map[string]any{"buttonTitle": "a", "buttonMessage": "b", "linkText": "c", "linkSrc": "https://x.example"}, 400, "MISSING_REQUIRED_FIELD", ""},
			{"button and half link", map[string]any{"buttonTitle": "a", "buttonMessage": "b", "linkSrc": "https://x.example"}, 400, "MISSING_REQUIRED_FIELD", ""},
			{"neither", map[string]any{}, 400, "MISSING_REQUIRED_FIELD", "buttonTitle"},
			{"blank pair", map[string]any{"buttonTitle": " ", "buttonMessage": ""}, 400, "MISSING_REQUIRED_FIELD", "buttonTitle"},
			{"half button", map[string]any{"buttonTitle": "a"}, 400, "MISSING_REQUIRED_FIELD", "buttonMessage"},
			{"half button other", map[string]any{"buttonMessage": "a"}, 400, "MISSING_REQUIRED_FIELD", "buttonTitle"},
			{"half link", map[string]any{"linkSrc": "https://x.example"}, 400, "MISSING_REQUIRED_FIELD", "linkText"},
			{"half link other", map[string]any{"linkText": "x"}, 400, "MISSING_REQUIRED_FIELD", "linkSrc"},
			{"wrong type", map[string]any{"buttonTitle": 1, "buttonMessage": "b"}, 400, "REQUEST_VALIDATION_FAILED", "buttonTitle"},
		}
		for _, w := range writes {
			for _, op := range []string{"create", "update"} {
				t.Run(p.name+"/"+op+"/"+w.name, func(t *testing.T) {
					var r resp
					if op == "create" {
						r = tm.do("POST", p.path, keyScale, w.body)
					} else {
						r = p.update(tm, keyScale, existing[0], w.body)
					}
					r.must(t, w.status)
					if r.code() != w.code {
						t.Fatalf("got code %q; want %q\nbody: %s", r.code(), w.code, r.Raw)
					}
					if w.code == "INVALID_FIELD_VALUE" && r.Body["message"] != "Cannot provide both button fields and link fields." {
						t.Fatalf("got message %v", r.Body["message"])
					}
					if w.field != "" && !errorsNameField(r, w.field) {
						t.Fatalf("errors[] does not name %q: %s", w.field, r.Raw)
					}
				})
			}
		}
		others := []struct {
			name         string
			method, path string
			key          string
			body         any
			status       int
			code         string
		}{
			{"create by agent", "POST", p.path, keyAgent, map[string]any{"buttonTitle": "a", "buttonMessage": "b"}, 403, "INSUFFICIENT_PERMISSIONS"},
			{"delete by agent", "DELETE", p.path + "?" + p.deleteParam + "=" + existing[0], keyAgent, nil, 403, "INSUFFICIENT_PERMISSIONS"},
			{"reorder by agent", "PATCH", p.path + "/reorder", keyAgent, map[string]any{"orderedIds": existing}, 403, "INSUFFICIENT_PERMISSIONS"},
			{"list other account", "GET", p.path, keyGrowth, nil, 403, "INSUFFICIENT_PERMISSIONS"},
			{"list unknown chatbot", "GET", "/api/v1/chatbots/chatbot/999999999999999999/" + path.Base(p.path), keyScale, nil, 403, "INSUFFICIENT_PERMISSIONS"},
			{"delete without ids", "DELETE", p.path, keyScale, nil, 400, "MISSING_REQUIRED_FIELD"},
			{"reorder without orderedIds", "PATCH", p.path + "/reorder", keyScale, map[string]any{}, 400, "MISSING_REQUIRED_FIELD"},
			{"reorder empty", "PATCH", p.path + "/reorder", keyScale, map[string]any{"orderedIds": []string{}}, 400, "MISSING_REQUIRED_FIELD"},
			{"reorder duplicate", "PATCH", p.path + "/reorder", keyScale, map[string]any{"orderedIds": append([]string{existing[0]}, existing[:len(existing)-1]...)}, 400, "INVALID_FIELD_VALUE"},
			{"reorder unknown", "PATCH", p.path + "/reorder", keyScale, map[string]any{"orderedIds": append(append([]string{}, existing[1:]...), "nope")}, 400, "INVALID_FIELD_VALUE"},
			{"reorder extra", "PATCH", p.path + "/reorder", keyScale, map[string]any{"orderedIds": append(append([]string{}, existing...), "nope")}, 400, "INVALID_FIELD_VALUE"},
		}
		for _, o := range others {
			t.Run(p.name+"/"+o.name, func(t *testing.T) {
				r := tm.do(o.method, o.path, o.key, o.body).must(t, o.status)
				if r.code() != o.code {
					t.Fatalf("got code %q; want %q\nbody: %s", r.code(), o.code, r.Raw)
				}
			})
		}
		if got := p.list(t, tm, keyScale); !slices.Equal(got, existing) {
			t.Fatalf("%s: failed requests changed the list: got %v; want %v", p.name, got, existing)
		}
	}
	// Starters only: the id in the body is required.
	if r := tm.do("PATCH", pairResources()[0].path, keyScale, map[string]any{"buttonTitle": "a", "buttonMessage": "b"}).must(t, 400); r.code() != "MISSING_REQUIRED_FIELD" || !errorsNameField(r, "id") {
		t.Fatalf("got %s; want MISSING_REQUIRED_FIELD naming id", r.Raw)
	}
}

// TestPairs runs the starter and follow-up cases on one mock, in order: the error cases
// check that nothing changed, the lifecycle case starts from the fixtures.
func TestPairs(t *testing.T) {
	tm := newTestMock(t)
	t.Run("PairErrors", func(t *testing.T) { testPairErrors(t, tm) })
	t.Run("PairLifecycle", func(t *testing.T) { testPairLifecycle(t, tm) })
	t.Run("FollowUpEsclate", func(t *testing.T) { testFollowUpEsclate(t, tm) })
}
