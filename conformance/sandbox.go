package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// sandbox is a fresh account the mock's control plane hands out.
type sandbox struct {
	AccountID string `json:"accountId"`
	UserID    string `json:"userId"`
	APIKey    string `json:"apiKey"`
	Plan      string `json:"plan"`
}

// createSandbox asks POST /__mock/sandboxes for an account of the configured plan.
func (r *Runner) createSandbox(ctx context.Context) (*sandbox, error) {
	body, _ := json.Marshal(map[string]string{"plan": r.cfg.Plan})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.origin+"/__mock/sandboxes", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	r.adminAuth(req)
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		r.noteTransport(err)
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("POST /__mock/sandboxes answered %d: %s", resp.StatusCode, r.red.String(string(data)))
	}
	var sb sandbox
	if err := json.Unmarshal(data, &sb); err != nil || sb.APIKey == "" || sb.AccountID == "" {
		return nil, fmt.Errorf("POST /__mock/sandboxes: no accountId and apiKey in the answer")
	}
	r.red.Add(sb.APIKey)
	return &sb, nil
}

// deleteSandbox removes a sandbox with DELETE /__mock/sandboxes/{accountId}.
func (r *Runner) deleteSandbox(ctx context.Context, accountID string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, r.origin+"/__mock/sandboxes/"+url.PathEscape(accountID), nil)
	if err != nil {
		return err
	}
	r.adminAuth(req)
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("DELETE /__mock/sandboxes/%s answered %d", accountID, resp.StatusCode)
	}
	return nil
}
