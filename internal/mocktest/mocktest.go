// Package mocktest serves the mock for the tests of the packages that drive it from outside
// (the harness, the probe, the compat tools, the commands, the browser tests): the setup
// each of them wrote again, in one place. It is imported by tests only.
package mocktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/contextgpt/sandbox/conformance/arazzo"
	"github.com/contextgpt/sandbox/mock"
	"github.com/contextgpt/sandbox/scenarios"
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

// ChatbotIDs lists the chatbot ids of the key's accounts: the accounts from GET
// my-chatbots, each account's chatbots from its all-chatbots, which is not cached (my-chatbots
// is, for 10 minutes: a run that deletes a sandbox mid-way clears that cache, and a later
// my-chatbots call can cache a chatbot the run deletes afterwards).
func ChatbotIDs(tb testing.TB, base, key string) []string {
	tb.Helper()
	get := func(path string, v any) {
		tb.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			tb.Fatalf("http.NewRequest: %v", err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			tb.Fatalf("GET %s: %v", path, err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			tb.Fatalf("GET %s: status %d, want 200", path, res.StatusCode)
		}
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			tb.Fatalf("GET %s: decoding the answer: %v", path, err)
		}
	}
	var mine struct {
		Data struct {
			Accounts []struct {
				AccountID string `json:"accountId"`
			} `json:"accounts"`
		} `json:"data"`
	}
	get("/api/v1/chatbots/my-chatbots", &mine)
	var ids []string
	for _, a := range mine.Data.Accounts {
		var all struct {
			Data struct {
				Chatbots []struct {
					ChatbotID string `json:"chatbotId"`
				} `json:"chatbots"`
			} `json:"data"`
		}
		get("/api/v1/chatbots/account/"+a.AccountID+"/all-chatbots", &all)
		for _, c := range all.Data.Chatbots {
			ids = append(ids, c.ChatbotID)
		}
	}
	return ids
}

// Suite loads the built-in scenario suite (the embedded scenarios/ folder).
func Suite(tb testing.TB) []*arazzo.Document {
	tb.Helper()
	docs, err := arazzo.LoadFS(scenarios.FS, ".", "scenarios")
	if err != nil {
		tb.Fatalf("loading the built-in suite: %v", err)
	}
	return docs
}

// Call sends a request to url with key as the bearer key (none when "") and body, when not
// nil, as JSON; it returns the status and the body. A request that cannot be sent fails the
// test.
func Call(tb testing.TB, method, url, key string, body any) (int, []byte) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatalf("json.Marshal: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		tb.Fatalf("http.NewRequest: %v", err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading the answer: %v", method, url, err)
	}
	return resp.StatusCode, data
}
