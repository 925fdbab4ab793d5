package limits

import (
	"sync"
	"time"

	"github.com/contextgpt/sandbox/mock/plans"
)

// Kind names a limit, as the 429's details report it.
type Kind string

// The limits of the DESIGN table.
const (
	KindPerIP             Kind = "perIP"
	KindPerUser           Kind = "perUser"
	KindUploadConcurrency Kind = "uploadConcurrency"
	KindMessagesPerMin    Kind = "messagesPerMinute"
	KindAIRepliesPerMin   Kind = "aiRepliesPerMinute"
	KindMessagesPerMonth  Kind = "messagesPerMonth"
)

// Set is every limiter of one mock, built from a Config.
type Set struct {
	cfg     *Config
	PerIP   *Window
	PerUser *Window
	Uploads *Concurrency
	Plans   *Plans
}

// New builds the limiters of cfg.
func New(cfg *Config) *Set {
	return &Set{
		cfg:     cfg,
		PerIP:   NewWindow(cfg.PerIP.Requests, cfg.PerIP.Window),
		PerUser: NewWindow(cfg.PerUser.Requests, cfg.PerUser.Window),
		Uploads: NewConcurrency(cfg.UploadConcurrency),
		Plans:   NewPlans(cfg.Plans, cfg.PlanWindow),
	}
}

// Config is the configuration the set was built from.
func (s *Set) Config() *Config { return s.cfg }

// Reset forgets every counted event (requests in flight stay counted until they finish).
func (s *Set) Reset() {
	s.PerIP.Reset()
	s.PerUser.Reset()
	s.Plans.Reset()
}

// Plans are the plan limits per account: messages/min, AI replies/min (sliding windows) and
// messages/month (calendar month of the clock). Charges are all or nothing.
type Plans struct {
	mu       sync.Mutex
	table    map[plans.Plan]plans.Limits
	window   time.Duration
	messages map[plans.Plan]*Window
	replies  map[plans.Plan]*Window
	monthly  *Monthly
}

// NewPlans builds the plan limiters of a plan table.
func NewPlans(table map[plans.Plan]plans.Limits, window time.Duration) *Plans {
	p := &Plans{table: table, window: window, messages: map[plans.Plan]*Window{}, replies: map[plans.Plan]*Window{}, monthly: NewMonthly()}
	for plan, l := range table {
		p.messages[plan] = NewWindow(l.MessagesPerMin, window)
		p.replies[plan] = NewWindow(l.AIRepliesPerMin, window)
	}
	return p
}

// Charge counts messages and AI replies for an account on a plan at now, all or none. When a
// limit is spent it returns that limit's refusal and kind (the one that frees last when
// several are spent) and counts nothing.
func (p *Plans) Charge(account string, plan plans.Plan, now time.Time, messages, replies int) (Decision, Kind, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	lim, ok := p.table[plan]
	if !ok {
		return Decision{Allowed: true, Limit: Unlimited, Remaining: Unlimited}, "", true
	}
	type check struct {
		kind Kind
		d    Decision
	}
	var checks []check
	if messages > 0 {
		checks = append(checks, check{KindMessagesPerMin, p.messages[plan].Check(account, now, messages)})
		checks = append(checks, check{KindMessagesPerMonth, p.monthly.Check(account, now, messages, lim.MessagesPerMonth)})
	}
	if replies > 0 {
		checks = append(checks, check{KindAIRepliesPerMin, p.replies[plan].Check(account, now, replies)})
	}
	var refused *check
	for i := range checks {
		c := &checks[i]
		if !c.d.Allowed && (refused == nil || c.d.RetryAfter > refused.d.RetryAfter) {
			refused = c
		}
	}
	if refused != nil {
		return refused.d, refused.kind, false
	}
	best := Decision{Allowed: true, Limit: Unlimited, Remaining: Unlimited}
	var kind Kind
	consider := func(k Kind, d Decision) {
		if d.Limit >= 0 && (best.Limit < 0 || d.Remaining < best.Remaining) {
			best, kind = d, k
		}
	}
	if messages > 0 {
		consider(KindMessagesPerMin, p.messages[plan].Commit(account, now, messages))
		consider(KindMessagesPerMonth, p.monthly.Commit(account, now, messages, lim.MessagesPerMonth))
	}
	if replies > 0 {
		consider(KindAIRepliesPerMin, p.replies[plan].Commit(account, now, replies))
	}
	best.Allowed = true
	return best, kind, true
}

// Forget drops what an account has counted; its sliding windows empty themselves and are
// swept, the monthly count would stay for good.
func (p *Plans) Forget(account string) {
	p.monthly.Forget(account)
}

// Reset forgets every count.
func (p *Plans) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.messages {
		w.Reset()
	}
	for _, w := range p.replies {
		w.Reset()
	}
	p.monthly.Reset()
}
