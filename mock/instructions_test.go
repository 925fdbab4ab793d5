package mock

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// activatableResource describes instructions or personas for the shared tests.
type activatableResource struct {
	name      string
	path      string
	idField   string // the select body's id field and the delete query parameter
	bodyField string // instruction / instructions
	fixture   string // title of botShipping's active fixture item
}

func activatableResources() []activatableResource {
	base := "/api/v1/chatbots/chatbot/" + botShipping
	return []activatableResource{
		{name: "instructions", path: base + "/instructions", idField: "instructionId", bodyField: "instruction", fixture: "Friendly and brief"},
		{name: "personas", path: base + "/personas", idField: "personaId", bodyField: "instructions", fixture: "Logistics expert"},
	}
}

func (a activatableResource) selectPath() string {
	if a.name == "instructions" {
		return a.path + "/select-instruction"
	}
	return a.path + "/select-persona"
}

func (a activatableResource) create(t *testing.T, tm *testMock, title string, extra map[string]any) resp {
	t.Helper()
	body := map[string]any{"title": title, a.bodyField: "Guidance for " + title}
	for k, v := range extra {
		body[k] = v
	}
	return tm.do("POST", a.path, keyScale, body).must(t, http.StatusCreated)
}

func (a activatableResource) del(tm *testMock, ids ...string) resp {
	q := url.Values{}
	for _, id := range ids {
		q.Add(a.idField, id)
	}
	return tm.do("DELETE", a.path+"?"+q.Encode(), keyScale, nil)
}

// listTitles returns the titles in the order served and checks that at most one item is
// active and that it comes first.
func (a activatableResource) listTitles(t *testing.T, tm *testMock) []string {
	t.Helper()
	r := tm.do("GET", a.path, keyAgent, nil).must(t, 200)
	items, _ := r.Body["data"].([]any)
	var titles []string
	active := 0
	for i, it := range items {
		m := it.(map[string]any)
		titles = append(titles, m["title"].(string))
		if m["isActive"] == true {
			active++
			if i != 0 {
				t.Fatalf("active item %q is at %d; want first\n%s", m["title"], i, r.Raw)
			}
		}
	}
	if active > 1 {
		t.Fatalf("%d items active; want at most one\n%s", active, r.Raw)
	}
	return titles
}

// activeTitle is the title of the active item ("" when none).
func (a activatableResource) activeTitle(t *testing.T, tm *testMock) string {
	t.Helper()
	r := tm.do("GET", a.path, keyScale, nil).must(t, 200)
	for _, it := range r.Body["data"].([]any) {
		if m := it.(map[string]any); m["isActive"] == true {
			return m["title"].(string)
		}
	}
	return ""
}

func testActivatableLifecycle(t *testing.T, tm *testMock) {
	for _, a := range activatableResources() {
		t.Run(a.name, func(t *testing.T) {
			if got := a.listTitles(t, tm); len(got) != 1 || got[0] != a.fixture {
				t.Fatalf("got %v; want the fixture %q", got, a.fixture)
			}
			sales := a.create(t, tm, "Sales", nil)
			if sales.at("data.creativityLevel") != 0.5 || sales.at("data.deletable") != true || sales.at("data.isActive") != false {
				t.Fatalf("defaults: %s", sales.Raw)
			}
			if got := a.listTitles(t, tm); strings.Join(got, ",") != a.fixture+",Sales" {
				t.Fatalf("got %v; want the active fixture first, then Sales", got)
			}

			// Select by id.
			sel := tm.do("POST", a.selectPath(), keyScale, map[string]any{a.idField: sales.str("data.id"), "title": a.fixture}).must(t, 200)
			if sel.str("data.id") != sales.str("data.id") || sel.at("data.isActive") != true {
				t.Fatalf("select by id: %s", sel.Raw)
			}
			if got := a.listTitles(t, tm); got[0] != "Sales" {
				t.Fatalf("got %v; want Sales first once active", got)
			}
			// Select by title, any case.
			sel = tm.do("POST", a.selectPath(), keyScale, map[string]any{"title": " " + strings.ToUpper(a.fixture) + " "}).must(t, 200)
			if sel.str("data.title") != a.fixture || a.activeTitle(t, tm) != a.fixture {
				t.Fatalf("select by title: %s", sel.Raw)
			}
			// Select that creates.
			made := tm.do("POST", a.selectPath(), keyScale, map[string]any{"title": "Night shift", a.bodyField: "Be brief at night.", "creativityLevel": 0.2}).must(t, http.StatusCreated)
			if made.at("data.isActive") != true || made.at("data.creativityLevel") != 0.2 || a.activeTitle(t, tm) != "Night shift" {
				t.Fatalf("select-create: %s", made.Raw)
			}
			if got := a.listTitles(t, tm); len(got) != 3 {
				t.Fatalf("got %v; want 3 items", got)
			}

			// Update.
			up := tm.do("PATCH", a.path+"/"+sales.str("data.id"), keyScale, map[string]any{"title": "Sales (short)", "creativityLevel": 0.3}).must(t, 200)
			if up.str("data.title") != "Sales (short)" || up.at("data.creativityLevel") != 0.3 || up.str("data.createdAt") != sales.str("data.createdAt") {
				t.Fatalf("update: %s", up.Raw)
			}

			// Delete: partial success.
			unknown := "22222222-2222-4222-8222-222222222222"
			d := a.del(tm, sales.str("data.id"), unknown).must(t, 200)
			if d.at("data.deletedCount") != float64(1) || d.str("data.failedIds.0") != unknown {
				t.Fatalf("delete: %s", d.Raw)
			}
			if r := a.del(tm, unknown).must(t, 404); r.code() != "RESOURCE_NOT_FOUND" {
				t.Fatalf("got code %q; want RESOURCE_NOT_FOUND", r.code())
			}
			if got := a.listTitles(t, tm); len(got) != 2 || got[0] != "Night shift" {
				t.Fatalf("got %v after delete", got)
			}
		})
	}
}

