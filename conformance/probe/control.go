package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/contextgpt/sandbox/conformance"
)

// The mock's control plane: whether the target is the mock, and the sandboxes (a key and
// an account each) the probe takes there and deletes at the end.

// control is the session's control-plane client.
func (s *session) control() conformance.ControlPlane {
	return conformance.ControlPlane{Client: s.p.cfg.Client, Origin: s.p.origin, Token: s.p.cfg.MockAdminToken, Red: s.p.red}
}

func (s *session) detectMock(ctx context.Context) (bool, string, error) {
	status, data, err := s.control().Call(ctx, http.MethodGet, "/__mock/health", nil)
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

// sandbox takes a sandbox of the plan, deleted at the end of the probe.
func (s *session) sandbox(ctx context.Context, plan string) (*conformance.Sandbox, error) {
	sb, err := s.control().CreateSandbox(ctx, plan, "probe")
	if err != nil {
		return nil, err
	}
	s.sandboxes = append(s.sandboxes, sb.AccountID)
	return sb, nil
}

func (s *session) deleteSandboxes(ctx context.Context) {
	for _, id := range s.sandboxes {
		if err := s.control().DeleteSandbox(ctx, id); err != nil {
			if s.rep.Error == "" {
				s.rep.Error = fmt.Sprintf("sandbox %s not deleted: %v", id, err)
			}
		}
	}
	s.sandboxes = nil
}
