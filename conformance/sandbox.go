package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/contextgpt/sandbox/conformance/report"
)

// ControlPlane calls the mock's control plane (/__mock/...): the harness's runner and the
// probe both learn there whether the target is the mock and take their sandboxes there.
type ControlPlane struct {
	Client *http.Client
	Origin string           // scheme://host of the target
	Token  string           // bearer token of the control plane ("": none)
	Red    *report.Redactor // learns each sandbox's key; redacts the answers quoted in errors
}

// Call sends one request (body, when not nil, as JSON) and returns the status and at most
// 1 MiB of the answer. Its error is the client's (*url.Error): the target did not answer.
func (c ControlPlane) Call(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Origin+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, data, err
}

// Sandbox is a fresh account the mock's control plane hands out.
type Sandbox struct {
	AccountID string `json:"accountId"`
	UserID    string `json:"userId"`
	APIKey    string `json:"apiKey"`
	Plan      string `json:"plan"`
}

// CreateSandbox asks POST /__mock/sandboxes for an account of the plan (named name, unless
// empty); the redactor learns its key.
func (c ControlPlane) CreateSandbox(ctx context.Context, plan, name string) (*Sandbox, error) {
	body := map[string]string{"plan": plan}
	if name != "" {
		body["name"] = name
	}
	status, data, err := c.Call(ctx, http.MethodPost, "/__mock/sandboxes", body)
	if err != nil {
		return nil, err
	}
	if status != http.StatusCreated {
		return nil, fmt.Errorf("POST /__mock/sandboxes answered %d: %s", status, c.Red.String(string(data)))
	}
	var sb Sandbox
	if err := json.Unmarshal(data, &sb); err != nil || sb.APIKey == "" || sb.AccountID == "" {
		return nil, fmt.Errorf("POST /__mock/sandboxes: no accountId and apiKey in the answer")
	}
	c.Red.Add(sb.APIKey)
	return &sb, nil
}

// DeleteSandbox removes a sandbox with DELETE /__mock/sandboxes/{accountId}.
func (c ControlPlane) DeleteSandbox(ctx context.Context, accountID string) error {
	status, _, err := c.Call(ctx, http.MethodDelete, "/__mock/sandboxes/"+url.PathEscape(accountID), nil)
	if err != nil {
		return err
	}
	if status != http.StatusNoContent && status != http.StatusOK {
		return fmt.Errorf("DELETE /__mock/sandboxes/%s answered %d", accountID, status)
	}
	return nil
}

// control is the runner's control-plane client.
func (r *Runner) control() ControlPlane {
	return ControlPlane{Client: r.cfg.Client, Origin: r.origin, Token: r.cfg.MockAdminToken, Red: r.red}
}

// createSandbox takes a sandbox of the configured plan; a target that does not answer counts
// as a transport failure of the run.
func (r *Runner) createSandbox(ctx context.Context) (*Sandbox, error) {
	sb, err := r.control().CreateSandbox(ctx, r.cfg.Plan, "")
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		r.noteTransport(err)
	}
	return sb, err
}
