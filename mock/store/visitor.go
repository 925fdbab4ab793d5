package store

import (
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/plans"
)

// SimulatedModelID is the llmModelId of simulated AI replies.
const SimulatedModelID = "mock-bm25"

// DefaultEscalationMessage is the system message of an escalation when the human-support
// settings have no confirmation message.
const DefaultEscalationMessage = "The conversation was handed over to a human agent."

// defaultHumanPhrases ask for a human in any chatbot; the human-support settings'
// requestHumanSupportPrompt adds its own.
var defaultHumanPhrases = []string{
	"talk to a human", "speak to a human", "speak with a human", "talk with a human", "chat with a human",
	"talk to a person", "speak to a person", "talk to someone", "speak to someone", "real person",
	"human agent", "live agent", "speak to an agent", "talk to an agent", "speak with an agent",
	"customer service representative", "customer support representative", "a representative",
	"human support", "human being", "connect me to a human", "transfer me to a human",
}

// WantsHuman tells whether a visitor's text asks for a human: one of the default phrases,
// the human-support settings' requestHumanSupportPrompt, or the message of a follow-up
// prompt marked esclate. Matching ignores case, punctuation and repeated spaces.
func WantsHuman(text string, humanSupport Doc, followUps []FollowUp) bool {
	t := normalizePhrase(text)
	if t == "" {
		return false
	}
	phrases := append([]string{}, defaultHumanPhrases...)
	if p, _ := humanSupport["requestHumanSupportPrompt"].(string); strings.TrimSpace(p) != "" {
		phrases = append(phrases, p)
	}
	for _, f := range followUps {
		if f.Esclate && f.ButtonMessage != nil {
			phrases = append(phrases, *f.ButtonMessage)
		}
	}
	padded := " " + t + " "
	for _, p := range phrases {
		if n := normalizePhrase(p); n != "" && strings.Contains(padded, " "+n+" ") {
			return true
		}
	}
	return false
}

