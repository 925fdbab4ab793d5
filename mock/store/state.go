package store

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/contextgpt/sandbox/mock/plans"
)

// Event is something webhooks (and tests) may observe: NEW_MESSAGE, CONVERSATION_ESCALATED,
// NEW_LEAD. Key identifies the source event, so it is dispatched at most once.
type Event struct {
	Type      string
	ChatbotID string
	Key       string
	Data      map[string]any
}

// Config sets up a Store.
type Config struct {
	Seed int64
	// RandomKeys draws API keys from crypto/rand; false derives them from Seed and the id
	// sequence (reproducible, and so guessable by whoever knows the seed).
	RandomKeys bool
	Now        func() time.Time
	Plans      map[plans.Plan]plans.Limits
	// Caps bound what clients can make the store hold; a zero field means DefaultCaps'.
	Caps Caps
	// OnEvent receives events after the change that caused them is committed, outside
	// the store's lock. It must not block for long.
	OnEvent func(Event)
}

// Store is the mock's whole domain state behind one lock. Every method is safe for
// concurrent use and returns copies, never pointers into the state.
type Store struct {
	mu      sync.RWMutex
	cfg     Config
	ids     ids
	pending []Event
	gen     atomic.Uint64 // write transactions so far (Generation)

	accounts   map[string]*Account
	users      map[string]*User
	keys       map[string]*APIKey
	chatbots   map[string]*Chatbot
	threads    *threadTable
	messages   *msgTable
	leads      map[string]*Lead
	deliveries map[string]*Delivery

	// Derived indexes, rebuilt on import, kept current by every write.
	idx indexes
	use usage // threads and messages by account (Caps), rebuilt on import
}

// New returns an empty store.
func New(cfg Config) *Store {
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Plans == nil {
		cfg.Plans = plans.Documented()
	}
	cfg.Caps = cfg.Caps.withDefaults()
	s := &Store{cfg: cfg}
	s.clear()
	return s
}

func (s *Store) clear() {
	s.ids = ids{seed: s.cfg.Seed, randomKeys: s.cfg.RandomKeys}
	s.accounts = map[string]*Account{}
	s.users = map[string]*User{}
	s.keys = map[string]*APIKey{}
	s.chatbots = map[string]*Chatbot{}
	s.threads = newThreadTable()
	s.messages = newMsgTable(s.threads)
	s.leads = map[string]*Lead{}
	s.deliveries = map[string]*Delivery{}
	s.idx = newIndexes(s.threads)
	s.use = newUsage()
}

// SetOnEvent replaces the event hook (the mock wires webhooks after building the store).
func (s *Store) SetOnEvent(f func(Event)) {
	s.mu.Lock()
	s.cfg.OnEvent = f
	s.mu.Unlock()
}

// Plans returns the plan table in force.
func (s *Store) Plans() map[plans.Plan]plans.Limits {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[plans.Plan]plans.Limits, len(s.cfg.Plans))
	for k, v := range s.cfg.Plans {
		out[k] = v
	}
	return out
}

func (s *Store) now() time.Time { return s.cfg.Now().UTC() }

// update runs fn under the write lock, then hands the events fn emitted to OnEvent.
// A panic in fn releases the lock (and drops fn's events) before it goes on up to the
// mock's recover, so one failed request does not hang every later one.
func (s *Store) update(fn func() error) error {
	var (
		err  error
		evs  []Event
		hook func(Event)
	)
	func() {
		s.mu.Lock()
		s.beginWriteLocked()
		defer func() {
			s.endWriteLocked()
			s.gen.Add(1)
			evs, s.pending = s.pending, nil
			hook = s.cfg.OnEvent
			s.mu.Unlock()
		}()
		err = fn()
	}()
	if hook != nil {
		for _, e := range evs {
			hook(e)
		}
	}
	return err
}

// beginWriteLocked and endWriteLocked bracket a write (under the write lock): threads and
// messages decoded in between are kept, and what the write changed of them goes back into
// their records at the end (threadtable.go).
func (s *Store) beginWriteLocked() {
	s.threads.begin()
	s.messages.begin()
}

func (s *Store) endWriteLocked() {
	s.threads.freeze()
	s.messages.freeze()
}

// view runs fn under the read lock.
func (s *Store) view(fn func() error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn()
}

// emit queues an event; call only inside update.
func (s *Store) emit(e Event) { s.pending = append(s.pending, e) }

func ptr[T any](v T) *T { return &v }

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