func testInstructionActivationRules(t *testing.T, tm *testMock) {
	a := activatableResources()[0]
	urgent := a.create(t, tm, "Urgent", map[string]any{"isActive": true, "deletable": false, "creativityLevel": 0.9})
	if urgent.at("data.isActive") != true || urgent.at("data.deletable") != false || a.activeTitle(t, tm) != "Urgent" {
		t.Fatalf("create active: %s", urgent.Raw)
	}
	if got := a.listTitles(t, tm); got[0] != "Urgent" {
		t.Fatalf("got %v; want Urgent first", got)
	}
	calm := a.create(t, tm, "Calm", nil)
	tm.do("PATCH", a.path+"/"+calm.str("data.id"), keyScale, map[string]any{"isActive": true}).must(t, 200)
	if a.activeTitle(t, tm) != "Calm" {
		t.Fatal("isActive true on update did not deactivate the others")
	}
	off := tm.do("PATCH", a.path+"/"+calm.str("data.id"), keyScale, map[string]any{"isActive": false}).must(t, 200)
	if off.at("data.isActive") != false || a.activeTitle(t, tm) != "" {
		t.Fatalf("isActive false: %s", off.Raw)
	}
	// A non-deletable set is reported in failedIds; the deletable one goes.
	d := a.del(tm, urgent.str("data.id"), calm.str("data.id")).must(t, 200)
	if d.str("data.deletedIds.0") != calm.str("data.id") || d.str("data.failedIds.0") != urgent.str("data.id") || d.at("data.deletedCount") != float64(1) {
		t.Fatalf("delete: %s", d.Raw)
	}
	// Only non-deletable ones: nothing deleted, still a 200 (they exist).
	d = a.del(tm, urgent.str("data.id")).must(t, 200)
	if d.at("data.deletedCount") != float64(0) || d.at("data.failedCount") != float64(1) {
		t.Fatalf("delete non-deletable: %s", d.Raw)
	}
}

func testPersonaDescription(t *testing.T, tm *testMock) {
	a := activatableResources()[1]
	p := a.create(t, tm, "Formal", map[string]any{"description": "Stiff"})
	id := p.str("data.id")
	u := tm.do("PATCH", a.path+"/"+id, keyScale, map[string]any{"description": nil}).must(t, 200)
	if v, ok := u.data()["description"]; !ok || v != nil {
		t.Fatalf("got description %v; want null", v)
	}
	u = tm.do("PATCH", a.path+"/"+id, keyScale, map[string]any{"description": "Polite"}).must(t, 200)
	if u.str("data.description") != "Polite" || u.str("data.title") != "Formal" {
		t.Fatalf("update: %s", u.Raw)
	}
	made := tm.do("POST", a.selectPath(), keyScale, map[string]any{"title": "Pirate", "instructions": "Speak like a pirate.", "description": "Arr"}).must(t, http.StatusCreated)
	if made.str("data.description") != "Arr" || made.at("data.creativityLevel") != 0.5 {
		t.Fatalf("select-create: %s", made.Raw)
	}
}