func normalizePhrase(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r > 127:
			b.WriteRune(r)
		case r == '\'' || r == '’':
		default:
			b.WriteRune(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// OpenVisitorThread opens a thread as a visitor opening the widget would (in the chatbot's
// chat-start mode) and returns it with the chatbot's starters by rank.
func (s *Store) OpenVisitorThread(chatbotID string, in NewThread) (Thread, []Starter, error) {
	var t Thread
	var starters []Starter
	err := s.withChatbot(chatbotID, func(c *Chatbot) error {
		if in.PlatformSource == nil {
			in.PlatformSource = ptr("website")
		}
		if err := s.roomLocked(chatbotID, 1, 0); err != nil {
			return err
		}
		in.Mode = ""
		t = cloneThread(s.newThreadLocked(c, in))
		starters = startersByRank(c)
		return nil
	})
	return t, starters, err
}

func startersByRank(c *Chatbot) []Starter {
	out := make([]Starter, 0, len(c.Starters))
	for _, st := range c.Starters {
		x := *st
		x.ButtonTitle, x.ButtonMessage, x.LinkText, x.LinkSrc = clonePtr(st.ButtonTitle), clonePtr(st.ButtonMessage), clonePtr(st.LinkText), clonePtr(st.LinkSrc)
		out = append(out, x)
	}
	return out // the store keeps the list in rank order
}

func followUpsByRank(c *Chatbot) []FollowUp {
	out := make([]FollowUp, 0, len(c.FollowUps))
	for _, f := range c.FollowUps {
		x := *f
		x.ButtonTitle, x.ButtonMessage, x.LinkText, x.LinkSrc = clonePtr(f.ButtonTitle), clonePtr(f.ButtonMessage), clonePtr(f.LinkText), clonePtr(f.LinkSrc)
		out = append(out, x)
	}
	return out // the store keeps the list in rank order
}

// VisitorContext is what a visitor message's handling reads before anything is stored:
// the plan to charge, the thread's mode, and what the simulated reply depends on.
type VisitorContext struct {
	ChatbotID   string
	ChatbotName string
	AccountID   string
	Plan        plans.Plan
	Thread      Thread
	// Knowledge is the text snippet ("" when none).
	Knowledge   string
	Persona     *Persona
	Instruction *Instruction
	// Settings, LeadSettings and HumanSupport are copies (nil when not created).
	Settings     Doc
	LeadSettings Doc
	HumanSupport Doc
	FollowUps    []FollowUp
	// VisitorMessages is how many visitor messages the thread holds.
	VisitorMessages int
}

// conversationCap is the chatbot's per-conversation visitor message cap: its
// maxMessagesPerConversation when limitMessagesPerConversation is on (ok false otherwise).
func conversationCap(settings Doc) (int, bool) {
	on, _ := settings["limitMessagesPerConversation"].(bool)
	if !on {
		return 0, false
	}
	switch n := settings["maxMessagesPerConversation"].(type) {
	case float64:
		return int(n), true
	case int:
		return n, true
	}
	return 20, true // the documented default
}

// ConversationLimitError is the refusal of a visitor message past the cap, or nil.
func (v VisitorContext) ConversationLimitError() error {
	limit, on := conversationCap(v.Settings)
	if !on || v.VisitorMessages < limit {
		return nil
	}
	return conversationLimitError(v.ChatbotID, limit)
}

func conversationLimitError(chatbotID string, limit int) error {
	return apierr.New(apierr.ConversationLimitReached,
		"Message limit reached: this conversation allows %d messages. Please start a new conversation.", limit).
		WithDetails(map[string]any{"chatbotId": chatbotID, "maxMessagesPerConversation": limit, "startNewConversation": true})
}

// visitorMessagesLocked counts a thread's visitor messages.
func (s *Store) visitorMessagesLocked(t *Thread) int {
	n := 0
	if list := s.idx.messagesByThrd[t.row]; list != nil {
		list.Each(func(row int32) {
			if s.messages.isUser(row) {
				n++
			}
		})
	}
	return n
}

// AIAnswers tells whether the thread gets an AI reply: AI mode and not escalated.
func (v VisitorContext) AIAnswers() bool { return v.Thread.Mode == ModeAI && !v.Thread.Escalated }

// HumanSupportOn tells whether the human-support settings exist with enableHumanSupport
// on: a visitor escalates only then (asking for a human, or a lead with
// autoEscalateOnLeadCapture).
func (v VisitorContext) HumanSupportOn() bool {
	on, _ := v.HumanSupport["enableHumanSupport"].(bool)
	return v.HumanSupport != nil && on
}

// LeadCollection tells whether lead settings say enableLeadCollection.
func (v VisitorContext) LeadCollection() bool {
	on, _ := v.LeadSettings["enableLeadCollection"].(bool)
	return on
}

// visitorThreadLocked finds a thread of a chatbot (404 CHATBOT_NOT_FOUND, THREAD_NOT_FOUND).
func (s *Store) visitorThreadLocked(chatbotID, threadID string) (*Chatbot, *Thread, error) {
	c, ok := s.chatbots[chatbotID]
	if !ok {
		return nil, nil, apierr.New(apierr.ChatbotNotFound, "no chatbot %s", chatbotID)
	}
	t, ok := s.threads.get(threadID)
	if !ok || t.ChatbotID != chatbotID {
		return nil, nil, apierr.New(apierr.ThreadNotFound, "no thread %s in chatbot %s", threadID, chatbotID)
	}
	return c, t, nil
}

// VisitorContextOf reads a visitor thread's context.
func (s *Store) VisitorContextOf(chatbotID, threadID string) (VisitorContext, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, t, err := s.visitorThreadLocked(chatbotID, threadID)
	if err != nil {
		return VisitorContext{}, err
	}
	v := VisitorContext{ChatbotID: c.ID, ChatbotName: c.Name, AccountID: c.AccountID, Thread: cloneThread(t),
		Settings: copyDoc(c.Settings), LeadSettings: copyDoc(c.LeadSettings), HumanSupport: copyDoc(c.HumanSupport),
		FollowUps: followUpsByRank(c), VisitorMessages: s.visitorMessagesLocked(t)}
	if a, ok := s.accounts[c.AccountID]; ok {
		v.Plan = a.Plan
	}
	if c.TextSnippet != nil && c.TextSnippet.Description != nil {
		v.Knowledge = *c.TextSnippet.Description
	}
	if active := s.idx.activePersonas[c.ID]; len(active) > 0 {
		x := clonePersona(active[0])
		v.Persona = &x
	}
	if active := s.idx.activeInstr[c.ID]; len(active) > 0 {
		x := cloneInstruction(active[0])
		v.Instruction = &x
	}
	return v, nil
}

// copyDoc copies a settings document one level deep (enough for reading).
func copyDoc(d Doc) Doc {
	if d == nil {
		return nil
	}
	out := make(Doc, len(d))
	for k, v := range d {
		out[k] = v
	}
	return out
}

// VisitorReply is the simulated AI reply to store after the visitor's message.
type VisitorReply struct {
	Content string
	Sources []MessageSource
}

// VisitorTurn is one visitor message and what the caller decided about it.
type VisitorTurn struct {
	Content string
	// Reply is stored only when the thread still answers with AI after the message (AI
	// mode, not escalated by this or an earlier message).
	Reply *VisitorReply
	// Escalate asks for a human.
	Escalate bool
	// Lead is contact details found in the text (recorded when lead collection is on).
	Lead LeadInput
}

// VisitorOutcome is what a visitor message did.
type VisitorOutcome struct {
	Thread    Thread
	Message   Message
	Reply     *Message
	Escalated bool
	Lead      *Lead
	FollowUps []FollowUp
}

// VisitorMessage stores a visitor message and what follows it, in one change: the user
// message (NEW_MESSAGE); a lead when the text has contact details and lead collection is
// on (NEW_LEAD; escalation too when autoEscalateOnLeadCapture); an escalation when asked
// (system message, CONVERSATION_ESCALATED); and the AI reply when the thread still answers
// with AI (NEW_MESSAGE), with the follow-up prompts.
func (s *Store) VisitorMessage(chatbotID, threadID string, turn VisitorTurn) (VisitorOutcome, error) {
	var out VisitorOutcome
	err := s.update(func() error {
		c, t, err := s.visitorThreadLocked(chatbotID, threadID)
		if err != nil {
			return err
		}
		if limit, on := conversationCap(c.Settings); on && s.visitorMessagesLocked(t) >= limit {
			return conversationLimitError(c.ID, limit)
		}
		if err := s.roomLocked(chatbotID, 0, 3); err != nil { // user, escalation, reply
			return err
		}
		user := s.appendMessageLocked(t, NewMessage{Role: RoleUser, Content: turn.Content})
		s.emitMessageLocked(user)
		out.Message = cloneMessage(user)
		escalate := turn.Escalate
		if !turn.Lead.Empty() && leadCollectionOn(c) {
			l := s.captureLeadLocked(c, t, turn.Lead)
			lc := cloneLead(l)
			out.Lead = &lc
			escalate = escalate || autoEscalateOnLead(c)
		}
		if escalate && !t.Escalated && humanSupportOn(c) {
			s.visitorEscalateLocked(c, t)
			out.Escalated = true
		}
		if turn.Reply != nil && t.Mode == ModeAI && !t.Escalated {
			r := s.appendMessageLocked(t, NewMessage{Role: RoleAssistant, Content: turn.Reply.Content,
				ParentMessageID: &user.ID, Source: append([]MessageSource{}, turn.Reply.Sources...)})
			r.LLMModelID = ptr(SimulatedModelID)
			s.emitMessageLocked(r)
			rc := cloneMessage(r)
			out.Reply = &rc
			out.FollowUps = followUpsByRank(c)
		}
		if out.FollowUps == nil {
			out.FollowUps = []FollowUp{}
		}
		out.Thread = cloneThread(t)
		return nil
	})
	return out, err
}

// visitorEscalateLocked flips escalated on, adds the ESCALATED system message and fires
// CONVERSATION_ESCALATED.
func (s *Store) visitorEscalateLocked(c *Chatbot, t *Thread) {
	t.Escalated = true
	content := DefaultEscalationMessage
	if msg, _ := c.HumanSupport["humanSupportConfirmationMessage"].(string); strings.TrimSpace(msg) != "" {
		content = msg
	}
	sys := s.appendMessageLocked(t, NewMessage{Role: RoleSystem, SystemMessageType: ptr(SystemEscalated), Content: content})
	s.emit(Event{Type: WebhookEventEscalated, ChatbotID: c.ID, Key: "escalated:" + t.ID + ":" + itoa(sys.Seq), Data: s.escalationDataLocked(t)})
}

// VisitorContact records the contact form a visitor filled: the lead (NEW_LEAD, once per
// distinct details), the thread's visitor fields, and an escalation when
// autoEscalateOnLeadCapture and human support are on. With
// lead collection off nothing is stored (LEAD_COLLECTION_DISABLED).
func (s *Store) VisitorContact(chatbotID, threadID string, in LeadInput) (Lead, error) {
	var out Lead
	err := s.update(func() error {
		c, t, err := s.visitorThreadLocked(chatbotID, threadID)
		if err != nil {
			return err
		}
		if !leadCollectionOn(c) {
			return errLeadCollectionDisabled(chatbotID)
		}
		if err := s.roomLocked(chatbotID, 0, 1); err != nil { // the escalation's message
			return err
		}
		l := s.captureLeadLocked(c, t, in)
		if autoEscalateOnLead(c) && !t.Escalated && humanSupportOn(c) {
			s.visitorEscalateLocked(c, t)
		}
		s.touchThreadLocked(t, s.now())
		out = cloneLead(l)
		return nil
	})
	return out, err
}
