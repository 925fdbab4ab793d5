package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/contextgpt/sandbox/mock/journal"
)

// TestRequestStateReuseKeepsRequestsApart sends lists (their queries differing), creates
// (their bodies differing) and refused requests from several goroutines at once, each with
// its own X-Request-Id, through one mock: with the per-request state reused
// (requestStates), every answer must still be its own request's (id, page, title, status)
// and every journal entry its own request's (path, status, operation, error).
func TestRequestStateReuseKeepsRequestsApart(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Strict = false
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		if _, err := m.Store().CreateThread(botShipping, storeThreadTitled("seed")); err != nil {
			t.Fatal(err)
		}
	}
	type sent struct {
		path, op string
		status   int
		code     string
	}
	const workers, each = 4, 120
	var mu sync.Mutex
	want := map[string]sent{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id := fmt.Sprintf("w%d-r%d", w, i)
				var req *http.Request
				var s sent
				title := "t-" + id
				switch i % 3 {
				case 0:
					page, limit := 1+i%3, 1+i%7
					req = httptest.NewRequest(http.MethodGet, fmt.Sprintf("%s?page=%d&limit=%d", threadsPath(botShipping), page, limit), nil)
					s = sent{path: threadsPath(botShipping), op: "listThreads", status: http.StatusOK}
				case 1:
					body, _ := json.Marshal(map[string]any{"title": title, "visitorEmail": "v" + id + "@example.com"})
					req = httptest.NewRequest(http.MethodPost, threadsPath(botShipping), bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					s = sent{path: threadsPath(botShipping), op: "createThread", status: http.StatusCreated}
				default:
					req = httptest.NewRequest(http.MethodGet, threadsPath(botShipping)+"?limit=0", nil)
					s = sent{path: threadsPath(botShipping), op: "listThreads", status: http.StatusBadRequest, code: "REQUEST_VALIDATION_FAILED"}
				}
				req.Header.Set("Authorization", "Bearer "+keyScale)
				req.Header.Set("X-Request-Id", id)
				rec := httptest.NewRecorder()
				m.ServeHTTP(rec, req)
				if rec.Code != s.status || rec.Header().Get("X-Request-Id") != id {
					t.Errorf("%s: got %d, X-Request-Id %q: %s", id, rec.Code, rec.Header().Get("X-Request-Id"), rec.Body.Bytes())
					return
				}
				var env struct {
					Data struct {
						Thread struct {
							Title string `json:"title"`
						} `json:"thread"`
						Pagination struct {
							Page, Limit int
						} `json:"pagination"`
					} `json:"data"`
					Error struct {
						Code string `json:"code"`
					} `json:"error"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
					t.Errorf("%s: %v", id, err)
					return
				}
				switch i % 3 {
				case 0:
					if env.Data.Pagination.Page != 1+i%3 || env.Data.Pagination.Limit != 1+i%7 {
						t.Errorf("%s: page %d limit %d, sent %d and %d", id, env.Data.Pagination.Page, env.Data.Pagination.Limit, 1+i%3, 1+i%7)
					}
				case 1:
					if env.Data.Thread.Title != title {
						t.Errorf("%s: created %q, sent %q", id, env.Data.Thread.Title, title)
					}
				default:
					if env.Error.Code != s.code {
						t.Errorf("%s: code %q", id, env.Error.Code)
					}
				}
				mu.Lock()
				want[id] = s
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	entries, _ := m.journal.List(journal.Filter{})
	seen := 0
	for _, e := range entries {
		s, ok := want[e.RequestID]
		if !ok {
			continue
		}
		seen++
		code := ""
		if e.Error != nil {
			code = e.Error.Code
		}
		if e.Path != s.path || e.Status != s.status || e.OperationID == nil || *e.OperationID != s.op || code != s.code || e.APIKey == "" {
			t.Errorf("%s: journal has %s %d %v %q, sent %+v", e.RequestID, e.Path, e.Status, e.OperationID, code, s)
		}
	}
	if seen != workers*each {
		t.Fatalf("the journal has %d of the %d requests", seen, workers*each)
	}
}

// TestGeneratedRequestIDMatchesSprintf: the hand-written X-Request-Id is the format's.
func TestGeneratedRequestIDMatchesSprintf(t *testing.T) {
	for _, inst := range []uint32{0, 1, 0xdeadbeef, 0xffffffff} {
		for _, n := range []uint64{0, 1, 0xabc, 1<<48 - 1, 1 << 48, 1<<64 - 1} {
			if got, want := generatedRequestID(inst, n), fmt.Sprintf("%08x-0000-4000-8000-%012x", inst, n); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		}
	}
}
