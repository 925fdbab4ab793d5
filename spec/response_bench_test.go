package spec

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// threadList builds a 200 listThreads body with n threads from the operation's example.
func threadList(tb testing.TB, n int) []byte {
	tb.Helper()
	s, err := Load(ContextGPTDocument())
	require.NoError(tb, err)
	rt, ok := s.OperationByID("listThreads")
	require.True(tb, ok)
	ex := rt.Operation.Responses.Value("200").Value.Content.Get("application/json").Example
	raw, err := json.Marshal(ex)
	require.NoError(tb, err)
	var body map[string]any
	require.NoError(tb, json.Unmarshal(raw, &body))
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
	require.NoError(tb, err)
	return out
}

func listThreadsRequest() *http.Request {
	return httptest.NewRequest(http.MethodGet, "/api/v1/chatting/361628903185318482/threads?page=1&limit=20", nil)
}

func TestValidateResponseList(t *testing.T) {
	v, err := NewResponseValidator(ContextGPTDocument())
	require.NoError(t, err)
	body := threadList(t, 20)
	assert.Empty(t, v.ValidateResponse(listThreadsRequest(), 200, jsonHeader(), body), "the example, twenty times, is valid")

	var broken map[string]any
	require.NoError(t, json.Unmarshal(body, &broken))
	broken["data"].(map[string]any)["threads"].([]any)[7].(map[string]any)["escalated"] = "no"
	raw, err := json.Marshal(broken)
	require.NoError(t, err)
	problems := v.ValidateResponse(listThreadsRequest(), 200, jsonHeader(), raw)
	require.NotEmpty(t, problems)
	assert.Equal(t, CheckBodySchema, problems[0].Check)
	assert.Equal(t, "/data/threads/7/escalated", problems[0].Pointer)
}

// BenchmarkValidateResponseList validates a 200 listThreads response of 20 threads: the
// DESIGN budget is 300 µs (stretch 100 µs). The schema is compiled before the timer starts.
func BenchmarkValidateResponseList(b *testing.B) {
	v, err := NewResponseValidator(ContextGPTDocument())
	require.NoError(b, err)
	body := threadList(b, 20)
	req := listThreadsRequest()
	h := jsonHeader()
	if p := v.ValidateResponse(req, 200, h, body); len(p) > 0 {
		b.Fatalf("the list does not validate: %v", p)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if p := v.ValidateResponse(req, 200, h, body); len(p) > 0 {
			b.Fatal(p)
		}
	}
}

// BenchmarkValidateResponseListKin is the same check with kin-openapi, the second
// implementation, for comparison.
func BenchmarkValidateResponseListKin(b *testing.B) {
	s, err := Load(ContextGPTDocument())
	require.NoError(b, err)
	body := threadList(b, 20)
	req := listThreadsRequest()
	h := jsonHeader()
	if err := s.ValidateResponseKin(req.Context(), req, 200, h, body); err != nil {
		b.Fatalf("the list does not validate: %v", err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.ValidateResponseKin(req.Context(), req, 200, h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// Warm compiles ahead of use: the first real validation then finds its schema compiled.
func TestWarm(t *testing.T) {
	v, err := NewResponseValidator(ContextGPTDocument())
	require.NoError(t, err)
	v.Warm(http.MethodGet, "/api/v1/chatting/{chatbotId}/threads", 200)
	n := 0
	v.compiled.Range(func(k, _ any) bool {
		assert.Contains(t, k, " 200 application/json")
		n++
		return true
	})
	assert.Equal(t, 1, n)
	body := threadList(t, 20)
	start := time.Now()
	assert.Empty(t, v.ValidateResponse(listThreadsRequest(), 200, jsonHeader(), body))
	t.Logf("first validation after Warm: %s", time.Since(start))
}
