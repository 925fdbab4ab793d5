package store

import "time"

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
}

// internMessage points an imported message's repeated values at shared copies: its
// thread's id and chatbot id as the thread table holds them.
func internMessage(m *Message, threadID, chatbotID string) {
	m.ThreadID, m.ChatbotID = threadID, chatbotID
	m.Role, m.MessageType = internWord(m.Role), internWord(m.MessageType)
}

// threadOwned is where a thawed Thread's optional values live (threadtable.go): its
// *string, *time.Time and *LLMModel fields point here, its strings into the record's data,
// so decoding a thread allocates nothing but the Thread. The store replaces such a pointer
// to change a value and never writes through one, so a Thread copied out (whose pointers
// still name these) never sees a later write.
type threadOwned struct {
	visitorID, title, platformSource, internalNotes string
	visitorName, visitorEmail, visitorPhone         string
	botIcon, userIcon, agentIcon, bubbleIcon        string
	startedAt, endedAt                              time.Time
	model                                           LLMModel
}
