package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/contextgpt/sandbox/mock/plans"
)

// StateVersion is the format version of the state document.
const StateVersion = 1

// stateDocument is the exported domain state (mock-admin.yaml's StateDocument): each
// collection in a fixed order, so the same state always gives the same bytes.
type stateDocument struct {
	Version           int         `json:"version"`
	IDSequence        uint64      `json:"idSequence"`
	Accounts          []*Account  `json:"accounts"`
	Users             []*User     `json:"users"`
	APIKeys           []*APIKey   `json:"apiKeys"`
	Chatbots          []*Chatbot  `json:"chatbots"`
	Threads           []*Thread   `json:"threads"`
	Messages          []*Message  `json:"messages"`
	Leads             []*Lead     `json:"leads"`
	WebhookDeliveries []*Delivery `json:"webhookDeliveries"`
}

// collections names the document's arrays, in order, for import checks and counts.
var collections = []string{"accounts", "users", "apiKeys", "chatbots", "threads", "messages", "leads", "webhookDeliveries"}

// Export returns the whole domain state as one JSON document (accounts by id, users by id,
// keys by key, chatbots by id with everything they own, threads, messages and deliveries in
// creation order, leads by capture time and id), with the id generator's position. It is
// one consistent snapshot even under concurrent writes: the records are copied under the
// read lock and encoded after it is released, so writers wait for the copy only.
func (s *Store) Export() ([]byte, error) {
	doc := s.snapshot()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("store: export: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Generation counts the store's write transactions and imports: a saver compares it to
// the last one it saved to know whether anything changed.
func (s *Store) Generation() uint64 { return s.gen.Load() }

// snapshot is a deep copy of the state document, taken under the read lock.
func (s *Store) snapshot() stateDocument {
	s.mu.RLock()
	defer s.mu.RUnlock()
	doc := stateDocument{Version: StateVersion, IDSequence: s.ids.seq}
	doc.Accounts = sortedValues(s.accounts, func(a, b *Account) bool { return a.ID < b.ID })
	doc.Users = sortedValues(s.users, func(a, b *User) bool { return a.ID < b.ID })
	doc.APIKeys = sortedValues(s.keys, func(a, b *APIKey) bool { return a.Key < b.Key })
	doc.Chatbots = sortedValues(s.chatbots, func(a, b *Chatbot) bool { return a.ID < b.ID })
	doc.Threads = make([]*Thread, 0, s.threads.Len())
	s.threads.each(func(row int32, _, _ string) { doc.Threads = append(doc.Threads, s.threads.at(row)) })
	sort.Slice(doc.Threads, func(i, j int) bool {
		a, b := doc.Threads[i], doc.Threads[j]
		return seqBefore(a.Seq, b.Seq, a.ID, b.ID)
	})
	doc.Messages = make([]*Message, 0, s.messages.Len())
	s.messages.each(func(row int32, _ string) { doc.Messages = append(doc.Messages, s.messages.at(row)) })
	sort.Slice(doc.Messages, func(i, j int) bool {
		a, b := doc.Messages[i], doc.Messages[j]
		return seqBefore(a.Seq, b.Seq, a.ID, b.ID)
	})
	doc.Leads = sortedValues(s.leads, func(a, b *Lead) bool {
		if !a.CapturedAt.Equal(b.CapturedAt) {
			return a.CapturedAt.Before(b.CapturedAt)
		}
		return a.ID < b.ID
	})
	doc.WebhookDeliveries = sortedValues(s.deliveries, func(a, b *Delivery) bool { return seqBefore(a.Seq, b.Seq, a.ID, b.ID) })
	return deepCopy(doc)
}

func seqBefore(a, b uint64, ida, idb string) bool {
	if a != b {
		return a < b
	}
	return ida < idb
}

func sortedValues[T any](m map[string]*T, less func(a, b *T) bool) []*T {
	out := make([]*T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

// ImportError says what is wrong with a state document.
type ImportError struct {
	Msg string
}

func (e *ImportError) Error() string { return e.Msg }

func importErr(format string, args ...any) error {
	return &ImportError{Msg: fmt.Sprintf(format, args...)}
}

// Import replaces the whole domain state with a document as Export writes it, and moves the
// id generator to its idSequence. It checks the version, every collection's presence,
// duplicate ids and every reference, and changes nothing when the document is not valid
// (an *ImportError). It returns how many records of each collection it imported.
func (s *Store) Import(data []byte) (map[string]int, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, importErr("the document is not a JSON object: %v", err)
	}
	for _, name := range append([]string{"version", "idSequence"}, collections...) {
		v, ok := raw[name]
		if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			return nil, importErr("%s: missing", name)
		}
	}
	var doc stateDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, importErr("%v", err)
	}
	if doc.Version != StateVersion {
		return nil, importErr("version: %d is not supported; want %d", doc.Version, StateVersion)
	}
	n := &Store{cfg: s.cfg}
	n.clear()
	n.ids.seq = doc.IDSequence
	if err := n.load(&doc); err != nil {
		return nil, err
	}
	counts := map[string]int{
		"accounts": len(doc.Accounts), "users": len(doc.Users), "apiKeys": len(doc.APIKeys),
		"chatbots": len(doc.Chatbots), "threads": len(doc.Threads), "messages": len(doc.Messages),
		"leads": len(doc.Leads), "webhookDeliveries": len(doc.WebhookDeliveries),
	}
	s.mu.Lock()
	s.ids = ids{seed: s.cfg.Seed, seq: doc.IDSequence, randomKeys: s.cfg.RandomKeys}
	s.accounts, s.users, s.keys, s.chatbots = n.accounts, n.users, n.keys, n.chatbots
	s.threads, s.messages, s.leads, s.deliveries = n.threads, n.messages, n.leads, n.deliveries
	s.idx = n.idx
	s.rebuildUsageLocked()
	s.pending = nil
	s.gen.Add(1)
	s.mu.Unlock()
	return counts, nil
}

// problem is what is wrong with one record of a state document: field (".plan", or empty
// for the record as a whole) and what.
type problem struct{ field, msg string }

func problemf(field, format string, args ...any) *problem {
	return &problem{field: field, msg: fmt.Sprintf(format, args...)}
}

// loadStep is one collection of the state document as load reads it: each record must have
// an id, not repeat one, and pass check (its references, its enums); put stores it and its
// index entries. secretID keeps the id out of the duplicate message (API keys).
type loadStep struct {
	run func() error
}

func loadCollection[T any](name, idName string, list []*T, secretID bool, id func(*T) string, has func(string) bool,
	check func(*T) *problem, put func(*T)) loadStep {
	return loadStep{run: func() error {
		for i, x := range list {
			if x == nil || id(x) == "" {
				return importErr("%s[%d]: %s is missing", name, i, idName)
			}
			if has(id(x)) {
				if secretID {
					return importErr("%s[%d]: duplicate %s", name, i, idName)
				}
				return importErr("%s[%d]: duplicate %s %s", name, i, idName, id(x))
			}
			if check != nil {
				if p := check(x); p != nil {
					return importErr("%s[%d]%s: %s", name, i, p.field, p.msg)
				}
			}
			put(x)
		}
		return nil
	}}
}

func has[T any](m map[string]*T) func(string) bool {
	return func(id string) bool { _, ok := m[id]; return ok }
}

// load fills an empty store from a decoded document, checking ids and references, in the
// order references point (accounts, users, keys, chatbots, threads, messages, leads,
// deliveries), and builds the indexes as it goes.
func (n *Store) load(doc *stateDocument) error {
	// Not a write for the thread table: load changes no thread once added (threads
	// are encoded as they are added, and later steps only read them).
	for _, st := range append(n.tenantSteps(doc), n.contentSteps(doc)...) {
		if err := st.run(); err != nil {
			return err
		}
	}
	if err := n.checkLaterFields(doc); err != nil {
		return err
	}
	n.indexMessagesLocked()
	return nil
}

// tenantSteps load who uses the store: accounts, users and their keys.
func (n *Store) tenantSteps(doc *stateDocument) []loadStep {
	return []loadStep{
		loadCollection("accounts", "accountId", doc.Accounts, false, func(a *Account) string { return a.ID }, has(n.accounts),
			func(a *Account) *problem {
				if _, err := plans.Parse(string(a.Plan)); err != nil {
					return problemf(".plan", "%v", err)
				}
				return nil
			},
			func(a *Account) { n.accounts[a.ID] = a }),
		loadCollection("users", "id", doc.Users, false, func(u *User) string { return u.ID }, has(n.users),
			func(u *User) *problem {
				if u.Memberships == nil {
					u.Memberships = map[string]Role{}
				}
				for acc, role := range u.Memberships {
					if _, ok := n.accounts[acc]; !ok {
						return problemf(".memberships", "account %s does not exist", acc)
					}
					if _, err := ParseRole(string(role)); err != nil {
						return problemf(".memberships["+acc+"]", "%v", err)
					}
				}
				return nil
			},
			func(u *User) { n.users[u.ID] = u }),
		loadCollection("apiKeys", "apiKey", doc.APIKeys, true, func(k *APIKey) string { return k.Key }, has(n.keys),
			func(k *APIKey) *problem {
				u, ok := n.users[k.UserID]
				if !ok {
					return problemf(".userId", "user %s does not exist", k.UserID)
				}
				if _, ok := n.accounts[k.AccountID]; !ok {
					return problemf(".accountId", "account %s does not exist", k.AccountID)
				}
				if _, member := u.Memberships[k.AccountID]; !member {
					return problemf("", "user %s is not a member of account %s", k.UserID, k.AccountID)
				}
				return nil
			},
			func(k *APIKey) { n.keys[k.Key] = k }),
	}
}

// contentSteps load what the accounts own: chatbots (with their lists), threads,
// messages, leads and webhook deliveries, indexing each as it goes.
func (n *Store) contentSteps(doc *stateDocument) []loadStep {
	return []loadStep{
		loadCollection("chatbots", "chatbotId", doc.Chatbots, false, func(c *Chatbot) string { return c.ID }, has(n.chatbots),
			func(c *Chatbot) *problem {
				if _, ok := n.accounts[c.AccountID]; !ok {
					return problemf(".accountId", "account %s does not exist", c.AccountID)
				}
				return n.checkOwned(c)
			},
			func(c *Chatbot) {
				n.chatbots[c.ID] = c
				n.indexChatbotLocked(c)
				n.indexOwnedLocked(c)
			}),
		loadCollection("threads", "id", doc.Threads, false, func(t *Thread) string { return t.ID }, func(id string) bool { return n.threads.row(id) != 0 },
			func(t *Thread) *problem {
				if _, ok := n.chatbots[t.ChatbotID]; !ok {
					return problemf(".chatbotId", "chatbot %s does not exist", t.ChatbotID)
				}
				if !validMode(t.Mode) {
					return problemf(".mode", "mode %q is not AI, AGENT or HUMAN", t.Mode)
				}
				return seqProblem(t.Seq, doc.IDSequence)
			},
			func(t *Thread) {
				n.internThreadLocked(t)
				n.threads.add(t)
				n.indexThreadLocked(t)
				n.countSessionLocked(t)
			}),
		loadCollection("messages", "id", doc.Messages, false, func(m *Message) string { return m.ID }, func(id string) bool { return n.messages.row(id) != 0 },
			func(m *Message) *problem {
				row := n.threads.row(m.ThreadID)
				if row == 0 {
					return problemf(".threadId", "thread %s does not exist", m.ThreadID)
				}
				if bot := n.threads.chatbotOf(n.threads.rec(row).fields()); m.ChatbotID != bot {
					return problemf(".chatbotId", "%s is not the chatbot of thread %s", m.ChatbotID, m.ThreadID)
				}
				switch m.Role {
				case RoleUser, RoleAssistant, RoleAgentMsg, RoleSystem:
				default:
					return problemf(".role", "role %q is not user, assistant, AGENT or SYSTEM", m.Role)
				}
				if p := seqProblem(m.Seq, doc.IDSequence); p != nil {
					return p
				}
				return nil
			},
			func(m *Message) {
				r := n.threads.rec(n.threads.row(m.ThreadID))
				internMessage(m, r.id(), n.threads.chatbotOf(r.fields()))
				n.messages.add(m)
			}),
		loadCollection("leads", "id", doc.Leads, false, func(l *Lead) string { return l.ID }, has(n.leads),
			func(l *Lead) *problem {
				if _, ok := n.chatbots[l.ChatbotID]; !ok {
					return problemf(".chatbotId", "chatbot %s does not exist", l.ChatbotID)
				}
				if l.ThreadID != "" {
					if t, ok := n.threads.get(l.ThreadID); !ok || t.ChatbotID != l.ChatbotID {
						return problemf(".threadId", "thread %s does not exist on chatbot %s", l.ThreadID, l.ChatbotID)
					}
				}
				return nil
			},
			func(l *Lead) {
				n.leads[l.ID] = l
				n.indexLeadLocked(l)
			}),
		loadCollection("webhookDeliveries", "id", doc.WebhookDeliveries, false, func(d *Delivery) string { return d.ID }, has(n.deliveries),
			func(d *Delivery) *problem {
				if _, ok := n.chatbots[d.ChatbotID]; !ok {
					return problemf(".chatbotId", "chatbot %s does not exist", d.ChatbotID)
				}
				return nil
			},
			n.insertDeliveryLocked),
	}
}

// checkLaterFields checks per-chatbot membership and add-ons (fields the documents of
// earlier versions lack), once every collection is in.
func (n *Store) checkLaterFields(doc *stateDocument) error {
	for i, u := range doc.Users {
		for botID, role := range u.ChatbotRoles {
			c, ok := n.chatbots[botID]
			if !ok {
				return importErr("users[%d].chatbotRoles: chatbot %s does not exist", i, botID)
			}
			if _, member := u.Memberships[c.AccountID]; !member {
				return importErr("users[%d].chatbotRoles: chatbot %s belongs to account %s, which the user is not a member of", i, botID, c.AccountID)
			}
			if _, err := ParseRole(string(role)); err != nil {
				return importErr("users[%d].chatbotRoles[%s]: %v", i, botID, err)
			}
		}
	}
	for i, a := range doc.Accounts {
		for _, x := range a.Addons {
			if _, ok := plans.ParseAddon(x); !ok || x != strings.ToLower(x) {
				return importErr("accounts[%d].addons: unknown add-on %q", i, x)
			}
		}
	}
	return nil
}

// indexMessagesLocked builds each thread's chronological message list (by Seq, id as
// tie-break) and its visitor's counts, once every message is loaded.
func (n *Store) indexMessagesLocked() {
	byThread := map[int32][]int32{}
	n.messages.each(func(row int32, _ string) {
		th := n.messages.rec(row).thread
		byThread[th] = append(byThread[th], row)
	})
	var scratch thawedMessage
	for thread, list := range byThread {
		sort.Slice(list, func(i, j int) bool {
			a, b := n.messages.rec(list[i]), n.messages.rec(list[j])
			return seqBefore(a.seq, b.seq, a.id, b.id)
		})
		sl := &seqList[int32]{}
		t := n.threads.at(thread)
		for _, row := range list {
			sl.Append(row)
			n.countMessageLocked(t, n.messages.view(row, &scratch))
		}
		n.idx.messagesByThrd[thread] = sl
	}
}

// seqProblem refuses a record's seq past the document's idSequence: the store numbers what
// it makes from there on, and a message list is kept in seq order, so a later message with a
// smaller seq than an imported one would page out of order.
func seqProblem(seq, idSequence uint64) *problem {
	if seq > idSequence {
		return problemf(".seq", "seq %d is past the document's idSequence %d", seq, idSequence)
	}
	return nil
}
