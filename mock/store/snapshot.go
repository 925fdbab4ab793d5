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
// encoded under the read lock, so it is one consistent snapshot even under concurrent writes.
func (s *Store) Export() ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	doc := stateDocument{Version: StateVersion, IDSequence: s.ids.seq}
	doc.Accounts = sortedValues(s.accounts, func(a, b *Account) bool { return a.ID < b.ID })
	doc.Users = sortedValues(s.users, func(a, b *User) bool { return a.ID < b.ID })
	doc.APIKeys = sortedValues(s.keys, func(a, b *APIKey) bool { return a.Key < b.Key })
	doc.Chatbots = sortedValues(s.chatbots, func(a, b *Chatbot) bool { return a.ID < b.ID })
	doc.Threads = sortedValues(s.threads, func(a, b *Thread) bool { return seqBefore(a.Seq, b.Seq, a.ID, b.ID) })
	doc.Messages = sortedValues(s.messages, func(a, b *Message) bool { return seqBefore(a.Seq, b.Seq, a.ID, b.ID) })
	doc.Leads = sortedValues(s.leads, func(a, b *Lead) bool {
		if !a.CapturedAt.Equal(b.CapturedAt) {
			return a.CapturedAt.Before(b.CapturedAt)
		}
		return a.ID < b.ID
	})
	doc.WebhookDeliveries = sortedValues(s.deliveries, func(a, b *Delivery) bool { return seqBefore(a.Seq, b.Seq, a.ID, b.ID) })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("store: export: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
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
	s.ids = ids{seed: s.cfg.Seed, seq: doc.IDSequence}
	s.accounts, s.users, s.keys, s.chatbots = n.accounts, n.users, n.keys, n.chatbots
	s.threads, s.messages, s.leads, s.deliveries = n.threads, n.messages, n.leads, n.deliveries
	s.threadsByBot, s.messagesByThrd, s.deliveriesByBot = n.threadsByBot, n.messagesByThrd, n.deliveriesByBot
	s.pending = nil
	s.mu.Unlock()
	return counts, nil
}

