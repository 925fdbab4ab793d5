package apierr

import (
	"errors"
	"net/http"
	"testing"
)

func TestStatusComesFromTheTable(t *testing.T) {
	cases := map[string]int{
		ChatbotNotFound:        http.StatusNotFound,
		MissingRequiredField:   http.StatusBadRequest,
		RateLimitExceeded:      http.StatusTooManyRequests,
		InvalidRequest:         http.StatusBadRequest,
		AdminForbidden:         http.StatusForbidden,
		LeadCollectionDisabled: http.StatusConflict,
		NotASandbox:            http.StatusConflict,
		"NO_SUCH_CODE":         http.StatusInternalServerError,
	}
	for code, want := range cases {
		if got := New(code, "x").Status(); got != want {
			t.Errorf("%s: status %d, want %d", code, got, want)
		}
	}
	if got := (&Error{Code: SinkConfiguredFailure, StatusOverride: 503}).Status(); got != 503 {
		t.Errorf("override: status %d, want 503", got)
	}
}

func TestEveryCodeIsAnErrorStatus(t *testing.T) {
	for code, status := range Codes() {
		if status < 400 || status > 599 {
			t.Errorf("%s maps to %d, not an error status", code, status)
		}
	}
}

func TestAsKeepsTheCauseOfAnUnexpectedError(t *testing.T) {
	cause := errors.New("disk full")
	e := As(cause)
	if e.Code != InternalServerError || e.Status() != http.StatusInternalServerError {
		t.Fatalf("As(plain error) = %s/%d, want INTERNAL_SERVER_ERROR/500", e.Code, e.Status())
	}
	if !errors.Is(e, cause) {
		t.Fatal("the cause is not reachable with errors.Is")
	}
	coded := New(ThreadNotFound, "Thread not found")
	if got := As(coded); got != coded || got.Cause != nil {
		t.Fatal("As(*Error) must return the error itself, with no cause")
	}
}