func testActivatableErrors(t *testing.T, tm *testMock) {
	growth := "/api/v1/chatbots/chatbot/" + botOutfitters
	for _, a := range activatableResources() {
		fixtureID := tm.do("GET", a.path, keyScale, nil).must(t, 200).str("data.0.id")
		unknown := "33333333-3333-4333-8333-333333333333"
		long := strings.Repeat("x", 101)
		cases := []struct {
			name         string
			method, path string
			key          string
			body         any
			status       int
			code         string
			field        string
		}{
			{"list none yet", "GET", growth + "/" + activatableSegment(a.path), keyGrowth, nil, 404, "RESOURCE_NOT_FOUND", ""},
			{"list other account", "GET", a.path, keyGrowth, nil, 404, "CHATBOT_NOT_FOUND", ""},
			{"list unknown chatbot", "GET", "/api/v1/chatbots/chatbot/999999999999999999/" + activatableSegment(a.path), keyScale, nil, 404, "CHATBOT_NOT_FOUND", ""},
			{"create by agent", "POST", a.path, keyAgent, map[string]any{"title": "t", a.bodyField: "b"}, 403, "INSUFFICIENT_PERMISSIONS", ""},
			{"create without title", "POST", a.path, keyScale, map[string]any{a.bodyField: "b"}, 400, "MISSING_REQUIRED_FIELD", "title"},
			{"create without body", "POST", a.path, keyScale, map[string]any{"title": "t"}, 400, "MISSING_REQUIRED_FIELD", a.bodyField},
			{"create blank title", "POST", a.path, keyScale, map[string]any{"title": "  ", a.bodyField: "b"}, 400, "MISSING_REQUIRED_FIELD", "title"},
			{"create title too long", "POST", a.path, keyScale, map[string]any{"title": long, a.bodyField: "b"}, 400, "REQUEST_VALIDATION_FAILED", "title"},
			{"create creativity out of range", "POST", a.path, keyScale, map[string]any{"title": "t", a.bodyField: "b", "creativityLevel": 1.5}, 400, "REQUEST_VALIDATION_FAILED", "creativityLevel"},
			{"delete without ids", "DELETE", a.path, keyScale, nil, 400, "MISSING_REQUIRED_FIELD", ""},
			{"delete by agent", "DELETE", a.path + "?" + a.idField + "=" + fixtureID, keyAgent, nil, 403, "INSUFFICIENT_PERMISSIONS", ""},
			{"select nothing", "POST", a.selectPath(), keyScale, map[string]any{}, 400, "MISSING_REQUIRED_FIELD", a.idField},
			{"select unknown id", "POST", a.selectPath(), keyScale, map[string]any{a.idField: unknown}, selectUnknownStatus(a.name), selectUnknownCode(a.name), ""},
			{"select unknown title without body", "POST", a.selectPath(), keyScale, map[string]any{"title": "No such"}, selectUnknownStatus(a.name), selectUnknownCode(a.name), selectUnknownField(a.name, a.bodyField)},
			{"select by agent", "POST", a.selectPath(), keyAgent, map[string]any{a.idField: fixtureID}, 403, "INSUFFICIENT_PERMISSIONS", ""},
			{"update unknown", "PATCH", a.path + "/" + unknown, keyScale, map[string]any{"title": "t"}, 404, "RESOURCE_NOT_FOUND", ""},
			{"update nothing", "PATCH", a.path + "/" + fixtureID, keyScale, map[string]any{}, 400, "NO_VALID_FIELDS_TO_UPDATE", ""},
			{"update only ignored fields", "PATCH", a.path + "/" + fixtureID, keyScale, map[string]any{"id": "x", "chatbotId": "y", "createdAt": "z"}, 400, "NO_VALID_FIELDS_TO_UPDATE", ""},
			{"update blank title", "PATCH", a.path + "/" + fixtureID, keyScale, map[string]any{"title": ""}, 400, "INVALID_FIELD_VALUE", "title"},
			{"update by agent", "PATCH", a.path + "/" + fixtureID, keyAgent, map[string]any{"title": "t"}, 403, "INSUFFICIENT_PERMISSIONS", ""},
		}
		for _, tc := range cases {
			t.Run(a.name+"/"+tc.name, func(t *testing.T) {
				r := tm.do(tc.method, tc.path, tc.key, tc.body).must(t, tc.status)
				if r.code() != tc.code {
					t.Fatalf("got code %q; want %q\nbody: %s", r.code(), tc.code, r.Raw)
				}
				if tc.field != "" && !errorsNameField(r, tc.field) {
					t.Fatalf("errors[] does not name %q: %s", tc.field, r.Raw)
				}
			})
		}
		if got := a.listTitles(t, tm); len(got) != 1 || got[0] != a.fixture || a.activeTitle(t, tm) != a.fixture {
			t.Fatalf("%s: failed requests changed the list: %v", a.name, got)
		}
	}
}

// activatableSegment is the last segment of a collection path.
func activatableSegment(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// TestActivatables runs the instruction and persona cases on one mock, in order: the error
// cases check that nothing changed, the lifecycle case starts from the fixtures.
func TestActivatables(t *testing.T) {
	tm := newTestMock(t)
	t.Run("ActivatableErrors", func(t *testing.T) { testActivatableErrors(t, tm) })
	t.Run("ActivatableLifecycle", func(t *testing.T) { testActivatableLifecycle(t, tm) })
	t.Run("InstructionActivationRules", func(t *testing.T) { testInstructionActivationRules(t, tm) })
	t.Run("PersonaDescription", func(t *testing.T) { testPersonaDescription(t, tm) })
}

// select-persona documents 404 for an unknown persona; select-instruction documents only
// 200, 201 and 400, so an unknown id without creation data is 400 MISSING_REQUIRED_FIELD.
func selectUnknownStatus(resource string) int {
	if resource == "instructions" {
		return 400
	}
	return 404
}

func selectUnknownCode(resource string) string {
	if resource == "instructions" {
		return "MISSING_REQUIRED_FIELD"
	}
	return "RESOURCE_NOT_FOUND"
}

func selectUnknownField(resource, field string) string {
	if resource == "instructions" {
		return field
	}
	return ""
}
