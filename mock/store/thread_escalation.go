package store

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
