// Package faults holds the mock's fault rules: what API requests they match, what they do
// (a status, latency, a dropped connection, a malformed body), and when they fire (the next N
// matches, or with a probability drawn from a seeded generator: same seed, same sequence).
package faults

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Match is what a rule acts on; every field given must match, an empty Match matches all.
type Match struct {
	OperationID string `json:"operationId,omitempty"`
	Method      string `json:"method,omitempty"`
	PathPrefix  string `json:"pathPrefix,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
}

// Action is what a rule does; Latency combines with the others.
type Action struct {
	Status        int    `json:"status,omitempty"`
	Latency       string `json:"latency,omitempty"`
	Drop          bool   `json:"drop,omitempty"`
	MalformedBody bool   `json:"malformedBody,omitempty"`
}

// Delay is the action's latency (0 when none or unparsable; Add refuses bad durations).
func (a Action) Delay() time.Duration {
	if a.Latency == "" {
		return 0
	}
	d, _ := time.ParseDuration(a.Latency)
	return d
}

// Rule is a fault rule as the control plane shows it.
type Rule struct {
	ID          string    `json:"id"`
	Match       Match     `json:"match"`
	Action      Action    `json:"action"`
	Times       *int      `json:"times"`
	Remaining   *int      `json:"remaining"`
	Probability *float64  `json:"probability"`
	Hits        int       `json:"hits"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Request is what rules are matched against.
type Request struct {
	OperationID string
	Method      string
	Path        string
	AccountID   string
}

// Set is the ordered list of rules of one mock; safe for concurrent use.
type Set struct {
	mu    sync.Mutex
	seed  int64
	rng   *rand.Rand
	rules []*Rule
	next  int
}

// NewSet returns an empty set whose probabilities are drawn from a generator seeded by seed.
func NewSet(seed int64) *Set {
	s := &Set{seed: seed}
	s.rng = newRand(seed)
	return s
}

func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x5eed_fa17))
}

// MaxLatency is the longest latency a rule or a Prefer header may inject (the server's
// write timeout sits above it).
const MaxLatency = 10 * time.Minute

// Validate checks a rule's own fields (not whether its operationId exists).
func Validate(r Rule) error {
	a := r.Action
	if a.Status == 0 && a.Latency == "" && !a.Drop && !a.MalformedBody {
		return errors.New("action: give at least one of status, latency, drop, malformedBody")
	}
	if a.Status != 0 && (a.Status < 400 || a.Status > 599) {
		return fmt.Errorf("action.status: %d is not between 400 and 599", a.Status)
	}
	if a.Latency != "" {
		d, err := time.ParseDuration(a.Latency)
		if err != nil {
			return fmt.Errorf("action.latency: %w", err)
		}
		if d < 0 {
			return fmt.Errorf("action.latency: %s is negative", a.Latency)
		}
		if d > MaxLatency {
			return fmt.Errorf("action.latency: %s is longer than %s, the most the mock holds a request", a.Latency, MaxLatency)
		}
	}
	if a.Drop && (a.Status != 0 || a.MalformedBody) {
		return errors.New("action: drop answers nothing, so it does not combine with status or malformedBody")
	}
	if r.Match.PathPrefix != "" && !strings.HasPrefix(r.Match.PathPrefix, "/") {
		return fmt.Errorf("match.pathPrefix: %q does not start with /", r.Match.PathPrefix)
	}
	if r.Times != nil && *r.Times < 1 {
		return fmt.Errorf("times: %d is below 1", *r.Times)
	}
	if p := r.Probability; p != nil && (*p < 0 || *p > 1) {
		return fmt.Errorf("probability: %v is not between 0 and 1", *p)
	}
	return nil
}

// Add appends a rule (after Validate) and returns it with its id, counters and createdAt.
func (s *Set) Add(r Rule, now time.Time) (Rule, error) {
	if err := Validate(r); err != nil {
		return Rule{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	r.ID = fmt.Sprintf("fault-%d", s.next)
	r.Hits = 0
	r.Match.Method = strings.ToUpper(r.Match.Method)
	r.Remaining = nil
	if r.Times != nil {
		n := *r.Times
		r.Times, r.Remaining = &n, ptr(n)
	}
	if r.Probability != nil {
		r.Probability = ptr(*r.Probability)
	}
	r.CreatedAt = now.UTC()
	s.rules = append(s.rules, &r)
	return copyRule(&r), nil
}

// List returns every rule in creation order.
func (s *Set) List() []Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Rule, 0, len(s.rules))
	for _, r := range s.rules {
		out = append(out, copyRule(r))
	}
	return out
}

// Delete removes a rule; it reports whether the rule existed.
func (s *Set) Delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if r.ID == id {
			s.rules = append(s.rules[:i], s.rules[i+1:]...)
			return true
		}
	}
	return false
}

// Reset removes every rule and restarts the probability sequence from the seed.
func (s *Set) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = nil
	s.rng = newRand(s.seed)
}

// Empty reports whether there are no rules (a fast path for every request).
func (s *Set) Empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rules) == 0
}

// Fire finds the first rule, in creation order, that matches req and fires: a spent rule
// never fires, a rule with a probability fires when its draw succeeds. The rule's counters
// move; the returned copy is the rule as it acted.
func (s *Set) Fire(req Request) (Rule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rules {
		if !r.matches(req) || (r.Remaining != nil && *r.Remaining == 0) {
			continue
		}
		if r.Probability != nil && s.rng.Float64() >= *r.Probability {
			continue
		}
		if r.Remaining != nil {
			*r.Remaining--
		}
		r.Hits++
		return copyRule(r), true
	}
	return Rule{}, false
}

func (r *Rule) matches(req Request) bool {
	m := r.Match
	return (m.OperationID == "" || m.OperationID == req.OperationID) &&
		(m.Method == "" || m.Method == req.Method) &&
		(m.PathPrefix == "" || strings.HasPrefix(req.Path, m.PathPrefix)) &&
		(m.AccountID == "" || m.AccountID == req.AccountID)
}

func copyRule(r *Rule) Rule {
	out := *r
	if r.Times != nil {
		out.Times = ptr(*r.Times)
	}
	if r.Remaining != nil {
		out.Remaining = ptr(*r.Remaining)
	}
	if r.Probability != nil {
		out.Probability = ptr(*r.Probability)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
