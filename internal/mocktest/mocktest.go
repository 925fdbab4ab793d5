// Package mocktest serves the mock for the tests of the packages that drive it from outside
// (the harness, the probe, the compat tools, the commands, the browser tests): the setup
// each of them wrote again, in one place. It is imported by tests only.
package mocktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/mock"
	"github.com/contextgpt/sandbox/spec"
)

// Server is a mock served on 127.0.0.1 for one test.
type Server struct {
	*httptest.Server
	Mock *mock.Mock

	mu         sync.Mutex
	violations []string
}

// Start serves mock.New(cfg) behind an httptest server and closes both when the test ends
// (the mock within 5 s, so pending webhook deliveries cannot hold the test). Unless cfg has
// an OnViolation of its own, the responses the mock finds breaking the contract itself
// (strict mode) are recorded: Violations lists them.
func Start(tb testing.TB, cfg mock.Config) *Server {
	tb.Helper()
	s := &Server{}
	if cfg.OnViolation == nil {
		cfg.OnViolation = s.record
	}
	m, err := mock.New(cfg)
	if err != nil {
		tb.Fatalf("mock.New: %v", err)
	}
	s.Mock = m
	s.Server = httptest.NewServer(m)
	tb.Cleanup(func() {
		s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.Close(ctx)
	})
	return s
}

func (s *Server) record(r *http.Request, status int, problems []spec.Problem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range problems {
		s.violations = append(s.violations, fmt.Sprintf("%s %s -> %d: %s", r.Method, r.URL.Path, status, p))
	}
}

// Violations lists what strict mode found so far, one line a problem:
// "METHOD path -> status: problem".
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// ChatbotIDs lists the chatbot ids key sees through GET my-chatbots at base (a server's URL,
// without /api), in the answer's order; anything but a 200 fails the test.
func ChatbotIDs(tb testing.TB, base, key string) []string {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/chatbots/my-chatbots", nil)
	if err != nil {
		tb.Fatalf("http.NewRequest: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("GET my-chatbots: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET my-chatbots: status %d, want 200", res.StatusCode)
	}
	var body struct {
		Data struct {
			Accounts []struct {
				Chatbots []struct {
					ChatbotID string `json:"chatbotId"`
				} `json:"chatbots"`
			} `json:"accounts"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		tb.Fatalf("GET my-chatbots: decoding the answer: %v", err)
	}
	var ids []string
	for _, a := range body.Data.Accounts {
		for _, c := range a.Chatbots {
			ids = append(ids, c.ChatbotID)
		}
	}
	return ids
}
