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
	s.threads[t.ID] = t
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
	list := s.idx.messagesByThrd[t.ID]
	if list == nil {
		list = &seqList[*Message]{}
		s.idx.messagesByThrd[t.ID] = list
	}
	if n := list.Len(); n > 0 && now.Before(list.At(n-1).CreatedAt) {
		now = list.At(n - 1).CreatedAt // never out of order, even if the clock went back
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
	s.use.add(s.use.messages, s.accountOfLocked(m.ChatbotID), 1)
	list.Append(m)
	s.countMessageLocked(t, m)
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
	out.ix = threadIx{}
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

// ThreadFilter selects threads of a list; nil fields do not filter.
type ThreadFilter struct {
	Mode       *string
	Resolved   *bool
	Archived   *bool
	Escalated  *bool
	Important  *bool
	Anonymous  *bool
	LLMModelID *string
}

func (f ThreadFilter) match(t *Thread) bool {
	switch {
	case f.Mode != nil && t.Mode != *f.Mode,
		f.Resolved != nil && t.Resolved != *f.Resolved,
		f.Archived != nil && t.Archived != *f.Archived,
		f.Escalated != nil && t.Escalated != *f.Escalated,
		f.Important != nil && t.Important != *f.Important,
		f.Anonymous != nil && t.Anonymous != *f.Anonymous,
		f.LLMModelID != nil && (t.LLMModel == nil || t.LLMModel.ID != *f.LLMModelID):
		return false
	}
	return true
}

// ThreadPage is one page of a chatbot's threads and the number of threads that match.
type ThreadPage struct {
	Threads []Thread
	Total   int
}

// ListThreads returns one page (page ≥ 1, limit ≥ 1) of a chatbot's threads, newest activity
// first, id as tie-break. Without a filter, or with one, it reads the kept-sorted tree of
// that filter value: a page costs O(log n + limit) and the total O(1), whatever the number
// of threads. With several filters it walks the smallest of their trees, checking the
// others: O(that filter's matches). A page past the end is empty, with the right total.
func (s *Store) ListThreads(chatbotID string, f ThreadFilter, page, limit int) (ThreadPage, error) {
	if page < 1 || limit < 1 {
		return ThreadPage{}, apierr.New(apierr.InvalidFieldValue, "page and limit must be at least 1")
	}
	var out ThreadPage
	err := s.readChatbot(chatbotID, func(*Chatbot) error {
		b := s.idx.threadsByBot[chatbotID]
		if b == nil {
			out.Threads = []Thread{}
			return nil
		}
		trees, empty := b.filterTrees(f)
		if empty {
			out.Threads = []Thread{}
			return nil
		}
		if len(trees) <= 1 {
			tr := b.all
			if len(trees) == 1 {
				tr = trees[0]
			}
			out.Total = tr.Len()
			start, end, ok := pageBounds(out.Total, page, limit)
			out.Threads = make([]Thread, 0, end-start)
			if ok {
				tr.Page(start, end-start, func(t *Thread) { out.Threads = append(out.Threads, cloneThread(t)) })
			}
			return nil
		}
		smallest := trees[0]
		for _, tr := range trees[1:] {
			if tr.Len() < smallest.Len() {
				smallest = tr
			}
		}
		out.Threads = []Thread{}
		skip := 0
		if page-1 <= smallest.Len()/limit {
			skip = (page - 1) * limit
		} else {
			skip = smallest.Len() + 1 // past any possible match
		}
		smallest.Ascend(0, func(t *Thread) bool {
			if f.match(t) {
				if out.Total >= skip && len(out.Threads) < limit {
					out.Threads = append(out.Threads, cloneThread(t))
				}
				out.Total++
			}
			return true
		})
		return nil
	})
	return out, err
}

// filterTrees is the tree of each filter set; empty is true when one of them has no thread
// at all (nothing can match).
func (b *botThreads) filterTrees(f ThreadFilter) (trees []*ostree[*Thread], empty bool) {
	add := func(tr *ostree[*Thread]) {
		if tr == nil || tr.Len() == 0 {
			empty = true
			return
		}
		trees = append(trees, tr)
	}
	if f.Mode != nil {
		add(b.mode[*f.Mode])
	}
	if f.LLMModelID != nil {
		add(b.model[*f.LLMModelID])
	}
	for i, v := range [threadFlags]*bool{f.Resolved, f.Archived, f.Escalated, f.Important, f.Anonymous} {
		if v != nil {
			k := 0
			if *v {
				k = 1
			}
			add(b.flag[i][k])
		}
	}
	return trees, empty
}

// pageBounds is the [start, end) window of a page over n items; ok is false past the end.
// It never overflows, whatever page and limit are.
func pageBounds(n, page, limit int) (start, end int, ok bool) {
	if page-1 > n/limit {
		return 0, 0, false
	}
	start = (page - 1) * limit
	if start >= n {
		return 0, 0, false
	}
	end = start + limit
	if end > n {
		end = n
	}
	return start, end, true
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
		v := s.idx.visitors[visitorKey{chatbotID, *t.VisitorID}]
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

// System message types the store writes.
const (
	SystemEscalated   = "ESCALATED"
	SystemDeEscalated = "DE_ESCALATED"
	SystemReset       = "CONVERSATION_RESET"
)

// ToggleEscalation flips a thread's escalated flag and logs a SYSTEM message saying so
// (activity: the thread moves to the top). Switching it on emits one CONVERSATION_ESCALATED
// event, keyed by the system message, so each false→true flip is one event.
func (s *Store) ToggleEscalation(chatbotID, threadID string) (Thread, Message, error) {
	var thread Thread
	var msg Message
	err := s.withChatbot(chatbotID, func(*Chatbot) error {
		t, err := s.threadLocked(chatbotID, threadID)
		if err != nil {
			return err
		}
		if err := s.roomLocked(chatbotID, 0, 1); err != nil {
			return err
		}
		t.Escalated = !t.Escalated
		kind, text := SystemDeEscalated, "The conversation was handed back to the AI assistant."
		if t.Escalated {
			kind, text = SystemEscalated, "The conversation was handed over to a human agent."
		}
		m := s.appendMessageLocked(t, NewMessage{Role: RoleSystem, SystemMessageType: &kind, Content: text})
		if t.Escalated {
			s.emit(Event{Type: WebhookEventEscalated, ChatbotID: chatbotID,
				Key: "escalated:" + t.ID + ":" + itoa(m.Seq), Data: s.escalationDataLocked(t)})
		}
		thread, msg = cloneThread(t), cloneMessage(m)
		return nil
	})
	return thread, msg, err
}

// escalationDataLocked is the data of a CONVERSATION_ESCALATED event (the spec's
// WebhookConversationEscalatedEvent): the visitor as `user` whenever it is identified
// (it left a name, e-mail or phone; null only for an anonymous visitor), and the lead the
// visitor left in this thread, else its contact fields, else null.
func (s *Store) escalationDataLocked(t *Thread) map[string]any {
	var lead map[string]any
	var newest *Lead
	for _, l := range s.idx.leadsByThread[t.ID] {
		if newest == nil || l.CapturedAt.After(newest.CapturedAt) || l.CapturedAt.Equal(newest.CapturedAt) && l.ID < newest.ID {
			newest = l
		}
	}
	switch {
	case newest != nil:
		lead = map[string]any{"name": optJSON(newest.Name), "email": optJSON(newest.Email), "phone": optJSON(newest.Phone)}
	case t.VisitorName != nil || t.VisitorEmail != nil || t.VisitorPhone != nil:
		lead = map[string]any{"name": optJSON(t.VisitorName), "email": optJSON(t.VisitorEmail), "phone": optJSON(t.VisitorPhone)}
	}
	data := map[string]any{
		"chatbotId":    t.ChatbotID,
		"threadId":     t.ID,
		"dashboardUrl": dashboardBase + t.ChatbotID + "/chat-history/" + t.ID,
		"user":         nil,
		"leadInfo":     nil,
	}
	if lead != nil {
		data["leadInfo"] = lead
	}
	if u := s.visitorUserLocked(t, newest); u != nil {
		data["user"] = u
	}
	return data
}

// visitorUserLocked is the webhook payloads' `user` object of a thread's visitor: id (the
// visitor id), email, name, phone, verified (false: simulated visitors never confirm an
// e-mail), createdAt (when the visitor was first seen in this thread). Nil for
// an anonymous visitor (no contact details on the thread or in its lead).
func (s *Store) visitorUserLocked(t *Thread, lead *Lead) map[string]any {
	name, email, phone := t.VisitorName, t.VisitorEmail, t.VisitorPhone
	if lead != nil {
		name, email, phone = firstSet(lead.Name, name), firstSet(lead.Email, email), firstSet(lead.Phone, phone)
	}
	if name == nil && email == nil && phone == nil {
		return nil
	}
	id := t.ID
	if t.VisitorID != nil {
		id = *t.VisitorID
	}
	first := t.UpdatedAt
	if t.StartedAt != nil {
		first = *t.StartedAt
	}
	return map[string]any{"id": id, "email": optJSON(email), "name": optJSON(name), "phone": optJSON(phone),
		"verified": false, "createdAt": isoTime(first)}
}

func firstSet(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

// optJSON turns a nil *string into an untyped nil, so event data marshals to null.
func optJSON(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// ResetResult is what ResetConversation answers.
type ResetResult struct {
	NewThread   Thread
	OldThreadID string
	Starters    []Starter
	FollowUps   []FollowUp
}

// ResetConversation archives a thread (archived, endedAt now), logs the visitor's "/reset"
// and a SYSTEM confirmation into it, and opens a new thread for the same visitor (its id
// and contact fields copied), returned with the chatbot's starters and follow-up prompts in
// rank order.
func (s *Store) ResetConversation(chatbotID, threadID string) (ResetResult, error) {
	var out ResetResult
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		old, err := s.threadLocked(chatbotID, threadID)
		if err != nil {
			return err
		}
		if err := s.roomLocked(chatbotID, 1, 2); err != nil {
			return err
		}
		s.appendMessageLocked(old, NewMessage{Role: RoleUser, Content: "/reset"})
		kind := SystemReset
		s.appendMessageLocked(old, NewMessage{Role: RoleSystem, SystemMessageType: &kind,
			Content: "The conversation was reset. A new conversation has started."})
		now := s.now()
		old.Archived = true
		if old.EndedAt == nil || now.After(*old.EndedAt) {
			old.EndedAt = &now
		}
		old.UpdatedAt = now
		s.syncThreadLocked(old)
		nt := s.newThreadLocked(c, NewThread{
			VisitorID: clonePtr(old.VisitorID), VisitorName: old.VisitorName, VisitorEmail: old.VisitorEmail,
			VisitorPhone: old.VisitorPhone, Anonymous: &old.Anonymous, PlatformSource: old.PlatformSource,
		})
		out = ResetResult{NewThread: cloneThread(nt), OldThreadID: old.ID, Starters: startersByRank(c), FollowUps: followUpsByRank(c)}
		return nil
	})
	return out, err
}
