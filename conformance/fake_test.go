package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/conformance/report"
)

// fakeHead starts a document that calls the fake API of testdata/fake.openapi.yaml.
const fakeHead = `arazzo: 1.0.1
info: {title: fake, version: "1"}
sourceDescriptions:
  - {name: fake, url: fake.openapi.yaml, type: openapi}
`

// fakeAPI serves testdata/fake.openapi.yaml and, when mock is set, the part of the mock's
// control plane the runner uses itself (health, sandboxes). It records every call.
type fakeAPI struct {
	mock         bool // answers /__mock/health as the mock and hands out sandboxes
	sandboxFails bool

	mu        sync.Mutex
	calls     []fakeCall
	items     map[string]string
	counters  map[string]int
	seq       int
	sandboxes map[string]string // live: accountId -> apiKey
	created   []string          // accountIds, in order
	deleted   []string
	slept     []time.Duration
}

type fakeCall struct {
	Method, Path, Auth string
}

func (c fakeCall) String() string { return c.Method + " " + c.Path }

func newFake() *fakeAPI {
	return &fakeAPI{items: map[string]string{}, counters: map[string]int{}, sandboxes: map[string]string{}}
}

func (f *fakeAPI) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := r.URL.Path
	if p == "/__mock/health" {
		if !f.mock {
			http.NotFound(w, r)
			return
		}
		f.writeJSON(w, 200, map[string]any{"service": "contextgpt-mock", "version": "test"})
		return
	}
	if strings.HasPrefix(p, "/__mock/sandboxes") {
		f.sandbox(w, r)
		return
	}
	f.calls = append(f.calls, fakeCall{Method: r.Method, Path: p, Auth: r.Header.Get("Authorization")})
	f.seq++
	segs := strings.Split(strings.TrimPrefix(p, "/api/v1/"), "/")
	switch {
	case r.Method == "POST" && p == "/api/v1/items":
		var body struct{ Name string }
		if json.NewDecoder(r.Body).Decode(&body) != nil || body.Name == "" {
			f.writeJSON(w, 400, map[string]any{"message": "name is required"})
			return
		}
		id := fmt.Sprintf("item-%d", f.seq)
		f.items[id] = body.Name
		f.writeJSON(w, 201, map[string]any{"id": id, "name": body.Name})
	case segs[0] == "items" && len(segs) == 2:
		name, ok := f.items[segs[1]]
		switch {
		case !ok:
			f.writeJSON(w, 404, map[string]any{"message": "no such item"})
		case r.Method == "DELETE":
			delete(f.items, segs[1])
			w.WriteHeader(204)
		default:
			f.writeJSON(w, 200, map[string]any{"id": segs[1], "name": name})
		}
	case segs[0] == "counter" && len(segs) == 2:
		f.counters[segs[1]]++
		n := f.counters[segs[1]]
		failUntil, _ := strconv.Atoi(r.Header.Get("X-Fail-Until"))
		if n <= failUntil {
			if ra := r.Header.Get("X-Retry-After"); ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			var attempt any = n
			if r.Header.Get("X-Broken") != "" {
				attempt = strconv.Itoa(n) // the schema says integer
			}
			f.writeJSON(w, 503, map[string]any{"attempt": attempt})
			return
		}
		f.writeJSON(w, 200, map[string]any{"attempt": n, "ready": true})
	case p == "/api/v1/echo":
		auth := r.Header.Get("Authorization")
		w.Header().Set("X-Echo", auth)
		body := map[string]any{"authorization": auth}
		if r.URL.Query().Get("as") == "count" {
			body["count"] = auth // breaks the schema, so a finding quotes it
		}
		f.writeJSON(w, 200, body)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeAPI) sandbox(w http.ResponseWriter, r *http.Request) {
	id, _ := strings.CutPrefix(r.URL.Path, "/__mock/sandboxes/")
	switch {
	case !f.mock:
		http.NotFound(w, r)
	case r.Method == "POST" && r.URL.Path == "/__mock/sandboxes":
		if f.sandboxFails {
			f.writeJSON(w, 500, map[string]any{"message": "no sandboxes today"})
			return
		}
		var body struct{ Plan string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		acct := fmt.Sprintf("acct-%d", len(f.created)+1)
		key := fmt.Sprintf("sbx.%d.S3cr3t-sandbox-key", len(f.created)+1)
		f.sandboxes[acct] = key
		f.created = append(f.created, acct)
		f.writeJSON(w, 201, map[string]any{"accountId": acct, "userId": "u-" + acct, "apiKey": key, "plan": body.Plan})
	case r.Method == "DELETE" && id != "":
		if _, ok := f.sandboxes[id]; !ok {
			f.writeJSON(w, 404, map[string]any{"message": "no such sandbox"})
			return
		}
		delete(f.sandboxes, id)
		f.deleted = append(f.deleted, id)
		w.WriteHeader(204)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeAPI) sleep(_ context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slept = append(f.slept, d)
	return nil
}

// paths lists the API calls as "METHOD /path".
func (f *fakeAPI) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.calls))
	for _, c := range f.calls {
		out = append(out, c.String())
	}
	return out
}

// authOf lists the Authorization header of each call to a path.
func (f *fakeAPI) authOf(path string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if c.Path == path {
			out = append(out, c.Auth)
		}
	}
	return out
}

// newFakeRunner builds a runner of a document (fakeHead + workflows) against f on an
// httptest server.
func newFakeRunner(t *testing.T, f *fakeAPI, workflows string, cfg Config) *Runner {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	d, err := arazzo.Parse([]byte(fakeHead+workflows), "testdata/test.arazzo.yaml")
	if err != nil {
		t.Fatalf("arazzo.Parse: %v", err)
	}
	cfg.BaseURL = srv.URL + "/api"
	if cfg.Sleep == nil {
		cfg.Sleep = f.sleep
	}
	r, err := New(cfg, []*arazzo.Document{d})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// runFake runs a document (fakeHead + workflows) against f on an httptest server.
func runFake(t *testing.T, f *fakeAPI, workflows string, cfg Config) *report.Report {
	t.Helper()
	return newFakeRunner(t, f, workflows, cfg).Run(context.Background())
}

// workflowResult finds a workflow in a report.
func workflowResult(t *testing.T, rep *report.Report, id string) report.WorkflowResult {
	t.Helper()
	for _, w := range rep.Workflows {
		if w.WorkflowID == id {
			return w
		}
	}
	t.Fatalf("workflow %s is not in the report (got %d workflows)", id, len(rep.Workflows))
	return report.WorkflowResult{}
}

func stepIDs(w report.WorkflowResult) []string {
	out := make([]string, 0, len(w.Steps))
	for _, s := range w.Steps {
		if s.Status == report.Skipped {
			out = append(out, "skipped:"+s.StepID)
			continue
		}
		out = append(out, s.StepID)
	}
	return out
}
