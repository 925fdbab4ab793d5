package store

import (
	"strings"
	"time"
)

// Records share one copy of the values many of them repeat (their chatbot's and thread's
// ids, modes, roles, message types, the default platform source) instead of each holding
// its own: a store of 100,000 threads is some 200,000 objects fewer for every garbage
// collection to mark. Values are unchanged (snapshots round-trip byte for byte), and the
// store never writes through a shared pointer: it replaces pointers, as with every *string.

// apiSource is the platformSource of threads created without one.
var apiSource = ptr("api")

// words are the short values records repeat.
var words = func() map[string]string {
	m := map[string]string{}
	for _, w := range []string{ModeAI, ModeAgent, ModeHuman, RoleUser, RoleAssistant, RoleAgentMsg, RoleSystem,
		"USER_MESSAGE", "AI_MESSAGE", "AGENT_MESSAGE", "SYSTEM_MESSAGE"} {
		m[w] = w
	}
	return m
}()

// internWord is s, as the shared copy when it is one of words.
func internWord(s string) string {
	if w, ok := words[s]; ok {
		return w
	}
	return s
}

// internThreadLocked points an imported thread's repeated values at shared copies.
func (s *Store) internThreadLocked(t *Thread) {
	if c := s.chatbots[t.ChatbotID]; c != nil {
		t.ChatbotID = c.ID
	}
	t.Mode = internWord(t.Mode)
	compactThread(t)
}

// internMessage points an imported message's repeated values at shared copies (t is its
// thread).
func internMessage(m *Message, t *Thread) {
	if t != nil {
		m.ThreadID, m.ChatbotID = t.ID, t.ChatbotID
	}
	m.Role, m.MessageType = internWord(m.Role), internWord(m.MessageType)
}

// A thread's own values are one allocation. A thread made from a request would otherwise
// be some eleven heap objects (the record, its id, and for each of visitor id, title,
// visitor name and e-mail a string and the *string pointing at it, plus its start time),
// and every garbage collection marks each of them: with a store growing by thousands of
// threads a second, that marking is what made requests wait (BenchmarkMemory's
// objects/thread). compactThread copies the strings into one block and points the *string
// fields at a copy of their values kept in the record itself (threadOwned). Those copies are
// written once, here: the store replaces a *string to change a value, never writes through
// one, so a Thread copied out (whose pointers still name the record's copies) never sees a
// later write.
type threadOwned struct {
	visitorID, title, visitorName, visitorEmail, visitorPhone, platformSource string
	startedAt                                                                time.Time
}

// compactThread gives t's own strings one block and its optional values a place in t (see
// threadOwned). Call it before t.ID is a key anywhere: the keys must be the block's copy.
func compactThread(t *Thread) {
	fields := [...]struct {
		p   **string
		own *string
	}{
		{&t.VisitorID, &t.own.visitorID}, {&t.Title, &t.own.title}, {&t.VisitorName, &t.own.visitorName},
		{&t.VisitorEmail, &t.own.visitorEmail}, {&t.VisitorPhone, &t.own.visitorPhone},
		{&t.PlatformSource, &t.own.platformSource},
	}
	if t.PlatformSource != nil && *t.PlatformSource == *apiSource {
		t.PlatformSource = apiSource
		fields[len(fields)-1].p = nil // shared already
	}
	n := len(t.ID)
	for _, f := range fields {
		if f.p != nil && *f.p != nil {
			n += len(**f.p)
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(t.ID)
	for _, f := range fields {
		if f.p != nil && *f.p != nil {
			b.WriteString(**f.p)
		}
	}
	block := b.String()
	cut := func(n int) string {
		s := block[:n]
		block = block[n:]
		return s
	}
	t.ID = cut(len(t.ID))
	for _, f := range fields {
		if f.p != nil && *f.p != nil {
			*f.own = cut(len(**f.p))
			*f.p = f.own
		}
	}
	if t.StartedAt != nil {
		t.own.startedAt = *t.StartedAt
		t.StartedAt = &t.own.startedAt
	}
}
