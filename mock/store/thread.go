package store

import (
	"encoding/json"
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

// touchThreadLocked records activity on a thread and moves it to its new place in its
// chatbot's order: O(log n) per index it sits in.
func (s *Store) touchThreadLocked(t *Thread, at time.Time) {
	t.LastActivity = at
	t.UpdatedAt = at
	s.syncThreadLocked(t)
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
	// VisitorID continues a known visitor (reset conversation); nil means a new visitor.
	VisitorID *string
}

// CreateThread opens a thread on a chatbot. Without a mode it starts in the chatbot's
// chat-start mode (settings chatStart: ai → AI, agent → AGENT).
func (s *Store) CreateThread(chatbotID string, in NewThread) (Thread, error) {
	var out Thread
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		if err := s.roomLocked(chatbotID, 1, 0); err != nil {
			return err
		}
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
	var visitor string
	if in.VisitorID != nil {
		visitor = *in.VisitorID
	} else {
		visitor = s.ids.uuid()
	}
	anonymous := in.VisitorName == nil && in.VisitorEmail == nil && in.VisitorPhone == nil
	if in.Anonymous != nil {
		anonymous = *in.Anonymous
	}
	source := in.PlatformSource
	if source == nil {
		source = apiSource
	}
	t := &Thread{
		ID: s.freshUUIDLocked(), ChatbotID: c.ID, VisitorID: &visitor, Title: in.Title, Mode: internWord(mode),
		Anonymous: anonymous, Tags: []string{}, PlatformSource: source, StartedAt: &now, UpdatedAt: now,
		VisitorName: in.VisitorName, VisitorEmail: in.VisitorEmail, VisitorPhone: in.VisitorPhone,
		LastActivity: now, Seq: s.ids.next(),
	}
	if c.Appearance != nil {
		t.BotIconSrc = docString(c.Appearance, "botIconSrc")
		t.UserIconSrc = docString(c.Appearance, "userIconSrc")
		t.AgentIconSrc = docString(c.Appearance, "agentIconSrc")
		t.BubbleIconSrc = docString(c.Appearance, "bubbleIconSrc")
	}
	s.threads.add(t)
	s.use.add(s.use.threads, c.AccountID, 1)
	s.indexThreadLocked(t)
	s.countSessionLocked(t)
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
	list := s.idx.messagesByThrd[t.row]
	if list == nil {
		list = &seqList[int32]{}
		s.idx.messagesByThrd[t.row] = list
	}
	if n := list.Len(); n > 0 {
		var scratch thawedMessage
		if last := s.messages.view(list.At(n-1), &scratch).CreatedAt; now.Before(last) {
			now = last // never out of order, even if the clock went back
		}
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
		ID: s.freshUUIDLocked(), ThreadID: t.ID, ChatbotID: t.ChatbotID, MessageType: msgType,
		SystemMessageType: in.SystemMessageType, Content: in.Content, ContentTimestamp: &now, Role: internWord(in.Role),
		AgentName: in.AgentName, ParentMessageID: in.ParentMessageID, Source: in.Source,
		CreatedAt: now, UpdatedAt: now, Seq: s.ids.next(),
	}
	s.messages.add(m)
	s.use.add(s.use.messages, s.accountOfLocked(m.ChatbotID), 1)
	list.Append(m.row)
	s.countMessageLocked(t, m)
	if in.Role == RoleUser {
		t.UnreadMessagesCount++
	}
	s.touchThreadLocked(t, now)
	return m
}

// threadLocked finds a thread of a chatbot (404 RESOURCE_NOT_FOUND otherwise).
func (s *Store) threadLocked(chatbotID, threadID string) (*Thread, error) {
	t, ok := s.threads.get(threadID)
	if !ok || t.ChatbotID != chatbotID {
		return nil, apierr.New(apierr.ResourceNotFound, "Thread not found")
	}
	return t, nil
}

// cloneThread is a copy of t that shares nothing with it: its optional values are copied
// into one new threadOwned (t may be a scratch Thread the next decode overwrites).
func cloneThread(t *Thread) Thread {
	out := *t
	out.ix, out.row = threadIx{}, 0
	out.Tags = append([]string{}, t.Tags...)
	o := &threadOwned{}
	out.VisitorID = copyInto(t.VisitorID, &o.visitorID)
	out.Title = copyInto(t.Title, &o.title)
	out.PlatformSource = copyInto(t.PlatformSource, &o.platformSource) // the shared apiSource too: a copy shares nothing
	out.InternalNotes = copyInto(t.InternalNotes, &o.internalNotes)
	out.VisitorName = copyInto(t.VisitorName, &o.visitorName)
	out.VisitorEmail = copyInto(t.VisitorEmail, &o.visitorEmail)
	out.VisitorPhone = copyInto(t.VisitorPhone, &o.visitorPhone)
	out.BotIconSrc = copyInto(t.BotIconSrc, &o.botIcon)
	out.UserIconSrc = copyInto(t.UserIconSrc, &o.userIcon)
	out.AgentIconSrc = copyInto(t.AgentIconSrc, &o.agentIcon)
	out.BubbleIconSrc = copyInto(t.BubbleIconSrc, &o.bubbleIcon)
	out.StartedAt = copyInto(t.StartedAt, &o.startedAt)
	out.EndedAt = copyInto(t.EndedAt, &o.endedAt)
	out.LLMModel = copyInto(t.LLMModel, &o.model)
	return out
}

// copyInto copies *p into dst and returns dst, or nil when p is.
func copyInto[T any](p *T, dst *T) *T {
	if p == nil {
		return nil
	}
	*dst = *p
	return dst
}

// cloneMessage is a copy of m that shares nothing with it (m may be a scratch Message the
// next decode overwrites): its optional values are copied into one new messageOwned.
func cloneMessage(m *Message) Message {
	out := *m
	out.row = 0
	if m.Source != nil {
		out.Source = append([]MessageSource{}, m.Source...)
	}
	o := &messageOwned{}
	out.SystemMessageType = copyInto(m.SystemMessageType, &o.systemType)
	out.AgentName = copyInto(m.AgentName, &o.agentName)
	out.ParentMessageID = copyInto(m.ParentMessageID, &o.parent)
	out.LLMModelID = copyInto(m.LLMModelID, &o.model)
	out.Reaction = copyInto(m.Reaction, &o.reaction)
	out.EditedBy = copyInto(m.EditedBy, &o.editedBy)
	out.ContentTimestamp = copyInto(m.ContentTimestamp, &o.contentAt)
	out.EditedAt = copyInto(m.EditedAt, &o.editedAt)
	return out
}

// dashboardBase is where CONVERSATION_ESCALATED events point (the reference's dashboard).
const dashboardBase = "https://app.contextgpt.co/"

// Thread reads one thread of a chatbot (404 RESOURCE_NOT_FOUND otherwise).
func (s *Store) Thread(chatbotID, threadID string) (Thread, error) {
	var out Thread
	err := s.readChatbot(chatbotID, func(*Chatbot) error {
		t, err := s.threadLocked(chatbotID, threadID)
		if err != nil {
			return err
		}
		out = cloneThread(t)
		return nil
	})
	return out, err
}

// ThreadDetails is a thread with what the store knows of its visitor. The visitor's
// sessions are the chatbot's threads of that visitor; its messages are the ones it sent
// (role user) in them; first seen is the earliest start of those threads, last seen the
// latest of their starts and the visitor's messages. Without a visitor id they are nil.
type ThreadDetails struct {
	Thread
	VisitorIsIdentified  bool
	VisitorTotalSessions *int
	VisitorTotalMessages *int
	VisitorFirstSeenAt   *time.Time
	VisitorLastSeenAt    *time.Time
}

// ThreadDetails reads one thread with its visitor's statistics.
func (s *Store) ThreadDetails(chatbotID, threadID string) (ThreadDetails, error) {
	var out ThreadDetails
	err := s.readChatbot(chatbotID, func(*Chatbot) error {
		t, err := s.threadLocked(chatbotID, threadID)
		if err != nil {
			return err
		}
		out.Thread = cloneThread(t)
		out.VisitorIsIdentified = t.VisitorName != nil || t.VisitorEmail != nil || t.VisitorPhone != nil
		if t.VisitorID == nil {
			return nil
		}
		v := s.idx.visitors.get(visitorKey{chatbotID, *t.VisitorID})
		sessions, messages, first, last := v.sessions, v.messages, v.first, v.last
		out.VisitorTotalSessions, out.VisitorTotalMessages = &sessions, &messages
		if !first.IsZero() {
			out.VisitorFirstSeenAt, out.VisitorLastSeenAt = &first, &last
		}
		return nil
	})
	return out, err
}

// OptString is a field of a partial update: left out (Set false), sent as null (Set, Value
// nil) or sent with a value.
type OptString struct {
	Set   bool
	Value *string
}

// UnmarshalJSON records that the field was sent; encoding/json calls it for null too.
func (o *OptString) UnmarshalJSON(b []byte) error {
	o.Set = true
	o.Value = nil
	if string(b) == "null" {
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

// ThreadUpdate is one item of UpdateThreads; nil (or unset) fields stay.
type ThreadUpdate struct {
	ThreadID      string    `json:"threadId"`
	Resolved      *bool     `json:"resolved"`
	Archived      *bool     `json:"archived"`
	Escalated     *bool     `json:"escalated"`
	Important     *bool     `json:"important"`
	Mode          *string   `json:"mode"`
	Tags          *[]string `json:"tags"`
	Title         OptString `json:"title"`
	InternalNotes OptString `json:"internalNotes"`
}

// UpdateThreads applies a batch of status updates, all or nothing: every item is checked
// first (a thread of another chatbot, or none, is 404 RESOURCE_NOT_FOUND and nothing
// changes). It returns each item's thread as it stands after that item, in order.
// Archiving sets endedAt (un-archiving clears it). A status change is not activity: the
// thread keeps its place in the list. Setting escalated here sends no event and logs no
// system message (the escalate toggle does both).
func (s *Store) UpdateThreads(chatbotID string, items []ThreadUpdate) ([]Thread, error) {
	if len(items) == 0 {
		return nil, apierr.New(apierr.MissingRequiredField, "At least one thread update is required")
	}
	var out []Thread
	err := s.withChatbot(chatbotID, func(*Chatbot) error {
		targets := make([]*Thread, len(items))
		for i, in := range items {
			if in.ThreadID == "" {
				return apierr.New(apierr.MissingRequiredField, "threadId is required (item %d)", i).
					WithDetails(map[string]any{"index": i, "field": "threadId"})
			}
			if in.Mode != nil && !validMode(*in.Mode) {
				return apierr.New(apierr.InvalidFieldValue, "mode must be AI, AGENT or HUMAN (item %d)", i).
					WithDetails(map[string]any{"index": i, "field": "mode"})
			}
			t, err := s.threadLocked(chatbotID, in.ThreadID)
			if err != nil {
				return apierr.New(apierr.ResourceNotFound, "Thread %s not found", in.ThreadID).
					WithDetails(map[string]any{"index": i, "threadId": in.ThreadID})
			}
			targets[i] = t
		}
		now := s.now()
		out = make([]Thread, 0, len(items))
		for i, in := range items {
			t := targets[i]
			if in.Resolved != nil {
				t.Resolved = *in.Resolved
			}
			if in.Archived != nil && *in.Archived != t.Archived {
				t.Archived = *in.Archived
				if t.Archived {
					t.EndedAt = &now
				} else {
					t.EndedAt = nil
				}
			}
			if in.Escalated != nil {
				t.Escalated = *in.Escalated
			}
			if in.Important != nil {
				t.Important = *in.Important
			}
			if in.Mode != nil {
				t.Mode = *in.Mode
			}
			if in.Tags != nil {
				t.Tags = append([]string{}, (*in.Tags)...)
			}
			if in.Title.Set {
				t.Title = clonePtr(in.Title.Value)
			}
			if in.InternalNotes.Set {
				t.InternalNotes = clonePtr(in.InternalNotes.Value)
			}
			t.UpdatedAt = now
			s.syncThreadLocked(t)
			out = append(out, cloneThread(t))
		}
		return nil
	})
	return out, err
}

func validMode(m string) bool { return m == ModeAI || m == ModeAgent || m == ModeHuman }
