package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// The mock's control plane: whether the target is the mock, and the sandboxes (a key and
// an account each) the probe takes there and deletes at the end.

type sandbox struct {
	AccountID string `json:"accountId"`
	APIKey    string `json:"apiKey"`
}

func (s *session) control(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(mustJSON(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, s.p.origin+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if t := s.p.cfg.MockAdminToken; t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	resp, err := s.p.cfg.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, data, err
}

func (s *session) detectMock(ctx context.Context) (bool, string, error) {
	status, data, err := s.control(ctx, http.MethodGet, "/__mock/health", nil)
	if err != nil {
		return false, "", fmt.Errorf("target unreachable: %w", err)
	}
	var h struct {
		Service string `json:"service"`
		Limits  string `json:"limits"`
	}
	if status != http.StatusOK || json.Unmarshal(data, &h) != nil || h.Service != "contextgpt-mock" {
		return false, "", nil
	}
	return true, h.Limits, nil
}

func (s *session) sandbox(ctx context.Context, plan string) (*sandbox, error) {
	status, data, err := s.control(ctx, http.MethodPost, "/__mock/sandboxes", map[string]string{"plan": plan, "name": "probe"})
	if err != nil {
		return nil, err
	}
	var sb sandbox
	if status != http.StatusCreated || json.Unmarshal(data, &sb) != nil || sb.APIKey == "" {
		return nil, fmt.Errorf("POST /__mock/sandboxes answered %d: %s", status, s.p.red.String(string(data)))
	}
	s.p.red.Add(sb.APIKey)
	s.sandboxes = append(s.sandboxes, sb.AccountID)
	return &sb, nil
}

func (s *session) deleteSandboxes(ctx context.Context) {
	for _, id := range s.sandboxes {
		if status, _, err := s.control(ctx, http.MethodDelete, "/__mock/sandboxes/"+url.PathEscape(id), nil); err != nil || (status != http.StatusNoContent && status != http.StatusOK) {
			msg := fmt.Sprintf("sandbox %s not deleted (status %d, %v)", id, status, err)
			if s.rep.Error == "" {
				s.rep.Error = msg
			}
		}
	}
	s.sandboxes = nil
}
