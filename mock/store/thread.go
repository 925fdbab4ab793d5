package store

import (
	"sort"
	"time"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// Thread modes and message roles as the API spells them.
const (
	ModeAI    = "AI"
	ModeAgent = "AGENT"
	ModeHuman = "HUMAN"

	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleAgentMsg  = "AGENT"
	RoleSystem    = "SYSTEM"
)

// threadBefore orders threads newest activity first, id as tie-break.
func threadBefore(a, b *Thread) bool {
	if !a.LastActivity.Equal(b.LastActivity) {
		return a.LastActivity.After(b.LastActivity)
	}
	return a.ID > b.ID
}

// insertThreadLocked adds a thread at its place in the chatbot's order.
func (s *Store) insertThreadLocked(t *Thread) {
	s.threads[t.ID] = t
	list := s.threadsByBot[t.ChatbotID]
	i := sort.Search(len(list), func(i int) bool { return threadBefore(t, list[i]) })
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = t
	s.threadsByBot[t.ChatbotID] = list
}

// touchThreadLocked records activity on a thread and moves it to its new place.
func (s *Store) touchThreadLocked(t *Thread, at time.Time) {
	list := s.threadsByBot[t.ChatbotID]
	for i, x := range list {
		if x == t {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	s.threadsByBot[t.ChatbotID] = list
	t.LastActivity = at
	t.UpdatedAt = at
	s.insertThreadLocked(t)
}

// NewThread is the input of CreateThread.
type NewThread struct {
	Title          *string
	VisitorName    *string
	VisitorEmail   *string
	VisitorPhone   *string
	Anonymous      *bool
	PlatformSource *string
	Mode           string // AI or AGENT; empty means the chatbot's chat-start mode
}

// CreateThread opens a thread on a chatbot. Without a mode it starts in the chatbot's
// chat-start mode (settings chatStart: ai → AI, agent → AGENT).
func (s *Store) CreateThread(chatbotID string, in NewThread) (Thread, error) {
	var out Thread
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		t := s.newThreadLocked(c, in)
		out = cloneThread(t)
		return nil
	})
	return out, err
}

func (s *Store) newThreadLocked(c *Chatbot, in NewThread) *Thread {
	now := s.now()
	mode := in.Mode
	if mode == "" {
		mode = ModeAI
		if cs, _ := c.Settings["chatStart"].(string); cs == "agent" {
			mode = ModeAgent
		}
	}
	visitor := s.ids.uuid()
	anonymous := in.VisitorName == nil && in.VisitorEmail == nil && in.VisitorPhone == nil
	if in.Anonymous != nil {
		anonymous = *in.Anonymous
	}
	source := in.PlatformSource
	if source == nil {
		source = ptr("api")
	}
	t := &Thread{
		ID: s.ids.uuid(), ChatbotID: c.ID, VisitorID: &visitor, Title: clonePtr(in.Title), Mode: mode,
		Anonymous: anonymous, Tags: []string{}, PlatformSource: source, StartedAt: &now, UpdatedAt: now,
		VisitorName: clonePtr(in.VisitorName), VisitorEmail: clonePtr(in.VisitorEmail), VisitorPhone: clonePtr(in.VisitorPhone),
		LastActivity: now, Seq: s.ids.next(),
	}
	if c.Appearance != nil {
		t.BotIconSrc = docString(c.Appearance, "botIconSrc")
		t.UserIconSrc = docString(c.Appearance, "userIconSrc")
		t.AgentIconSrc = docString(c.Appearance, "agentIconSrc")
		t.BubbleIconSrc = docString(c.Appearance, "bubbleIconSrc")
	}
	s.insertThreadLocked(t)
	return t
}

func docString(d Doc, key string) *string {
	if v, ok := d[key].(string); ok {
		return &v
	}
	return nil
}

// NewMessage is the input of appendMessageLocked.
type NewMessage struct {
	Role              string
	MessageType       string
	SystemMessageType *string
	Content           string
	AgentName         *string
	ParentMessageID   *string
	Source            []MessageSource
}

// appendMessageLocked adds a message at the end of a thread and records the activity.
func (s *Store) appendMessageLocked(t *Thread, in NewMessage) *Message {
	now := s.now()
	if last := s.messagesByThrd[t.ID]; len(last) > 0 && now.Before(last[len(last)-1].CreatedAt) {
		now = last[len(last)-1].CreatedAt // never out of order, even if the clock went back
	}
	msgType := in.MessageType
	if msgType == "" {
		switch in.Role {
		case RoleUser:
			msgType = "USER_MESSAGE"
		case RoleAssistant:
			msgType = "AI_MESSAGE"
		case RoleAgentMsg:
			msgType = "AGENT_MESSAGE"
		default:
			msgType = "SYSTEM_MESSAGE"
		}
	}
	m := &Message{
		ID: s.ids.uuid(), ThreadID: t.ID, ChatbotID: t.ChatbotID, MessageType: msgType,
		SystemMessageType: in.SystemMessageType, Content: in.Content, ContentTimestamp: &now, Role: in.Role,
		AgentName: in.AgentName, ParentMessageID: in.ParentMessageID, Source: in.Source,
		CreatedAt: now, UpdatedAt: now, Seq: s.ids.next(),
	}
	s.messages[m.ID] = m
	s.messagesByThrd[t.ID] = append(s.messagesByThrd[t.ID], m)
	if in.Role == RoleUser {
		t.UnreadMessagesCount++
	}
	s.touchThreadLocked(t, now)
	return m
}

// threadLocked finds a thread of a chatbot (404 RESOURCE_NOT_FOUND otherwise).
func (s *Store) threadLocked(chatbotID, threadID string) (*Thread, error) {
	t, ok := s.threads[threadID]
	if !ok || t.ChatbotID != chatbotID {
		return nil, apierr.New(apierr.ResourceNotFound, "Thread not found")
	}
	return t, nil
}

func cloneThread(t *Thread) Thread {
	out := *t
	out.Tags = append([]string{}, t.Tags...)
	if t.LLMModel != nil {
		m := *t.LLMModel
		out.LLMModel = &m
	}
	return out
}

func cloneMessage(m *Message) Message {
	out := *m
	if m.Source != nil {
		out.Source = append([]MessageSource{}, m.Source...)
	}
	return out
}