// load fills an empty store from a decoded document, checking ids and references, and
// rebuilds the indexes.
func (n *Store) load(doc *stateDocument) error {
	for i, a := range doc.Accounts {
		if a == nil || a.ID == "" {
			return importErr("accounts[%d]: accountId is missing", i)
		}
		if _, dup := n.accounts[a.ID]; dup {
			return importErr("accounts[%d]: duplicate accountId %s", i, a.ID)
		}
		if _, err := plans.Parse(string(a.Plan)); err != nil {
			return importErr("accounts[%d].plan: %v", i, err)
		}
		n.accounts[a.ID] = a
	}
	for i, u := range doc.Users {
		if u == nil || u.ID == "" {
			return importErr("users[%d]: id is missing", i)
		}
		if _, dup := n.users[u.ID]; dup {
			return importErr("users[%d]: duplicate id %s", i, u.ID)
		}
		if u.Memberships == nil {
			u.Memberships = map[string]Role{}
		}
		for acc, role := range u.Memberships {
			if _, ok := n.accounts[acc]; !ok {
				return importErr("users[%d].memberships: account %s does not exist", i, acc)
			}
			if _, err := ParseRole(string(role)); err != nil {
				return importErr("users[%d].memberships[%s]: %v", i, acc, err)
			}
		}
		n.users[u.ID] = u
	}
	for i, k := range doc.APIKeys {
		if k == nil || k.Key == "" {
			return importErr("apiKeys[%d]: apiKey is missing", i)
		}
		if _, dup := n.keys[k.Key]; dup {
			return importErr("apiKeys[%d]: duplicate apiKey", i)
		}
		u, ok := n.users[k.UserID]
		if !ok {
			return importErr("apiKeys[%d].userId: user %s does not exist", i, k.UserID)
		}
		if _, ok := n.accounts[k.AccountID]; !ok {
			return importErr("apiKeys[%d].accountId: account %s does not exist", i, k.AccountID)
		}
		if _, member := u.Memberships[k.AccountID]; !member {
			return importErr("apiKeys[%d]: user %s is not a member of account %s", i, k.UserID, k.AccountID)
		}
		n.keys[k.Key] = k
	}
	for i, c := range doc.Chatbots {
		if c == nil || c.ID == "" {
			return importErr("chatbots[%d]: chatbotId is missing", i)
		}
		if _, dup := n.chatbots[c.ID]; dup {
			return importErr("chatbots[%d]: duplicate chatbotId %s", i, c.ID)
		}
		if _, ok := n.accounts[c.AccountID]; !ok {
			return importErr("chatbots[%d].accountId: account %s does not exist", i, c.AccountID)
		}
		n.chatbots[c.ID] = c
	}
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
	for i, t := range doc.Threads {
		if t == nil || t.ID == "" {
			return importErr("threads[%d]: id is missing", i)
		}
		if _, dup := n.threads[t.ID]; dup {
			return importErr("threads[%d]: duplicate id %s", i, t.ID)
		}
		if _, ok := n.chatbots[t.ChatbotID]; !ok {
			return importErr("threads[%d].chatbotId: chatbot %s does not exist", i, t.ChatbotID)
		}
		n.threads[t.ID] = t
		n.threadsByBot[t.ChatbotID] = append(n.threadsByBot[t.ChatbotID], t)
	}
	for _, list := range n.threadsByBot {
		sort.Slice(list, func(i, j int) bool { return threadBefore(list[i], list[j]) })
	}
	for i, m := range doc.Messages {
		if m == nil || m.ID == "" {
			return importErr("messages[%d]: id is missing", i)
		}
		if _, dup := n.messages[m.ID]; dup {
			return importErr("messages[%d]: duplicate id %s", i, m.ID)
		}
		t, ok := n.threads[m.ThreadID]
		if !ok {
			return importErr("messages[%d].threadId: thread %s does not exist", i, m.ThreadID)
		}
		if m.ChatbotID != t.ChatbotID {
			return importErr("messages[%d].chatbotId: %s is not the chatbot of thread %s", i, m.ChatbotID, t.ID)
		}
		n.messages[m.ID] = m
		n.messagesByThrd[m.ThreadID] = append(n.messagesByThrd[m.ThreadID], m)
	}
	for _, list := range n.messagesByThrd {
		sort.SliceStable(list, func(i, j int) bool { return seqBefore(list[i].Seq, list[j].Seq, list[i].ID, list[j].ID) })
	}
	for i, l := range doc.Leads {
		if l == nil || l.ID == "" {
			return importErr("leads[%d]: id is missing", i)
		}
		if _, dup := n.leads[l.ID]; dup {
			return importErr("leads[%d]: duplicate id %s", i, l.ID)
		}
		if _, ok := n.chatbots[l.ChatbotID]; !ok {
			return importErr("leads[%d].chatbotId: chatbot %s does not exist", i, l.ChatbotID)
		}
		if l.ThreadID != "" {
			if t, ok := n.threads[l.ThreadID]; !ok || t.ChatbotID != l.ChatbotID {
				return importErr("leads[%d].threadId: thread %s does not exist on chatbot %s", i, l.ThreadID, l.ChatbotID)
			}
		}
		n.leads[l.ID] = l
	}
	for i, d := range doc.WebhookDeliveries {
		if d == nil || d.ID == "" {
			return importErr("webhookDeliveries[%d]: id is missing", i)
		}
		if _, dup := n.deliveries[d.ID]; dup {
			return importErr("webhookDeliveries[%d]: duplicate id %s", i, d.ID)
		}
		if _, ok := n.chatbots[d.ChatbotID]; !ok {
			return importErr("webhookDeliveries[%d].chatbotId: chatbot %s does not exist", i, d.ChatbotID)
		}
		n.deliveries[d.ID] = d
		n.deliveriesByBot[d.ChatbotID] = append(n.deliveriesByBot[d.ChatbotID], d)
	}
	for _, list := range n.deliveriesByBot {
		sort.Slice(list, func(i, j int) bool { return seqBefore(list[j].Seq, list[i].Seq, list[j].ID, list[i].ID) })
	}
	return nil
}
