package store

import (
	"sort"
	"strings"

	"github.com/contextgpt/sandbox/mock/apierr"
)

// MessagePage is one cursor page of a thread's messages, chronological, with the thread as
// it stands after the read.
type MessagePage struct {
	Messages []Message
	Thread   Thread
	HasMore  bool
	// NextCursor is the id of the oldest message returned when older ones exist, else nil.
	NextCursor *string
}

// ReadThreadMessages returns a thread's newest limit messages older than the message
// before (all of them when before is empty), in chronological order, and marks the thread
// read (unreadMessagesCount 0): it is a write. before must be a message of this thread
// (400 INVALID_FIELD_VALUE otherwise). Messages are only ever appended, so walking back
// with nextCursor never skips or repeats a message, whatever is inserted meanwhile; a page
// costs O(log n + limit).
func (s *Store) ReadThreadMessages(chatbotID, threadID, before string, limit int) (MessagePage, error) {
	if limit < 1 {
		return MessagePage{}, apierr.New(apierr.InvalidFieldValue, "limit must be at least 1")
	}
	var out MessagePage
	err := s.withChatbot(chatbotID, func(*Chatbot) error {
		t, err := s.threadLocked(chatbotID, threadID)
		if err != nil {
			return err
		}
		list := s.idx.messagesByThrd[t.row]
		end := list.Len()
		if before != "" {
			b, ok := s.messages.get(before)
			if !ok || b.ThreadID != t.ID {
				return &apierr.Error{Code: apierr.InvalidFieldValue, Message: "before is not a message of this thread",
					Fields: []apierr.FieldError{{Path: []any{"before"}, Message: "must be the id of a message of this thread"}}}
			}
			// The list is in (seq, id) order; an import may hold equal seqs.
			end = sort.Search(end, func(i int) bool {
				r := s.messages.rec(list.At(i))
				return r.seq > b.Seq || (r.seq == b.Seq && r.id >= b.ID)
			})
		}
		start := end - limit
		if start < 0 {
			start = 0
		}
		out.Messages = make([]Message, 0, end-start)
		var scratch thawedMessage
		for i := start; i < end; i++ {
			out.Messages = append(out.Messages, cloneMessage(s.messages.view(list.At(i), &scratch)))
		}
		out.HasMore = start > 0
		if out.HasMore {
			id := s.messages.rec(list.At(start)).id
			out.NextCursor = &id
		}
		t.UnreadMessagesCount = 0
		out.Thread = cloneThread(t)
		return nil
	})
	return out, err
}

// AgentMessage is the input of SendAgentMessage.
type AgentMessage struct {
	Content   string
	AgentName *string
}

// SendAgentMessage stores a human agent's message (role AGENT) at the end of a thread and
// emits NEW_MESSAGE. An agent replying takes the thread over: a thread in AI mode switches
// to AGENT (the reference tells integrators to do so first; the mock does it for them, so
// the simulated AI stays quiet); AGENT and HUMAN stay as they are.
func (s *Store) SendAgentMessage(chatbotID, threadID string, in AgentMessage) (Message, error) {
	if strings.TrimSpace(in.Content) == "" {
		return Message{}, &apierr.Error{Code: apierr.MissingRequiredField, Message: "content is required",
			Fields: []apierr.FieldError{{Path: []any{"content"}, Message: "must not be empty"}}}
	}
	var out Message
	err := s.withChatbot(chatbotID, func(*Chatbot) error {
		t, err := s.threadLocked(chatbotID, threadID)
		if err != nil {
			return err
		}
		if err := s.roomLocked(chatbotID, 0, 1); err != nil {
			return err
		}
		if t.Mode == ModeAI {
			t.Mode = ModeAgent
		}
		m := s.appendMessageLocked(t, NewMessage{Role: RoleAgentMsg, Content: in.Content, AgentName: clonePtr(in.AgentName)})
		s.emitMessageLocked(m)
		out = cloneMessage(m)
		return nil
	})
	return out, err
}

// EditMessage replaces a message's content and marks it edited by editorID (a user id).
// A message of another chatbot, or none, is 404 RESOURCE_NOT_FOUND. Editing is not
// activity: the thread keeps its place.
func (s *Store) EditMessage(chatbotID, messageID, content, editorID string) (Message, error) {
	if strings.TrimSpace(content) == "" {
		return Message{}, &apierr.Error{Code: apierr.MissingRequiredField, Message: "content is required",
			Fields: []apierr.FieldError{{Path: []any{"content"}, Message: "must not be empty"}}}
	}
	var out Message
	err := s.withChatbot(chatbotID, func(*Chatbot) error {
		m, ok := s.messages.get(messageID)
		if !ok || m.ChatbotID != chatbotID {
			return apierr.New(apierr.ResourceNotFound, "Message not found")
		}
		now := s.now()
		m.Content = content
		m.IsEdited = true
		m.EditedBy = &editorID
		m.EditedAt = &now
		m.UpdatedAt = now
		out = cloneMessage(m)
		return nil
	})
	return out, err
}
