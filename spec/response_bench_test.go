package spec

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// threadList builds a 200 listThreads body with n threads from the operation's example.
func threadList(tb testing.TB, n int) []byte {
	tb.Helper()
	s := mustLoad(tb, ContextGPTDocument())
	rt, ok := s.OperationByID("listThreads")
	if !ok {
		tb.Fatal("listThreads missing")
	}
	raw, err := json.Marshal(rt.ResponseExample(200))
	if err != nil {
		tb.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		tb.Fatal(err)
	}
	data := body["data"].(map[string]any)
	proto := data["threads"].([]any)[0].(map[string]any)
	threads := make([]any, n)
	for i := range threads {
		t := map[string]any{}
		for k, v := range proto {
			t[k] = v
		}
		t["id"] = fmt.Sprintf("0b8e5a52-6c1f-4f2e-9d59-1f5a3f0c%04x", i)
		t["title"] = fmt.Sprintf("Thread %d", i)
		threads[i] = t
	}
	data["threads"] = threads
	data["pagination"] = map[string]any{"page": 1, "limit": n, "total": n, "totalPages": 1, "pages": 1}
	out, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func listThreadsRequest() *http.Request {
	return httptest.NewRequest(http.MethodGet, "/api/v1/chatting/361628903185318482/threads?page=1&limit=20", nil)
}

func TestValidateResponseList(t *testing.T) {
	v, err := SharedResponseValidator(ContextGPTDocument())
	if err != nil {
		t.Fatal(err)
	}
	body := threadList(t, 20)
	if p := v.ValidateResponse(listThreadsRequest(), 200, jsonHeader(), body); len(p) > 0 {
		t.Fatalf("the example, twenty times, is not valid: %v", p)
	}

	var broken map[string]any
	if err := json.Unmarshal(body, &broken); err != nil {
		t.Fatal(err)
	}
	broken["data"].(map[string]any)["threads"].([]any)[7].(map[string]any)["escalated"] = "no"
	raw, err := json.Marshal(broken)
	if err != nil {
		t.Fatal(err)
	}
	problems := v.ValidateResponse(listThreadsRequest(), 200, jsonHeader(), raw)
	if len(problems) == 0 {
		t.Fatal("a string in a boolean field passed")
	}
	if problems[0].Check != CheckBodySchema || problems[0].Pointer != "/data/threads/7/escalated" {
		t.Errorf("first problem = %s at %s, want %s at /data/threads/7/escalated", problems[0].Check, problems[0].Pointer, CheckBodySchema)
	}
}

// benchList times validate on a 200 listThreads response of 20 threads, after checking
// once that the list validates (so the schema is compiled before the timer starts).
func benchList(b *testing.B, validate func(req *http.Request, h http.Header, body []byte) error) {
	body := threadList(b, 20)
	req := listThreadsRequest()
	h := jsonHeader()
	if err := validate(req, h, body); err != nil {
		b.Fatalf("the list does not validate: %v", err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := validate(req, h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// problemsErr is nil for no problems, else an error listing them.
func problemsErr(p []Problem) error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%v", p)
}

// BenchmarkValidateResponseList validates a 200 listThreads response of 20 threads: the
// DESIGN budget is 300 µs (stretch 100 µs). The schema is compiled before the timer starts.
// A conforming list takes the fast path (response_fast.go).
func BenchmarkValidateResponseList(b *testing.B) {
	v, err := NewResponseValidator(ContextGPTDocument())
	if err != nil {
		b.Fatal(err)
	}
	benchList(b, func(req *http.Request, h http.Header, body []byte) error {
		return problemsErr(v.ValidateResponse(req, 200, h, body))
	})
}

// BenchmarkValidateResponseListLibrary is the same check through libopenapi-validator alone
// (what a response the fast path cannot vouch for costs, and what every response cost before).
func BenchmarkValidateResponseListLibrary(b *testing.B) {
	v, err := NewResponseValidator(ContextGPTDocument())
	if err != nil {
		b.Fatal(err)
	}
	lib, err := v.library()
	if err != nil {
		b.Fatal(err)
	}
	benchList(b, func(req *http.Request, h http.Header, body []byte) error {
		return problemsErr(lib.validate(req, 200, h, body))
	})
}

// BenchmarkValidateResponseListKin is the same check with kin-openapi, the second
// implementation, for comparison.
func BenchmarkValidateResponseListKin(b *testing.B) {
	s, err := Load(ContextGPTDocument())
	if err != nil {
		b.Fatal(err)
	}
	benchList(b, func(req *http.Request, h http.Header, body []byte) error {
		return s.ValidateResponseKin(req.Context(), req, 200, h, body)
	})
}

// Warm compiles ahead of use: the first real validation then finds its schema compiled.
func TestWarm(t *testing.T) {
	v, err := NewResponseValidator(ContextGPTDocument())
	if err != nil {
		t.Fatal(err)
	}
	v.Warm(http.MethodGet, "/api/v1/chatting/{chatbotId}/threads", 200)
	var keys []fastKey
	v.fast.entries.Range(func(k, _ any) bool {
		keys = append(keys, k.(fastKey))
		return true
	})
	if len(keys) != 1 || keys[0].status != 200 || keys[0].contentType != "application/json" {
		t.Fatalf("Warm compiled %v; want one entry for the 200 JSON response", keys)
	}
	body := threadList(t, 20)
	start := time.Now()
	if p := v.ValidateResponse(listThreadsRequest(), 200, jsonHeader(), body); len(p) > 0 {
		t.Fatal(p)
	}
	t.Logf("first validation after Warm: %s", time.Since(start))
	if v.lib != nil {
		t.Error("a conforming response built the library's model: the fast path did not vouch for it")
	}
}
